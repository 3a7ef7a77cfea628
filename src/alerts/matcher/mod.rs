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
//!   matchers on opsdeck's derived fields (the silences list's filter,
//!   [`Filter::parse_for_silences`], adds `@author`, `@id` and
//!   `@state=active`);
//! * anything else is free text, matched case-insensitively against the
//!   alert's name, label values and annotations.

use std::fmt;

use regex::Regex;
use strum::{EnumIter, EnumString, IntoStaticStr};

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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What went wrong, for people.
    pub message: String,
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumString, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum Field {
    /// `@state`: firing, pending, silenced, inhibited.
    State,
    /// `@team`: the owning team.
    Team,
    /// `@source`: a source name.
    Source,
    /// `@severity`: the normalised severity.
    Severity,
    /// `@author`: a silence's author (the silences list only).
    Author,
    /// `@id`: a silence's id or id prefix (the silences list only).
    Id,
}

impl Field {
    /// The values the field can take, when it has a fixed set; the
    /// silences list's `@state` also takes a silence's own states.
    fn values(self, silences: bool) -> Option<&'static [&'static str]> {
        match self {
            Field::State if silences => Some(&[
                "firing",
                "pending",
                "silenced",
                "inhibited",
                "active",
                "expired",
            ]),
            Field::State => Some(&["firing", "pending", "silenced", "inhibited"]),
            Field::Severity => Some(&["critical", "error", "warning", "info", "none"]),
            Field::Team | Field::Source | Field::Author | Field::Id => None,
        }
    }

    /// Only the silences list's filter has it.
    pub fn silences_only(self) -> bool {
        matches!(self, Field::Author | Field::Id)
    }

    /// The name after `@`.
    pub fn as_str(self) -> &'static str {
        self.into()
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
        Filter::parse_with(Parser::new(text))
    }

    /// Parses the silences list's filter: the same language, with
    /// `@author`, `@id` and `@state=active|expired` besides.
    pub fn parse_for_silences(text: &str) -> Result<Filter, ParseError> {
        let mut p = Parser::new(text);
        p.silences = true;
        Filter::parse_with(p)
    }

    fn parse_with(mut p: Parser<'_>) -> Result<Filter, ParseError> {
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
}

mod parser;
use parser::Parser;

#[cfg(test)]
mod tests;
