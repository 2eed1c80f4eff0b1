//! Stock-take decisions, pure: where a tag read in several locations is
//! placed ([`placement`]) and what the counts mean against what was expected
//! ([`reconcile`]). The store keeps the reads (`store::stocktake`), the
//! station counts them (`station::modes::stocktake`), the commands act on
//! the result; none of that is here, so every rule is tested on a table.

pub mod kpi;
pub mod placement;
pub mod reconcile;
pub mod report;
