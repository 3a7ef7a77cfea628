//! A command proposed by the issue (inline code or a fenced block), read the
//! way a POSIX shell would read it — without ever running a shell.
//!
//! What is understood: words with `'…'`, `"…"` and `\` quoting; `\` at the
//! end of a line continues it; `#` comments; `;`, `&&` and newlines between
//! commands; leading `NAME=value` assignments (alone, or before a command, or
//! after `export`); `cd DIR`; `$NAME` and `${NAME}`; a leading `~`.
//!
//! Anything else a shell would give meaning to — pipes, redirections, `||`,
//! `&`, `$(…)`, backticks, globs, `${NAME:-x}`, `$1`, subshells, keywords
//! such as `if`, builtins other than `cd` and `export` — is not guessed at:
//! [`read`] returns [`ScriptError::NeedsShell`] naming the first one.

use std::fmt;

/// One piece of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// `$NAME` or `${NAME}`.
    Var(String),
    /// A leading unquoted `~`: the home directory.
    Home,
}

/// A word: its parts, joined without spaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word(pub Vec<Part>);

impl Word {
    fn push_char(&mut self, c: char) {
        match self.0.last_mut() {
            Some(Part::Lit(s)) => s.push(c),
            _ => self.0.push(Part::Lit(c.to_string())),
        }
    }

    /// The variables it reads, in order.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Part::Var(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// The literal text, if the word has no variable and no `~`.
    pub fn literal(&self) -> Option<String> {
        self.0
            .iter()
            .map(|p| match p {
                Part::Lit(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The word as a shell would need it written: literal text quoted,
    /// `$NAME` and `~` as they are.
    pub fn shown(&self) -> String {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Lit(s)
                    if s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c)) =>
                {
                    out.push_str(s)
                }
                Part::Lit(s) => out.push_str(&format!("'{}'", s.replace('\'', r"'\''"))),
                Part::Var(name) => out.push_str(&format!("${{{name}}}")),
                Part::Home => out.push('~'),
            }
        }
        out
    }

    /// The word with `lookup` giving each variable's value and `home` the `~`.
    pub fn expand(&self, lookup: &dyn Fn(&str) -> Option<String>, home: &str) -> Option<String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Var(name) => out.push_str(&lookup(name)?),
                Part::Home => out.push_str(home),
            }
        }
        Some(out)
    }
}

/// One command of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    /// A program with its arguments, and assignments for its environment.
    Run {
        /// `NAME=value` before the program.
        env: Vec<(String, Word)>,
        /// The program and its arguments.
        argv: Vec<Word>,
    },
    /// Assignments alone (or after `export`): they hold for the commands after.
    Set(Vec<(String, Word)>),
    /// `cd DIR`: the commands after run there.
    Cd(Word),
}

/// A command and its text as written (whitespace collapsed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What it does.
    pub cmd: Cmd,
    /// As written.
    pub text: String,
}

impl Line {
    /// The text without leading assignments: what an allowed prefix is
    /// checked against.
    pub fn command_text(&self) -> &str {
        let mut rest = self.text.as_str();
        if let Cmd::Run { env, .. } = &self.cmd {
            for _ in env {
                rest = skip_word(rest);
            }
        }
        rest
    }
}

/// Why a text is not a plain command sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptError {
    /// Shell syntax that only a shell can run; names it.
    NeedsShell(String),
    /// A quote that is never closed.
    Unterminated(char),
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::NeedsShell(what) => write!(f, "it needs a shell ({what})"),
            ScriptError::Unterminated(q) => write!(f, "a {q} quote is never closed"),
        }
    }
}

/// Shell keywords and builtins that are not programs.
const SHELL_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "function", "select", "in", "time", "[[", "]]", "{", "}", "!", ".", "source", "eval", "exec",
    "set", "unset", "alias", "read", "pushd", "popd", "trap", "ulimit", "umask", "shift", "exit",
    "return", "local", "readonly", "declare", "typeset", "wait", "jobs", "fg", "bg", "builtin",
    "command",
];

/// Skips one whitespace-separated word and the spaces after it (for display
/// texts, where assignments hold no spaces outside quotes in practice).
fn skip_word(text: &str) -> &str {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ' | '\t') => return text[i..].trim_start(),
            _ => {}
        }
    }
    ""
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A token: a word (with its byte span) or a command separator.
enum Token {
    Word {
        word: Word,
        /// `NAME=` was written unquoted at its start: (name, value).
        assign: Option<(String, Word)>,
        span: (usize, usize),
    },
    Sep,
}

struct Lexer<'a> {
    len: usize,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
}

fn needs(what: &str) -> ScriptError {
    ScriptError::NeedsShell(what.to_owned())
}

