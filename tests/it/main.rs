//! The one integration-test binary: one module per topic. Each test makes its own
//! temp dirs (see `support`) and never touches a user's store.

mod crash;
mod hid_fixtures;
mod support;
mod llrp;
mod rfid_serial;
mod supervisor;
mod profiles;
mod spec;
mod monitor;
mod fuzz_corpora;
mod import_export;
mod station;
mod wedge;
mod journal;
mod store;
mod usb_replay;
mod decode_image;
