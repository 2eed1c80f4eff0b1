//! Run-time wiring (being built)
