//! update tests: status messages — good news fades, an error stays in its
//! view until the next key there or until what failed works again, and
//! `:messages` keeps them all.

use super::*;
use crate::app::overlays::Overlay;
use crate::net::Problem;

fn shown(state: &State) -> Option<(&str, Level)> {
    state.shown_message().map(|m| (m.text.as_str(), m.level))
}

fn at(secs: i64) -> Action {
    Action::Tick(now() + TimeDelta::seconds(secs))
}

/// An acknowledgement that could not reach `am`.
fn unreachable_ack() -> Action {
    Action::SilencesDone {
        op: SilenceOp::Create,
        outcomes: vec![SilenceOutcome {
            target: "am".into(),
            request: None,
            result: Err(Problem::Transport {
                what: "POST /api/v2/silences".into(),
                reason: "connection refused".into(),
            }),
        }],
    }
}

#[test]
fn good_news_fades_after_8_seconds_and_an_error_stays() {
    let mut state = fixture();
    state.say(Level::Info, "silence abc created");
    update(&mut state, at(7));
    assert_eq!(shown(&state), Some(("silence abc created", Level::Info)));
    update(&mut state, at(8));
    assert_eq!(shown(&state), None);

    state.say(Level::Error, "filter not applied: invalid regex");
    update(&mut state, at(60));
    assert_eq!(
        shown(&state),
        Some(("filter not applied: invalid regex", Level::Error))
    );
}

#[test]
fn an_error_shows_only_in_its_view_and_the_next_key_there_clears_it() {
    let mut state = fixture();
    assert_eq!(state.view, View::Alerts);
    // A deploy result that comes in while the alerts view is shown.
    state.say_in(View::Deploy, Level::Error, "bump failed: push rejected");
    // Here it is not shown (the hints are), and keys here keep it.
    assert_eq!(shown(&state), None);
    press(&mut state, 'j');
    press(&mut state, '3');
    assert_eq!(
        shown(&state),
        Some(("bump failed: push rejected", Level::Error))
    );
    // The next key in its view is the next action there: it clears.
    press(&mut state, 'j');
    assert_eq!(shown(&state), None);
    assert_eq!(state.messages.len(), 1, "still in :messages");
}

#[test]
fn an_unreachable_alertmanager_error_clears_when_it_answers_again() {
    let mut state = fixture();
    update(&mut state, unreachable_ack());
    assert_eq!(
        shown(&state),
        Some((
            "failed: am: POST /api/v2/silences: connection refused",
            Level::Error
        ))
    );
    // Another source answering changes nothing; `am` answering resolves it.
    update(&mut state, prom_event(vec![source_pending()]));
    assert!(shown(&state).is_some());
    update(&mut state, am_event("am", snapshot("am"), now()));
    assert_eq!(shown(&state), None);
}

#[test]
fn colon_messages_lists_the_session_newest_first_and_scrolls() {
    let mut state = fixture();
    for n in 0..30 {
        state.say(Level::Info, format!("message {n}"));
    }
    state.say(Level::Error, "the last one");
    assert_eq!(state.messages.len(), 31);
    assert_eq!(state.messages[30].text, "the last one");

    press(&mut state, ':');
    type_text(&mut state, "messages");
    code(&mut state, KeyCode::Enter);
    assert_eq!(state.overlays.last(), Some(&Overlay::Messages(0)));
    // 24 rows: the list scrolls, and never past its end.
    update(&mut state, Action::Resize(80, 24));
    press(&mut state, 'G');
    let Some(Overlay::Messages(end)) = state.overlays.last().cloned() else {
        panic!("the list is open");
    };
    assert!(end > 0 && end < 31, "{end}");
    press(&mut state, 'j');
    assert_eq!(state.overlays.last(), Some(&Overlay::Messages(end)));
    press(&mut state, 'g');
    assert_eq!(state.overlays.last(), Some(&Overlay::Messages(0)));
    code(&mut state, KeyCode::Esc);
    assert!(state.overlays.is_empty());
}

#[test]
fn the_log_keeps_the_last_200() {
    let mut state = fixture();
    for n in 0..250 {
        state.say(Level::Info, format!("m{n}"));
    }
    assert_eq!(state.messages.len(), crate::app::state::MESSAGE_LOG);
    assert_eq!(state.messages[0].text, "m50");
}
