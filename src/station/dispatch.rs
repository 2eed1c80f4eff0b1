//! What every mode shares, in front of the workflows: the sign-in gate,
//! badges (sign in, or answer a question), the commands the station itself
//! understands, questions and their answers. Everything else goes to the
//! active mode's workflow. All of it runs inside the station's transaction.

use super::classify::{Classifier, IdentityKind};
use super::commands;
use super::decision::{Decision, Journal};
use super::modes;
use super::outcome::Panel;
use super::policy::Policy;
use super::question::{Answer, Expect, Question};
use super::session::{display_code, operator, sign_in, sign_out};
use super::workflow::{Env, RfidIn, ScanIn, Workflow};
use super::StationSettings;
use crate::input::{Command, Input, Mode, RfidRead, Scan};
use crate::store::StoreError;
use serde_json::json;
use std::time::SystemTime;

pub(super) struct Router {
    pub(super) settings: StationSettings,
    classifier: Classifier,
    policy: Policy,
    /// One per mode, in [`Mode::ALL`] order.
    workflows: Vec<Box<dyn Workflow>>,
}

impl Router {
    pub(super) fn new(settings: StationSettings, classifier: Classifier, policy: Policy) -> Router {
        Router {
            workflows: modes::all(&settings),
            settings,
            classifier,
            policy,
        }
    }

    /// The workflow of `m` and what it may read.
    fn workflow(&mut self, m: Mode) -> (&mut dyn Workflow, Env<'_>) {
        let i = Mode::ALL.iter().position(|x| *x == m).unwrap_or(0);
        (
            self.workflows[i].as_mut(),
            Env {
                settings: &self.settings,
                policy: &self.policy,
            },
        )
    }

    /// Mode `mode`'s panel for its stored context `ctx`, read outside any write.
    pub(super) fn view(
        &mut self,
        conn: &rusqlite::Connection,
        mode: Mode,
        ctx: &serde_json::Value,
    ) -> Result<Option<super::view::WorkflowView>, StoreError> {
        self.workflow(mode).0.view(conn, ctx)
    }

    pub(super) fn tick(&mut self, mode: Mode, now: SystemTime) -> Option<Decision> {
        self.workflow(mode).0.tick(now)
    }

    /// Decides one input inside `j`'s transaction.
    pub(super) fn decide(
        &mut self,
        j: &mut Journal<'_>,
        input: &Input,
    ) -> Result<Decision, StoreError> {
        match input {
            Input::Scan(scan) => self.scan(j, scan),
            Input::Rfid(read) => self.rfid(j, read),
            Input::Command(cmd) => self.command(j, cmd, SystemTime::now()),
            Input::ReaderStatus(_) | Input::Tick(_) => Ok(Decision::ok("").quiet()),
        }
    }

    fn scan(&mut self, j: &mut Journal<'_>, scan: &Scan) -> Result<Decision, StoreError> {
        let identity = self.classifier.classify(&scan.raw);
        let kind = identity.kind;
        let value = identity.value.to_string();
        let shown = display_code(&String::from_utf8_lossy(&scan.raw), scan.truncated, 60);
        let mut s = ScanIn::new(scan, kind, value.clone(), shown.clone());
        let mut d = self.route_scan(j, &mut s)?;
        // Every scan is journaled, whatever the workflow did.
        s.journal(j)?;
        d.identity = Some((kind.as_str().to_string(), value));
        Ok(d)
    }

