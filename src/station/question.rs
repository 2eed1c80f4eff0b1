//! Questions: a workflow asks one, the next input answers it.
//!
//! CONFIRM / CANCEL, a pick from a list (`CMD:PICK:N`, or the arrows and
//! Enter), a scanned or typed value (a driver's id, a reason), or an
//! operator's badge (a supervisor's override, a validator). The question is
//! stored with the station's context, so a restart asks it again. While it is
//! open a badge answers it and signs no one in or out. The station checks an
//! answer against what the question expects (a badge must be an active
//! operator's, of the role asked, and not one the question excludes; a bad one
//! leaves the question open), journals `question.answered` with who gave it,
//! and hands it to the workflow that asked.

use super::outcome::OperatorView;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// An open question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// What it is for, dotted (`lookup.enrol`, `lookup.override`, `wipe.validator`).
    pub kind: String,
    /// The mode whose workflow asked and gets the answer.
    pub mode: String,
    /// One line for the operator, naming what is asked about.
    pub prompt: String,
    pub expects: Expect,
    /// A sticky question refuses other inputs until it is answered or
    /// cancelled; another is simply left when the operator scans on.
    pub sticky: bool,
    /// What the asker needs to go on (ids, the value being confirmed).
    pub data: Value,
}

/// What answers a question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expect {
    /// CONFIRM (or CANCEL).
    Confirm,
    /// One of `options`, by number from 1.
    Pick { options: Vec<String> },
    /// The next scan or typed text.
    Value { label: String },
    /// An active operator's badge; of `role` when given, never one of `not`.
    Badge {
        role: Option<String>,
        #[serde(default)]
        not: Vec<String>,
    },
}

impl Expect {
    /// What the operator should do, for the banner.
    pub fn hint(&self) -> String {
        match self {
            Expect::Confirm => "CONFIRM or CANCEL".into(),
            Expect::Pick { options } => format!("pick 1–{} or CANCEL", options.len()),
            Expect::Value { label } => format!("scan or type the {label}, or CANCEL"),
            Expect::Badge { role: Some(r), .. } => format!("a {r}'s badge, or CANCEL"),
            Expect::Badge { role: None, .. } => "a badge, or CANCEL".into(),
        }
    }

    /// The name used in views and `feed` (`confirm`, `pick`, `value`, `badge`).
    pub fn name(&self) -> &'static str {
        match self {
            Expect::Confirm => "confirm",
            Expect::Pick { .. } => "pick",
            Expect::Value { .. } => "value",
            Expect::Badge { .. } => "badge",
        }
    }
}

/// An answer the station accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Confirm,
    Cancel,
    /// The option picked: its index from 0 and its text.
    Pick(usize, String),
    Value(String),
    Badge(OperatorView),
}

impl Answer {
    /// How the answer is journaled.
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Confirm => json!("confirm"),
            Answer::Cancel => json!("cancel"),
            Answer::Pick(i, text) => json!({"pick": i + 1, "option": text}),
            Answer::Value(v) => json!({"value": v}),
            Answer::Badge(op) => json!({"badge": op.badge, "name": op.name, "role": op.role}),
        }
    }
}

/// The question as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionView {
    pub prompt: String,
    /// `confirm`, `pick`, `value` or `badge`.
    pub expects: &'static str,
    /// What to do, e.g. `CONFIRM or CANCEL`.
    pub hint: String,
    /// For a pick: the options, numbered from 1 on screen.
    pub options: Vec<String>,
}

impl Question {
    pub fn view(&self) -> QuestionView {
        QuestionView {
            prompt: self.prompt.clone(),
            expects: self.expects.name(),
            hint: self.expects.hint(),
            options: match &self.expects {
                Expect::Pick { options } => options.clone(),
                _ => Vec::new(),
            },
        }
    }

    /// Why `badge` (an active operator) cannot answer this question, if it cannot.
    pub fn refuses_badge(&self, op: &OperatorView) -> Option<String> {
        let Expect::Badge { role, not } = &self.expects else {
            return Some("this question is not answered by a badge".into());
        };
        if not.iter().any(|b| b == &op.badge) {
            return Some(format!("{} may not answer this one", op.name));
        }
        match role {
            Some(r) if &op.role != r => Some(format!("{} is not a {r}", op.name)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_round_trips_through_json() {
        let q = Question {
            kind: "lookup.override".into(),
            mode: "lookup".into(),
            prompt: "Override?".into(),
            expects: Expect::Badge {
                role: Some("supervisor".into()),
                not: vec!["B0001".into()],
            },
            sticky: true,
            data: json!({"asset_id": 3}),
        };
        let v = serde_json::to_value(&q).unwrap();
        assert_eq!(serde_json::from_value::<Question>(v).unwrap(), q);
    }

    #[test]
    fn badges_are_checked() {
        let q = Question {
            kind: "k".into(),
            mode: "wipe".into(),
            prompt: "p".into(),
            expects: Expect::Badge {
                role: Some("supervisor".into()),
                not: vec!["B1".into()],
            },
            sticky: true,
            data: Value::Null,
        };
        let op = |b: &str, r: &str| OperatorView {
            badge: b.into(),
            name: b.into(),
            role: r.into(),
        };
        assert!(q.refuses_badge(&op("B1", "supervisor")).is_some());
        assert!(q.refuses_badge(&op("B2", "operator")).is_some());
        assert_eq!(q.refuses_badge(&op("B2", "supervisor")), None);
    }
}
