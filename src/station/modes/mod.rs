//! The bench modes, one workflow each, behind [`super::workflow::Workflow`].

pub mod lookup;
pub mod stocktake;
pub mod stocktake_panel;
pub mod unbuilt;

use super::workflow::Workflow;
use crate::input::Mode;

/// One workflow per mode, in [`Mode::ALL`] order.
pub fn all(settings: &super::StationSettings) -> Vec<Box<dyn Workflow>> {
    Mode::ALL
        .iter()
        .map(|m| -> Box<dyn Workflow> {
            match m {
                Mode::Lookup => Box::new(lookup::Lookup::new(&settings.identify)),
                Mode::Stocktake => Box::new(stocktake::Stocktake::new(&settings.identify)),
                other => Box::new(unbuilt::Unbuilt(*other)),
            }
        })
        .collect()
}
