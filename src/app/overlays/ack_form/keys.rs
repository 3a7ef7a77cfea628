//! Opening the acknowledge form, its keys, and Enter: the y/N with the
//! silence's scope.

use crossterm::event::{KeyCode, KeyEvent};

use super::{AckForm, FormField};
use crate::alerts::client::NewSilence;
use crate::alerts::matcher::{Matcher, quote};
use crate::alerts::model::Alert;
use crate::app::action::{Effect, SilenceRequest};
use crate::app::input::LineInput;
use crate::app::overlays::Overlay;
use crate::app::overlays::confirm::{Confirm, PendingOp};
use crate::app::state::{Level, State};
use crate::core::words;

/// The matchers field for an alert: its whole label set, as equalities.
pub fn label_matchers(alert: &Alert) -> String {
    alert
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn open(state: &mut State) {
    let Some(alert) = state.selected_alert() else {
        state.say(Level::Error, "no alert selected");
        return;
    };
    let targets = state.silence_targets(&alert.sources);
    let form = AckForm {
        fingerprint: alert.fingerprint.clone(),
        alertname: alert.name().to_string(),
        targets,
        matchers: LineInput::new(&label_matchers(alert)),
        duration: LineInput::new(
            &humantime::format_duration(state.alerts.settings.ack_duration).to_string(),
        ),
        author: LineInput::new(&state.alerts.settings.ack_author),
        comment: LineInput::new(&state.alerts.settings.ack_comment),
        field: FormField::Matchers,
        error: None,
        submitting: false,
        set: None,
    };
    if form.targets.is_empty() {
        state.say(
            Level::Error,
            "no Alertmanager is configured to hold a silence",
        );
        return;
    }
    state.overlays.push(Overlay::AckForm(Box::new(form)));
}

/// A key in the form: Tab and the arrows move between fields, Enter asks
/// y/N, Esc closes it.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::AckForm(form)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    if form.submitting {
        if key.code == KeyCode::Esc {
            state.overlays.pop();
        }
        return Vec::new();
    }
    let fields = form.fields();
    let n = fields.len();
    let idx = fields.iter().position(|f| *f == form.field).unwrap_or(0);
    match key.code {
        KeyCode::Esc => {
            state.overlays.pop();
        }
        KeyCode::Tab | KeyCode::Down => form.field = fields[(idx + 1) % n],
        KeyCode::BackTab | KeyCode::Up => form.field = fields[(idx + n - 1) % n],
        KeyCode::Enter => submit_form(state),
        _ => {
            if form.input_mut().handle(key) {
                form.error = None;
            }
        }
    }
    Vec::new()
}

fn submit_form(state: &mut State) {
    let now = state.now;
    let Some(Overlay::AckForm(form)) = state.overlays.last_mut() else {
        return;
    };
    let matchers = match form.parsed_matchers() {
        _ if form.set.is_some() => Vec::new(),
        Ok(m) => m,
        Err(e) => {
            form.error = Some(format!("matchers: {e}"));
            form.field = FormField::Matchers;
            return;
        }
    };
    let duration = match humantime::parse_duration(form.duration.text().trim()) {
        Ok(d) if !d.is_zero() => d,
        Ok(_) => {
            form.error = Some("duration: must be longer than zero".into());
            form.field = FormField::Duration;
            return;
        }
        Err(_) => {
            form.error = Some(format!(
                "duration: {:?} is not a duration such as 2h or 30m",
                form.duration.text()
            ));
            form.field = FormField::Duration;
            return;
        }
    };
    if form.author.text().trim().is_empty() {
        form.error = Some("author: who is acknowledging?".into());
        form.field = FormField::Author;
        return;
    }
    if let Some(set) = form.set.clone() {
        let author = form.author.text().trim().to_string();
        let comment = form.comment.text().to_string();
        crate::app::panes::alerts::silences::confirm_set_ack(
            state, &set, duration, &author, &comment,
        );
        return;
    }
    let silence = NewSilence {
        id: None,
        matchers,
        starts_at: now,
        ends_at: now + chrono::Duration::from_std(duration).unwrap_or(chrono::TimeDelta::hours(2)),
        created_by: form.author.text().trim().to_string(),
        comment: form.comment.text().to_string(),
    };
    let requests: Vec<SilenceRequest> = form
        .targets
        .iter()
        .map(|t| SilenceRequest {
            target: t.clone(),
            silence: silence.clone(),
        })
        .collect();
    let count = crate::alerts::grouping::count_matching(&state.alerts.all, &silence.matchers);
    let question = format!(
        "Create a silence matching {count} alert{} for {}?",
        words::s(count),
        humantime::format_duration(duration)
    );
    let details = vec![
        format!(
            "{{{}}}",
            silence
                .matchers
                .iter()
                .map(Matcher::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        format!("on {}", form.targets.join(", ")),
    ];
    state.overlays.push(Overlay::Confirm(Confirm {
        question,
        details,
        op: PendingOp::Create {
            requests,
            from_form: true,
        },
    }));
}
