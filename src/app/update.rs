//! `update(&mut State, Action) -> Vec<Effect>`: every state change, no I/O.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Effect, SilenceOp, SilenceOutcome, SilenceRequest};
use super::input::LineInput;
use super::keymap::{Command, Context};
use super::state::{
    AckForm, Confirm, FormField, Level, LocalChange, Overlay, PendingOp, State, View,
};
use crate::alerts::client::NewSilence;
use crate::alerts::matcher::{Filter, Matcher, quote};
use crate::alerts::model::{Alert, Silence, SilenceState, Skipped};
use crate::alerts::source::SourceEvent;
use crate::core::words;

/// How long a local change waits for the sources to report it.
const LOCAL_TTL_SECS: i64 = 60;
/// How long a status message stays.
const MESSAGE_TTL_SECS: i64 = 10;

/// Applies one action; returns the effects for the runtime to run.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(state, key),
        Action::Command(cmd) => command(state, cmd),
        Action::Resize(cols, rows) => {
            state.page = usize::from(rows.saturating_sub(8)).max(1);
            state.rows = rows;
            state.cols = cols;
            Vec::new()
        }
        Action::Mouse(event) => super::console::mouse(state, event),
        Action::ThemeLoaded(result) => {
            match result {
                Ok(theme) => {
                    let name = theme.name.clone();
                    state.theme = theme;
                    say(state, Level::Info, format!("theme {name}"));
                }
                Err(e) => say(state, Level::Error, format!(":theme: {e}")),
            }
            Vec::new()
        }
        Action::Tick(now) => {
            tick(state, now);
            Vec::new()
        }
        Action::Source(event) => {
            on_source(state, event);
            super::console::notifications(state)
        }
        Action::Release(event) => super::release::on_event(state, event),
        Action::Deploy(event) => super::deploy::on_event(state, event),
        Action::SilencesDone { op, outcomes } => {
            silences_done(state, op, outcomes);
            // Read back what the Alertmanagers now hold.
            vec![Effect::Refresh]
        }
    }
}

fn tick(state: &mut State, now: DateTime<Utc>) {
    state.now = now;
    if state
        .message
        .as_ref()
        .is_some_and(|m| (now - m.at).num_seconds() >= MESSAGE_TTL_SECS && m.level == Level::Info)
    {
        state.message = None;
    }
    let before = state.local.len();
    state
        .local
        .retain(|(at, _)| (now - *at).num_seconds() < LOCAL_TTL_SECS);
    if state.local.len() != before {
        state.recompute();
    }
}

fn say(state: &mut State, level: Level, text: impl Into<String>) {
    state.say(level, text);
}

fn on_source(state: &mut State, event: SourceEvent) {
    let name = event.name().to_string();
    let Some(idx) = state.sources.iter().position(|s| s.name == name) else {
        return;
    };
    match event {
        SourceEvent::Fetching { .. } => {
            state.sources[idx].fetching = true;
        }
        SourceEvent::Alertmanager { result, at, .. } => {
            let status = &mut state.sources[idx];
            status.fetching = false;
            match result {
                Ok(snapshot) => {
                    status.last_ok = Some(at);
                    status.error = None;
                    note_skipped(status, &snapshot.skipped);
                    let local_before = state.local.len();
                    // Local changes this snapshot already shows are done.
                    state.local.retain(|(_, change)| match change {
                        // Alertmanager keeps times to the millisecond.
                        LocalChange::Created(s) => !snapshot.silences.iter().any(|x| {
                            x.id == s.id && x.ends_at + chrono::TimeDelta::seconds(1) >= s.ends_at
                        }),
                        // Done only once a source holding it shows it
                        // expired; others never held it.
                        LocalChange::Expired(id) => !snapshot
                            .silences
                            .iter()
                            .any(|x| &x.id == id && x.state == SilenceState::Expired),
                    });
                    // An unchanged refresh (the common case when idle) needs
                    // no merge or regroup: only the health and age change.
                    if state.snapshots.get(&name) != Some(&snapshot)
                        || state.local.len() != local_before
                    {
                        state.snapshots.insert(name, snapshot);
                        state.recompute();
                    }
                }
                Err(e) => status.error = Some(e.message.to_string()),
            }
        }
        SourceEvent::Prometheus {
            result,
            at,
            skipped,
            ..
        } => {
            let status = &mut state.sources[idx];
            status.fetching = false;
            match result {
                Ok(alerts) => {
                    status.last_ok = Some(at);
                    status.error = None;
                    note_skipped(status, &skipped);
                    if state.prometheus.get(&name) != Some(&alerts) {
                        state.prometheus.insert(name, alerts);
                        state.recompute();
                    }
                }
                Err(e) => status.error = Some(e.message.to_string()),
            }
        }
    }
}

