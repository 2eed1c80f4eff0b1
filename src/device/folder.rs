//! Watched folder of label photos (being built).
