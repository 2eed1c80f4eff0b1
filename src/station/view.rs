//! What a workflow hands the UI: plain data, no store, no terminal. The UI
//! draws it with shared widgets (lines, a gauge, a list).

/// A mode's panel: a title, lines of text, an optional progress figure and an
/// optional list (what is missing, what is on the pallet …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkflowView {
    pub title: String,
    pub lines: Vec<String>,
    pub progress: Option<Progress>,
    /// A heading for `list`, and its entries.
    pub list_title: String,
    pub list: Vec<String>,
    /// A series drawn as a sparkline (Stock-take: accuracy over past
    /// stock-takes).
    pub trend: Option<Trend>,
}

/// Values over time, oldest first, each in `0..=max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    pub label: String,
    pub values: Vec<u64>,
    pub max: u64,
}

/// `done` of `total`, with what is being counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub label: String,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    /// From 0.0 to 1.0 (a total of 0 is complete).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}
