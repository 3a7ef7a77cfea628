//! The README's references are generated from the code, and checked here:
//! the configuration reference is `config.toml.example` verbatim, and the key
//! table is the default keymap's.

use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let a = text
        .find(start)
        .unwrap_or_else(|| panic!("README lacks {start}"))
        + start.len();
    let b = text[a..]
        .find(end)
        .unwrap_or_else(|| panic!("README lacks {end}"))
        + a;
    &text[a..b]
}

#[test]
fn configuration_reference_is_the_example_file() {
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml.example"))
            .expect("example");
    let readme = readme();
    let section = between(
        &readme,
        "<!-- config-reference:start -->",
        "<!-- config-reference:end -->",
    );
    let expected = format!("\n```toml\n{example}```\n");
    assert!(
        section == expected,
        "README's configuration reference differs from config.toml.example; paste the file between the markers"
    );
}

#[test]
fn key_reference_is_the_default_keymap() {
    let readme = readme();
    let section = between(&readme, "<!-- keys:start -->", "<!-- keys:end -->");
    let expected = opsdeck::app::keymap::Keymap::default().markdown();
    assert!(
        section == expected,
        "README's key reference differs from the default keymap; replace it with:\n{expected}"
    );
}
