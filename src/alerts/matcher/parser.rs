//! The matcher and filter tokenizer: one term at a time, with columns.

use super::{Field, MatchOp, Matcher, ParseError, Term, err, quote};
use strum::IntoEnumIterator;

pub(super) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
    /// The silences list's filter: its own fields too.
    pub(super) silences: bool,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Parser {
            text,
            pos: 0,
            silences: false,
        }
    }

    pub(super) fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(c) if c == ' ' || c == '\t') {
            self.bump();
        }
    }

    pub(super) fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace() || c == ',') {
            self.bump();
        }
    }

    /// A term: `[@]name op value`, or a free-text word / quoted phrase.
    pub(super) fn term(&mut self) -> Result<Term, ParseError> {
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
                    let silences = self.silences;
                    let known = |f: &Field| silences || !f.silences_only();
                    let f = name
                        .parse::<Field>()
                        .ok()
                        .filter(known)
                        .ok_or_else(|| ParseError {
                            message: format!(
                                "unknown field @{name}; expected one of {}",
                                Field::iter()
                                    .filter(known)
                                    .map(|f| format!("@{}", f.as_str()))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        })?;
                    if let Some(values) = f.values(silences) {
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
    pub(super) fn refuse_invalid_name(&mut self, name_start: usize) -> Result<(), ParseError> {
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

    pub(super) fn op(&mut self) -> Option<MatchOp> {
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
    pub(super) fn bare(&mut self) -> String {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if !(c.is_whitespace() || c == ',' || c == '}')) {
            self.bump();
        }
        self.text[start..self.pos].to_string()
    }

    /// A double-quoted string with `\"`, `\\` and `\n` escapes.
    pub(super) fn quoted(&mut self) -> Result<String, ParseError> {
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
