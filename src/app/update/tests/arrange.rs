//! update tests: grouping, sorting, the collapsed list and marks.

use super::*;
use crate::alerts::arrange::{GroupBy, SortBy};
use crate::app::overlays::ack_form::AckSet;

fn names_of(state: &State, group: usize) -> Vec<&str> {
    state.alerts.groups[group]
        .alerts
        .iter()
        .map(|&i| state.alerts.all[i].name())
        .collect()
}

fn keys_of(state: &State) -> Vec<&str> {
    state.alerts.groups.iter().map(|g| g.key.as_str()).collect()
}

fn message(state: &State) -> &str {
    state.message.as_ref().map_or("", |m| m.text.as_str())
}

/// Runs a `:` line as typed.
fn palette_line(state: &mut State, line: &str) -> Vec<Effect> {
    press(state, ':');
    type_text(state, line);
    code(state, KeyCode::Enter)
}

#[test]
fn t_cycles_team_alertname_flat_and_keeps_the_selected_alert() {
    let mut state = fixture();
    assert_eq!(keys_of(&state), vec!["search", "source", UNOWNED]);
    select_alert(&mut state, SEARCH_WARN);
    press(&mut state, 'T');
    assert_eq!(state.alerts.arrange.group, GroupBy::Alertname);
    // One group per alert name (the silenced one too, with its count, as
    // a team whose alerts are all silenced); the selection followed.
    assert_eq!(state.alerts.groups.len(), 6, "{:?}", keys_of(&state));
    assert_eq!(state.alerts.groups[5].key, SEARCH_SILENCED);
    assert_eq!(state.alerts.groups[5].hidden, 1);
    assert_eq!(selected_name(&state), SEARCH_WARN);
    assert_eq!(
        state.alerts.selected_group().map(|g| g.key.as_str()),
        Some(SEARCH_WARN)
    );
    assert_eq!(message(&state), "grouped by alertname, sorted by severity");
    // The overview still reads teams.
    let teams: Vec<&str> = state
        .alerts
        .teams()
        .iter()
        .map(|g| g.key.as_str())
        .collect();
    assert_eq!(teams, vec!["search", "source", UNOWNED]);

    press(&mut state, 'T');
    assert_eq!(state.alerts.arrange.group, GroupBy::Flat);
    assert!(state.alerts.list_hidden());
    assert_eq!(state.alerts.focus, Focus::Alerts);
    assert_eq!(keys_of(&state), vec![""]);
    // Every shown alert in one list, most severe then newest (the
    // pending warning is the newest warning).
    assert_eq!(
        names_of(&state, 0),
        vec![
            SEARCH_CRIT,
            SOURCE_CRIT,
            SOURCE_PENDING,
            SEARCH_WARN,
            UNOWNED_WARN
        ]
    );
    assert_eq!(selected_name(&state), SEARCH_WARN);
    assert_eq!(
        message(&state),
        "one list of every alert, sorted by severity"
    );
    // h has no list to go to, and says so.
    press(&mut state, 'h');
    assert_eq!(state.alerts.focus, Focus::Alerts);
    assert!(
        message(&state).starts_with("the flat list has no groups — T"),
        "{}",
        message(&state)
    );

    press(&mut state, 'T');
    assert_eq!(state.alerts.arrange.group, GroupBy::Team);
    assert_eq!(keys_of(&state), vec!["search", "source", UNOWNED]);
    assert_eq!(selected_name(&state), SEARCH_WARN);
}

