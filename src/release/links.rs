//! What a step points at, and the live state of it (pure: finding the
//! references, naming and combining states; the fetching is in `live`).
//!
//! References are found in a step's link destinations (`[text](url)`,
//! `<url>`), in bare URLs in its text (pulldown-cmark does not autolink
//! them), in `#123` / `owner/repo#123` shorthands in its text (not inside
//! words, not channel names like `#dev-announce`, not in code spans), and in
//! inline code that names a release branch or tag (`3.23`, `3.23.0`,
//! `v3.23.0-rc.1`). URLs count when they are on a GitHub web host the
//! checklist knows: the one the API URL implies, and the one the tracking
//! issue's own page is on. Each step keeps at most [`MAX_PER_STEP`],
//! de-duplicated; the rest are counted.

use std::sync::LazyLock;

use regex::Regex;

use super::tasklist::Step;

/// Most references kept per step.
pub const MAX_PER_STEP: usize = 8;

/// What a step points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A pull request (`…/pull/{n}`).
    Pull {
        /// `owner/name`, lowercase.
        repo: String,
        /// Its number.
        number: u64,
    },
    /// An issue (`…/issues/{n}`, `#n`, `owner/name#n`); GitHub says
    /// whether it is a pull request.
    Issue {
        /// `owner/name`, lowercase.
        repo: String,
        /// Its number.
        number: u64,
    },
    /// A branch, tag or commit, for its CI state.
    Ref {
        /// `owner/name`, lowercase.
        repo: String,
        /// The branch or tag name, or the SHA.
        name: String,
    },
}

impl Target {
    /// The repository it is in.
    pub fn repo(&self) -> &str {
        match self {
            Target::Pull { repo, .. } | Target::Issue { repo, .. } | Target::Ref { repo, .. } => {
                repo
            }
        }
    }

    /// Its page on the web host `web` (`https://github.com`).
    pub fn web_url(&self, web: &str) -> String {
        match self {
            Target::Pull { repo, number } => format!("{web}/{repo}/pull/{number}"),
            Target::Issue { repo, number } => format!("{web}/{repo}/issues/{number}"),
            Target::Ref { repo, name } => format!("{web}/{repo}/tree/{name}"),
        }
    }

    /// How the checklist names it: `#16190` (or `owner/name#16190` in
    /// another repository), `3.23` (or `owner/name@3.23`).
    pub fn label(&self, home: &str) -> String {
        let other = !self.repo().eq_ignore_ascii_case(home);
        match self {
            Target::Pull { repo, number } | Target::Issue { repo, number } if other => {
                format!("{repo}#{number}")
            }
            Target::Pull { number, .. } | Target::Issue { number, .. } => format!("#{number}"),
            Target::Ref { repo, name } if other => format!("{repo}@{name}"),
            Target::Ref { name, .. } => name.clone(),
        }
    }
}

/// Where references are looked for: the checklist's repository (for `#n`
/// and branch names) and the GitHub web hosts links may be on
/// (`https://github.com`, `https://ghe.example.com`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// `owner/name` of the tracking issue.
    pub repo: String,
    /// Web bases without a trailing slash; the first is where pages are
    /// made up for references GitHub gave no page for.
    pub web: Vec<String>,
}

impl Scope {
    /// The scope of a checklist in `repo` read through `api_url`, whose
    /// tracking issue's page is `issue_url`.
    pub fn new(repo: &str, api_url: &str, issue_url: Option<&str>) -> Scope {
        let mut web = Vec::new();
        // The page GitHub gave for the issue first: it is where pages are.
        let found = [
            issue_url.and_then(|u| web_base_of(u, repo)),
            web_base(api_url),
        ];
        for base in found.into_iter().flatten() {
            if !web.iter().any(|w: &String| w.eq_ignore_ascii_case(&base)) {
                web.push(base);
            }
        }
        Scope {
            repo: repo.to_lowercase(),
            web,
        }
    }
}

/// The web host an API URL implies: `https://api.github.com` →
/// `https://github.com`, `https://ghe.example.com/api/v3` →
/// `https://ghe.example.com`.
pub fn web_base(api_url: &str) -> Option<String> {
    let api = api_url.trim_end_matches('/');
    let (scheme, rest) = api.split_once("://")?;
    if rest.eq_ignore_ascii_case("api.github.com") {
        return Some(format!("{scheme}://github.com"));
    }
    let lower = api.to_ascii_lowercase();
    lower
        .ends_with("/api/v3")
        .then(|| api[..api.len() - "/api/v3".len()].to_string())
}