/// Keeps what a good fetch could not understand on the source's status
/// (the header marks it degraded; the source's worker logs the detail).
fn note_skipped(status: &mut super::state::SourceStatus, skipped: &[Skipped]) {
    if status.skipped != skipped {
        status.skipped = skipped.to_vec();
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // Raw mode turns ctrl-c into a key: it quits from anywhere, even while
    // typing, as a terminal user expects.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        // In the release view, the first ctrl-c stops a running command.
        let stoppable = state.view == View::Release
            && state
                .release
                .run
                .as_ref()
                .is_some_and(|r| r.running() && !r.stopping);
        if stoppable && state.overlays.is_empty() {
            return super::release::command(state, Command::StopRun);
        }
        return command(state, Command::Quit);
    }
    match state.overlays.last() {
        Some(Overlay::Confirm(_)) => return confirm_key(state, key),
        Some(Overlay::Pick(_)) => return super::pick::key(state, key),
        Some(Overlay::AckForm(_)) => return form_key(state, key),
        Some(Overlay::Palette(_)) => return super::console::palette_key(state, key),
        Some(Overlay::Prompt(_)) => {
            super::release::prompt_key(state, key);
            return Vec::new();
        }
        Some(Overlay::Help(_)) => {
            help_key(state, key);
            return Vec::new();
        }
        Some(Overlay::Silences(_)) => {
            return match state.keymap.lookup(Context::Silences, key) {
                Some(cmd) => silences_command(state, cmd),
                None => Vec::new(),
            };
        }
        None => {}
    }
    if state.filter.editing {
        return filter_key(state, key);
    }
    let context = match state.view {
        View::Overview => Context::Global,
        View::Alerts => Context::Alerts,
        View::Release => Context::Release,
        View::Deploy => Context::Deploy,
    };
    match state.keymap.lookup(context, key) {
        Some(cmd) => command(state, cmd),
        None => Vec::new(),
    }
}

fn filter_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            state.filter = Default::default();
            state.regroup();
        }
        // An invalid filter is not left behind looking applied: Enter
        // keeps the input open until it parses (or Esc clears it).
        KeyCode::Enter => match state.filter.error.clone() {
            Some(e) => say(
                state,
                Level::Error,
                format!("filter not applied: {e} (fix it, or Esc to clear)"),
            ),
            None => state.filter.editing = false,
        },
        _ => {
            if state.filter.input.handle(key) {
                match Filter::parse(state.filter.input.text()) {
                    Ok(f) => {
                        state.filter.applied = f;
                        state.filter.error = None;
                        state.regroup();
                    }
                    Err(e) => state.filter.error = Some(e.message),
                }
            }
        }
    }
    Vec::new()
}