#[test]
fn o_cycles_the_sort_and_each_orders_the_flat_list_its_way() {
    let mut state = fixture();
    palette_line(&mut state, "group none");
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push((state.alerts.arrange.sort, names_of(&state, 0).join(" ")));
        press(&mut state, 'O');
    }
    assert_eq!(state.alerts.arrange.sort, SortBy::Severity);
    let order: Vec<SortBy> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        order,
        vec![SortBy::Severity, SortBy::Age, SortBy::Name, SortBy::Team]
    );
    // Each order is its key's: ages, names and teams read off the alerts.
    let flat = &state.alerts.groups[0];
    let alerts: Vec<&Alert> = flat.alerts.iter().map(|&i| &state.alerts.all[i]).collect();
    assert!(alerts.windows(2).all(|w| w[0].severity <= w[1].severity));
    press(&mut state, 'O');
    let ages: Vec<_> = state.alerts.groups[0]
        .alerts
        .iter()
        .map(|&i| state.alerts.all[i].starts_at)
        .collect();
    assert!(ages.windows(2).all(|w| w[0] >= w[1]), "{ages:?}");
    press(&mut state, 'O');
    let names = names_of(&state, 0);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    press(&mut state, 'O');
    let teams: Vec<&str> = state.alerts.groups[0]
        .alerts
        .iter()
        .map(|&i| state.alerts.all[i].team.as_str())
        .collect();
    assert!(teams.windows(2).all(|w| w[0] <= w[1]), "{teams:?}");
    assert_eq!(message(&state), "one list of every alert, sorted by team");
}

#[test]
fn the_palette_groups_by_a_label_sorts_and_jumps_to_a_team() {
    let mut state = fixture();
    state.view = View::Overview;
    assert!(palette_line(&mut state, "group label service_name").is_empty());
    assert_eq!(state.view, View::Alerts);
    assert_eq!(
        state.alerts.arrange.group,
        GroupBy::Label("service_name".into())
    );
    let mut keys = keys_of(&state);
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "frontend",
            "gitserver",
            "searcher",
            "syntect-server",
            "zoekt-indexserver"
        ]
    );
    // The key's cycle now passes through the chosen label.
    palette_line(&mut state, "group team");
    press(&mut state, 'T');
    press(&mut state, 'T');
    assert_eq!(
        state.alerts.arrange.group,
        GroupBy::Label("service_name".into())
    );

    // A bad argument: the palette stays open, empty, with the reason.
    palette_line(&mut state, "group label");
    let Some(Overlay::Palette(p)) = state.overlays.last() else {
        panic!("the palette closed: {:?}", state.overlays);
    };
    assert_eq!(p.input.text(), "");
    assert_eq!(
        p.error.as_deref(),
        Some(":group: which label? e.g. :group label service_name")
    );
    code(&mut state, KeyCode::Esc);
    palette_line(&mut state, "sort colour");
    let Some(Overlay::Palette(p)) = state.overlays.last() else {
        panic!("the palette closed");
    };
    assert!(
        p.error
            .as_deref()
            .is_some_and(|e| e.contains("one of: severity, age, name, team")),
        "{:?}",
        p.error
    );
    code(&mut state, KeyCode::Esc);
    palette_line(&mut state, "sort age");
    assert_eq!(state.alerts.arrange.sort, SortBy::Age);

    // :team by a prefix: grouped by team again, on it, its alerts focused.
    palette_line(&mut state, "team sou");
    assert!(state.overlays.is_empty(), "{:?}", state.overlays);
    assert_eq!(state.alerts.arrange.group, GroupBy::Team);
    assert_eq!(
        state.alerts.selected_group().map(|g| g.key.as_str()),
        Some("source")
    );
    assert_eq!(state.alerts.focus, Focus::Alerts);
    palette_line(&mut state, "team nobody");
    let Some(Overlay::Palette(p)) = state.overlays.last() else {
        panic!("the palette closed");
    };
    assert_eq!(
        p.error.as_deref(),
        Some("no team \"nobody\" among the current alerts (teams: search, source, unowned)")
    );
}