impl Lexer<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn bump(&mut self) -> Option<char> {
        self.chars.next().map(|(_, c)| c)
    }

    /// After a `$`: a variable, or literal `$`, or shell syntax.
    fn dollar(&mut self, word: &mut Word) -> Result<(), ScriptError> {
        match self.peek() {
            Some('(') => Err(needs("`$(…)` command substitution")),
            Some('{') => {
                self.bump();
                let mut name = String::new();
                loop {
                    match self.bump() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(ScriptError::Unterminated('{')),
                    }
                }
                if crate::core::text::is_env_name(&name) {
                    word.0.push(Part::Var(name));
                    Ok(())
                } else {
                    Err(ScriptError::NeedsShell(format!("`${{{name}}}` expansion")))
                }
            }
            Some(c) if is_name_start(c) => {
                let mut name = String::new();
                while let Some(c) = self.peek().filter(|&c| is_name_char(c)) {
                    name.push(c);
                    self.bump();
                }
                word.0.push(Part::Var(name));
                Ok(())
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => {
                Err(ScriptError::NeedsShell(format!("`${c}`")))
            }
            _ => {
                word.push_char('$');
                Ok(())
            }
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, ScriptError> {
        // Blanks, comments and `\`-newline between words.
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.bump();
                }
                Some('\\') => {
                    let mut ahead = self.chars.clone();
                    ahead.next();
                    if ahead.peek().map(|&(_, c)| c) == Some('\n') {
                        self.bump();
                        self.bump();
                    } else {
                        break;
                    }
                }
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let Some(&(start, c)) = self.chars.peek() else {
            return Ok(None);
        };
        match c {
            '\n' | ';' => {
                self.bump();
                if c == ';' && self.peek() == Some(';') {
                    return Err(needs("`;;`"));
                }
                return Ok(Some(Token::Sep));
            }
            '&' => {
                self.bump();
                return match self.bump() {
                    Some('&') => Ok(Some(Token::Sep)),
                    _ => Err(needs("`&` runs in the background")),
                };
            }
            '|' => {
                self.bump();
                return Err(if self.peek() == Some('|') {
                    needs("`||`")
                } else {
                    needs("a `|` pipe")
                });
            }
            '>' | '<' => return Err(needs("a redirection")),
            '(' | ')' => return Err(needs("a `(…)` subshell")),
            _ => {}
        }
        let mut word = Word::default();
        let mut assign: Option<String> = None;
        let mut at_start = true;
        while let Some(&(_, c)) = self.chars.peek() {
            if matches!(
                c,
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '>' | '<' | '(' | ')'
            ) {
                break;
            }
            self.bump();
            match c {
                '\'' => loop {
                    match self.bump() {
                        Some('\'') => break,
                        Some(c) => word.push_char(c),
                        None => return Err(ScriptError::Unterminated('\'')),
                    }
                },
                '"' => loop {
                    match self.bump() {
                        Some('"') => break,
                        Some('\\') => match self.bump() {
                            Some('\n') => {}
                            Some(c @ ('$' | '`' | '"' | '\\')) => word.push_char(c),
                            Some(c) => {
                                word.push_char('\\');
                                word.push_char(c);
                            }
                            None => return Err(ScriptError::Unterminated('"')),
                        },
                        Some('$') => self.dollar(&mut word)?,
                        Some('`') => return Err(needs("a `…` command substitution")),
                        Some(c) => word.push_char(c),
                        None => return Err(ScriptError::Unterminated('"')),
                    }
                },
                '\\' => match self.bump() {
                    Some('\n') => {}
                    Some(c) => word.push_char(c),
                    None => word.push_char('\\'),
                },
                '$' => self.dollar(&mut word)?,
                '`' => return Err(needs("a `…` command substitution")),
                '*' | '?' | '[' => return Err(ScriptError::NeedsShell(format!("a `{c}` glob"))),
                '~' if at_start
                    && matches!(self.peek(), None | Some('/' | ' ' | '\t' | '\n' | ';')) =>
                {
                    word.0.push(Part::Home)
                }
                '~' if at_start && self.peek().is_some_and(is_name_char) => {
                    return Err(needs("a `~user` home directory"));
                }
                '=' if assign.is_none() => match word.literal() {
                    Some(name) if crate::core::text::is_env_name(&name) && word.0.len() == 1 => {
                        assign = Some(name);
                        word = Word::default();
                        // As in a shell, `X=~/src` expands the `~`.
                        at_start = true;
                        continue;
                    }
                    _ => word.push_char('='),
                },
                c => word.push_char(c),
            }
            at_start = false;
        }
        let end = self.chars.peek().map_or(self.len, |&(i, _)| i);
        let assign = assign.map(|name| (name, std::mem::take(&mut word)));
        Ok(Some(Token::Word {
            word,
            assign,
            span: (start, end),
        }))
    }
}

