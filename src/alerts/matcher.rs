//! Label matchers (`name=value`, `!=`, `=~`, `!~`) as amtool and Alertmanager
//! understand them, and the `/` filter language built on them.
//!
//! Filter grammar (terms are AND-ed, separated by spaces or commas, optionally
//! wrapped in `{…}` as amtool prints them):
//!
//! * `severity=critical`, `owner!=search`, `alertname=~"warning_.*"`,
//!   `service_name!~"zoekt.*"` — label matchers; regexes are anchored like
//!   Alertmanager's; a missing label matches as the empty string;
//! * `@state=silenced`, `@team=search`, `@source=prod`, `@severity=critical` —
//!   matchers on opsdeck's derived fields;
//! * anything else is free text, matched case-insensitively against the
//!   alert's name, label values and annotations.

use std::fmt;

use regex::Regex;

use super::model::Alert;
use super::re2;

/// A matcher's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    Re,
    /// `!~`
    NotRe,
}

impl MatchOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        }
    }

    /// Alertmanager's `isRegex` flag.
    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Re | MatchOp::NotRe)
    }

    /// Alertmanager's `isEqual` flag.
    pub fn is_equal(self) -> bool {
        matches!(self, MatchOp::Eq | MatchOp::Re)
    }

    /// Builds the operator from Alertmanager's two flags.
    pub fn from_flags(is_regex: bool, is_equal: bool) -> MatchOp {
        match (is_regex, is_equal) {
            (false, true) => MatchOp::Eq,
            (false, false) => MatchOp::Ne,
            (true, true) => MatchOp::Re,
            (true, false) => MatchOp::NotRe,
        }
    }
}

/// One label matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The operator.
    pub op: MatchOp,
    /// The value (a regex source for `=~`/`!~`).
    pub value: String,
    regex: Option<Regex>,
    /// Why a server's regex could not be compiled here (see
    /// [`Matcher::from_server`]); such a matcher never matches locally.
    problem: Option<String>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Eq for Matcher {}

/// A matcher or filter that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What went wrong, for people.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// The one-line reason a pattern does not compile ("unclosed group"),
/// without the regex crate's caret diagram of our anchored wrapper.
fn regex_problem(value: &str, anchored: &regex::Error) -> String {
    let error = re2::compile_bare(value).err();
    let error = error.as_ref().unwrap_or(anchored);
    match error {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or_else(|| text.lines().last().unwrap_or(text))
            .trim()
            .to_string(),
        other => other.to_string(),
    }
}

fn err<T>(message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        message: message.into(),
    })
}

