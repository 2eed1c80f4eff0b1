//! The one integration-test binary: one module per topic. Each test makes its own
//! temp dirs (see `support`) and never touches a user's store.

mod decode_image;
mod support;
