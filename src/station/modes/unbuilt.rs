//! A mode whose workflow is not built yet (Receive, Wipe, Stock-take and
//! Disposal until their issues land): every scan and read is journaled, and
//! the operator is told plainly that nothing else happens.

use crate::input::{Command, Mode};
use crate::station::decision::{Decision, Journal};
use crate::station::outcome::Panel;
use crate::station::question::{Answer, Question};
use crate::station::workflow::{Env, RfidIn, ScanIn, Workflow};
use crate::store::StoreError;
use std::time::SystemTime;

pub struct Unbuilt(pub Mode);

impl Workflow for Unbuilt {
    fn mode(&self) -> Mode {
        self.0
    }

    fn entered(&mut self, _j: &mut Journal<'_>, _env: &Env<'_>) -> Result<Decision, StoreError> {
        Ok(Decision::warn(format!(
            "{} is not built yet: scans are journaled only",
            self.0.title()
        ))
        .panel(Panel::Empty))
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        _env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        s.journal(j)?;
        Ok(Decision::warn(format!(
            "{} is not built yet: {} journaled only",
            self.0.title(),
            s.shown
        )))
    }

    fn rfid(
        &mut self,
        j: &mut Journal<'_>,
        _env: &Env<'_>,
        r: &mut RfidIn<'_>,
    ) -> Result<Decision, StoreError> {
        r.journal(j)?;
        Ok(Decision::warn(format!(
            "RFID {} journaled: {} is not built yet",
            r.epc,
            self.0.title()
        ))
        .quiet())
    }

    fn command(
        &mut self,
        _j: &mut Journal<'_>,
        _env: &Env<'_>,
        _cmd: &Command,
        _at: SystemTime,
    ) -> Result<Option<Decision>, StoreError> {
        Ok(None)
    }

    fn answer(
        &mut self,
        _j: &mut Journal<'_>,
        _env: &Env<'_>,
        q: Question,
        _a: Answer,
        _at: SystemTime,
    ) -> Result<Decision, StoreError> {
        Ok(Decision::warn(format!("{}: nothing to do", q.prompt)))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}