impl Matcher {
    /// Builds a matcher, compiling its regex (anchored, like Alertmanager's).
    /// A bad regex is reported against the user's own pattern.
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Matcher, ParseError> {
        let regex = if op.is_regex() {
            match re2::compile_anchored(value) {
                Ok(r) => Some(r),
                Err(e) => {
                    return err(format!(
                        "invalid regex in {name}{}{}: {}",
                        op.as_str(),
                        quote(value),
                        regex_problem(value, &e)
                    ));
                }
            }
        } else {
            None
        };
        Ok(Matcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
            regex,
            problem: None,
        })
    }

    /// A matcher as a server holds it: never fails. A regex this program
    /// cannot compile is kept as stored, with [`Matcher::problem`] saying
    /// why; it matches nothing locally (which alerts it silences then comes
    /// from Alertmanager's own `silencedBy`).
    pub fn from_server(name: &str, op: MatchOp, value: &str) -> Matcher {
        Matcher::new(name, op, value).unwrap_or_else(|e| Matcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
            regex: None,
            problem: Some(e.message),
        })
    }

    /// Why this server-held matcher's regex is not understood here, if so.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// An equality matcher.
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher {
            name: name.to_string(),
            op: MatchOp::Eq,
            value: value.to_string(),
            regex: None,
            problem: None,
        }
    }

    /// Does the value (`None` = label absent, which matches as `""`) match?
    pub fn matches(&self, value: Option<&str>) -> bool {
        let v = value.unwrap_or("");
        match (self.op, &self.regex) {
            (MatchOp::Eq, _) => v == self.value,
            (MatchOp::Ne, _) => v != self.value,
            (MatchOp::Re, Some(r)) => r.is_match(v),
            (MatchOp::NotRe, Some(r)) => !r.is_match(v),
            // Only a server's matcher whose regex is not understood here
            // lacks one: it claims nothing (see `from_server`).
            (MatchOp::Re | MatchOp::NotRe, None) => false,
        }
    }

    /// Does it match the empty string? Alertmanager refuses silences whose
    /// matchers all do.
    pub fn matches_empty(&self) -> bool {
        self.matches(None)
    }

    /// Parses one matcher such as `alertname=~"warning_.*"`.
    pub fn parse(text: &str) -> Result<Matcher, ParseError> {
        let mut p = Parser::new(text);
        let term = p.term()?;
        p.skip_separators();
        if !p.at_end() {
            return err(format!(
                "unexpected {:?} after matcher at column {}",
                p.rest(),
                p.pos + 1
            ));
        }
        match term {
            Term::Label(m) => Ok(m),
            Term::Field(f, _) => err(format!(
                "@{} is an opsdeck filter field, not a label matcher",
                f.as_str()
            )),
            Term::Text(_) => err(format!(
                "expected a matcher such as name=\"value\", found {:?}",
                text.trim()
            )),
        }
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.name, self.op.as_str(), quote(&self.value))
    }
}

/// Quotes a value with `"`, escaping `"`, newlines, and the backslashes
/// that would otherwise start an escape (the form amtool and opsdeck read
/// back to the same value).
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            // A backslash is doubled only where it would otherwise read as
            // an escape (before `"`, `\`, `n`, or at the end), so `\d+`
            // prints as typed and still parses back to itself.
            '\\' if matches!(chars.peek(), None | Some('"' | '\\' | 'n' | '\n')) => {
                out.push_str("\\\\");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses the matchers of a silence as amtool takes them (CLI `ack`, the
/// ack form): matchers separated by spaces or commas, optionally in
/// `{…}`; a first bare word is amtool's shorthand for `alertname="WORD"`,
/// kept exactly as typed. Refused: free text after the first word, `@`
/// fields, no matcher at all, and a set whose matchers all match the empty
/// string (it would silence every alert; Alertmanager refuses it too).
pub fn parse_silence_matchers(text: &str) -> Result<Vec<Matcher>, ParseError> {
    let out = parse_silence_part(text, true)?;
    refuse_matching_everything(&out)?;
    Ok(out)
}

/// One piece of a silence's matchers (one CLI argument): as
/// [`parse_silence_matchers`], with the alertname shorthand only when
/// `first`, and without the whole-set check (see
/// [`refuse_matching_everything`]).
pub fn parse_silence_part(text: &str, first: bool) -> Result<Vec<Matcher>, ParseError> {
    let mut p = Parser::new(text);
    let mut out = Vec::new();
    p.skip_separators();
    let braced = p.eat('{');
    let mut first = first;
    loop {
        p.skip_separators();
        if p.at_end() || (braced && p.peek() == Some('}')) {
            break;
        }
        let start = p.pos;
        let quoted = p.peek() == Some('"');
        let term = p.term()?;
        let typed = &text[start..p.pos];
        match term {
            Term::Label(m) => out.push(m),
            Term::Text(_) if first && !quoted => {
                if typed.contains(['"', '\\']) {
                    return err(format!(
                        "unquoted {typed:?} holds a backslash or a quote: write it quoted, \
                         alertname={}",
                        quote(typed)
                    ));
                }
                out.push(Matcher::equal("alertname", typed));
            }
            Term::Text(_) => {
                return err(format!(
                    "expected a matcher such as name=\"value\" at column {}, found {typed:?}",
                    start + 1
                ));
            }
            Term::Field(f, _) => {
                return err(format!("@{} cannot be used in a silence", f.as_str()));
            }
        }
        first = false;
    }
    if braced && !p.eat('}') {
        return err("missing closing '}'");
    }
    p.skip_separators();
    if !p.at_end() {
        return err(format!("unexpected {:?} at column {}", p.rest(), p.pos + 1));
    }
    if out.is_empty() {
        return err("at least one matcher is needed");
    }
    Ok(out)
}

/// Refuses a silence whose matchers all match the empty string (a missing
/// label): it would cover every alert, and Alertmanager refuses it too.
pub fn refuse_matching_everything(out: &[Matcher]) -> Result<(), ParseError> {
    if out.iter().all(Matcher::matches_empty) {
        let shown: Vec<String> = out.iter().map(Matcher::to_string).collect();
        return err(format!(
            "{{{}}} matches every alert (each matcher also matches a missing label); \
             add one that does not, e.g. alertname=\"…\"",
            shown.join(", ")
        ));
    }
    Ok(())
}

/// opsdeck's derived fields, usable in filters with a leading `@`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `@state`: firing, pending, silenced, inhibited.
    State,
    /// `@team`: the owning team.
    Team,
    /// `@source`: a source name.
    Source,
    /// `@severity`: the normalised severity.
    Severity,
}

impl Field {
    const ALL: [Field; 4] = [Field::State, Field::Team, Field::Source, Field::Severity];

    /// The values the field can take, when it has a fixed set.
    fn values(self) -> Option<&'static [&'static str]> {
        match self {
            Field::State => Some(&["firing", "pending", "silenced", "inhibited"]),
            Field::Severity => Some(&["critical", "error", "warning", "info", "none"]),
            Field::Team | Field::Source => None,
        }
    }

    /// The name after `@`.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::State => "state",
            Field::Team => "team",
            Field::Source => "source",
            Field::Severity => "severity",
        }
    }
}