    fn route_scan(
        &mut self,
        j: &mut Journal<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let question = j.ctx.question.clone();
        if s.kind == IdentityKind::Operator {
            return match question {
                Some(q) => self.badge_answer(j, s, q),
                None => sign_in(j, s, &s.value.clone()),
            };
        }
        if self.settings.require_signin && j.operator().is_none() {
            s.refuse(j, "signin_required")?;
            return Ok(Decision::error("Scan your badge first"));
        }
        if s.kind == IdentityKind::Command {
            let Some(cmd) = commands::parse(&s.value, &self.settings.identify.command_prefix)
            else {
                s.refuse(j, "unknown_command")?;
                return Ok(Decision::error(format!("Unknown command {}", s.shown)));
            };
            s.journal(j)?;
            return self.command(j, &cmd, s.scan.at);
        }
        if let Some(q) = question {
            match &q.expects {
                Expect::Value { .. } => {
                    s.journal(j)?;
                    let text = String::from_utf8_lossy(&s.scan.raw).into_owned();
                    return self.answer(j, q, Answer::Value(text), s.scan.at, None);
                }
                _ if q.sticky => {
                    s.refuse(j, "question_open")?;
                    return Ok(Decision::warn(format!(
                        "Answer first: {} — {}",
                        q.prompt,
                        q.expects.hint()
                    )));
                }
                _ => {
                    // The operator scanned on: the question is left.
                    j.ctx.clear_question();
                }
            }
        }
        let mode = j.ctx.mode;
        let (wf, env) = self.workflow(mode);
        wf.scan(j, &env, s)
    }

    /// A badge while a question is open: it answers a badge question (if it
    /// is an active operator's, of the role asked, and not excluded), and
    /// never signs anyone in or out.
    fn badge_answer(
        &mut self,
        j: &mut Journal<'_>,
        s: &mut ScanIn<'_>,
        q: Question,
    ) -> Result<Decision, StoreError> {
        if !matches!(q.expects, Expect::Badge { .. }) {
            s.refuse(j, "question_open")?;
            return Ok(Decision::warn(format!(
                "A question is open: {} — {}. A badge does not sign in until it is answered or cancelled",
                q.prompt,
                q.expects.hint()
            )));
        }
        let Some(op) = operator(j.conn(), &s.value)? else {
            s.refuse(j, "unknown_badge")?;
            return Ok(Decision::error(format!(
                "{} is not an active operator's badge: the question stays open — {}",
                s.value,
                q.expects.hint()
            )));
        };
        if let Some(why) = q.refuses_badge(&op) {
            s.refuse(j, "badge_refused")?;
            return Ok(Decision::error(format!(
                "{why}: the question stays open — {}",
                q.expects.hint()
            )));
        }
        s.journal(j)?;
        let at = s.scan.at;
        self.answer(j, q, Answer::Badge(op.clone()), at, Some(op.badge))
    }

    fn rfid(&mut self, j: &mut Journal<'_>, read: &RfidRead) -> Result<Decision, StoreError> {
        let mut r = RfidIn::new(read);
        let d = if self.settings.require_signin && j.operator().is_none() {
            r.set("refused", json!("signin_required"));
            Decision::warn(format!("RFID {} journaled: scan your badge first", r.epc)).quiet()
        } else {
            let mode = j.ctx.mode;
            let (wf, env) = self.workflow(mode);
            wf.rfid(j, &env, &mut r)?
        };
        r.journal(j)?;
        Ok(d)
    }

