//! Where the checklist lives: a GitHub issue or a local markdown file.
//!
//! A tick never loses anyone's edit. It (1) fetches the current body, (2)
//! flips the step's one checkbox byte *by the step's id* in that fresh body —
//! never by line number, never in our cached copy — (3) writes it back, and
//! (4) reads it back to confirm. If the step moved or vanished, or is already
//! in the wanted state, nothing is written.
//!
//! The one window left open is between (1) and (3): an edit someone saves in
//! that single round trip (typically well under a second) is overwritten,
//! because GitHub's issue API has no compare-and-swap (no `If-Match` on
//! PATCH). We keep that window as short as possible: no other request and no
//! user interaction happens between the GET and the PATCH. The file backend
//! has the same window between its read and its atomic rename.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::blockers::{Blocker, DEFAULT_QUERY};
use super::error::ReleaseError;
use super::file::{read_file, write_atomic};
use super::github::{GithubClient, IssueData};
use super::links::{Scope, StepLinks};
use super::live::{self, BlockerReport};
use super::tasklist::{Checklist, TickError, set_done};
use crate::config::{Config, GithubConfig};

/// How the tracking issue is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// By number.
    Number(u64),
    /// The newest open issue with this label (and milestone).
    Label {
        /// The label.
        label: String,
        /// The milestone title.
        milestone: Option<String>,
    },
}

/// The loaded checklist and what the view shows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseDoc {
    /// `owner/name`, or the file path.
    pub repo: String,
    /// The issue number (GitHub backend).
    pub number: Option<u64>,
    /// The issue title (file: its first heading, or its name).
    pub title: String,
    /// The milestone title.
    pub milestone: Option<String>,
    /// The release captain (first assignee).
    pub assignee: Option<String>,
    /// How many blockers `blocker_query` finds (GitHub's `total_count`);
    /// `None` when unknown (see `warnings`) or not fetched.
    pub blockers: Option<usize>,
    /// The blockers themselves (the search's first page, up to 100).
    pub blocker_issues: Option<Vec<Blocker>>,
    /// The blocker query as sent.
    pub blocker_query: Option<String>,
    /// What this load could not fetch or fully trust (the load itself
    /// succeeded): e.g. why the blocker count is unknown.
    pub warnings: Vec<String>,
    /// The live state of what each step points at, by step id (steps
    /// pointing at nothing are left out; GitHub backend).
    pub links: BTreeMap<String, StepLinks>,
    /// A tick's read-back: the body only; blockers and link states were
    /// not fetched (keep the last ones).
    pub read_back: bool,
    /// The issue's web page.
    pub url: Option<String>,
    /// The markdown body.
    pub body: String,
    /// The parsed task list.
    pub checklist: Checklist,
}

impl ReleaseDoc {
    /// On a tick's read-back ([`ReleaseDoc::read_back`]), takes from `last`
    /// what the read-back did not fetch: the blockers, the warnings about
    /// them and the steps' link states. A full load keeps its own.
    pub fn keep_unfetched(&mut self, last: Option<&ReleaseDoc>) {
        let Some(last) = last.filter(|_| self.read_back) else {
            return;
        };
        self.blockers = last.blockers;
        self.blocker_issues.clone_from(&last.blocker_issues);
        self.blocker_query.clone_from(&last.blocker_query);
        self.warnings.clone_from(&last.warnings);
        self.links.clone_from(&last.links);
    }
}

/// A checklist backend.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A GitHub issue.
    Github {
        /// The client.
        client: Box<GithubClient>,
        /// How to find the issue.
        locator: Locator,
        /// The blocker label.
        blocker_label: String,
        /// The blocker search query, `{placeholders}` unfilled.
        blocker_query: String,
        /// The milestone blockers are counted in (from config).
        milestone: Option<String>,
        /// Post audit comments on ticks.
        audit_comments: bool,
    },
    /// A local markdown file.
    File(PathBuf),
}

/// What a successful tick did.
#[derive(Debug, Clone, PartialEq)]
pub struct TickOutcome {
    /// The checklist as read back after the write.
    pub doc: ReleaseDoc,
    /// A warning that did not stop the tick (e.g. the audit comment failed).
    pub warning: Option<String>,
}

/// What [`Backend::ensure_step`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Ensured {
    /// The checkbox was flipped.
    Changed(TickOutcome),
    /// The fresh body already had the step in the wanted state: nothing was
    /// written. `doc` is that fresh body (blockers not counted).
    Already {
        /// The checklist as just read.
        doc: ReleaseDoc,
    },
}

