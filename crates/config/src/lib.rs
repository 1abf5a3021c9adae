//! Lossless nginx configuration parser: tokens, tree, `nginx -T` dumps, includes,
//! the effective-settings model and `nginx -t`-compatible errors.
#![forbid(unsafe_code)]

mod range;

pub use range::TextRange;
