//! Provider awareness: who sent a webhook, what event it is, and whether its signature
//! checks out. Everything here is a pure function of the captured bytes (and the time), so
//! it is table-tested with each provider's published examples.

pub mod detect;
pub mod samples;
pub mod signature;

pub use detect::{Detected, detect};
