//! kubectl tables.
