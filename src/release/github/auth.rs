//! The token and the API URL as messages show it.

use super::error::{GithubError, GithubErrorKind::Setup, fail};
use crate::config::GithubConfig;

/// Reads the token: `token_command`'s output, else `$token_env` (default
/// `GITHUB_TOKEN`). None when neither gives one (anonymous access).
pub fn token(cfg: &GithubConfig) -> Result<Option<String>, GithubError> {
    if let Some(cmd) = &cfg.token_command {
        let Some((program, args)) = cmd.split_first() else {
            return Err(fail(Setup, "github.token_command is empty"));
        };
        let out = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| {
                fail(
                    Setup,
                    format!("github.token_command {program:?} could not run: {e}"),
                )
            })?;
        if !out.status.success() {
            return Err(fail(
                Setup,
                format!(
                    "github.token_command {program:?} failed ({}); its output is not shown because it may hold secrets",
                    out.status
                ),
            ));
        }
        let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if token.is_empty() {
            return Err(fail(
                Setup,
                format!("github.token_command {program:?} printed no token"),
            ));
        }
        return Ok(Some(token));
    }
    let var = cfg.token_env.as_deref().unwrap_or("GITHUB_TOKEN");
    Ok(std::env::var(var)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}

/// A URL without its user and password, for messages.
pub(super) fn without_credentials(api_url: &str) -> String {
    match url::Url::parse(api_url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string().trim_end_matches('/').to_string()
        }
        _ => api_url.to_string(),
    }
}