/// One filter term.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A label matcher.
    Label(Matcher),
    /// A matcher on a derived field (the matcher's `name` is the field name).
    Field(Field, Matcher),
    /// Free text (stored lower-case).
    Text(String),
}

/// A parsed `/` filter: every term must match.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// The terms, AND-ed.
    pub terms: Vec<Term>,
}

impl Filter {
    /// Parses a filter expression; an empty string is the empty filter.
    pub fn parse(text: &str) -> Result<Filter, ParseError> {
        let mut p = Parser::new(text);
        let mut terms = Vec::new();
        p.skip_separators();
        let braced = p.eat('{');
        loop {
            p.skip_separators();
            if p.at_end() || (braced && p.peek() == Some('}')) {
                break;
            }
            terms.push(p.term()?);
        }
        if braced {
            if !p.eat('}') {
                return err("missing closing '}'");
            }
            p.skip_separators();
            while !p.at_end() {
                terms.push(p.term()?);
                p.skip_separators();
            }
        }
        Ok(Filter { terms })
    }

    /// Asks for silenced or inhibited alerts by name (`@state=silenced`,
    /// `@state=~"silenced|inhibited"`): they are shown then, without `s`.
    pub fn asks_for_suppressed(&self) -> bool {
        self.terms.iter().any(|t| match t {
            Term::Field(Field::State, m) => {
                m.op.is_equal() && (m.matches(Some("silenced")) || m.matches(Some("inhibited")))
            }
            _ => false,
        })
    }

    /// True for the empty filter.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Does the alert pass every term?
    pub fn matches(&self, alert: &Alert) -> bool {
        self.terms.iter().all(|t| term_matches(t, alert))
    }
}

