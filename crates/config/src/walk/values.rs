//! Value checks of the directives nginx reads with their own handlers (`error_log` levels,
//! `access_log` and `add_header` parameters, `resolver` hosts...), in nginx's wording.

use super::checks::host_looks_resolvable;
use super::lower::split_host_port;
use super::*;

impl Walker<'_> {
    /// Value checks of directives with their own handlers, in nginx's wording.
    pub(super) fn value_problem(
        &self,
        name: &[u8],
        args: &[(&[u8], TextRange)],
    ) -> Option<(String, TextRange, DiagnosticCode)> {
        let name_s = Lossy(name);
        let bad = |msg: String, r: TextRange| Some((msg, r, DiagnosticCode::Directive));
        match name {
            b"error_log" => {
                const LEVELS: [&[u8]; 8] =
                    [b"debug", b"info", b"notice", b"warn", b"error", b"crit", b"alert", b"emerg"];
                for (level, r) in args.iter().skip(1) {
                    if !LEVELS.contains(level) && !level.starts_with(b"debug_") {
                        return bad(format!("invalid log level \"{}\"", text(level)), *r);
                    }
                }
            }
            b"keepalive_timeout" => {
                for (v, r) in args {
                    if directives::parse_time_ms(v).is_none() {
                        return bad(format!("\"{name_s}\" directive invalid value"), *r);
                    }
                }
            }
            b"access_log" => {
                if args.first().is_some_and(|(v, _)| *v == b"off") {
                    if let Some((v, r)) = args.get(1) {
                        return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                    }
                } else {
                    for (v, r) in args.iter().skip(2) {
                        let ok =
                            [&b"buffer="[..], b"gzip", b"flush=", b"if="].iter().any(|p| v.starts_with(p));
                        if !ok {
                            return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                        }
                    }
                }
            }
            b"expires" => {
                let (v, r) = match args {
                    [(m, _), (v, r)] if *m == b"modified" => (*v, *r),
                    [(v, r)] => (*v, *r),
                    [_, (_, r)] => return bad(format!("\"{name_s}\" directive invalid value"), *r),
                    _ => return None,
                };
                let ok = matches!(v, b"epoch" | b"max" | b"off")
                    || v.contains(&b'$')
                    || directives::parse_time_ms(
                        v.strip_prefix(b"@")
                            .or_else(|| v.strip_prefix(b"-"))
                            .or_else(|| v.strip_prefix(b"+"))
                            .unwrap_or(v),
                    )
                    .is_some();
                if !ok {
                    return bad(format!("\"{name_s}\" directive invalid value"), r);
                }
            }
            b"add_header" | b"add_trailer" => {
                if let Some((v, r)) = args.get(2)
                    && *v != b"always"
                {
                    return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                }
            }
            b"fastcgi_param" | b"uwsgi_param" | b"scgi_param" => {
                if let Some((v, r)) = args.get(2)
                    && *v != b"if_not_empty"
                {
                    return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                }
            }
            b"resolver" => {
                for (v, r) in args {
                    if v.contains(&b'=') {
                        continue;
                    }
                    let (host, _) = split_host_port(v);
                    let host = text(host);
                    if !host_looks_resolvable(&host) {
                        return Some((
                            format!("host not found in resolver \"{}\"", text(v)),
                            *r,
                            DiagnosticCode::HostNotFound,
                        ));
                    }
                }
            }
            _ => {}
        }
        None
    }
}