/// Keys on the help screen: Esc, `?` or `q` close it; vim motions and the
/// page keys scroll it (it can be longer than a small terminal).
fn help_key(state: &mut State, key: KeyEvent) {
    let max = super::console::help_lines(state).saturating_sub(super::console::help_rows(state));
    let page = super::console::help_rows(state).saturating_sub(1).max(1);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Some(Overlay::Help(offset)) = state.overlays.last_mut() else {
        return;
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => {
            state.overlays.pop();
        }
        KeyCode::Char('j') | KeyCode::Down => *offset = (*offset + 1).min(max),
        KeyCode::Char('k') | KeyCode::Up => *offset = offset.saturating_sub(1),
        KeyCode::Char('d') if ctrl => *offset = (*offset + page).min(max),
        KeyCode::PageDown | KeyCode::Char(' ') => *offset = (*offset + page).min(max),
        KeyCode::Char('u') if ctrl => *offset = offset.saturating_sub(page),
        KeyCode::PageUp => *offset = offset.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => *offset = 0,
        KeyCode::Char('G') | KeyCode::End => *offset = max,
        _ => {}
    }
}

/// Applies a command in the main views.
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    if super::console::refuse_if_read_only(state, cmd) {
        return Vec::new();
    }
    match cmd {
        Command::Quit => return quit(state),
        Command::Help => state.overlays.push(Overlay::Help(0)),
        Command::ViewAlerts => super::console::go(state, View::Alerts),
        Command::ViewRelease => super::console::go(state, View::Release),
        Command::ViewDeploy => super::console::go(state, View::Deploy),
        Command::ViewOverview => super::console::go(state, View::Overview),
        Command::Palette => state.overlays.push(Overlay::Palette(Box::default())),
        Command::OpenUrl | Command::CopyUrl => return super::console::url_command(state, cmd),
        Command::Refresh => {
            say(state, Level::Info, "refreshing…");
            return vec![Effect::Refresh];
        }
        Command::Back => {
            // Close the innermost thing; with nothing open, go back a page.
            let closed = match state.view {
                View::Release if state.release.run.as_ref().is_some_and(|r| !r.running()) => {
                    state.release.run = None;
                    true
                }
                View::Deploy if state.deploy.detail => {
                    state.deploy.detail = false;
                    true
                }
                View::Alerts if state.detail => {
                    state.detail = false;
                    true
                }
                View::Alerts if !state.filter.input.text().is_empty() => {
                    state.filter = Default::default();
                    state.regroup();
                    true
                }
                View::Alerts if state.focus == super::state::Focus::Alerts => {
                    state.focus = super::state::Focus::Teams;
                    true
                }
                _ => false,
            };
            if !closed {
                super::console::back(state);
            }
        }
        _ if state.view == View::Release => return super::release::command(state, cmd),
        _ if state.view == View::Deploy => return super::deploy::command(state, cmd),
        _ if state.view != View::Alerts => {}
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, state.page as isize),
        Command::PageUp => move_by(state, -(state.page as isize)),
        Command::Top => move_by(state, isize::MIN / 2),
        Command::Bottom => move_by(state, isize::MAX / 2),
        Command::FocusTeams => state.focus = super::state::Focus::Teams,
        Command::FocusAlerts => state.focus = super::state::Focus::Alerts,
        Command::FocusNext => {
            state.focus = match state.focus {
                super::state::Focus::Teams => super::state::Focus::Alerts,
                super::state::Focus::Alerts => super::state::Focus::Teams,
            };
        }
        Command::Open => match state.focus {
            super::state::Focus::Teams => state.focus = super::state::Focus::Alerts,
            super::state::Focus::Alerts => state.detail = !state.detail,
        },
        Command::Filter => state.filter.editing = true,
        Command::ToggleSilenced => {
            state.show_suppressed = !state.show_suppressed;
            state.regroup();
            let text = if state.show_suppressed {
                "showing silenced and inhibited alerts"
            } else {
                "hiding silenced and inhibited alerts"
            };
            say(state, Level::Info, text);
        }
        Command::Ack => open_ack_form(state),
        Command::AckTeam => ack_team(state),
        Command::Extend => super::pick::open(state, super::pick::PickOp::Extend),
        Command::Unack => super::pick::open(state, super::pick::PickOp::Expire),
        Command::Silences => state.overlays.push(Overlay::Silences(0)),
        Command::JumpInhibitor => jump_to_inhibitor(state),
        // Release and deploy commands outside their views do nothing.
        Command::Tick | Command::Trigger | Command::StopRun | Command::Bump | Command::BumpAll => {}
    }
    Vec::new()
}

