//! The one integration-test binary: one module per topic. Each test makes its own
//! temp dirs (see `support`) and never touches a user's store.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

mod alloc_count;
mod crash;
mod decode_image;
mod demo_db;
mod e2e;
mod fuzz_corpora;
mod gs1_engine;
mod hid_fixtures;
mod import_export;
mod journal;
mod labels;
mod lines_noise;
mod llrp;
mod man_completions;
mod monitor;
mod nwipe;
mod orders_import;
mod parse_cli;
mod profiles;
mod pty;
mod readme_links;
mod receiving_codec;
mod receiving_mode;
mod rfid_serial;
mod sanitization;
mod spec;
mod station;
mod stocktake_flow;
mod stocktake_mode;
mod stocktake_pty;
mod stocktake_site;
mod store;
mod supervisor;
mod support;
mod sync;
mod usb_replay;
mod wedge;
mod wipe_mode;
mod workflow;
