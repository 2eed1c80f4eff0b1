//! The one integration-test binary: one module per topic. Each test makes its own
//! temp dirs (see `support`) and never touches a user's store.

mod alloc_count;
mod crash;
mod decode_image;
mod e2e;
mod fuzz_corpora;
mod hid_fixtures;
mod import_export;
mod journal;
mod llrp;
mod monitor;
mod nwipe;
mod profiles;
mod pty;
mod rfid_serial;
mod sanitization;
mod spec;
mod station;
mod store;
mod supervisor;
mod support;
mod usb_replay;
mod wedge;
