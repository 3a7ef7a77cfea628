//! The alerts view's arrangement and marks: grouping and sorting (`T`,
//! `O`, `:group`, `:sort`), the collapsed group list (`z`), and marking
//! alerts (space, `v`, `V`) so `a`, `u` and `e` act on the marked set.

use crate::alerts::arrange::{Arrange, GroupBy, SortBy};
use crate::app::action::Effect;
use crate::app::keymap::Command;
use crate::app::state::{Focus, Level, State};
use crate::core::words;

/// Groups and/or sorts anew, keeping the selected alert, and says how.
pub fn rearrange(state: &mut State, group: Option<GroupBy>, sort: Option<SortBy>) {
    let pane = &mut state.alerts;
    let arrange = Arrange {
        group: group.unwrap_or_else(|| pane.arrange.group.clone()),
        sort: sort.unwrap_or(pane.arrange.sort),
    };
    let flat = arrange.group == GroupBy::Flat;
    pane.rearrange(arrange);
    if flat || pane.collapsed {
        pane.focus = Focus::Alerts;
    }
    let how = &pane.arrange;
    let text = if flat {
        format!("one list of every alert, sorted by {}", how.sort)
    } else {
        format!("grouped by {}, sorted by {}", how.group, how.sort)
    };
    state.say(Level::Info, text);
}

/// `z`: hides the group list (the alerts take the width) or shows it.
pub fn collapse(state: &mut State) {
    let pane = &mut state.alerts;
    if pane.arrange.group == GroupBy::Flat {
        state.say(Level::Info, "the flat list has no group list to hide");
        return;
    }
    pane.collapsed = !pane.collapsed;
    if pane.collapsed {
        pane.focus = Focus::Alerts;
    }
    let text = if pane.collapsed {
        "group list hidden: h or Tab shows it"
    } else {
        "group list shown"
    };
    state.say(Level::Info, text);
}

/// Space / `v`: marks or unmarks the selected alert and moves down, so a
/// run of alerts is marked by holding the key. On the group list, marks
/// the group's shown alerts.
pub fn toggle(state: &mut State) {
    if state.alerts.focus == Focus::Teams {
        toggle_group(state);
        return;
    }
    let Some(fp) = state.selected_alert().map(|a| a.fingerprint.clone()) else {
        state.say(Level::Error, "no alert selected");
        return;
    };
    let pane = &mut state.alerts;
    if !pane.marks.remove(&fp) {
        pane.marks.insert(fp);
    }
    let len = pane.selected_group().map_or(0, |g| g.total());
    pane.alert = (pane.alert + 1).min(len.saturating_sub(1));
    say_marks(state);
}

/// `V`: marks every shown alert of the selected group, or unmarks them
/// when all are marked already.
pub fn toggle_group(state: &mut State) {
    let pane = &mut state.alerts;
    let Some(group) = pane.groups.get(pane.team) else {
        state.say(Level::Error, "no alerts to mark");
        return;
    };
    let fps: Vec<String> = group
        .alerts
        .iter()
        .map(|&i| pane.all[i].fingerprint.clone())
        .collect();
    let all_marked = fps.iter().all(|fp| pane.marks.contains(fp));
    for fp in fps {
        if all_marked {
            pane.marks.remove(&fp);
        } else {
            pane.marks.insert(fp);
        }
    }
    say_marks(state);
}

/// How many are marked, and what they are for.
fn say_marks(state: &mut State) {
    let n = state.alerts.marks.len();
    if n == 0 {
        state.say(Level::Info, "no alert marked");
        return;
    }
    let key = |cmd| {
        state
            .keymap
            .key_for(crate::app::keymap::Context::Alerts, cmd)
            .unwrap_or_default()
    };
    let text = format!(
        "{} marked — {} acknowledges, {} expires, {} extends; Esc unmarks",
        words::plural(n, "alert"),
        key(Command::Ack),
        key(Command::Unack),
        key(Command::Extend),
    );
    state.say(Level::Info, text);
}

/// `u` / `e` with marks: the marked alerts' silences, with their whole
/// scope, y/N.
pub fn silences_of_marked(state: &mut State, cmd: Command) -> Vec<Effect> {
    let marked = state.alerts.marked();
    let n = marked.len();
    let mut ids: Vec<String> = Vec::new();
    for a in &marked {
        for id in &a.silenced_by {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
    }
    if ids.is_empty() {
        let what = if cmd == Command::Extend {
            "extend"
        } else {
            "expire"
        };
        state.say(
            Level::Error,
            format!(
                "nothing to {what}: none of the {} is silenced",
                words::plural(n, "marked alert")
            ),
        );
        return Vec::new();
    }
    if cmd == Command::Extend {
        return super::silences::extend(state, &ids);
    }
    let what = format!("of {} marked", words::plural(n, "alert"));
    super::silences::ask_expire(state, &ids, &what);
    Vec::new()
}

/// The alerts view's list grouped by team (regrouped if it was not), on
/// `team`, its alerts focused. False when no group is that team.
pub fn show_team(state: &mut State, team: &str) -> bool {
    if state.alerts.arrange.group != GroupBy::Team {
        rearrange(state, Some(GroupBy::Team), None);
    }
    let pane = &mut state.alerts;
    let Some(i) = pane.groups.iter().position(|g| g.key == team) else {
        return false;
    };
    if pane.team != i {
        pane.team = i;
        pane.alert = 0;
    }
    pane.collapsed = false;
    pane.focus = Focus::Alerts;
    true
}
