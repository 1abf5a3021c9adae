//! The rule catalog. One rule per file, named for the problem it detects; the doc
//! comment given to `declare_rule!` is the rule's documentation, read by the CLI's
//! `explain` and the page's rule reference.

use crate::code::Code;
use crate::diagnose::Failure;
use crate::diagnose::Findings;

use super::Facts;

/// Declares a rule: its documentation (the doc comment), stable code, slug and title, the
/// failures it explains, and how other rules' findings bear on its own (`caused_by`,
/// `suppressed_by`: `[(BG213, Anywhere)]`, see [`Relation`]). The documentation is kept as
/// one string for `explain` and the page.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:ident,
        name: $name:literal,
        title: $title:literal,
        $(explains: [$($failure:ident),* $(,)?],)?
        $(caused_by: [$(($cause:ident, $cause_scope:ident)),* $(,)?],)?
        $(suppressed_by: [$(($by:ident, $by_scope:ident)),* $(,)?],)?
    ) => {
        pub const INFO: $crate::diagnose::rules::RuleInfo = $crate::diagnose::rules::RuleInfo {
            code: $crate::code::Code::$code,
            name: $name,
            title: $title,
            explains: &[$($($crate::diagnose::Failure::$failure),*)?],
            caused_by: &[$($($crate::diagnose::rules::Relation {
                rule: $crate::code::Code::$cause,
                scope: $crate::diagnose::rules::Scope::$cause_scope,
            }),*)?],
            suppressed_by: &[$($($crate::diagnose::rules::Relation {
                rule: $crate::code::Code::$by,
                scope: $crate::diagnose::rules::Scope::$by_scope,
            }),*)?],
            docs: {
                #[cfg(feature = "docs")]
                {
                    concat!($($doc, "\n"),*)
                }
                #[cfg(not(feature = "docs"))]
                {
                    ""
                }
            },
        };
    };
}

mod address_resolved_once_at_start;
mod backend_bound_to_another_address;
mod backend_container_not_running;
mod backend_host_not_found;
mod backend_listens_on_another_port;
mod backend_on_other_address_family;
mod backend_saturated;
mod backend_speaks_another_protocol;
mod config_syntax_error;
mod connection_blocked;
mod connection_upgrade_on_every_request;
mod container_port_not_published;
mod directive_needs_a_module;
mod directive_rejected;
mod host_variable_drops_the_port;
mod include_not_pasted;
mod input_in_wrong_box;
mod input_is_not_text;
mod log_line_is_not_a_502;
mod nginx_out_of_connections;
mod no_live_upstreams;
mod nothing_listens_on_target;
mod pass_without_scheme;
mod proxy_loop;
mod request_time_name_resolution_fails;
mod response_header_too_big;
mod risky_upstream_settings;
mod service_has_no_ready_endpoints;
mod unix_socket_missing;
mod unix_socket_permission_denied;
mod upstream_closed_before_response;
mod upstream_connect_timeout;
mod upstream_read_timeout;
mod upstream_reset_connection;
mod upstream_sent_invalid_response;
mod upstream_tls_verification_failed;
#[cfg(test)]
mod verify;

/// What every rule publishes about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// Stable public code, `BG` + family digit + number. Never reused.
    pub code: Code,
    /// kebab-case name of the problem.
    pub name: &'static str,
    pub title: &'static str,
    /// The failures of a connection or response this rule explains: a rule that reports a
    /// consequence names its cause through [`explaining`], never by the cause's code.
    #[serde(skip)]
    pub explains: &'static [Failure],
    /// Rules whose finding, when present, is the cause of this rule's finding: the ranking
    /// sets the finding's `caused_by` to the first of them that fired (and ranks it after).
    #[serde(skip)]
    pub caused_by: &'static [Relation],
    /// Rules whose finding, when present, makes this rule's finding redundant: the ranking
    /// drops it. A rule never stays silent by re-checking another rule's conditions.
    #[serde(skip)]
    pub suppressed_by: &'static [Relation],
    /// Markdown: What it detects / Why it causes a 502 / Example / Fix / References.
    /// Empty when the `docs` feature is off.
    pub docs: &'static str,
}

/// How a finding of another rule bears on this rule's findings; applied in one place, by
/// `diagnose::run` after every rule has run (`diagnose::relate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relation {
    pub rule: Code,
    pub scope: Scope,
}

/// Which findings of the related rule count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Any of its findings in the report: a state of the whole nginx (a proxy loop).
    Anywhere,
    /// One whose primary label is the same span as this finding's: the same `*_pass`
    /// target (a config span), or the same log line.
    SameTarget,
}

impl Scope {
    /// Does `other` (a finding of the related rule) fall in this scope of `finding`?
    pub fn covers(self, finding: &crate::finding::Finding, other: &crate::finding::Finding) -> bool {
        match self {
            Scope::Anywhere => true,
            Scope::SameTarget => {
                finding.primary_span().is_some() && finding.primary_span() == other.primary_span()
            }
        }
    }
}