fn term_matches(term: &Term, a: &Alert) -> bool {
    match term {
        Term::Label(m) => m.matches(a.labels.get(&m.name)),
        Term::Field(Field::State, m) => {
            // An alert both silenced and inhibited has both states:
            // positive operators need one, negative ones all.
            let states = a.states();
            if m.op.is_equal() {
                states.iter().any(|s| m.matches(Some(s)))
            } else {
                states.iter().all(|s| m.matches(Some(s)))
            }
        }
        Term::Field(Field::Team, m) => m.matches(Some(&a.team)),
        Term::Field(Field::Severity, m) => m.matches(Some(a.severity.as_str())),
        Term::Field(Field::Source, m) => {
            // Negative operators must hold for every source, positive for one.
            if m.op.is_equal() {
                a.sources.iter().any(|src| m.matches(Some(src)))
            } else {
                a.sources.iter().all(|src| m.matches(Some(src)))
            }
        }
        Term::Text(t) => {
            let hit = |v: &str| contains_ignore_case(v, t);
            a.labels.values().any(hit)
                || a.annotations.values().any(hit)
                || contains_ignore_case(&a.team, t)
        }
    }
}

/// `haystack` contains `needle_lower` (already lower-case), ignoring case.
fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if haystack.is_ascii() && needle_lower.is_ascii() {
        haystack
            .as_bytes()
            .windows(needle_lower.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(needle_lower.as_bytes()))
            || needle_lower.is_empty()
    } else {
        haystack.to_lowercase().contains(needle_lower)
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(c) if c == ' ' || c == '\t') {
            self.bump();
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace() || c == ',') {
            self.bump();
        }
    }

    /// A term: `[@]name op value`, or a free-text word / quoted phrase.
    fn term(&mut self) -> Result<Term, ParseError> {
        let start = self.pos;
        if self.peek() == Some('"') {
            let text = self.quoted()?;
            return Ok(Term::Text(text.to_lowercase()));
        }
        let field = self.eat('@');
        let name_start = self.pos;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
            self.bump();
        }
        let name = &self.text[name_start..self.pos];
        let after_name = self.pos;
        self.refuse_invalid_name(name_start)?;
        self.skip_spaces();
        let op = self.op();
        if op.is_none() {
            self.pos = after_name;
        }
        match op {
            Some(op) if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) => {
                self.skip_spaces();
                let value = if self.peek() == Some('"') {
                    self.quoted()?
                } else {
                    let value_start = self.pos;
                    let value = self.bare();
                    if value.contains(['\\', '"']) {
                        return err(format!(
                            "unquoted value {value} at column {} holds a backslash or a quote: \
                             write it quoted, {name}{}{}",
                            value_start + 1,
                            op.as_str(),
                            quote(&value)
                        ));
                    }
                    value
                };
                let m = Matcher::new(name, op, &value)?;
                if field {
                    let f = Field::ALL
                        .iter()
                        .copied()
                        .find(|f| f.as_str() == name)
                        .ok_or_else(|| ParseError {
                            message: format!(
                                "unknown field @{name}; expected one of {}",
                                Field::ALL
                                    .iter()
                                    .map(|f| format!("@{}", f.as_str()))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        })?;
                    if let Some(values) = f.values() {
                        if !m.op.is_regex() && !values.contains(&m.value.as_str()) {
                            return err(format!(
                                "@{name} is one of {}, not {:?}",
                                values.join(", "),
                                m.value
                            ));
                        }
                    }
                    Ok(Term::Field(f, m))
                } else {
                    Ok(Term::Label(m))
                }
            }
            Some(op) if name.is_empty() && self.text[..start].trim_end().ends_with('"') => {
                err(format!(
                    "quoted label names are not supported (column {}): Alertmanager 0.25 \
                     label names are letters, digits and _, unquoted, e.g. foo{}\"bar\"",
                    start + 1,
                    op.as_str()
                ))
            }
            Some(op) if name.is_empty() => err(format!(
                "matcher at column {} has no label name before '{}'",
                start + 1,
                op.as_str()
            )),
            _ => {
                // Not a matcher: a free-text word up to the next separator.
                self.pos = start;
                let word = self.bare();
                if word.is_empty() {
                    return err(format!(
                        "unexpected {:?} at column {}",
                        self.rest(),
                        start + 1
                    ));
                }
                Ok(Term::Text(word.to_lowercase()))
            }
        }
    }

    /// A name followed by characters a label name cannot hold, then an
    /// operator (`invalid-name = "x"`): refused, naming the whole word. A
    /// word with no operator after it stays free text (`disk-full`).
    fn refuse_invalid_name(&mut self, name_start: usize) -> Result<(), ParseError> {
        let stops = |c: char| c.is_whitespace() || matches!(c, '=' | '!' | ',' | '}' | '"');
        let save = self.pos;
        if self.peek().is_none_or(stops) {
            return Ok(());
        }
        while self.peek().is_some_and(|c| !stops(c)) {
            self.bump();
        }
        let word_end = self.pos;
        self.skip_spaces();
        let has_op = self.op().is_some();
        self.pos = save;
        if has_op {
            return err(format!(
                "label name {:?} at column {} is not valid: label names are letters, digits \
                 and _, and do not start with a digit",
                &self.text[name_start..word_end],
                name_start + 1
            ));
        }
        Ok(())
    }

    fn op(&mut self) -> Option<MatchOp> {
        let rest = self.rest();
        let (op, len) = if rest.starts_with("=~") {
            (MatchOp::Re, 2)
        } else if rest.starts_with("!~") {
            (MatchOp::NotRe, 2)
        } else if rest.starts_with("!=") {
            (MatchOp::Ne, 2)
        } else if rest.starts_with('=') {
            (MatchOp::Eq, 1)
        } else {
            return None;
        };
        self.pos += len;
        Some(op)
    }

    /// An unquoted value: up to whitespace, `,` or `}`.
    fn bare(&mut self) -> String {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if !(c.is_whitespace() || c == ',' || c == '}')) {
            self.bump();
        }
        self.text[start..self.pos].to_string()
    }

    /// A double-quoted string with `\"`, `\\` and `\n` escapes.
    fn quoted(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return err(format!(
                        "unterminated quote starting at column {}",
                        open + 1
                    ));
                }
                Some('"') => return Ok(out),
                // `\"`, `\\` and `\n` are escapes; any other backslash stays
                // as typed, both characters (as Alertmanager 0.25 stores it).
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some(c @ ('"' | '\\')) => out.push(c),
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => {
                        return err(format!(
                            "unterminated quote starting at column {}",
                            open + 1
                        ));
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::model::{AlertState, Labels};

    fn alert(labels: &[(&str, &str)], state: AlertState) -> Alert {
        Alert {
            fingerprint: "f".into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Labels>()
                .into(),
            annotations: std::sync::Arc::new(
                [("description".to_string(), "Disk almost FULL".to_string())]
                    .into_iter()
                    .collect(),
            ),
            starts_at: chrono::DateTime::UNIX_EPOCH,
            state,
            sources: vec!["prod".into(), "prod-b".into()],
            generator_url: None,
            silenced_by: vec![],
            inhibited_by: vec![],
            team: String::new(),
            severity: crate::alerts::model::Severity::None,
        }
    }

    fn check(filter: &str, a: &Alert, team: &str) -> bool {
        let f = Filter::parse(filter).expect("parses");
        let mut a = a.clone();
        a.team = team.to_string();
        a.severity = crate::alerts::model::Severity::Warning;
        f.matches(&a)
    }

    #[test]
    fn parses_all_four_operators() {
        let f = Filter::parse(r#"a=1 b!=2 c=~"x.*" d!~y"#).expect("parses");
        let ops: Vec<_> = f
            .terms
            .iter()
            .map(|t| match t {
                Term::Label(m) => (m.name.clone(), m.op, m.value.clone()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(
            ops,
            vec![
                ("a".into(), MatchOp::Eq, "1".into()),
                ("b".into(), MatchOp::Ne, "2".into()),
                ("c".into(), MatchOp::Re, "x.*".into()),
                ("d".into(), MatchOp::NotRe, "y".into()),
            ]
        );
    }

    #[test]
    fn amtool_braces_and_commas() {
        let f = Filter::parse(r#"{alertname="x", level=~"warn.*"} disk"#).expect("parses");
        assert_eq!(f.terms.len(), 3);
        assert_eq!(f.terms[2], Term::Text("disk".into()));
    }

    #[test]
    fn regex_is_anchored() {
        let m = Matcher::parse(r#"alertname=~"warning_.*""#).expect("parses");
        assert!(m.matches(Some("warning_frontend_x")));
        assert!(!m.matches(Some("critical_warning_x")));
    }

    #[test]
    fn missing_label_matches_empty() {
        let a = alert(&[("alertname", "x")], AlertState::Firing);
        assert!(check("owner!=search", &a, "unowned"));
        assert!(check(r#"owner="""#, &a, "unowned"));
        assert!(!check("owner=search", &a, "unowned"));
    }

    #[test]
    fn derived_fields() {
        let a = alert(&[("alertname", "x")], AlertState::Silenced);
        assert!(check("@state=silenced", &a, "search"));
        assert!(!check("@state=firing", &a, "search"));
        assert!(check("@team=search", &a, "search"));
        assert!(check("@team=~sea.*", &a, "search"));
        assert!(check("@source=prod-b", &a, "search"));
        assert!(!check("@source!=prod", &a, "search"));
        assert!(check("@severity=warning", &a, "search"));
    }

    #[test]
    fn fixed_fields_refuse_unknown_values_and_silenced_is_asked_for() {
        let e = Filter::parse("@state=bogus").expect_err("bogus state");
        assert_eq!(
            e.message,
            r#"@state is one of firing, pending, silenced, inhibited, not "bogus""#
        );
        let e = Filter::parse("@severity!=crit").expect_err("short severity");
        assert!(
            e.message.starts_with("@severity is one of critical, error"),
            "{e}"
        );
        assert!(
            Filter::parse(r#"@state=~"sil.*""#).is_ok(),
            "regexes are not checked"
        );
        let asks = |f: &str| Filter::parse(f).expect("filter").asks_for_suppressed();
        assert!(asks("@state=silenced") && asks(r#"@state=~"silenced|inhibited""#));
        assert!(!asks("@state!=silenced") && !asks("@state=firing") && !asks("silenced"));
    }

    #[test]
    fn free_text_is_case_insensitive_over_labels_and_annotations() {
        let a = alert(
            &[("alertname", "critical_gitserver_disk")],
            AlertState::Firing,
        );
        assert!(check("GITSERVER", &a, "t"));
        assert!(check("full", &a, "t"));
        assert!(check(r#""almost full""#, &a, "t"));
        assert!(!check("zoekt", &a, "t"));
        assert!(check("gitserver @state=firing", &a, "t"));
    }

    #[test]
    fn errors_are_clear() {
        let e = Filter::parse(r#"a=~"(""#).expect_err("bad regex");
        assert_eq!(e.message, r#"invalid regex in a=~"(": unclosed group"#);
        let e = Filter::parse(r#"a="open"#).expect_err("unterminated");
        assert!(e.message.contains("unterminated quote"), "{e}");
        let e = Filter::parse("@colour=red").expect_err("unknown field");
        assert!(e.message.contains("unknown field @colour"), "{e}");
        let e = Filter::parse("=x").expect_err("no name");
        assert!(e.message.contains("no label name"), "{e}");
        let e = Filter::parse("{a=b").expect_err("brace");
        assert!(e.message.contains("closing"), "{e}");
    }

    #[test]
    fn single_matcher_parse_rejects_text_and_fields() {
        assert!(Matcher::parse("hello").is_err());
        assert!(Matcher::parse("@team=x").is_err());
        assert!(Matcher::parse("a=b c=d").is_err());
        let m = Matcher::parse(r#"description="a \"quoted\" thing""#).expect("parses");
        assert_eq!(m.value, r#"a "quoted" thing"#);
        assert_eq!(m.to_string(), r#"description="a \"quoted\" thing""#);
        assert_eq!(Matcher::parse(&m.to_string()).expect("round trip"), m);
    }

    /// What the user typed is what is stored (Alertmanager 0.25 / amtool).
    #[test]
    fn backslashes_are_kept_as_typed() {
        let cases = [
            (r#"foo=~"\d+""#, r"\d+"),
            (r#"instance=~"host\.example\.com""#, r"host\.example\.com"),
            (r#"foo="bar\w""#, r"bar\w"),
            (r#"foo="a\"b""#, r#"a"b"#),
            (r#"foo="a\\b""#, r"a\b"),
            (r#"foo="a\nb""#, "a\nb"),
        ];
        for (typed, stored) in cases {
            let m = Matcher::parse(typed).expect(typed);
            assert_eq!(m.value, stored, "{typed}");
            assert_eq!(Matcher::parse(&m.to_string()).expect("round trip"), m);
        }
    }

    #[test]
    fn unquoted_backslash_or_quote_is_refused_with_the_quoted_form() {
        let e = Matcher::parse(r#"job=value""#).expect_err("stray quote");
        assert!(
            e.message.contains(r#"write it quoted, job="value\"""#),
            "{e}"
        );
        let e = Matcher::parse(r"foo=\d+").expect_err("bare backslash");
        assert!(e.message.contains(r#"write it quoted, foo="\d+""#), "{e}");
        // Printed as typed: a backslash is doubled only before what would
        // read as an escape.
        for (value, printed) in [
            (r"\d+", r#""\d+""#),
            (r"a\", r#""a\\""#),
            (r"\n", r#""\\n""#),
            ("\\\n", r#""\\\n""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
        ] {
            assert_eq!(quote(value), printed, "{value:?}");
        }
    }

    #[test]
    fn spaces_around_operators() {
        let m = Matcher::parse(r#"foo = "bar""#).expect("spaces");
        assert_eq!(
            (m.name.as_str(), m.op, m.value.as_str()),
            ("foo", MatchOp::Eq, "bar")
        );
        let f = Filter::parse(r#"{a = "1", b =~ "2"}"#).expect("braces");
        assert_eq!(f.terms.len(), 2);
        // A word not followed by an operator stays free text.
        let f = Filter::parse("disk full").expect("text");
        assert_eq!(
            f.terms,
            vec![Term::Text("disk".into()), Term::Text("full".into())]
        );
    }

    #[test]
    fn silence_matchers_as_amtool_takes_them() {
        let shown = |text: &str| -> Result<Vec<String>, String> {
            parse_silence_matchers(text)
                .map(|v| v.iter().map(ToString::to_string).collect())
                .map_err(|e| e.message)
        };
        // amtool's shorthand: a first bare word is the alertname, as typed.
        assert_eq!(shown("HighCPU"), Ok(vec![r#"alertname="HighCPU""#.into()]));
        assert_eq!(
            shown(r#"HighCPU, instance = "a:9100""#),
            Ok(vec![
                r#"alertname="HighCPU""#.into(),
                r#"instance="a:9100""#.into()
            ])
        );
        assert_eq!(
            shown(r#"{foo="bar", baz!~"quux.*"}"#),
            Ok(vec![r#"foo="bar""#.into(), r#"baz!~"quux.*""#.into()])
        );
        // Later free text is refused, quoted as typed (not lower-cased).
        assert_eq!(
            shown("alertname=High CPU"),
            Err(r#"expected a matcher such as name="value" at column 16, found "CPU""#.into())
        );
        assert_eq!(
            shown("@team=search"),
            Err("@team cannot be used in a silence".into())
        );
        assert_eq!(shown(" , "), Err("at least one matcher is needed".into()));
        assert_eq!(
            shown("{foo=bar}}"),
            Err(r#"unexpected "}" at column 10"#.into())
        );
        // A set that would silence every alert is refused before anything
        // is sent (Alertmanager's rule: one matcher must not match "").
        for everything in [
            r#"foo=~".*""#,
            "foo=,bar=",
            r#"{foo=""}"#,
            r#"a!="x", b=~"y|""#,
        ] {
            let e = shown(everything).expect_err(everything);
            assert!(e.contains("matches every alert"), "{everything}: {e}");
        }
        assert!(shown(r#"alertname="x", foo=~".*""#).is_ok());
    }

    #[test]
    fn invalid_and_quoted_label_names_are_named_in_the_error() {
        let e = Matcher::parse(r#"invalid-name = "valid label""#).expect_err("dash");
        assert_eq!(
            e.message,
            r#"label name "invalid-name" at column 1 is not valid: label names are letters, digits and _, and do not start with a digit"#
        );
        let e = Filter::parse(r#"{"foo"="bar"}"#).expect_err("quoted name");
        assert!(
            e.message
                .starts_with("quoted label names are not supported"),
            "{e}"
        );
        // A dashed word without an operator is still free text.
        assert_eq!(
            Filter::parse("disk-full").expect("text").terms,
            vec![Term::Text("disk-full".into())]
        );
    }

    #[test]
    fn flags_round_trip() {
        for op in [MatchOp::Eq, MatchOp::Ne, MatchOp::Re, MatchOp::NotRe] {
            assert_eq!(MatchOp::from_flags(op.is_regex(), op.is_equal()), op);
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn op() -> impl Strategy<Value = MatchOp> {
            prop_oneof![
                Just(MatchOp::Eq),
                Just(MatchOp::Ne),
                Just(MatchOp::Re),
                Just(MatchOp::NotRe)
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            /// Any input: a filter or a clear error, never a panic.
            #[test]
            fn never_panics(text in "\\PC{0,60}") {
                let _ = Filter::parse(&text);
                let _ = Matcher::parse(&text);
            }

            /// Whatever silence text the parser accepts (built from the
            /// pieces people type: names, operators, bare and quoted values
            /// with escapes, braces, commas, spaces), printing the result
            /// and parsing that again gives the same matchers.
            #[test]
            fn accepted_silence_text_round_trips(
                parts in proptest::collection::vec(
                    (
                        "[a-z_][a-z0-9_]{0,6}",
                        prop_oneof![Just("="), Just("!="), Just("=~"), Just("!~"), Just(" = ")],
                        prop_oneof![
                            "[a-z0-9.*+-]{0,6}",
                            "\"([a-z .,}{]|\\\\[\"\\\\nQEd.])*\"",
                        ],
                    ),
                    1..4,
                ),
                braces in any::<bool>(),
                sep in prop_oneof![Just(","), Just(", "), Just(" ")],
            ) {
                let body: Vec<String> = parts
                    .iter()
                    .map(|(n, op, v)| format!("{n}{op}{v}"))
                    .collect();
                let text = if braces {
                    format!("{{{}}}", body.join(sep))
                } else {
                    body.join(sep)
                };
                // Not vacuous: plain `name=value` lists must be accepted.
                let plain = parts
                    .iter()
                    .all(|(_, op, v)| *op == "=" && !v.is_empty() && !v.starts_with('"'));
                let parsed = parse_silence_matchers(&text);
                prop_assert!(!plain || parsed.is_ok(), "{} refused: {:?}", text, parsed);
                if let Ok(first) = parsed {
                    let printed: Vec<String> = first.iter().map(ToString::to_string).collect();
                    let again = parse_silence_matchers(&printed.join(", "));
                    prop_assert_eq!(again.as_ref(), Ok(&first), "{} → {:?}", text, printed);
                }
            }

            /// Printing a matcher and parsing it back gives the same matcher,
            /// whatever its value holds (quotes, backslashes, spaces, unicode).
            #[test]
            fn display_round_trips(
                name in "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
                op in op(),
                value in "[ -~äöü\"\\\\]{0,20}",
            ) {
                // Regex matchers need a valid regex: escape the value.
                let value = if op.is_regex() { regex::escape(&value) } else { value };
                let m = Matcher::new(&name, op, &value).expect("valid");
                let back = Matcher::parse(&m.to_string()).expect("parses");
                prop_assert_eq!(&back, &m);
                let f = Filter::parse(&format!("{{{m}}}")).expect("in braces");
                prop_assert_eq!(f.terms, vec![Term::Label(m)]);
            }
        }
    }
}
