//! badgateway-core: reads an nginx config, a backend listener table and error-log
//! lines, and explains why nginx answered 502 (or 504, or 500).
//!
//! Pure: no I/O, no printing, no platform dependencies. Output order is deterministic.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod code;
pub mod diagnose;
pub mod finding;
pub use badgateway_text::hash;
pub mod input;
pub mod limits;
pub mod listeners;
pub mod log;
pub mod numbers;
pub mod paste;
pub mod patch;
pub mod redact;
pub mod share;
pub mod sniff;
pub mod view;
pub mod wire;

pub use analysis::{Analysis, analyze};
pub use input::{InputKind, Inputs, Span, TextRange};
pub use view::InputSummary;

pub use badgateway_config as config;