/// The web base of a page in `repo`: `https://host/o/r/issues/1` →
/// `https://host`.
pub fn web_base_of(page: &str, repo: &str) -> Option<String> {
    let lower = page.to_ascii_lowercase();
    let needle = format!("/{}/", repo.to_ascii_lowercase());
    let at = lower.find(&needle)?;
    page.get(..at)
        .filter(|b| b.contains("://"))
        .map(str::to_string)
}

/// What one step points at: the first [`MAX_PER_STEP`] references and how
/// many more there were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// In the order they appear (links, bare URLs, shorthands, code).
    pub targets: Vec<Target>,
    /// Left out over the cap.
    pub more: usize,
}

// Fixed patterns (a test checks they compile); `None` would only mean no
// references of that kind are found.
static BARE_URL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"https?://[^\s<>"'`()\[\]]+"#).ok());

/// The character before must be none, or not a word character, `/`, `#`
/// or `&` (so `a#1`, `x/y#1` inside URLs and `&#35;` are not references).
static SHORTHAND: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w/#&])(?:([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+))?#([0-9]+)\b").ok()
});

static RELEASE_REF: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^v?[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:-[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*)?$").ok()
});

/// Decodes `%XX` escapes in a URL path part (`release%2F3.23`); anything
/// else, a stray `%` included, is kept as it is.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, escaped) {
            (b'%', Some(e)) => {
                out.push(e);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The reference a URL on one of `scope`'s web hosts makes.
fn from_url(url: &str, scope: &Scope) -> Option<Target> {
    let url = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let rest = scope.web.iter().find_map(|base| {
        let head = url.get(..base.len())?;
        let tail = url.get(base.len()..)?;
        (head.eq_ignore_ascii_case(base) && tail.starts_with('/')).then_some(&tail[1..])
    })?;
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let (owner, name, kind, tail) = match parts.as_slice() {
        [owner, name, kind, tail @ ..] => (owner, name, *kind, tail),
        _ => return None,
    };
    let repo = format!("{owner}/{name}").to_lowercase();
    let number = || tail.first().and_then(|n| n.parse::<u64>().ok());
    let joined = || decode(&tail.join("/"));
    match (kind, tail) {
        ("pull", [_, ..]) => Some(Target::Pull {
            repo,
            number: number()?,
        }),
        ("issues", [_, ..]) => Some(Target::Issue {
            repo,
            number: number()?,
        }),
        ("tree" | "commit", [_, ..]) => Some(Target::Ref {
            repo,
            name: joined(),
        }),
        ("releases", ["tag", tag @ ..]) if !tag.is_empty() => Some(Target::Ref {
            repo,
            name: decode(&tag.join("/")),
        }),
        _ => None,
    }
}

/// The step's text without its code spans (a `#1` in code is not a
/// reference).
fn prose(step: &Step) -> String {
    let mut text = step.text.clone();
    for code in &step.code {
        if let Some(at) = text.find(code.as_str()) {
            text.replace_range(at..at + code.len(), " ");
        }
    }
    text
}

/// What `step` points at, within `scope`.
pub fn targets(step: &Step, scope: &Scope) -> Found {
    let mut all: Vec<Target> = Vec::new();
    let text = prose(step);
    let urls = step.links.iter().map(String::as_str).chain(
        BARE_URL
            .iter()
            .flat_map(|re| re.find_iter(&text).map(|m| m.as_str())),
    );
    all.extend(urls.filter_map(|u| from_url(u, scope)));
    for c in SHORTHAND.iter().flat_map(|re| re.captures_iter(&text)) {
        let Some(number) = c.get(2).and_then(|n| n.as_str().parse().ok()) else {
            continue;
        };
        let repo = c
            .get(1)
            .map_or_else(|| scope.repo.clone(), |r| r.as_str().to_lowercase());
        all.push(Target::Issue { repo, number });
    }
    for code in &step.code {
        let code = code.trim();
        if RELEASE_REF.as_ref().is_some_and(|re| re.is_match(code)) {
            all.push(Target::Ref {
                repo: scope.repo.clone(),
                name: code.to_string(),
            });
        }
    }
    // One of each; an issue that is also linked as a pull request is that.
    let mut unique: Vec<Target> = Vec::new();
    for t in all {
        let duplicate = unique.iter().any(|u| {
            u == &t
                || matches!((u, &t), (
                    Target::Pull { repo: a, number: n },
                    Target::Issue { repo: b, number: m },
                ) if a == b && n == m)
        });
        if duplicate {
            continue;
        }
        if let Target::Pull { repo, number } = &t {
            unique.retain(
                |u| !matches!(u, Target::Issue { repo: r, number: n } if r == repo && n == number),
            );
        }
        unique.push(t);
    }
    let more = unique.len().saturating_sub(MAX_PER_STEP);
    unique.truncate(MAX_PER_STEP);
    Found {
        targets: unique,
        more,
    }
}

/// CI's verdict on a commit: its commit statuses and check runs together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Checks {
    /// Everything passed.
    Success,
    /// Something failed, errored, was cancelled, timed out or needs action.
    Failure,
    /// Something is still queued or running.
    Pending,
    /// Nothing reported on it.
    None,
}

