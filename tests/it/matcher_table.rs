//! What `amtool silence add` (the reference client, Alertmanager 0.25) and
//! `opsdeck ack` store in a real Alertmanager for the same matcher argument.
//!
//! The inputs are in `tests/data/alertmanager_matchers.txt`, taken from
//! Alertmanager's own parser tests. For each one, both clients create a
//! silence (or refuse to); the stored matchers are read back with
//! `GET /api/v2/silence/{id}` and the silence is expired again. The result is
//! written as a markdown table to `target/matcher-table.md`, and every row
//! must agree except those in [`EXPECTED_DIFFERENCES`]. "Both refused" counts
//! as agreement whatever the two messages say. Nothing of amtool's answer is
//! hard-coded: it is asked every time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use opsdeck_testkit::http::http_request;
use opsdeck_testkit::servers::{Alertmanager, amtool_bin};
use serde_json::Value;

use crate::support::config_text;

/// The inputs, one a line (see the file's header for the format).
const DATA_FILE: &str = "tests/data/alertmanager_matchers.txt";

/// Worker threads running the rows (each row is independent: its own silences).
const WORKERS: usize = 4;

/// Timeout handed to both clients for their requests.
const CLIENT_TIMEOUT: &str = "5s";

/// Rows where opsdeck stores something else than amtool 0.25, with the reason.
/// A reason starting with "BUG:" marks a row where opsdeck looks wrong.
///
/// Where the rows come from: amtool 0.25 parses every argument with
/// `labels.ParseMatcher`, i.e. as exactly ONE matcher (its value runs to the
/// end of the argument, commas and braces included), and when the first
/// argument is not a matcher it retries it as `alertname=ARG`. opsdeck parses
/// each argument as a matcher list, like Alertmanager's own
/// `labels.ParseMatchers` (the `TestMatchers` these inputs come from).
const EXPECTED_DIFFERENCES: &[(&str, &str)] = &[
    // pkg/labels TestMatchers@v0.25.0
    (r#"{foo="bar"}"#, BRACES),
    (r#"{foo=~"bar.*"}"#, BRACES),
    (r#"{foo="bar", baz!="quux"}"#, BRACES),
    (r#"{foo="bar", baz!~"quux.*"}"#, BRACES),
    (r#"{foo="bar",baz!~".*quux", derp="wat"}"#, BRACES),
    (r#"{foo="bar", baz!="quux", derp="wat"}"#, BRACES),
    (r#"{foo="bar", baz!~".*quux.*", derp="wat"}"#, BRACES),
    (r#"{foo="bar", instance=~"some-api.*"}"#, BRACES),
    (r#"{foo="bar,quux", job="job1"}"#, BRACES),
    (r#"{foo = "bar", dings != "bums", }"#, BRACES),
    ("foo=bar,dings!=bums", LIST),
    (
        r#"{quote="She said: \"Hi, ladies! That's gender-neutral…\""}"#,
        BRACES,
    ),
    (r#"trickier==\\=\=\""#, UNQUOTED),
    (r#""foo=\"bar""#, QUOTED_WHOLE),
    (r#""foo=\"bar\"""#, QUOTED_WHOLE),
    (r#""{foo=\"bar\"}""#, QUOTED_WHOLE),
    // pkg/labels TestMatchers after v0.25.0
    ("{}", MALFORMED),
    (",", MALFORMED),
    ("{,}", MALFORMED),
    ("{foo='}", BRACES),
    ("{foo=`}", BRACES),
    (r#"{foo=\"}"#, BRACES_UNQUOTED),
    ("{foo=bar}", BRACES),
    ("{foo=~bar.*}", BRACES),
    ("{foo=bar}}", MALFORMED),
    ("{foo=bar}},}", MALFORMED),
    ("{foo=,bar=}}", MALFORMED),
    (r"{foo=bar\t}", BRACES_UNQUOTED),
    (r"{foo=bar\n}", BRACES_UNQUOTED),
    (r"{foo=bar\}", BRACES_UNQUOTED),
    (r"{foo=bar\\}", BRACES_UNQUOTED),
    (r#"{foo=bar\"}"#, BRACES_UNQUOTED),
    ("{{foo=", MALFORMED),
    ("{foo=", MALFORMED),
    ("{foo=}b", MALFORMED),
    // matcher/compliance
    (r"{foo=\n}", BRACES_UNQUOTED),
    // matcher/parse
    ("{foo=bar,}", BRACES),
    ("{foo=~[a-z]+}", BRACES),
    ("{foo=🙂}", BRACES),
    ("foo=bar,", LIST),
    (r#"foo="bar",bar!="baz""#, LIST),
    ("{", MALFORMED),
    ("}", MALFORMED),
    ("foo=bar}", STRAY_BRACE),
    ("{foo=bar", MALFORMED),
    (r#"{foo="bar\w"}"#, BRACES),
    ("foo=bar,bar=baz", LIST),
    // opsdeck-specific
    ("HighCPU severity=critical", LIST),
    (r"instance=~\Q10.0.0.1\E", UNQUOTED),
    ("foo=bar,bar=~baz", LIST),
    ("foo=,bar=", LIST),
    ("alertname=High CPU", SPACE),
];

/// amtool has no braces; opsdeck has them.
const BRACES: &str = "amtool 0.25 reads an argument as one matcher without braces \
    (labels.ParseMatcher): `{` makes that fail, and its alertname= fallback then refuses \
    the quotes inside or stores the whole argument as the alertname; opsdeck strips the \
    braces and stores what Alertmanager's labels.ParseMatchers (TestMatchers) gives";

/// amtool: one argument, one matcher; opsdeck: a list.
const LIST: &str = "amtool 0.25 reads an argument as ONE matcher whose value runs to its \
    end, commas and spaces included (or refuses the quotes inside it); opsdeck splits it \
    into matchers at commas and spaces outside quotes, as labels.ParseMatchers splits at \
    commas (with amtool they would be separate arguments)";

/// An unquoted value with a space.
const SPACE: &str = "opsdeck splits an argument at spaces outside quotes, so an unquoted \
    value with a space leaves a stray word and is refused (amtool 0.25 keeps the space in \
    the value); opsdeck's message quotes that word as typed, with its column";

/// opsdeck refuses unquoted backslashes and quotes.
const UNQUOTED: &str = "opsdeck refuses an unquoted value holding a backslash or a double \
    quote as ambiguous (amtool 0.25 unescapes \\\\, \\\" and \\n there but keeps any other \
    backslash) and names the quoted form to type instead";

/// Both of the above.
const BRACES_UNQUOTED: &str = "amtool 0.25 has no braces: its alertname= fallback stores \
    the whole argument as the alertname; opsdeck strips the braces but refuses the \
    unquoted value holding a backslash or a double quote as ambiguous, naming the quoted \
    form";

/// Not a matcher list; amtool's fallback makes an alertname of it anyway.
const MALFORMED: &str = "no matcher, unbalanced braces or text after the closing brace: \
    amtool 0.25's alertname= fallback stores the whole argument as the alertname; opsdeck \
    refuses it";

/// `foo=bar}`.
const STRAY_BRACE: &str = "amtool 0.25 keeps the stray `}` in the value; opsdeck refuses \
    it (as Alertmanager's newer matcher/parse does: \"expected opening brace\")";

/// A whole matcher inside double quotes.
const QUOTED_WHOLE: &str = "a whole matcher in double quotes: labels.ParseMatchers \
    refuses it (TestMatchers, \"Double escaped strings\") and so does opsdeck; amtool \
    0.25's alertname= fallback unquotes it and stores it as the alertname";

/// What a client left in Alertmanager for one input.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stored {
    /// The silence's matchers, canonical (`name=~"value"`), in stored order.
    Matchers(Vec<String>),
    /// No silence: the first line of the client's (or the server's) error.
    Refused(String),
}

impl Stored {
    fn cell(&self) -> String {
        match self {
            Stored::Matchers(ms) => ms.join(", "),
            Stored::Refused(why) => format!("refused: {why}"),
        }
    }
}

/// Agreement: the same matchers (in any order), or both refused.
fn agree(a: &Stored, b: &Stored) -> bool {
    match (a, b) {
        (Stored::Refused(_), Stored::Refused(_)) => true,
        (Stored::Matchers(x), Stored::Matchers(y)) => {
            let (mut x, mut y) = (x.clone(), y.clone());
            x.sort();
            y.sort();
            x == y
        }
        _ => false,
    }
}

struct Row {
    input: String,
    amtool: Stored,
    opsdeck: Stored,
}

/// The inputs of [`DATA_FILE`]: every line verbatim (only the line break
/// dropped), skipping `#` comments and empty lines.
fn load_inputs() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DATA_FILE);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// Quotes a stored value much as Alertmanager prints matchers: `"`, `\`,
/// line feed and tab escaped; other control characters shown as `\u{..}`.
fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `name op "value"` for each of a silence's `matchers` (op from
/// `isRegex`/`isEqual`; `isEqual` defaults to true as in the API).
fn canonical(matchers: &Value) -> Vec<String> {
    let list = matchers
        .as_array()
        .unwrap_or_else(|| panic!("silence without a matchers array: {matchers}"));
    list.iter()
        .map(|m| {
            let name = m["name"].as_str().unwrap_or_default();
            let value = m["value"].as_str().unwrap_or_default();
            let is_regex = m["isRegex"].as_bool().unwrap_or(false);
            let is_equal = m["isEqual"].as_bool().unwrap_or(true);
            let op = match (is_regex, is_equal) {
                (false, true) => "=",
                (false, false) => "!=",
                (true, true) => "=~",
                (true, false) => "!~",
            };
            format!("{name}{op}{}", quote(value))
        })
        .collect()
}

/// Reads silence `id` back, expires it, and returns its matchers.
fn read_back_and_expire(am_url: &str, id: &str) -> Stored {
    let url = format!("{am_url}/api/v2/silence/{id}");
    let got = http_request("GET", &url, None).unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(
        got.is_success(),
        "GET {url}: HTTP {}: {}",
        got.status,
        got.body
    );
    let silence: Value = serde_json::from_str(&got.body)
        .unwrap_or_else(|e| panic!("GET {url}: bad JSON ({e}): {}", got.body));
    let deleted =
        http_request("DELETE", &url, None).unwrap_or_else(|e| panic!("DELETE {url}: {e}"));
    assert!(
        deleted.is_success(),
        "DELETE {url}: HTTP {}: {}",
        deleted.status,
        deleted.body
    );
    Stored::Matchers(canonical(&silence["matchers"]))
}

/// The line of a failed client's stderr that says why: the first one
/// holding `error:` (amtool's `amtool: error: …`, opsdeck's `error: …`),
/// else the last non-empty one.
fn error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| l.to_ascii_lowercase().contains("error:"))
        .or(lines.last())
        .map_or_else(|| "(no message)".to_string(), |l| (*l).to_string())
}

/// A client's result: the silence id it printed on success, read back; its
/// error line otherwise.
fn outcome(what: &str, input: &str, out: &Output, am_url: &str) -> Stored {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        assert!(
            stdout.trim().is_empty(),
            "{what} failed for {input:?} but printed {stdout:?} (a silence may exist)"
        );
        return Stored::Refused(error_line(&stderr));
    }
    let ids: Vec<&str> = stdout.split_whitespace().collect();
    match ids.as_slice() {
        [id] => read_back_and_expire(am_url, id),
        _ => panic!(
            "{what} succeeded for {input:?} but printed {stdout:?} instead of one silence id\nstderr: {stderr}"
        ),
    }
}

fn run_amtool(amtool: &Path, home: &Path, am_url: &str, input: &str) -> Stored {
    let out = Command::new(amtool)
        .arg(format!("--alertmanager.url={am_url}"))
        .arg(format!("--timeout={CLIENT_TIMEOUT}"))
        .args([
            "silence",
            "add",
            "--comment=t",
            "--author=t",
            "--duration=1h",
            "--",
            input,
        ])
        // amtool also reads $HOME/.config/amtool/config.yml: none here.
        .env("HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("run amtool");
    outcome("amtool", input, &out, am_url)
}

fn run_opsdeck(config: &Path, home: &Path, am_url: &str, input: &str) -> Stored {
    let out = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(config)
        .args([
            "ack",
            "--yes",
            "--comment",
            "t",
            "--author",
            "t",
            "--for",
            "1h",
            "--",
            input,
        ])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("OPSDECK_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run opsdeck");
    outcome("opsdeck", input, &out, am_url)
}

/// One markdown table cell: a code span (so `*`, `_` and backslashes stay literal),
/// delimited by more backticks than the text holds, `|` escaped for GFM.
fn md_cell(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let body = text.replace('|', "\\|").replace('\n', "\\n");
    // One space inside each side: stripped again by the renderer, keeps
    // leading/trailing backticks and spaces of the text.
    format!("{fence} {body} {fence}")
}

/// The markdown report: the table, then the reason of every difference.
fn markdown(rows: &[Row], amtool_version: &str, elapsed: Duration) -> String {
    let mut md = String::new();
    md.push_str("# amtool vs `opsdeck ack`: what Alertmanager stores\n\n");
    md.push_str(&format!(
        "Generated by `tests/it/matcher_table.rs` from `{DATA_FILE}` ({} inputs, {:.1}s).\n\
         Reference client: {amtool_version}. Each input is one shell argument; \
         inputs are shown verbatim; stored values are quoted with `\\\"`, `\\\\`, `\\n` and \
         `\\t` escaped; \"refused\" quotes the first error line.\n\n",
        rows.len(),
        elapsed.as_secs_f64()
    ));
    md.push_str("| input | amtool stores | opsdeck stores | same? |\n");
    md.push_str("|---|---|---|---|\n");
    for row in rows {
        let same = if agree(&row.amtool, &row.opsdeck) {
            match (&row.amtool, &row.opsdeck) {
                (Stored::Refused(_), Stored::Refused(_)) => "yes (both refused)",
                _ => "yes",
            }
        } else {
            match expected_reason(&row.input) {
                Some(reason) if reason.starts_with("BUG:") => "no (BUG)",
                Some(_) => "no (expected)",
                None => "**NO**",
            }
        };
        md.push_str(&format!(
            "| {} | {} | {} | {same} |\n",
            md_cell(&row.input),
            md_cell(&row.amtool.cell()),
            md_cell(&row.opsdeck.cell())
        ));
    }
    // The differences, grouped by reason (in the order they first occur).
    md.push_str("\n## Differences\n");
    let differing: Vec<&Row> = rows
        .iter()
        .filter(|r| !agree(&r.amtool, &r.opsdeck))
        .collect();
    let reason_of = |r: &Row| expected_reason(&r.input).unwrap_or(UNEXPECTED);
    let mut reasons: Vec<&str> = Vec::new();
    for row in &differing {
        if !reasons.contains(&reason_of(row)) {
            reasons.push(reason_of(row));
        }
    }
    for reason in reasons {
        let inputs: Vec<String> = differing
            .iter()
            .filter(|r| reason_of(r) == reason)
            .map(|r| md_cell(&r.input))
            .collect();
        md.push_str(&format!("\n{reason}:\n\n- {}\n", inputs.join("\n- ")));
    }
    md
}

/// The reason shown for a difference missing from [`EXPECTED_DIFFERENCES`].
const UNEXPECTED: &str = "UNEXPECTED (not in EXPECTED_DIFFERENCES)";

fn expected_reason(input: &str) -> Option<&'static str> {
    EXPECTED_DIFFERENCES
        .iter()
        .find(|(i, _)| *i == input)
        .map(|(_, reason)| *reason)
}

/// `target/` of this build (the parent of `CARGO_TARGET_TMPDIR`).
fn report_path() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("matcher-table.md")
}

#[test]
fn amtool_and_opsdeck_store_the_same_matchers() {
    let started = Instant::now();
    let inputs = load_inputs();
    assert!(
        inputs.len() >= 60,
        "only {} inputs in {DATA_FILE}",
        inputs.len()
    );
    for (input, _) in EXPECTED_DIFFERENCES {
        assert!(
            inputs.iter().any(|i| i == input),
            "EXPECTED_DIFFERENCES names {input:?}, which is not in {DATA_FILE}"
        );
    }

    let amtool = amtool_bin();
    let version = Command::new(&amtool)
        .arg("--version")
        .output()
        .expect("amtool --version");
    let version_text = format!(
        "{}{}",
        String::from_utf8_lossy(&version.stdout),
        String::from_utf8_lossy(&version.stderr)
    );
    let amtool_version = version_text
        .lines()
        .next()
        .unwrap_or("amtool, version unknown")
        .trim()
        .to_string();

    let am = Alertmanager::start();
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("opsdeck.toml");
    std::fs::write(&config, config_text(&[("am", &am.url)], &[], "")).expect("write config");
    let am_url = am.url.clone();

    // Rows are independent (each creates and expires its own silences), so
    // they run on a few threads; the table keeps the file's order.
    let mut slots: Vec<Option<Row>> = (0..inputs.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let chunk = inputs.len().div_ceil(WORKERS);
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let (amtool, home, config, am_url) = (&amtool, home.path(), &config, &am_url);
                scope.spawn(move || {
                    let rows: Vec<(usize, Row)> = part
                        .iter()
                        .enumerate()
                        .map(|(k, input)| {
                            let row = Row {
                                input: input.clone(),
                                amtool: run_amtool(amtool, home, am_url, input),
                                opsdeck: run_opsdeck(config, home, am_url, input),
                            };
                            (n * chunk + k, row)
                        })
                        .collect();
                    rows
                })
            })
            .collect();
        for handle in handles {
            for (i, row) in handle.join().expect("worker panicked") {
                slots[i] = Some(row);
            }
        }
    });
    let rows: Vec<Row> = slots
        .into_iter()
        .map(|r| r.expect("every row ran"))
        .collect();

    // Nothing may be left active (every silence was expired after reading).
    let active: Vec<Value> = am
        .get_json("/api/v2/silences")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s["status"]["state"] != "expired")
        .collect();
    assert!(active.is_empty(), "silences left active: {active:?}");

    let elapsed = started.elapsed();
    let md = markdown(&rows, &amtool_version, elapsed);
    let path = report_path();
    std::fs::write(&path, &md).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    println!("{md}");
    println!(
        "wrote {} ({} rows, {elapsed:.1?})",
        path.display(),
        rows.len()
    );

    let unexpected: Vec<String> = rows
        .iter()
        .filter(|r| !agree(&r.amtool, &r.opsdeck) && expected_reason(&r.input).is_none())
        .map(|r| {
            format!(
                "  {:?}\n    amtool:  {}\n    opsdeck: {}",
                r.input,
                r.amtool.cell(),
                r.opsdeck.cell()
            )
        })
        .collect();
    let stale: Vec<&str> = rows
        .iter()
        .filter(|r| agree(&r.amtool, &r.opsdeck) && expected_reason(&r.input).is_some())
        .map(|r| r.input.as_str())
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "amtool and opsdeck disagree on {} input(s) not in EXPECTED_DIFFERENCES:\n{}\n\
         EXPECTED_DIFFERENCES entries that now agree (remove them): {stale:?}\n\
         full table: {}",
        unexpected.len(),
        unexpected.join("\n"),
        path.display()
    );
}
