//! Branch names for bumps.

/// A branch name for a bump: `opsdeck/bump-<image>-<tag>` for one image (the
/// last path component of its repository), `opsdeck/bump-<n>-images-<hash>`
/// for several (a stable hash of the images and tags, order-independent).
/// Characters git refuses in a ref are replaced by `-`.
pub fn bump_branch_name(images: &[(String, String)]) -> String {
    let mut uniq: Vec<&(String, String)> = images.iter().collect();
    uniq.sort();
    uniq.dedup();
    if let [(repository, tag)] = uniq.as_slice() {
        let name = repository.rsplit('/').next().unwrap_or(repository);
        return format!(
            "opsdeck/bump-{}",
            sanitize_ref_component(&format!("{name}-{tag}"))
        );
    }
    // FNV-1a: stable across Rust versions, unlike std's hashers.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uniq
        .iter()
        .flat_map(|(r, t)| r.bytes().chain([0]).chain(t.bytes()).chain([0]))
    {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!(
        "opsdeck/bump-{}-images-{:08x}",
        uniq.len(),
        (hash ^ (hash >> 32)) as u32
    )
}

/// Makes `s` safe as one component of a ref name (see git-check-ref-format).
fn sanitize_ref_component(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let bad = c.is_control()
            || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\' | '/')
            || (c == '.' && (out.is_empty() || out.ends_with('.')))
            || (c == '@' && chars.get(i + 1) == Some(&'{'));
        out.push(if bad { '-' } else { c });
    }
    if out.ends_with('.') {
        out.pop();
        out.push('-');
    }
    if let Some(stem) = out.strip_suffix(".lock") {
        out = format!("{stem}-lock");
    }
    if out.is_empty() || out == "@" {
        out = "-".to_owned();
    }
    out
}