impl Checks {
    /// `success`, `failure`, `pending` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Checks::Success => "success",
            Checks::Failure => "failure",
            Checks::Pending => "pending",
            Checks::None => "none",
        }
    }

    /// Combines commit status states (`success`, `failure`, `error`,
    /// `pending`) and check runs (`status`, `conclusion`): any failure
    /// wins, then anything unfinished, then nothing at all is `None`.
    pub fn combine<'a>(
        statuses: impl IntoIterator<Item = &'a str>,
        runs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Checks {
        let (mut any, mut failed, mut pending) = (false, false, false);
        for state in statuses {
            any = true;
            match state {
                "failure" | "error" => failed = true,
                "success" => {}
                _ => pending = true,
            }
        }
        for (status, conclusion) in runs {
            any = true;
            match (status, conclusion) {
                (
                    "completed",
                    Some(
                        "failure" | "cancelled" | "timed_out" | "action_required"
                        | "startup_failure",
                    ),
                ) => failed = true,
                ("completed", _) => {}
                _ => pending = true,
            }
        }
        match (any, failed, pending) {
            (false, _, _) => Checks::None,
            (_, true, _) => Checks::Failure,
            (_, _, true) => Checks::Pending,
            _ => Checks::Success,
        }
    }
}

/// A pull request's or issue's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemState {
    /// Open (a pull request that is not a draft).
    Open,
    /// An open draft pull request.
    Draft,
    /// Closed without merging.
    Closed,
    /// A merged pull request.
    Merged,
}

impl ItemState {
    /// `open`, `draft`, `closed` or `merged`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Draft => "draft",
            ItemState::Closed => "closed",
            ItemState::Merged => "merged",
        }
    }
}

/// What a reference resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkKind {
    /// A pull request (also an issue link that GitHub says is one).
    Pull,
    /// An issue.
    Issue,
    /// A branch, tag or commit.
    Ref,
}

impl LinkKind {
    /// `pull`, `issue` or `ref`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Pull => "pull",
            LinkKind::Issue => "issue",
            LinkKind::Ref => "ref",
        }
    }
}

/// The live state of one reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkState {
    /// What the step points at.
    pub target: Target,
    /// How the checklist names it: `#16201`, `owner/name#5` in another
    /// repository, `3.23` (see [`Target::label`]).
    pub name: String,
    /// What it is (an issue link may turn out to be a pull request).
    pub kind: LinkKind,
    /// A pull request's or issue's state; `None` for refs and when unknown.
    pub state: Option<ItemState>,
    /// The CI of a pull request's head or of a ref; `None` for issues and
    /// when unknown.
    pub checks: Option<Checks>,
    /// Its title (pull requests and issues).
    pub title: Option<String>,
    /// Its web page.
    pub url: String,
    /// Why (part of) it is unknown.
    pub error: Option<String>,
}

impl LinkState {
    /// A reference whose state could not be fetched, named as a checklist
    /// in `home` (`owner/name`) names it.
    pub fn unknown(target: Target, home: &str, url: String, error: String) -> LinkState {
        let kind = match target {
            Target::Pull { .. } => LinkKind::Pull,
            Target::Issue { .. } => LinkKind::Issue,
            Target::Ref { .. } => LinkKind::Ref,
        };
        LinkState {
            name: target.label(home),
            target,
            kind,
            state: None,
            checks: None,
            title: None,
            url,
            error: Some(error),
        }
    }

    /// `open`, `draft`, `closed`, `merged`; for a ref its CI state; else
    /// `unknown`.
    pub fn state_str(&self) -> &'static str {
        match (self.kind, self.state, self.checks) {
            (LinkKind::Ref, _, Some(c)) => c.as_str(),
            (LinkKind::Pull | LinkKind::Issue, Some(s), _) => s.as_str(),
            _ => "unknown",
        }
    }
}

/// The references of one step and their states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepLinks {
    /// At most [`MAX_PER_STEP`], in the order the step names them.
    pub states: Vec<LinkState>,
    /// References left out over the cap.
    pub more: usize,
}

#[cfg(test)]
mod tests;
