//! "Did you mean …?": the nearest known name to a typo.

/// The candidate nearest to `word` by Damerau–Levenshtein distance, if it
/// is close enough to be a typo of it (at most 3 edits, or a third of the
/// candidate's length for long names); ties go to the alphabetically first.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// The candidate most similar to `word` by Jaro–Winkler similarity (at
/// least 0.8), for short names where edit distance is too lenient.
pub fn most_similar<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_strangers_do_not() {
        let names = ["refresh", "alerts", "ack_duration"];
        assert_eq!(nearest("refrsh", names), Some("refresh"));
        assert_eq!(nearest("alert", names), Some("alerts"));
        assert_eq!(nearest("zzzzzzzzzz", names), None);
        assert_eq!(most_similar("bolt", ["bold", "italic"]), Some("bold"));
        assert_eq!(most_similar("x", ["bold", "italic"]), None);
    }
}