/// Selects the alert that inhibits the selected one (its team, its row).
fn jump_to_inhibitor(state: &mut State) {
    let Some(alert) = state.selected_alert() else {
        say(state, Level::Error, "no alert selected");
        return;
    };
    let name = alert.name().to_string();
    if alert.inhibited_by.is_empty() {
        say(state, Level::Error, format!("{name} is not inhibited"));
        return;
    }
    let found = alert
        .inhibited_by
        .iter()
        .find_map(|fp| state.alerts.iter().position(|x| &x.fingerprint == fp));
    let Some(idx) = found else {
        say(
            state,
            Level::Error,
            format!("the alert inhibiting {name} is not among the current alerts"),
        );
        return;
    };
    let by = state.alerts[idx].name().to_string();
    let place = state.groups.iter().enumerate().find_map(|(g, group)| {
        group
            .alerts
            .iter()
            .position(|&i| i == idx)
            .map(|row| (g, row))
    });
    match place {
        Some((g, row)) => {
            state.team = g;
            state.alert = row;
            state.focus = super::state::Focus::Alerts;
            say(state, Level::Info, format!("{by} inhibits {name}"));
        }
        None => say(
            state,
            Level::Error,
            format!("{by} inhibits {name} but the filter hides it"),
        ),
    }
}

fn move_by(state: &mut State, delta: isize) {
    let (pos, len) = match state.focus {
        super::state::Focus::Teams => (&mut state.team, state.groups.len()),
        super::state::Focus::Alerts => (
            &mut state.alert,
            state.groups.get(state.team).map_or(0, |g| g.total()),
        ),
    };
    if len == 0 {
        *pos = 0;
        return;
    }
    let next = (*pos as isize)
        .saturating_add(delta)
        .clamp(0, len as isize - 1) as usize;
    let changed = next != *pos;
    *pos = next;
    if changed && state.focus == super::state::Focus::Teams {
        state.alert = 0;
    }
}

