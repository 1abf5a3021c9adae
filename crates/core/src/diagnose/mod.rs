//! The diagnosis: facts from the three inputs, the rules over them, and the ranking
//! that puts the most likely cause first.

mod candidates;
mod config_errors;
mod container;
mod evidence;
mod facts;
mod firewall;
mod resolver;
mod response;
pub mod rules;
pub mod walkthrough;

pub use candidates::Candidacy;
pub use facts::{
    DockerSign, Endpoint, EndpointAddr, Facts, Failure, LocalBecause, Locality, TcpReach, literal_ips,
    looks_like_container, split_host_port,
};

use crate::finding::Finding;

/// Runs the rules (every rule: [`rules::RULES`]) and ranks the findings: severity, then
/// confidence, then code and position, so the order is deterministic.
pub fn run(facts: &Facts<'_>, rules: &[rules::Rule]) -> Vec<Finding> {
    let mut findings = Findings::default();
    for rule in rules {
        findings.start = findings.list.len();
        (rule.check)(facts, &mut findings);
        if findings.list.len() - findings.start > crate::limits::MAX_FINDINGS_PER_CODE {
            keep_best(&mut findings.list, findings.start);
        }
    }
    let mut findings = findings.list;
    relate(&mut findings);
    rank(&mut findings);
    findings
}

/// Applies what the rules declare of each other (`RuleInfo::caused_by`, `suppressed_by`):
/// a finding another rule's finding makes redundant is dropped, and one whose cause is
/// reported is marked as its consequence. Judged against the findings as the rules wrote
/// them, so the order of the rules does not matter.
fn relate(findings: &mut Vec<Finding>) {
    let related = |f: &Finding, relations: &[rules::Relation]| -> Option<crate::code::Code> {
        relations
            .iter()
            .find(|r| findings.iter().any(|other| other.code == r.rule && r.scope.covers(f, other)))
            .map(|r| r.rule)
    };
    let mut keep = Vec::with_capacity(findings.len());
    let mut causes = Vec::with_capacity(findings.len());
    for f in findings.iter() {
        let info = rules::info_of(f.code);
        keep.push(info.is_none_or(|i| related(f, i.suppressed_by).is_none()));
        causes.push(info.and_then(|i| related(f, i.caused_by)));
    }
    let mut at = 0;
    findings.retain_mut(|f| {
        let (kept, cause) = (keep.get(at).copied().unwrap_or(true), causes.get(at).copied().flatten());
        at += 1;
        if cause.is_some() {
            f.caused_by = cause;
        }
        kept
    });
}

/// Where rules put their findings. A rule that fires thousands of times (one finding per
/// log group of a 100k-line log) is trimmed to its best as it goes, every
/// [`Findings::TRIM_EVERY`] findings, instead of holding them all until it ends: they were
/// ~10 MB of the peak memory of a 34 MB diagnosis. The trim keeps what the final ranking keeps.
#[derive(Default)]
pub struct Findings {
    list: Vec<Finding>,
    /// Where the running rule's findings begin.
    start: usize,
}

impl Findings {
    const TRIM_EVERY: usize = 4 * crate::limits::MAX_FINDINGS_PER_CODE;

    pub fn push(&mut self, finding: Finding) {
        self.list.push(finding);
        if self.list.len() - self.start >= Self::TRIM_EVERY {
            keep_best(&mut self.list, self.start);
        }
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for finding in findings {
            self.push(finding);
        }
    }
}

/// A rule that fired thousands of times (one finding per target of a huge config) keeps
/// only what the report will show: the best `MAX_FINDINGS_PER_CODE` of each code, chosen
/// exactly as `analyze` chooses them after the final ranking, so the report is the same
/// but the rest is dropped now instead of piling up across rules.
fn keep_best(findings: &mut Vec<Finding>, start: usize) {
    let mut new = findings.split_off(start);
    rank(&mut new);
    cap_per_code(&mut new);
    findings.append(&mut new);
}

/// Keeps the first `MAX_FINDINGS_PER_CODE` findings of each code, in their order.
pub fn cap_per_code(findings: &mut Vec<Finding>) {
    // A list, not a map: there are a few dozen codes, and the page's wasm has no other
    // map of this type to share code with.
    let mut per_code: Vec<(crate::code::Code, usize)> = Vec::new();
    findings.retain(|f| {
        let seen = match per_code.iter_mut().find(|(code, _)| *code == f.code) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                per_code.push((f.code, 1));
                1
            }
        };
        seen <= crate::limits::MAX_FINDINGS_PER_CODE
    });
}