#[test]
fn z_hides_the_group_list_and_h_brings_it_back() {
    let mut state = fixture();
    press(&mut state, 'z');
    assert!(state.alerts.collapsed && state.alerts.list_hidden());
    assert_eq!(state.alerts.focus, Focus::Alerts);
    assert_eq!(message(&state), "group list hidden: h or Tab shows it");
    // Esc does not move focus to a list that is not shown.
    assert!(!crate::app::panes::alerts::update::back(&mut state));
    press(&mut state, 'h');
    assert!(!state.alerts.collapsed);
    assert_eq!(state.alerts.focus, Focus::Teams);
}

#[test]
fn marks_survive_a_refresh_while_their_alerts_exist() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, ' ');
    // Marking moves down, so holding the key marks a run.
    assert_eq!(selected_name(&state), SEARCH_WARN);
    press(&mut state, 'v');
    assert_eq!(state.alerts.marks.len(), 2);
    assert!(
        message(&state)
            .starts_with("2 alerts marked — a acknowledges, u expires, e extends; Esc unmarks"),
        "{}",
        message(&state)
    );
    // The same answer again: both kept.
    update(&mut state, am_event("am", snapshot("am"), now()));
    assert_eq!(state.alerts.marks.len(), 2);
    // One resolved: its mark goes with it.
    let mut snap = snapshot("am");
    snap.alerts.retain(|a| a.name() != SEARCH_WARN);
    update(&mut state, am_event("am", snap, now()));
    let marked: Vec<&str> = state.alerts.marked().iter().map(|a| a.name()).collect();
    assert_eq!(marked, vec![SEARCH_CRIT]);
    // Space again unmarks; Esc clears the rest.
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, ' ');
    assert!(state.alerts.marks.is_empty());
    press(&mut state, 'V');
    assert_eq!(state.alerts.marks.len(), 1);
    code(&mut state, KeyCode::Esc);
    assert!(state.alerts.marks.is_empty());
    assert_eq!(message(&state), "1 alert unmarked");
}

#[test]
fn a_on_marked_alerts_of_two_teams_is_one_form_one_question() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, ' ');
    select_alert(&mut state, SOURCE_CRIT);
    press(&mut state, ' ');
    assert!(press(&mut state, 'a').is_empty());
    let f = form(&state);
    let Some(AckSet::Marked(fps)) = &f.set else {
        panic!("not a marked form: {:?}", f.set);
    };
    assert_eq!(fps.len(), 2);
    assert_eq!(f.alertname, "2 alerts marked");
    code(&mut state, KeyCode::Enter);
    let c = confirm(&state);
    assert_eq!(c.question, "Acknowledge 2 alerts marked for 2h?");
    assert_eq!(c.details.len(), 3, "{:?}", c.details);
    let effects = press(&mut state, 'y');
    let [Effect::CreateSilences(reqs)] = effects.as_slice() else {
        panic!("expected one CreateSilences, got {effects:?}");
    };
    let got: Vec<Vec<Matcher>> = reqs.iter().map(|r| r.silence.matchers.clone()).collect();
    let want: Vec<Vec<Matcher>> = [SEARCH_CRIT, SOURCE_CRIT]
        .iter()
        .map(|n| label_equalities(alert_named(&state, n)))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn u_and_e_on_marks_take_the_marked_alerts_silences() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, ' ');
    // None of the marked is silenced: a refusal that says why.
    assert!(press(&mut state, 'u').is_empty());
    assert!(state.overlays.is_empty());
    assert_eq!(
        message(&state),
        "nothing to expire: none of the 1 marked alert is silenced"
    );
    press(&mut state, 's');
    select_alert(&mut state, SEARCH_SILENCED);
    press(&mut state, ' ');
    assert!(press(&mut state, 'u').is_empty());
    let c = confirm(&state);
    assert_eq!(c.question, "Expire 1 silence of 2 alerts marked?");
    code(&mut state, KeyCode::Esc);
    assert!(press(&mut state, 'e').is_empty());
    assert!(confirm(&state).question.starts_with("Extend 1 silence by"));
}
