use crate::diagnose::Findings;
use badgateway_config::{Effective, PassKind, Target};

use crate::finding::{Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::EventKind;

use super::super::Facts;
use super::super::evidence::reload_commands;
use super::super::response::{
    DirectiveEdits, address_text, endpoint_at, incidents, locate, pass_kind, place_text, setting_origin,
    size_text, target_of,
};

declare_rule! {
    /// ## What it detects
    /// The backend's response header (status line plus all headers, cookies included) is
    /// larger than the buffer nginx reads it into: `upstream sent too big header`. The
    /// buffer is `proxy_buffer_size` (`fastcgi_buffer_size`, `uwsgi_buffer_size`,
    /// `grpc_buffer_size`), one memory page (4k or 8k) by default.
    ///
    /// ## Why it causes a 502
    /// nginx must hold the whole header in that one buffer before it can send anything
    /// to the client. When it does not fit, the response is treated as invalid and the
    /// client gets **502 Bad Gateway**. Large `Set-Cookie` headers, long CSP headers and
    /// PHP session data are the usual culprits.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_buffer_size 4k; proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// [error] upstream sent too big header while reading response header from upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Raise the buffer where the target is, keeping `proxy_buffers` consistent (nginx
    /// requires `proxy_busy_buffers_size` to stay below all `proxy_buffers` minus one):
    /// `proxy_buffer_size 16k; proxy_buffers 8 16k;`. If 16k is not enough, make the
    /// backend send a smaller header (fewer or smaller cookies).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffer_size
    /// - https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_buffer_size
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_busy_buffers_size
    code: BG303,
    name: "response-header-too-big",
    title: "the backend's response header is larger than nginx's buffer",
}

/// The size the fix sets when the buffer is below it; a header larger than this is a
/// backend problem more than an nginx one.
const SUGGESTED: u64 = 16 * 1024;

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for incident in incidents(facts, |g| g.event.kind == EventKind::TooBigHeader) {
        let kind = pass_kind(facts, &incident);
        let prefix = kind.prefix();
        let target_text = address_text(facts, &incident);
        let place = place_text(facts, &incident);
        let config_target = endpoint_at(facts, &incident).and_then(|e| target_of(facts, e));
        let current = config_target.map(|t| &t.effective.buffer_size);
        let current_text = match current {
            Some(s) => format!("{}{}", size_text(s.value), setting_origin(s)),
            None => "one memory page (4k or 8k) by default".to_string(),
        };
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("the response header from {target_text} does not fit in {prefix}_buffer_size"),
        )
        .message(format!(
            "{place} reads the response header from {target_text} into one buffer of {prefix}_buffer_size \
             ({current_text}). The header was larger, so nginx rejected the response and the client got 502 Bad \
             Gateway. Raise {prefix}_buffer_size where this target is (16k is usually enough), or make the \
             backend send a smaller header (big cookies are the usual cause)."
        ))
        .confidence(95)
        .status(502);
        if let Some(range) = current.and_then(|s| s.range) {
            finding = finding.label(Label::secondary(
                InputKind::Config,
                range,
                format!("the buffer is {}", current_text),
            ));
        }
        finding = locate(finding, facts, &incident, "the response header did not fit in the buffer");
        match config_target {
            Some(t) if t.effective.buffer_size.value < SUGGESTED => {
                if let Some(fix) = raise_buffer(facts, t) {
                    finding = finding.fix(fix);
                }
            }
            Some(t) => {
                finding = finding.fix(Fix::display_only(format!(
                        "{prefix}_buffer_size is already {}: make the backend's header smaller, or raise it once more \
                         (e.g. {prefix}_buffer_size {})",
                        size_text(t.effective.buffer_size.value),
                        size_text(t.effective.buffer_size.value * 2)
                    )).with_commands(vec![measure(&target_text, kind)]))
            }
            None => {
                finding = finding
                    .next_step(measure(&target_text, kind))
                    .next_step(Command::new(
                        "paste the config, to get an edit at the right place",
                        "sudo nginx -T",
                    ))
                    .fix(Fix::display_only(format!("raise the buffer where this target is: {prefix}_buffer_size 16k;")).with_commands(vec![reload_commands()]));
            }
        }
        out.push(finding);
    }
}

fn measure(target: &str, kind: PassKind) -> Command {
    match kind {
        PassKind::Proxy => Command::new(
            "measure the backend's header (bytes) on the failing URL",
            format!("curl -s -o /dev/null -D - http://{target}/ | wc -c"),
        ),
        _ => Command::new(
            "see which headers the application sends (cookies, CSP); shrink them",
            "curl -s -o /dev/null -D - https://your.site/failing-url",
        ),
    }
}

/// `*_buffer_size 16k`, plus `*_buffers` when nginx's busy-buffers rule would reject the
/// result (`busy < (n - 1) * size`, `busy >= max(buffer_size, size)`).
fn raise_buffer(facts: &Facts<'_>, target: &Target) -> Option<Fix> {
    let prefix = target.kind.prefix();
    let e: &Effective = &target.effective;
    let new = SUGGESTED;
    let mut edits = DirectiveEdits::new(facts, target)?;
    edits.set(&format!("{prefix}_buffer_size"), &size_text(new), &e.buffer_size);
    let mut summary = format!("{prefix}_buffer_size {}", size_text(new));
    if let Some(busy) = &e.busy_buffers_size {
        let (n, s) = e.buffers.value;
        let busy_value = if busy.is_default() { 2 * new.max(s) } else { busy.value.max(new) };
        let fits = |n: u64, s: u64| busy_value < n.saturating_sub(1) * s;
        if !fits(u64::from(n), s) {
            let s2 = s.max(new);
            let mut n2 = u64::from(n).max(8);
            while !fits(n2, s2) && n2 < 256 {
                n2 *= 2;
            }
            edits.set(&format!("{prefix}_buffers"), &format!("{n2} {}", size_text(s2)), &e.buffers);
            summary.push_str(&format!(" and {prefix}_buffers {n2} {}", size_text(s2)));
        }
        if !busy.is_default() && busy.value < new {
            edits.set(&format!("{prefix}_busy_buffers_size"), &size_text(new), busy);
        }
    }
    let list: Vec<Edit> = edits.finish();
    Some(
        Fix::safe(format!("raise the header buffer where this target is: {summary}"), list)
            .with_commands(vec![reload_commands()]),
    )
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("header-too-big", All), ("header-too-big", Log)],
        not: [("healthy", All), ("remote-backend", All), ("header-too-big", ConfigListeners)],
        snapshot: ("header-too-big", All),
    }
}