pub struct Rule {
    pub info: RuleInfo,
    pub check: fn(&Facts<'_>, &mut Findings),
}

/// Every rule, in code order. A retired rule keeps its code here as a tombstone.
pub const RULES: &[Rule] = &[
    Rule { info: config_syntax_error::INFO, check: config_syntax_error::check },
    Rule { info: pass_without_scheme::INFO, check: pass_without_scheme::check },
    Rule { info: backend_host_not_found::INFO, check: backend_host_not_found::check },
    Rule { info: directive_rejected::INFO, check: directive_rejected::check },
    Rule { info: include_not_pasted::INFO, check: include_not_pasted::check },
    Rule { info: directive_needs_a_module::INFO, check: directive_needs_a_module::check },
    Rule { info: nothing_listens_on_target::INFO, check: nothing_listens_on_target::check },
    Rule { info: backend_listens_on_another_port::INFO, check: backend_listens_on_another_port::check },
    Rule { info: backend_bound_to_another_address::INFO, check: backend_bound_to_another_address::check },
    Rule { info: backend_on_other_address_family::INFO, check: backend_on_other_address_family::check },
    Rule { info: unix_socket_missing::INFO, check: unix_socket_missing::check },
    Rule { info: unix_socket_permission_denied::INFO, check: unix_socket_permission_denied::check },
    Rule { info: connection_blocked::INFO, check: connection_blocked::check },
    Rule { info: request_time_name_resolution_fails::INFO, check: request_time_name_resolution_fails::check },
    Rule { info: address_resolved_once_at_start::INFO, check: address_resolved_once_at_start::check },
    Rule { info: no_live_upstreams::INFO, check: no_live_upstreams::check },
    Rule { info: backend_saturated::INFO, check: backend_saturated::check },
    Rule { info: nginx_out_of_connections::INFO, check: nginx_out_of_connections::check },
    Rule { info: proxy_loop::INFO, check: proxy_loop::check },
    Rule { info: host_variable_drops_the_port::INFO, check: host_variable_drops_the_port::check },
    Rule { info: container_port_not_published::INFO, check: container_port_not_published::check },
    Rule { info: service_has_no_ready_endpoints::INFO, check: service_has_no_ready_endpoints::check },
    Rule { info: backend_container_not_running::INFO, check: backend_container_not_running::check },
    Rule { info: upstream_closed_before_response::INFO, check: upstream_closed_before_response::check },
    Rule { info: backend_speaks_another_protocol::INFO, check: backend_speaks_another_protocol::check },
    Rule { info: response_header_too_big::INFO, check: response_header_too_big::check },
    Rule { info: upstream_reset_connection::INFO, check: upstream_reset_connection::check },
    Rule { info: upstream_tls_verification_failed::INFO, check: upstream_tls_verification_failed::check },
    Rule { info: upstream_sent_invalid_response::INFO, check: upstream_sent_invalid_response::check },
    Rule { info: log_line_is_not_a_502::INFO, check: log_line_is_not_a_502::check },
    Rule {
        info: connection_upgrade_on_every_request::INFO,
        check: connection_upgrade_on_every_request::check,
    },
    Rule { info: upstream_read_timeout::INFO, check: upstream_read_timeout::check },
    Rule { info: upstream_connect_timeout::INFO, check: upstream_connect_timeout::check },
    Rule { info: risky_upstream_settings::INFO, check: risky_upstream_settings::check },
    Rule { info: input_is_not_text::INFO, check: input_is_not_text::check },
    Rule { info: input_in_wrong_box::INFO, check: input_in_wrong_box::check },
];

// The table of codes and the rules agree, or the crate does not compile: every live code has
// exactly one rule, in code order, and a retired code has none.
#[allow(clippy::indexing_slicing, reason = "const context: bounds are checked by the loop conditions")]
const _: () = {
    let (mut c, mut r) = (0, 0);
    while c < Code::ALL.len() {
        let code = Code::ALL[c];
        if code.is_live() {
            assert!(
                r < RULES.len() && RULES[r].info.code as u16 == code as u16,
                "a live code lacks its rule"
            );
            r += 1;
        }
        c += 1;
    }
    assert!(r == RULES.len(), "a rule names a retired code, or is out of order");
};

/// The code of the rule that explains a failure.
pub fn explaining(failure: Failure) -> Option<Code> {
    RULES.iter().find(|r| r.info.explains.contains(&failure)).map(|r| r.info.code)
}

pub fn info(code: &str) -> Option<&'static RuleInfo> {
    info_of(Code::parse(code)?)
}

pub fn info_of(code: Code) -> Option<&'static RuleInfo> {
    RULES.iter().map(|r| &r.info).find(|i| i.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_explained_by_one_rule() {
        for &failure in Failure::ALL {
            let n = RULES.iter().filter(|r| r.info.explains.contains(&failure)).count();
            assert_eq!(n, 1, "{failure:?} is explained by {n} rules");
        }
    }

    /// A relation names a live rule other than its own, and no rule is both caused and
    /// suppressed by the same one.
    #[test]
    fn relations_name_other_live_rules() {
        for rule in RULES {
            let i = rule.info;
            for r in i.caused_by.iter().chain(i.suppressed_by) {
                assert!(r.rule != i.code, "{} relates to itself", i.code);
                assert!(info_of(r.rule).is_some(), "{} names {}, which has no rule", i.code, r.rule);
            }
            for c in i.caused_by {
                assert!(!i.suppressed_by.iter().any(|s| s.rule == c.rule), "{}: {}", i.code, c.rule);
            }
        }
    }

    #[test]
    #[cfg(feature = "docs")]
    fn every_rule_documents_every_section() {
        for rule in RULES {
            for section in ["## What it detects", "## Why it causes", "## Example", "## Fix", "## References"]
            {
                assert!(rule.info.docs.contains(section), "{} lacks `{section}`", rule.info.code);
            }
        }
    }
}