/// The matchers field for an alert: its whole label set, as equalities.
pub fn label_matchers(alert: &Alert) -> String {
    alert
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn open_ack_form(state: &mut State) {
    let Some(alert) = state.selected_alert() else {
        say(state, Level::Error, "no alert selected");
        return;
    };
    let targets = state.silence_targets(&alert.sources);
    let form = AckForm {
        fingerprint: alert.fingerprint.clone(),
        alertname: alert.name().to_string(),
        targets,
        matchers: LineInput::new(&label_matchers(alert)),
        duration: LineInput::new(
            &humantime::format_duration(state.settings.ack_duration).to_string(),
        ),
        author: LineInput::new(&state.settings.ack_author),
        comment: LineInput::new(&state.settings.ack_comment),
        field: FormField::Matchers,
        error: None,
        submitting: false,
        team: None,
    };
    if form.targets.is_empty() {
        say(
            state,
            Level::Error,
            "no Alertmanager is configured to hold a silence",
        );
        return;
    }
    state.overlays.push(Overlay::AckForm(Box::new(form)));
}

fn form_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
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
        _ if form.team.is_some() => Vec::new(),
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
    if let Some(team) = form.team.clone() {
        let author = form.author.text().trim().to_string();
        let comment = form.comment.text().to_string();
        confirm_team_ack(state, &team, duration, &author, &comment);
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
    let count = crate::alerts::grouping::count_matching(&state.alerts, &silence.matchers);
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

/// `A`: the team form (duration, author, comment; a preview of the
/// silences it will make), then y/N.
fn ack_team(state: &mut State) {
    let Some(team) = state.selected_group().map(|g| g.team.clone()) else {
        return;
    };
    let now = state.now;
    let Some(plan) = super::scope::team_ack(state, &team, now, now, "", "") else {
        return;
    };
    if plan.count == 0 {
        say(
            state,
            Level::Info,
            format!("{team}: nothing to acknowledge"),
        );
        return;
    }
    if plan.requests.is_empty() {
        say(
            state,
            Level::Error,
            "no Alertmanager is configured to hold a silence",
        );
        return;
    }
    let mut targets: Vec<String> = plan.requests.iter().map(|r| r.target.clone()).collect();
    targets.dedup();
    let form = AckForm {
        fingerprint: String::new(),
        alertname: format!("all of {team}"),
        targets,
        matchers: LineInput::new(""),
        duration: LineInput::new(
            &humantime::format_duration(state.settings.ack_duration).to_string(),
        ),
        author: LineInput::new(&state.settings.ack_author),
        comment: LineInput::new(&state.settings.ack_comment),
        field: FormField::Duration,
        error: None,
        submitting: false,
        team: Some(team),
    };
    state.overlays.push(Overlay::AckForm(Box::new(form)));
}

/// The team form's Enter: the whole scope (every silence it makes), y/N.
fn confirm_team_ack(
    state: &mut State,
    team: &str,
    duration: std::time::Duration,
    author: &str,
    comment: &str,
) {
    let now = state.now;
    let end = now + chrono::Duration::from_std(duration).unwrap_or(chrono::TimeDelta::hours(2));
    let Some(plan) = super::scope::team_ack(state, team, now, end, author, comment) else {
        if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
            form.error = Some(format!("{team} has no alerts any more"));
        }
        return;
    };
    if plan.count == 0 {
        if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
            form.error = Some(format!("{team}: nothing to acknowledge any more"));
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
    state.overlays.push(Overlay::Confirm(Confirm {
        question: format!(
            "Acknowledge all {} alert{} of {team} for {}?",
            plan.count,
            words::s(plan.count),
            humantime::format_duration(duration)
        ),
        details,
        op: PendingOp::Create {
            requests: plan.requests,
            from_form: true,
        },
    }));
}

/// Quits, unless a release command is still running: then asks first
/// (quitting stops it, SIGTERM then SIGKILL).
pub(super) fn quit(state: &mut State) -> Vec<Effect> {
    if let Some(run) = state.release.run.as_ref().filter(|r| r.running()) {
        let question = format!(
            "A command is still running ({}). Stop it and quit?",
            shell_words::join(&run.argv)
        );
        let grace = humantime::format_duration(state.release.stop_grace);
        state.overlays.push(Overlay::Confirm(Confirm {
            question,
            details: vec![format!(
                "it gets SIGTERM, then SIGKILL after {grace}; the step is not ticked"
            )],
            op: PendingOp::Quit,
        }));
        return Vec::new();
    }
    state.quit = true;
    vec![Effect::Quit]
}

/// `e` in the silences list: the silence's whole scope, old → new end, y/N.
fn extend(state: &mut State, ids: &[String]) -> Vec<Effect> {
    let requests = super::pick::extend_requests(state, ids);
    if requests.is_empty() {
        say(state, Level::Error, "nothing to extend: no open silence");
        return Vec::new();
    }
    let by = chrono::Duration::from_std(state.settings.ack_duration)
        .unwrap_or(chrono::TimeDelta::hours(2));
    let mut details = Vec::new();
    let mut n = 0;
    for s in ids.iter().filter_map(|id| state.silence(id)) {
        if s.state == SilenceState::Expired {
            continue;
        }
        n += 1;
        details.extend(super::scope::describe(state, s, None));
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
            humantime::format_duration(state.settings.ack_duration)
        ),
        details,
        op: PendingOp::Extend(requests),
    }));
    Vec::new()
}

/// `u` in the silences list: the silence's whole scope, then y/N.
fn ask_expire(state: &mut State, ids: &[String], what: &str) {
    let targets = super::pick::expire_targets(state, ids);
    if targets.is_empty() {
        say(state, Level::Error, "nothing to expire: no active silence");
        return;
    }
    let mut details = Vec::new();
    let mut n = 0;
    for s in ids.iter().filter_map(|id| state.silence(id)) {
        if s.state != SilenceState::Expired {
            n += 1;
            details.extend(super::scope::describe(state, s, None));
        }
    }
    state.overlays.push(Overlay::Confirm(Confirm {
        question: format!("Expire {n} silence{} {what}?", words::s(n)),
        details,
        op: PendingOp::Expire(targets),
    }));
}

