//! The domain: `Station::handle(Input) -> Outcome`, the only code that changes
//! state. It runs on its own thread as the single writer.

pub mod outcome;

pub use outcome::{Level, Outcome, Panel};
