//! The acknowledge form: a new silence's matchers, duration, author and
//! comment (or, with `A` or marks, a set of alerts'). Enter asks y/N with the scope.

pub mod keys;

use crate::alerts::matcher::{Matcher, ParseError};
use crate::app::input::LineInput;
use crate::core::words;

/// A field of the acknowledge form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// Matchers.
    Matchers,
    /// Duration.
    Duration,
    /// Author.
    Author,
    /// Comment.
    Comment,
}

impl FormField {
    /// In display order.
    pub const ALL: [FormField; 4] = [
        FormField::Matchers,
        FormField::Duration,
        FormField::Author,
        FormField::Comment,
    ];

    /// Label on screen.
    pub fn label(self) -> &'static str {
        match self {
            FormField::Matchers => "Matchers",
            FormField::Duration => "Duration",
            FormField::Author => "Author",
            FormField::Comment => "Comment",
        }
    }
}

/// The acknowledge (new silence) form.
#[derive(Debug, Clone, PartialEq)]
pub struct AckForm {
    /// The alert it was opened on.
    pub fingerprint: String,
    /// The alert's name, for the title.
    pub alertname: String,
    /// The Alertmanagers the silence will go to.
    pub targets: Vec<String>,
    /// `name="value", …`
    pub matchers: LineInput,
    /// e.g. `2h`
    pub duration: LineInput,
    /// Author.
    pub author: LineInput,
    /// Comment.
    pub comment: LineInput,
    /// The focused field.
    pub field: FormField,
    /// Why the last submit failed (a parse error, or Alertmanager's text).
    pub error: Option<String>,
    /// Waiting for Alertmanager's answer.
    pub submitting: bool,
    /// `A` or the marks: acknowledging a set of alerts (one silence per
    /// active alert; the matchers field is not used).
    pub set: Option<AckSet>,
}

impl AckForm {
    /// The fields the user can edit, in order (a team form has no
    /// matchers: each silence takes its alert's labels).
    pub fn fields(&self) -> &'static [FormField] {
        if self.set.is_some() {
            &FormField::ALL[1..]
        } else {
            &FormField::ALL
        }
    }

    /// The focused input.
    pub fn input_mut(&mut self) -> &mut LineInput {
        match self.field {
            FormField::Matchers => &mut self.matchers,
            FormField::Duration => &mut self.duration,
            FormField::Author => &mut self.author,
            FormField::Comment => &mut self.comment,
        }
    }

    /// An input by field.
    pub fn input(&self, field: FormField) -> &LineInput {
        match field {
            FormField::Matchers => &self.matchers,
            FormField::Duration => &self.duration,
            FormField::Author => &self.author,
            FormField::Comment => &self.comment,
        }
    }

    /// Parses the matchers field: label matchers separated by commas or
    /// spaces, optionally in `{…}`.
    pub fn parsed_matchers(&self) -> Result<Vec<Matcher>, ParseError> {
        parse_matcher_list(self.matchers.text())
    }
}

/// Parses the matchers of a silence (see
/// [`crate::alerts::matcher::parse_silence_matchers`]).
pub fn parse_matcher_list(text: &str) -> Result<Vec<Matcher>, ParseError> {
    crate::alerts::matcher::parse_silence_matchers(text)
}

/// What `A` or the marks acknowledge: one silence per active alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckSet {
    /// Every shown alert of the group with this key (a team, an alert
    /// name, a label value; "" is the flat list).
    Group(String),
    /// The marked alerts, by fingerprint.
    Marked(Vec<String>),
}

impl AckSet {
    /// How the form and the question name it: "all of search", "3 marked
    /// alerts", "every shown alert".
    pub fn describe(&self) -> String {
        match self {
            AckSet::Group(key) if key.is_empty() => "every shown alert".into(),
            AckSet::Group(key) => format!("all of {key}"),
            AckSet::Marked(fps) => format!("{} marked", words::plural(fps.len(), "alert")),
        }
    }
}