    /// A command, from a key or a barcode (whose scan is already journaled).
    fn command(
        &mut self,
        j: &mut Journal<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        if self.settings.require_signin
            && j.operator().is_none()
            && !matches!(cmd, Command::Cancel | Command::SignOut)
        {
            return Ok(Decision::error("Scan your badge first"));
        }
        let question = j.ctx.question.clone();
        match (cmd, question) {
            (Command::Cancel, Some(q)) => self.answer(j, q, Answer::Cancel, at, None),
            (Command::Confirm, Some(q)) if q.expects == Expect::Confirm => {
                self.answer(j, q, Answer::Confirm, at, None)
            }
            (Command::Pick(n), Some(q)) if matches!(q.expects, Expect::Pick { .. }) => {
                let Expect::Pick { options } = &q.expects else {
                    return Ok(Decision::warn("No list to pick from"));
                };
                match options.get((*n as usize).wrapping_sub(1)) {
                    Some(opt) => {
                        let a = Answer::Pick(*n as usize - 1, opt.clone());
                        self.answer(j, q, a, at, None)
                    }
                    None => Ok(Decision::warn(format!(
                        "There is no {n} in the list: {}",
                        q.expects.hint()
                    ))),
                }
            }
            (Command::Confirm | Command::Pick(_), Some(q)) => Ok(Decision::warn(format!(
                "{} expects {}",
                q.prompt,
                q.expects.hint()
            ))),
            (Command::Confirm, None) => {
                // A mode may record something on CONFIRM (Wipe: the record
                // being built); else there is nothing to confirm.
                let mode = j.ctx.mode;
                let (wf, env) = self.workflow(mode);
                Ok(wf
                    .command(j, &env, cmd, at)?
                    .unwrap_or_else(|| Decision::warn("Nothing to confirm")))
            }
            (Command::Pick(_), None) => Ok(Decision::warn("No list to pick from")),
            (Command::Mode(m), _) => self.switch_mode(j, *m, at),
            (Command::SignOut, _) => sign_out(j, at, "sign-out"),
            (_, Some(q)) if q.sticky => Ok(Decision::warn(format!(
                "Answer first: {} — {}",
                q.prompt,
                q.expects.hint()
            ))),
            (cmd, _) => {
                let mode = j.ctx.mode;
                let (wf, env) = self.workflow(mode);
                match wf.command(j, &env, cmd, at)? {
                    Some(d) => Ok(d),
                    None if *cmd == Command::Cancel => Ok(Decision::ok("Nothing to cancel")),
                    None => {
                        let prefix = self.settings.identify.command_prefix.clone();
                        let (wf, _) = self.workflow(mode);
                        let mut expected: Vec<String> =
                            ["CONFIRM", "CANCEL", "CLOSE", "PICK:N", "MODE:X", "SIGNOUT"]
                                .iter()
                                .map(|c| format!("{prefix}{c}"))
                                .collect();
                        expected.extend(wf.commands().iter().map(|(c, _)| c.to_string()));
                        Ok(Decision::warn(format!(
                            "{} means nothing in {} mode now: expected {}",
                            commands::barcode(cmd, &prefix),
                            mode.title(),
                            expected.join(", ")
                        )))
                    }
                }
            }
        }
    }

    fn switch_mode(
        &mut self,
        j: &mut Journal<'_>,
        m: Mode,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let from = j.ctx.mode;
        if m == from {
            return Ok(Decision::ok(format!("Already in {} mode", m.title())));
        }
        if let Some(q) = j.ctx.clear_question() {
            j.append(
                at,
                "question.answered",
                json!({"question": q.kind, "prompt": q.prompt, "answer": "left",
                       "by": j.operator().map(|o| o.badge.clone())}),
            )?;
        }
        j.append(
            at,
            "station.mode_changed",
            json!({"from": from.as_str(), "to": m.as_str()}),
        )?;
        j.ctx.set_mode(m);
        let (wf, env) = self.workflow(m);
        let mut d = wf.entered(j, &env)?;
        if d.panel.is_none() {
            // The mode's own panel for what it has open (or nothing open),
            // never the panel of the mode before.
            d.panel = Some(match wf.view(j.conn(), j.ctx.get(m))? {
                Some(v) => Panel::Workflow(v),
                None => Panel::Empty,
            });
        }
        Ok(d)
    }

    /// Closes question `q` with answer `a` (checked), journals it with who
    /// gave it (`by`: the badge that answered, else the operator), and hands
    /// it to the workflow that asked.
    fn answer(
        &mut self,
        j: &mut Journal<'_>,
        q: Question,
        a: Answer,
        at: SystemTime,
        by: Option<String>,
    ) -> Result<Decision, StoreError> {
        j.ctx.clear_question();
        let by = by.or_else(|| j.operator().map(|o| o.badge.clone()));
        j.append(
            at,
            "question.answered",
            json!({"question": q.kind, "prompt": q.prompt, "answer": a.to_json(), "by": by}),
        )?;
        let mode = Mode::parse(&q.mode).unwrap_or(j.ctx.mode);
        let (wf, env) = self.workflow(mode);
        wf.answer(j, &env, q, a, at)
    }
}
