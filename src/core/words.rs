//! Counting words: "1 alert", "2 alerts".

/// "1 alert", "2 alerts".
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", s(n))
}

/// The plural suffix: "" for one, "s" otherwise.
pub fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The first `most` items joined with ", ", then "+N more" for the rest.
pub fn list_cut(items: &[&str], most: usize) -> String {
    let mut out = items
        .iter()
        .take(most)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > most {
        out.push_str(&format!(" +{} more", items.len() - most));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_many() {
        assert_eq!(plural(0, "alert"), "0 alerts");
        assert_eq!(plural(1, "alert"), "1 alert");
        assert_eq!(plural(2, "silence"), "2 silences");
        assert_eq!((s(1), s(3)), ("", "s"));
    }
}
