//! Shell completions and the man page, both generated from the clap
//! definitions in [`crate::cli`], so they never drift from the real CLI.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use color_eyre::eyre::{Result, WrapErr};

use crate::cli::Cli;

/// The name the scripts complete and the man page documents.
const BIN: &str = "opsdeck";

/// Prints a completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    write_stdout(&script).wrap_err("writing the completion script")?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page (roff) on stdout.
pub fn man_page() -> Result<ExitCode> {
    let page = render_man().wrap_err("rendering the man page")?;
    write_stdout(page.as_bytes()).wrap_err("writing the man page")?;
    Ok(ExitCode::SUCCESS)
}

/// The man page, with `.TH` as its first line as man pages conventionally
/// begin (clap_mangen puts its apostrophe-string definitions first; they are
/// only needed by the text after the title, which holds no apostrophe).
fn render_man() -> std::io::Result<String> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    let page = String::from_utf8(page)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    Ok(title_first(&page))
}

/// Moves the first `.TH` line to the front.
fn title_first(page: &str) -> String {
    let mut lines: Vec<&str> = page.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with(".TH ")) {
        let title = lines.remove(i);
        lines.insert(0, title);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Writes everything at once; a closed pipe (`opsdeck man | head`) is not an
/// error worth reporting.
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_subcommands() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::Elvish,
            clap_complete::Shell::PowerShell,
        ] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
            let text = String::from_utf8(script).expect("utf-8");
            for sub in ["alerts", "ack", "release", "deploy", "completions"] {
                assert!(text.contains(sub), "{shell}: {sub} missing");
            }
        }
    }

    #[test]
    fn man_page_starts_with_its_title_and_keeps_every_line() {
        let text = render_man().expect("render");
        assert!(text.starts_with(".TH opsdeck 1 "), "{text}");
        assert!(text.contains("\n.ie \\n(.g .ds Aq \\(aq\n"), "{text}");
        assert!(text.contains(".SH NAME"), "{text}");
        assert_eq!(title_first("a\nb\n.TH x 1\nc\n"), ".TH x 1\na\nb\nc\n");
        assert_eq!(title_first("no title\n"), "no title\n");
    }
}
