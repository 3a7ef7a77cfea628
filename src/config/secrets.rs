//! Secrets written in the config file, and the warning when such a file can
//! be read by others.

use std::path::Path;

use super::{Config, HttpSourceConfig};

impl Config {
    /// Places where this config holds a secret in plain text: credential
    /// headers, and URLs with a user and password.
    pub fn secrets(&self) -> Vec<String> {
        let secret_header = |name: &str, value: &str| {
            let n = name.to_ascii_lowercase();
            n == "authorization"
                || n.contains("token")
                || n.contains("api-key")
                || n.contains("apikey")
                || n.contains("secret")
                || n.contains("password")
                || value.starts_with("Bearer ")
                || value.starts_with("Basic ")
        };
        let has_userinfo = |u: &str| url::Url::parse(u).is_ok_and(|u| u.password().is_some());
        let mut out = Vec::new();
        let mut sources: Vec<&HttpSourceConfig> =
            self.alertmanager.iter().chain(&self.prometheus).collect();
        for ctx in self.context.values() {
            sources.extend(ctx.alertmanager.iter().chain(&ctx.prometheus));
        }
        for s in sources {
            for (k, v) in &s.headers {
                if secret_header(k, v) {
                    out.push(format!("header {k:?} of source {:?}", s.name));
                }
            }
            if has_userinfo(s.url.get_ref()) {
                out.push(format!("the url of source {:?}", s.name));
            }
        }
        if let Some(d) = &self.deploy {
            for r in &d.registry {
                if has_userinfo(r.url.get_ref()) {
                    out.push(format!("the url of registry {:?}", r.host));
                }
            }
        }
        out
    }
}

/// A warning when a config file that holds a secret can be read by group or
/// others (unix permissions). Prefer `bearer_token_env`, `password_env` or
/// `token_command`, which keep secrets out of the file.
pub fn permission_warning(path: &Path, config: &Config) -> Option<String> {
    let secrets = config.secrets();
    if secrets.is_empty() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} holds a secret ({}) and is readable by group or others (mode {:o}); run `chmod 600 {}` or move the secret to an environment variable (bearer_token_env, password_env, token_command)",
                path.display(),
                secrets.join(", "),
                mode & 0o777,
                path.display()
            ));
        }
    }
    None
}
