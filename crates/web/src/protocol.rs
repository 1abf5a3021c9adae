//! Messages between the page and the diagnosis worker. In: a JS array
//! `[id, config, listeners, log]` (strings move without a JSON round trip). Out: a
//! JSON [`Reply`].

use badgateway_core::InputSummary;
use badgateway_core::view::FindingView;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u64,
    pub findings: Vec<FindingView>,
    pub summaries: Vec<InputSummary>,
    /// Time the worker spent parsing and diagnosing, in milliseconds.
    pub elapsed_ms: f64,
}