fn confirm_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // j/k and the page keys scroll long details (a diff); they neither
    // confirm nor cancel. Every other key answers.
    let Some(Overlay::Confirm(open)) = state.overlays.last() else {
        return Vec::new();
    };
    // As the dialog lays them out: up to 100 columns wide, lines cut to fit,
    // a window of the screen's height less the question and the answers.
    let room = usize::from(state.cols.min(100).saturating_sub(6)).max(10);
    let lines: usize = open
        .details
        .iter()
        .map(|d| d.chars().count().div_ceil(room).max(1))
        .sum();
    let window = usize::from(state.rows.saturating_sub(8))
        .max(3)
        .saturating_sub(2)
        .max(1);
    let most = lines.saturating_sub(window);
    let page = window.saturating_sub(1).max(1);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let scroll = &mut state.confirm_scroll;
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => *scroll = (*scroll + 1).min(most),
        KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown => *scroll = (*scroll + page).min(most),
        KeyCode::Char('d') if ctrl => *scroll = (*scroll + page).min(most),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(page),
        KeyCode::Char('u') if ctrl => *scroll = scroll.saturating_sub(page),
        _ => {
            state.confirm_scroll = 0;
            return answer_confirm(state, key);
        }
    }
    Vec::new()
}

fn answer_confirm(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = state.overlays.pop() else {
        return Vec::new();
    };
    if !matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
        say(state, Level::Info, "cancelled");
        return Vec::new();
    }
    match confirm.op {
        PendingOp::Create {
            requests,
            from_form,
        } => {
            if from_form {
                if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
                    form.submitting = true;
                    form.error = None;
                }
            }
            say(state, Level::Info, "creating silence…");
            vec![Effect::CreateSilences(requests)]
        }
        PendingOp::Expire(targets) => {
            say(state, Level::Info, "expiring…");
            vec![Effect::ExpireSilences(targets)]
        }
        PendingOp::Run(run) => super::release::start_run(state, *run),
        PendingOp::Bump(plan) => super::deploy::start_bump(state, *plan),
        PendingOp::Extend(requests) => {
            say(state, Level::Info, "extending…");
            vec![Effect::ExtendSilences(requests)]
        }
        PendingOp::Quit => {
            state.quit = true;
            vec![Effect::StopRun, Effect::Quit]
        }
    }
}

fn silences_command(state: &mut State, cmd: Command) -> Vec<Effect> {
    let len = state.open_silences().len();
    let Some(Overlay::Silences(row)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    let last = len.saturating_sub(1);
    // The list may have shrunk since the row was chosen.
    *row = (*row).min(last);
    match cmd {
        Command::Down => *row = (*row + 1).min(last),
        Command::Up => *row = row.saturating_sub(1),
        Command::Top => *row = 0,
        Command::Bottom => *row = last,
        Command::Back => {
            state.overlays.pop();
        }
        Command::Unack | Command::Extend => {
            let row = *row;
            let Some(id) = state.open_silences().get(row).map(|s| s.id.clone()) else {
                return Vec::new();
            };
            if cmd == Command::Extend {
                return extend(state, &[id]);
            }
            ask_expire(state, std::slice::from_ref(&id), &format!("({id})"));
        }
        Command::Quit | Command::Help | Command::Refresh => return command(state, cmd),
        _ => {}
    }
    Vec::new()
}

fn silences_done(state: &mut State, op: SilenceOp, outcomes: Vec<SilenceOutcome>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
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
                state.local.push((state.now, change));
                if !ok.contains(&id) {
                    ok.push(id);
                }
            }
            Err(e) => errors.push(format!("{}: {e}", o.target)),
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
        say(state, Level::Info, text);
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
        say(state, Level::Error, format!("{prefix}failed: {text}"));
    }
}

#[cfg(test)]
mod tests;