impl Backend {
    /// The backend `[release]` describes, if any.
    pub fn from_config(config: &Config) -> Result<Option<Backend>, ReleaseError> {
        let Some(r) = &config.release else {
            return Ok(None);
        };
        if let Some(file) = &r.file {
            return Ok(Some(Backend::File(super::command::expand_home(
                &file.to_string_lossy(),
            ))));
        }
        let repo = r
            .repo
            .as_ref()
            .map(|s| s.get_ref().clone())
            .ok_or(ReleaseError::NoRepoOrFile)?;
        let default_github = GithubConfig::default();
        let gh = config.github.as_ref().unwrap_or(&default_github);
        let client = GithubClient::new(gh, &repo)?;
        let locator = match (r.issue, &r.label) {
            (Some(n), _) => Locator::Number(n),
            (None, Some(label)) => Locator::Label {
                label: label.clone(),
                milestone: r.milestone.clone(),
            },
            (None, None) => return Err(ReleaseError::NoIssueOrLabel),
        };
        Ok(Some(Backend::Github {
            client: Box::new(client),
            locator,
            blocker_label: r.blocker_label.clone(),
            blocker_query: r
                .blocker_query
                .as_ref()
                .map_or_else(|| DEFAULT_QUERY.to_string(), |q| q.get_ref().clone()),
            milestone: r.milestone.clone(),
            audit_comments: r.audit_comments,
        }))
    }

    /// A short name for the header: `github` or `file`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Github { .. } => "github",
            Backend::File(_) => "file",
        }
    }

    /// Loads the checklist.
    pub async fn load(&self) -> Result<ReleaseDoc, ReleaseError> {
        match self {
            Backend::Github {
                client,
                locator,
                blocker_label,
                blocker_query,
                milestone,
                ..
            } => {
                let issue = match locator {
                    Locator::Number(n) => client.issue(*n).await,
                    Locator::Label { label, milestone } => {
                        client.find_issue(label, milestone.as_deref()).await
                    }
                }?;
                // `{milestone}`: the issue's milestone, else the configured one.
                let blocker_milestone = issue.milestone.clone().or_else(|| milestone.clone());
                let mut doc = doc_from_issue(&client.repo, issue);
                let scope = Scope::new(&client.repo, client.shown_api_url(), doc.url.as_deref());
                let (report, links) = tokio::join!(
                    live::blockers(
                        client,
                        blocker_query,
                        blocker_label,
                        blocker_milestone.as_deref(),
                    ),
                    live::link_states(client, &doc.checklist, &scope),
                );
                doc.read_back = false;
                doc.links = links;
                with_blockers(&mut doc, report);
                Ok(doc)
            }
            Backend::File(path) => {
                let body = read_file(path)?;
                Ok(doc_from_file(path, body))
            }
        }
    }

    /// Sets a step's checkbox without losing anyone's edit (see the module
    /// docs). `number` is the issue loaded earlier (GitHub backend). A step
    /// already in the wanted state is an error: the caller meant to flip it.
    pub async fn set_step(
        &self,
        number: Option<u64>,
        id: &str,
        done: bool,
    ) -> Result<TickOutcome, ReleaseError> {
        match self.ensure_step(number, id, done).await? {
            Ensured::Changed(outcome) => Ok(outcome),
            Ensured::Already { .. } => Err(TickError::AlreadyInState {
                id: id.to_owned(),
                done,
            }
            .into()),
        }
    }

    /// Like [`Backend::set_step`], but a step already in the wanted state is
    /// success ([`Ensured::Already`]) and nothing is written.
    pub async fn ensure_step(
        &self,
        number: Option<u64>,
        id: &str,
        done: bool,
    ) -> Result<Ensured, ReleaseError> {
        match self {
            Backend::Github {
                client,
                audit_comments,
                ..
            } => {
                let number = number.ok_or(ReleaseError::NotLoaded)?;
                // (1) fresh body, (2) splice by id, (3) PATCH: nothing else in between.
                let fresh = client.issue(number).await?;
                let body = match set_done(&fresh.body, id, done) {
                    Ok(body) => body,
                    Err(TickError::AlreadyInState { .. }) => {
                        let doc = doc_from_issue(&client.repo, fresh);
                        return Ok(Ensured::Already { doc });
                    }
                    Err(e) => return Err(e.into()),
                };
                client.update_body(number, &body).await?;
                // (4) read back.
                let back = client.issue(number).await?;
                let doc = doc_from_issue(&client.repo, back);
                confirm(&doc.checklist, id, done)?;
                let mut warning = None;
                if *audit_comments {
                    let step = doc
                        .checklist
                        .step(id)
                        .map(|s| s.text.clone())
                        .unwrap_or_else(|| id.to_string());
                    let user = client
                        .current_user()
                        .await
                        .unwrap_or_else(|_| "someone".into());
                    let verb = if done { "ticked" } else { "unticked" };
                    let text = format!("{verb} {step} — {user} via opsdeck");
                    if let Err(e) = client.comment(number, &text).await {
                        warning = Some(format!(
                            "the step was {verb}, but the audit comment failed: {e}"
                        ));
                    }
                }
                Ok(Ensured::Changed(TickOutcome { doc, warning }))
            }
            Backend::File(path) => {
                let fresh = read_file(path)?;
                let body = match set_done(&fresh, id, done) {
                    Ok(body) => body,
                    Err(TickError::AlreadyInState { .. }) => {
                        let doc = doc_from_file(path, fresh);
                        return Ok(Ensured::Already { doc });
                    }
                    Err(e) => return Err(e.into()),
                };
                write_atomic(path, &body)?;
                let back = read_file(path)?;
                let doc = doc_from_file(path, back);
                confirm(&doc.checklist, id, done)?;
                Ok(Ensured::Changed(TickOutcome { doc, warning: None }))
            }
        }
    }
}

