//! `u`/`e` on an alert: choose which of its silences to expire or extend.

pub mod keys;

/// Expire or extend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickOp {
    /// `u`: expire.
    Expire,
    /// `e`: extend by the configured ack duration.
    Extend,
}

impl PickOp {
    fn verb(self) -> &'static str {
        match self {
            PickOp::Expire => "Expire",
            PickOp::Extend => "Extend",
        }
    }
}

/// One candidate silence.
#[derive(Debug, Clone, PartialEq)]
pub struct PickItem {
    /// The silence id.
    pub id: String,
    /// Will `y` act on it?
    pub selected: bool,
    /// What it is (see [`crate::app::scope::describe`]), and for extend old → new end.
    pub lines: Vec<String>,
}

/// The open picker.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Expire or extend.
    pub op: PickOp,
    /// The alert's name, for the question.
    pub alert_name: String,
    /// The candidates, soonest end first.
    pub items: Vec<PickItem>,
    /// The row the cursor is on.
    pub cursor: usize,
}

impl Pick {
    /// How many are selected.
    pub fn selected(&self) -> usize {
        self.items.iter().filter(|i| i.selected).count()
    }

    /// The question as it stands: "Expire 1 of 2 silences on HighCPU?".
    pub fn question(&self) -> String {
        let n = self.items.len();
        format!(
            "{} {} of {n} silence{} on {}?",
            self.op.verb(),
            self.selected(),
            crate::core::words::s(n),
            self.alert_name
        )
    }
}
