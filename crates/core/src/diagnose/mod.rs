//! The diagnosis: facts from the three inputs, the rules over them, and the ranking
//! that puts the most likely cause first.

mod config_errors;
mod evidence;
mod facts;
mod response;
pub mod rules;

pub use facts::{Endpoint, EndpointAddr, Facts, TcpReach, literal_ips, split_host_port};

use crate::finding::Finding;

/// Runs every rule and ranks the findings: severity, then confidence, then code and
/// position, so the order is deterministic.
pub fn run(facts: &Facts<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules::RULES {
        (rule.check)(facts, &mut findings);
    }
    rank(&mut findings);
    findings
}

fn rank(findings: &mut Vec<Finding>) {
    let primary = |f: &Finding| f.labels.iter().find(|l| l.primary).map(|l| l.span);
    // The same upstream reached through several `*_pass` lines yields the same finding twice.
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.code, primary(f), f.title.clone())));
    findings.sort_unstable_by(|a, b| {
        b.severity
            .weight()
            .cmp(&a.severity.weight())
            .then(b.confidence.cmp(&a.confidence))
            .then(a.caused_by.is_some().cmp(&b.caused_by.is_some()))
            .then(a.code.cmp(b.code))
            .then(primary(a).cmp(&primary(b)))
    });
}
