//! The rule catalog. One rule per file, named for the problem it detects; the doc
//! comment given to `declare_rule!` is the rule's documentation, read by the CLI's
//! `explain` and the page's rule reference.

use crate::diagnose::Findings;

use super::Facts;

/// Declares a rule: its documentation (the doc comment), stable code, slug and title.
/// The documentation is kept as one string for `explain` and the page.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:literal,
        name: $name:literal,
        title: $title:literal,
    ) => {
        pub const INFO: $crate::diagnose::rules::RuleInfo = $crate::diagnose::rules::RuleInfo {
            code: $code,
            name: $name,
            title: $title,
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
mod backend_host_not_found;
mod backend_listens_on_another_port;
mod backend_on_other_address_family;
mod backend_saturated;
mod backend_speaks_another_protocol;
mod config_syntax_error;
mod connection_blocked;
mod directive_needs_a_module;
mod directive_rejected;
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
mod unix_socket_missing;
mod unix_socket_permission_denied;
mod upstream_closed_before_response;
mod upstream_connect_timeout;
mod upstream_read_timeout;
mod upstream_reset_connection;
mod upstream_sent_invalid_response;
mod upstream_tls_verification_failed;

/// What every rule publishes about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// Stable public code, `BG` + family digit + number. Never reused.
    pub code: &'static str,
    /// kebab-case name of the problem.
    pub name: &'static str,
    pub title: &'static str,
    /// Markdown: What it detects / Why it causes a 502 / Example / Fix / References.
    /// Empty when the `docs` feature is off.
    pub docs: &'static str,
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
    Rule { info: upstream_closed_before_response::INFO, check: upstream_closed_before_response::check },
    Rule { info: backend_speaks_another_protocol::INFO, check: backend_speaks_another_protocol::check },
    Rule { info: response_header_too_big::INFO, check: response_header_too_big::check },
    Rule { info: upstream_reset_connection::INFO, check: upstream_reset_connection::check },
    Rule { info: upstream_tls_verification_failed::INFO, check: upstream_tls_verification_failed::check },
    Rule { info: upstream_sent_invalid_response::INFO, check: upstream_sent_invalid_response::check },
    Rule { info: log_line_is_not_a_502::INFO, check: log_line_is_not_a_502::check },
    Rule { info: upstream_read_timeout::INFO, check: upstream_read_timeout::check },
    Rule { info: upstream_connect_timeout::INFO, check: upstream_connect_timeout::check },
    Rule { info: risky_upstream_settings::INFO, check: risky_upstream_settings::check },
    Rule { info: input_is_not_text::INFO, check: input_is_not_text::check },
    Rule { info: input_in_wrong_box::INFO, check: input_in_wrong_box::check },
];

pub fn info(code: &str) -> Option<&'static RuleInfo> {
    RULES.iter().map(|r| &r.info).find(|i| i.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn codes_are_unique_well_formed_and_ordered() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.info.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and in order");
        for c in codes {
            assert!(c.len() == 5 && c.starts_with("BG") && c[2..].chars().all(|d| d.is_ascii_digit()), "{c}");
        }
    }
}