fn rank(findings: &mut Vec<Finding>) {
    let primary = Finding::primary_span;
    // The same upstream reached through several `*_pass` lines yields the same finding twice.
    // Kept (code, primary span) by title, in the map type the facts' indexes use: a set of
    // (code, span, title) was a hash table type of its own in the page's wasm.
    let mut kept: Vec<(crate::finding::Code, Option<crate::input::Span>)> = Vec::new();
    let mut by_title: crate::hash::FastMap<String, Vec<usize>> = crate::hash::FastMap::default();
    findings.retain(|f| {
        let key = (f.code, primary(f));
        let same_title = by_title.entry(f.title.clone()).or_default();
        if same_title.iter().any(|&k| kept.get(k) == Some(&key)) {
            return false;
        }
        same_title.push(kept.len());
        kept.push(key);
        true
    });
    badgateway_config::order::sort_by(findings, |a, b| {
        b.severity
            .weight()
            .cmp(&a.severity.weight())
            .then(b.confidence.cmp(&a.confidence))
            .then(a.caused_by.is_some().cmp(&b.caused_by.is_some()))
            .then(a.code.cmp(&b.code))
            .then(primary(a).cmp(&primary(b)))
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;
    use crate::finding::{Label, Severity};
    use crate::input::{InputKind, TextRange};
    use crate::limits::MAX_FINDINGS_PER_CODE;

    fn many(n: usize) -> Vec<Finding> {
        (0..n)
            .map(|i| {
                // Varied confidence and spans, and every tenth one a duplicate of the one before.
                let k = if i % 10 == 9 { i - 1 } else { i };
                Finding::new(crate::code::Code::BG201, Severity::Error, format!("t{k}"))
                    .confidence((k * 37 % 100) as u8)
                    .label(Label::primary(InputKind::Config, TextRange::new(k as u32, k as u32 + 1), "x"))
            })
            .collect()
    }

    fn cap(mut findings: Vec<Finding>) -> Vec<(String, u8)> {
        rank(&mut findings);
        findings.truncate(MAX_FINDINGS_PER_CODE);
        findings.into_iter().map(|f| (f.title, f.confidence)).collect()
    }

    fn at(code: crate::code::Code, start: u32) -> Finding {
        Finding::new(code, Severity::Error, format!("{code} at {start}")).label(Label::primary(
            InputKind::Config,
            TextRange::new(start, start + 4),
            "x",
        ))
    }

    /// What rules declare of each other is applied here: BG201 gives way to BG207 on the
    /// same target only; BG212 is a consequence of a proxy loop anywhere; BG301 of BG302
    /// only on the same target.
    #[test]
    fn relations_declared_by_the_rules_are_applied_by_the_ranking() {
        use crate::code::Code::{BG201, BG207, BG212, BG213, BG301, BG302};
        let mut findings =
            vec![at(BG201, 10), at(BG201, 20), at(BG207, 10), at(BG212, 0), at(BG301, 30), at(BG301, 40)];
        findings.extend([at(BG213, 50), at(BG302, 40)]);
        relate(&mut findings);
        let got: Vec<_> = findings.iter().map(|f| (f.title.as_str(), f.caused_by)).collect();
        assert_eq!(
            got,
            [
                ("BG201 at 20", None),
                ("BG207 at 10", None),
                ("BG212 at 0", Some(BG213)),
                ("BG301 at 30", None),
                ("BG301 at 40", Some(BG302)),
                ("BG213 at 50", None),
                ("BG302 at 40", None),
            ]
        );
        // Without the cause, nothing is marked.
        let mut alone = vec![at(BG212, 0), at(BG201, 10)];
        relate(&mut alone);
        assert!(alone.iter().all(|f| f.caused_by.is_none()) && alone.len() == 2);
    }

    /// Trimming a rule's findings early keeps exactly what the final ranking and cap keep.
    #[test]
    fn keep_best_matches_the_final_cut() {
        let mut early = vec![Finding::new(crate::code::Code::BG101, Severity::Error, "before")];
        early.extend(many(5 * MAX_FINDINGS_PER_CODE));
        keep_best(&mut early, 1);
        assert_eq!(early[0].title, "before");
        assert_eq!(early.len(), 1 + MAX_FINDINGS_PER_CODE);
        assert_eq!(cap(early.split_off(1)), cap(many(5 * MAX_FINDINGS_PER_CODE)));
    }

    /// Trimming while a rule still pushes keeps what trimming once at its end keeps.
    #[test]
    fn findings_trimmed_as_they_come_match_the_final_cut() {
        let mut sink = Findings::default();
        sink.push(Finding::new(crate::code::Code::BG101, Severity::Error, "before"));
        sink.start = sink.list.len();
        sink.extend(many(5 * MAX_FINDINGS_PER_CODE));
        assert!(sink.list.len() < 1 + 5 * MAX_FINDINGS_PER_CODE, "trimmed on the way");
        keep_best(&mut sink.list, sink.start);
        assert_eq!(sink.list[0].title, "before");
        assert_eq!(cap(sink.list.split_off(1)), cap(many(5 * MAX_FINDINGS_PER_CODE)));
    }
}
