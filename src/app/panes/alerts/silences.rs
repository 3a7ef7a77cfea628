//! Silence actions of the alerts pane: `A` (a whole group) and the marked
//! alerts, extend and
//! expire with their whole scope, and what comes back from Alertmanager.

use crate::alerts::model::{Silence, SilenceState};
use crate::app::action::{Effect, SilenceOp, SilenceOutcome};
use crate::app::input::LineInput;
use crate::app::overlays::Overlay;
use crate::app::overlays::ack_form::AckSet;
use crate::app::overlays::ack_form::{AckForm, FormField};
use crate::app::overlays::confirm::{Confirm, PendingOp};
use crate::app::state::{Level, LocalChange, State};
use crate::core::words;
use crate::net::Problem;

/// `A`: the form for every shown alert of the selected group (duration,
/// author, comment; a preview of the silences it will make), then y/N.
pub fn ack_team(state: &mut State) {
    let Some(key) = state.selected_group().map(|g| g.key.clone()) else {
        state.say(Level::Error, "no alerts to acknowledge");
        return;
    };
    open_set_form(state, AckSet::Group(key));
}

/// `a` with alerts marked: the same form for the marked alerts.
pub fn ack_marked(state: &mut State) {
    let marked: Vec<String> = state
        .alerts
        .marked()
        .iter()
        .map(|a| a.fingerprint.clone())
        .collect();
    open_set_form(state, AckSet::Marked(marked));
}

fn open_set_form(state: &mut State, set: AckSet) {
    let now = state.now;
    let what = set.describe();
    let Some(plan) = crate::app::scope::set_ack(state, &set, now, now, "", "") else {
        state.say(Level::Error, format!("{what}: no such alerts any more"));
        return;
    };
    if plan.count == 0 {
        state.say(
            Level::Info,
            format!("{what}: nothing to acknowledge (every alert is silenced or inhibited)"),
        );
        return;
    }
    if plan.requests.is_empty() {
        state.say(
            Level::Error,
            "no Alertmanager is configured to hold a silence",
        );
        return;
    }
    let mut targets: Vec<String> = plan.requests.iter().map(|r| r.target.clone()).collect();
    targets.sort();
    targets.dedup();
    let form = AckForm {
        fingerprint: String::new(),
        alertname: what,
        targets,
        matchers: LineInput::new(""),
        duration: LineInput::new(
            &humantime::format_duration(state.alerts.settings.ack_duration).to_string(),
        ),
        author: LineInput::new(&state.alerts.settings.ack_author),
        comment: LineInput::new(&state.alerts.settings.ack_comment),
        field: FormField::Duration,
        error: None,
        submitting: false,
        set: Some(set),
    };
    state.overlays.push(Overlay::AckForm(Box::new(form)));
}

/// The set form's Enter: the whole scope (every silence it makes), y/N.
pub fn confirm_set_ack(
    state: &mut State,
    set: &AckSet,
    duration: std::time::Duration,
    author: &str,
    comment: &str,
) {
    let now = state.now;
    let end = now + chrono::Duration::from_std(duration).unwrap_or(chrono::TimeDelta::hours(2));
    let what = set.describe();
    let Some(plan) = crate::app::scope::set_ack(state, set, now, end, author, comment) else {
        if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
            form.error = Some(format!("{what}: no such alerts any more"));
        }
        return;
    };
    if plan.count == 0 {
        if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
            form.error = Some(format!("{what}: nothing to acknowledge any more"));
        }
        return;
    }
    let mut details = vec![format!(
        "{} silence{}, one per active alert, by {author}: {comment:?}, ending {}",
        plan.count,
        words::s(plan.count),
        end.format("%Y-%m-%d %H:%M UTC")
    )];
    details.extend(plan.preview.iter().map(|p| format!("· {p}")));
    if plan.suppressed > 0 {
        details.push(format!(
            "{} already silenced or inhibited: left alone",
            words::plural(plan.suppressed, "alert")
        ));
    }
    let question = match set {
        AckSet::Group(key) if key.is_empty() => format!(
            "Acknowledge every shown alert ({}) for {}?",
            plan.count,
            humantime::format_duration(duration)
        ),
        AckSet::Group(key) => format!(
            "Acknowledge all {} of {key} for {}?",
            words::plural(plan.count, "alert"),
            humantime::format_duration(duration)
        ),
        AckSet::Marked(_) => format!(
            "Acknowledge {} marked for {}?",
            words::plural(plan.count, "alert"),
            humantime::format_duration(duration)
        ),
    };
    state.overlays.push(Overlay::Confirm(Confirm {
        question,
        details,
        op: PendingOp::Create {
            requests: plan.requests,
            from_form: true,
        },
    }));
}