fn confirm(checklist: &Checklist, id: &str, done: bool) -> Result<(), ReleaseError> {
    match checklist.step(id) {
        Some(s) if s.done == done => Ok(()),
        Some(_) => Err(ReleaseError::NotConfirmed {
            id: id.to_owned(),
            done,
        }),
        None => Err(ReleaseError::MissingAfterWrite { id: id.to_owned() }),
    }
}

/// The issue as read; blockers not fetched (`read_back`).
fn doc_from_issue(repo: &str, issue: IssueData) -> ReleaseDoc {
    ReleaseDoc {
        repo: repo.to_string(),
        number: Some(issue.number),
        checklist: Checklist::parse(&issue.body),
        title: issue.title,
        milestone: issue.milestone,
        assignee: issue.assignee,
        blockers: None,
        blocker_issues: None,
        blocker_query: None,
        warnings: Vec::new(),
        links: BTreeMap::new(),
        read_back: true,
        url: Some(issue.html_url),
        body: issue.body,
    }
}

fn with_blockers(doc: &mut ReleaseDoc, report: BlockerReport) {
    doc.blockers = report.count;
    doc.blocker_issues = report.issues;
    doc.blocker_query = report.query;
    doc.warnings.extend(report.warning);
}

fn doc_from_file(path: &Path, body: String) -> ReleaseDoc {
    let title = body
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    ReleaseDoc {
        repo: path.display().to_string(),
        number: None,
        title,
        milestone: None,
        assignee: None,
        blockers: None,
        blocker_issues: None,
        blocker_query: None,
        warnings: Vec::new(),
        links: BTreeMap::new(),
        read_back: false,
        url: None,
        checklist: Checklist::parse(&body),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_backend_ticks_keeping_crlf_and_other_edits() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("RELEASE.md");
        let body = "# 3.23 release\r\n\r\n## Setup\r\n\r\n- [ ] Create the branch\r\n- [ ] Tag it `git push origin 3.23`\r\n";
        std::fs::write(&path, body).expect("write");
        let backend = Backend::File(path.clone());
        let doc = backend.load().await.expect("load");
        assert_eq!(doc.title, "3.23 release");
        assert_eq!(doc.checklist.progress(), (0, 2));
        let id = doc.checklist.steps[1].id.clone();

        // Someone edits the file after we loaded it.
        let edited = body.replace("Create the branch", "Create the release branch");
        std::fs::write(&path, &edited).expect("write");
        let out = backend.set_step(None, &id, true).await.expect("tick");
        assert_eq!(out.doc.checklist.progress(), (1, 2));
        let now = std::fs::read(&path).expect("read");
        let expected = edited.replacen("- [ ] Tag", "- [x] Tag", 1);
        assert_eq!(
            String::from_utf8(now).expect("utf8"),
            expected,
            "one byte changed, CRLF and the other edit kept"
        );

        // Already ticked: refused, nothing written.
        let e = backend
            .set_step(None, &id, true)
            .await
            .expect_err("already");
        assert!(matches!(
            e,
            ReleaseError::Tick(TickError::AlreadyInState { done: true, .. })
        ));
        let e = e.to_string();
        assert_eq!(
            e,
            format!("step {id} is already ticked; nothing was changed")
        );
        // ensure_step: already ticked is success, nothing written.
        match backend.ensure_step(None, &id, true).await {
            Ok(Ensured::Already { doc }) => assert_eq!(doc.checklist.progress(), (1, 2)),
            other => panic!("{other:?}"),
        }
        // Unticking an open step (its id follows the edited text).
        let first = "setup/create-the-release-branch";
        match backend.ensure_step(None, first, false).await {
            Ok(Ensured::Already { doc }) => assert_eq!(doc.body, expected),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            backend.ensure_step(None, "setup/no-such-step", true).await,
            Err(e) if e.to_string().contains("no longer")
        ));
        // Vanished: refused.
        let e = backend
            .set_step(None, "setup/no-such-step", true)
            .await
            .expect_err("vanished");
        assert!(matches!(e, ReleaseError::Tick(TickError::Vanished { .. })));
        let e = e.to_string();
        assert!(e.contains("no longer"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), expected);

        // ensure_step flips like set_step when the state differs.
        match backend.ensure_step(None, first, true).await {
            Ok(Ensured::Changed(out)) => assert_eq!(out.doc.checklist.progress(), (2, 2)),
            other => panic!("{other:?}"),
        }
        let both = expected.replacen("- [ ] Create", "- [x] Create", 1);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), both);
    }

    #[tokio::test]
    async fn github_backend_already_in_state_sends_no_patch() {
        use crate::demo::github::{GithubFake, IssueSeed};
        let fake = GithubFake::start().await.expect("fake");
        let body = "## Setup\n- [x] Branch\n- [ ] Tag\n";
        let number = fake.add_issue(IssueSeed {
            repo: "o/r".into(),
            title: "3.23".into(),
            body: body.into(),
            ..IssueSeed::default()
        });
        let text = format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n\
             [release]\nrepo = \"o/r\"\nissue = {number}\n",
            fake.url
        );
        let config = Config::parse(&text, Path::new("t.toml")).expect("config");
        let backend = Backend::from_config(&config)
            .expect("backend")
            .expect("configured");
        let patches = || {
            fake.requests()
                .iter()
                .filter(|r| r.method == "PATCH")
                .count()
        };

        match backend
            .ensure_step(Some(number), "setup/branch", true)
            .await
        {
            Ok(Ensured::Already { doc }) => assert_eq!(doc.checklist.progress(), (1, 2)),
            other => panic!("{other:?}"),
        }
        match backend.ensure_step(Some(number), "setup/tag", false).await {
            Ok(Ensured::Already { doc }) => assert_eq!(doc.number, Some(number)),
            other => panic!("{other:?}"),
        }
        let e = backend
            .set_step(Some(number), "setup/branch", true)
            .await
            .expect_err("already")
            .to_string();
        assert_eq!(
            e,
            "step setup/branch is already ticked; nothing was changed"
        );
        assert_eq!(patches(), 0, "nothing written");
        assert_eq!(fake.issue_body("o/r", number).as_deref(), Some(body));

        match backend.ensure_step(Some(number), "setup/tag", true).await {
            Ok(Ensured::Changed(out)) => assert_eq!(out.doc.checklist.progress(), (2, 2)),
            other => panic!("{other:?}"),
        }
        assert_eq!(patches(), 1);
    }

    #[tokio::test]
    async fn errors_keep_their_kind() {
        use crate::demo::github::{Fault, GithubFake, IssueSeed};
        use crate::release::github::GithubErrorKind;

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing.md");
        let e = Backend::File(path.clone())
            .load()
            .await
            .expect_err("missing");
        assert!(
            matches!(
                &e,
                ReleaseError::Read {
                    kind: std::io::ErrorKind::NotFound,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string().starts_with(&format!("{}: ", path.display())),
            "{e}"
        );

        let fake = GithubFake::start().await.expect("fake");
        let number = fake.add_issue(IssueSeed {
            repo: "o/r".into(),
            title: "3.23".into(),
            body: "- [ ] Tag\n".into(),
            ..IssueSeed::default()
        });
        let text = format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n\
             [release]\nrepo = \"o/r\"\nissue = {number}\n",
            fake.url
        );
        let config = Config::parse(&text, Path::new("t.toml")).expect("config");
        let backend = Backend::from_config(&config)
            .expect("backend")
            .expect("configured");
        fake.fail_next(Fault::status(Some("GET"), "/issues/", 401));
        match backend.load().await {
            Err(ReleaseError::Github(e)) => {
                assert_eq!((e.kind, e.status), (GithubErrorKind::Status, Some(401)));
                assert!(e.to_string().contains("the token was rejected"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            backend.ensure_step(None, "top/tag", true).await,
            Err(ReleaseError::NotLoaded)
        );
    }
}
