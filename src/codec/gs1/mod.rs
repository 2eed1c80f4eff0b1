//! GS1 element strings (being built)