/// `e` in the silences list: the silence's whole scope, old → new end, y/N.
pub fn extend(state: &mut State, ids: &[String]) -> Vec<Effect> {
    let requests = crate::app::overlays::pick::keys::extend_requests(state, ids);
    if requests.is_empty() {
        state.say(Level::Error, "nothing to extend: no open silence");
        return Vec::new();
    }
    let by = chrono::Duration::from_std(state.alerts.settings.ack_duration)
        .unwrap_or(chrono::TimeDelta::hours(2));
    let mut details = Vec::new();
    let mut n = 0;
    for s in ids.iter().filter_map(|id| state.silence(id)) {
        if s.state == SilenceState::Expired {
            continue;
        }
        n += 1;
        details.extend(crate::app::scope::describe(state, s, None));
        details.push(format!(
            "  ends {} → {}",
            s.ends_at.format("%Y-%m-%d %H:%M UTC"),
            (s.ends_at.max(state.now) + by).format("%Y-%m-%d %H:%M UTC")
        ));
    }
    state.overlays.push(Overlay::Confirm(Confirm {
        question: format!(
            "Extend {n} silence{} by {}?",
            words::s(n),
            humantime::format_duration(state.alerts.settings.ack_duration)
        ),
        details,
        op: PendingOp::Extend(requests),
    }));
    Vec::new()
}

/// `u` in the silences list: the silence's whole scope, then y/N.
pub fn ask_expire(state: &mut State, ids: &[String], what: &str) {
    let targets = crate::app::overlays::pick::keys::expire_targets(state, ids);
    if targets.is_empty() {
        state.say(Level::Error, "nothing to expire: no active silence");
        return;
    }
    let mut details = Vec::new();
    let mut n = 0;
    for s in ids.iter().filter_map(|id| state.silence(id)) {
        if s.state != SilenceState::Expired {
            n += 1;
            details.extend(crate::app::scope::describe(state, s, None));
        }
    }
    state.overlays.push(Overlay::Confirm(Confirm {
        question: format!("Expire {n} silence{} {what}?", words::s(n)),
        details,
        op: PendingOp::Expire(targets),
    }));
}

pub fn silences_done(state: &mut State, op: SilenceOp, outcomes: Vec<SilenceOutcome>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for o in outcomes {
        match o.result {
            Ok(id) => {
                let change = match (&o.request, op) {
                    (Some(req), SilenceOp::Create | SilenceOp::Extend) => {
                        LocalChange::Created(Silence {
                            id: id.clone(),
                            matchers: req.matchers.clone(),
                            starts_at: req.starts_at,
                            ends_at: req.ends_at,
                            created_by: req.created_by.clone(),
                            comment: req.comment.clone(),
                            state: SilenceState::Active,
                            sources: vec![o.target.clone()],
                        })
                    }
                    _ => LocalChange::Expired(id.clone()),
                };
                state.alerts.local.push((state.now, change));
                if !ok.contains(&id) {
                    ok.push(id);
                }
            }
            Err(e) => {
                // Unreachable: resolved once the Alertmanager answers again.
                if matches!(e, Problem::Timeout { .. } | Problem::Transport { .. }) {
                    failed.push(o.target.clone());
                }
                errors.push(format!("{}: {e}", o.target));
            }
        }
    }
    state.recompute();
    let form_waiting = matches!(
        state.overlays.last(),
        Some(Overlay::AckForm(f)) if f.submitting
    );
    if errors.is_empty() {
        if form_waiting {
            state.overlays.pop();
        }
        let text = match ok.as_slice() {
            [one] => format!("silence {} {}", one, op.done()),
            many => format!("{} silences {}", many.len(), op.done()),
        };
        state.say(Level::Info, text);
    } else {
        let text = errors.join("; ");
        if form_waiting {
            if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
                form.submitting = false;
                form.error = Some(text.clone());
            }
        }
        let prefix = if ok.is_empty() {
            String::new()
        } else {
            format!("{} {}, but ", ok.len(), op.done())
        };
        state.say_about(Level::Error, failed, format!("{prefix}failed: {text}"));
    }
}