/// Reads `src` as a sequence of commands (see the module docs).
pub fn read(src: &str) -> Result<Vec<Line>, ScriptError> {
    let mut lexer = Lexer {
        len: src.len(),
        chars: src.char_indices().peekable(),
    };
    let mut lines = Vec::new();
    let mut words: Vec<RawWord> = Vec::new();
    loop {
        let token = lexer.next_token()?;
        match token {
            Some(Token::Word { word, assign, span }) => words.push((word, assign, span)),
            Some(Token::Sep) | None => {
                if let (Some(first), Some(last)) = (words.first(), words.last()) {
                    let text = src[first.2.0..last.2.1]
                        .replace("\\\n", " ")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    let cmd = command(std::mem::take(&mut words))?;
                    lines.push(Line { cmd, text });
                }
                if token.is_none() {
                    return Ok(lines);
                }
            }
        }
    }
}

type RawWord = (Word, Option<(String, Word)>, (usize, usize));

fn command(words: Vec<RawWord>) -> Result<Cmd, ScriptError> {
    let mut env = Vec::new();
    let mut rest = words.into_iter().peekable();
    while let Some((_, Some(_), _)) = rest.peek() {
        if let Some((_, Some(a), _)) = rest.next() {
            env.push(a);
        }
    }
    let argv: Vec<RawWord> = rest.collect();
    let Some((program, _, _)) = argv.first() else {
        return Ok(Cmd::Set(env));
    };
    let name = program.literal().unwrap_or_default();
    if SHELL_WORDS.contains(&name.as_str()) {
        return Err(ScriptError::NeedsShell(format!("`{name}`")));
    }
    match name.as_str() {
        "cd" | "export" if !env.is_empty() => Err(ScriptError::NeedsShell(format!(
            "an assignment before `{name}`"
        ))),
        "cd" => match argv.len() {
            1 => Ok(Cmd::Cd(Word(vec![Part::Home]))),
            2 => Ok(Cmd::Cd(
                argv.into_iter().nth(1).map(|w| w.0).unwrap_or_default(),
            )),
            _ => Err(needs("`cd` with several arguments")),
        },
        "export" => {
            let mut set = Vec::new();
            for (word, assign, _) in argv.into_iter().skip(1) {
                match assign {
                    Some(a) => set.push(a),
                    None => {
                        let shown = word.literal().unwrap_or_default();
                        return Err(ScriptError::NeedsShell(format!("`export {shown}`")));
                    }
                }
            }
            Ok(Cmd::Set(set))
        }
        // A later `NAME=value` is an argument, as in a shell.
        _ => Ok(Cmd::Run {
            env,
            argv: argv
                .into_iter()
                .map(|(word, assign, _)| match assign {
                    Some((name, value)) => {
                        let mut parts = vec![Part::Lit(format!("{name}="))];
                        parts.extend(value.0);
                        Word(parts)
                    }
                    None => word,
                })
                .collect(),
        }),
    }
}

/// The commands a shell script runs, as written, split at `;`, `&&`, `||`,
/// `|`, `&`, newlines, `$(`, `` ` `` and `(` outside quotes; leading
/// assignments stay on. Used to check every command of a script that needs
/// a shell against the allowed prefixes.
pub fn shell_commands(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = src.chars().peekable();
    let mut flush = |current: &mut String| {
        let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() && !text.starts_with('#') && text != ")" {
            out.push(text);
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (Some('"'), '"') => quote = None,
            (Some('"'), '$') if chars.peek() == Some(&'(') => {
                chars.next();
                flush(&mut current);
                continue;
            }
            (Some('"'), '`') => {
                flush(&mut current);
                continue;
            }
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '\\') => {
                if let Some(next) = chars.next() {
                    current.push('\\');
                    current.push(next);
                }
                continue;
            }
            (None, '$') if chars.peek() == Some(&'(') => {
                chars.next();
                flush(&mut current);
                continue;
            }
            (None, ';' | '&' | '|' | '\n' | '`' | '(' | ')') => {
                flush(&mut current);
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    flush(&mut current);
    out
}

/// The `$NAME` / `${NAME…}` variables a shell script reads outside single
/// quotes, in order, without duplicates.
pub fn shell_vars(src: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut single = false;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => single = !single,
            '\\' if !single => {
                chars.next();
            }
            '$' if !single => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut name = String::new();
                while let Some(&c) = chars.peek().filter(|&&c| is_name_char(c)) {
                    if name.is_empty() && !is_name_start(c) {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                if !name.is_empty() && !out.contains(&name) {
                    out.push(name);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
