//! The bench modes, one workflow each, behind [`super::workflow::Workflow`].

pub mod disposal;
pub mod lookup;
pub mod receiving;
pub mod stocktake;
pub mod wipe;

use super::workflow::Workflow;
use crate::input::Mode;

/// One workflow per mode, in [`Mode::ALL`] order.
pub fn all(settings: &super::StationSettings) -> Vec<Box<dyn Workflow>> {
    Mode::ALL
        .iter()
        .map(|m| -> Box<dyn Workflow> {
            match m {
                Mode::Lookup => Box::new(lookup::Lookup::new(&settings.identify)),
                Mode::Wipe => Box::new(wipe::Wipe::new(settings)),
                Mode::Disposal => Box::new(disposal::Disposal::new(settings)),
                Mode::Receive => Box::new(receiving::Receiving::new(settings)),
                Mode::Stocktake => Box::new(stocktake::Stocktake::new(&settings.identify)),
            }
        })
        .collect()
}
