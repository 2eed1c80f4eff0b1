//! The station's view of classification: raw scan bytes -> [`Identity`].
//!
//! The station (and the import's scan warnings) see classification only
//! through this module, so that what "classify" means is decided in one place:
//! `crate::identify` (GS1 keys classify themselves; plain text by the
//! configured rules).

pub use crate::identify::{Classifier, Identity, IdentityKind, PatternError as ClassifierError};
