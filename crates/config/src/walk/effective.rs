//! Effective settings: each level's own `proxy_*`/`fastcgi_*`... settings, inherited down the
//! levels, and the buffer checks nginx makes when it merges them.

use super::*;

impl<'a> Walker<'a> {
    /// Groups the settings seen during the walk by level, keeping their order (a counting
    /// sort: one flat vector instead of a growing vector per level).
    pub(super) fn group_settings(&mut self) {
        let seen = std::mem::take(&mut self.settings_seen);
        let mut counts = vec![0u32; self.levels.len() + 1];
        for &(level, _, _) in &seen {
            if let Some(c) = counts.get_mut(level as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..counts.len() {
            let before = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = counts.get_mut(i) {
                *c += before;
            }
        }
        for (l, level) in self.levels.iter_mut().enumerate() {
            level.own = (counts.get(l).copied().unwrap_or(0), counts.get(l + 1).copied().unwrap_or(0));
        }
        let mut own = vec![(0u16, 0u32); seen.len()];
        for (level, key, di) in seen {
            if let Some(at) = counts.get_mut(level as usize) {
                if let Some(slot) = own.get_mut(*at as usize) {
                    *slot = (key, di);
                }
                *at += 1;
            }
        }
        self.own = own;
    }

    pub(super) fn own(&self, level: &Level) -> &[(u16, u32)] {
        self.own.get(level.own.0 as usize..level.own.1 as usize).unwrap_or_default()
    }

    /// The buffer checks nginx makes when it merges each level's settings (reported on the line
    /// of the `http` block's `}`).
    pub(super) fn check_buffers(&mut self) {
        const PAGE: u64 = 4096;
        // Per level and module (proxy, fastcgi, uwsgi, scgi): the directive setting buffer_size,
        // buffers, busy_buffers_size, inherited.
        let mut resolved: Vec<[[Option<u32>; 3]; 4]> = Vec::with_capacity(self.levels.len());
        let mut reported: Vec<String> = Vec::new();
        for li in 0..self.levels.len() {
            let Some(level) = self.levels.get(li) else { break };
            let mut cur = level.parent.and_then(|p| resolved.get(p as usize)).copied().unwrap_or_default();
            for &(key, di) in self.own(level) {
                let (m, k) = ((key / 32) as usize, (key % 32) as usize);
                if let (Some(slot), true) =
                    (cur.get_mut(m).and_then(|mm| mm.get_mut(k.wrapping_sub(3))), (3..=5).contains(&k))
                {
                    *slot = Some(di);
                }
            }
            resolved.push(cur);
            let http_close =
                level.http.and_then(|h| self.cfg.directives.get(h as usize)).and_then(|d| match d.end {
                    End::Block { close: Some(c), .. } => self.cfg.tokens.get(c as usize).map(|t| t.range),
                    _ => None,
                });
            for (m, slots) in cur.iter().enumerate() {
                if slots.iter().all(Option::is_none) {
                    continue;
                }
                let prefix = MODULES.get(m).copied().unwrap_or("proxy");
                let first = |di: Option<u32>| {
                    di.and_then(|di| self.args(di).first().map(|(v, _)| crate::unescape(v).into_owned()))
                };
                let buffer_size =
                    first(slots[0]).and_then(|v| directives::parse_size(&v, false)).unwrap_or(PAGE);
                let (num, bsize) = match slots[1] {
                    Some(di) => {
                        let a = self.args(di);
                        let n = a
                            .first()
                            .and_then(|(v, _)| std::str::from_utf8(v).ok()?.parse::<u64>().ok())
                            .unwrap_or(8);
                        let sz = a.get(1).and_then(|(v, _)| directives::parse_size(v, false)).unwrap_or(PAGE);
                        (n, sz)
                    }
                    None => (8, PAGE),
                };
                let size = buffer_size.max(bsize);
                let busy =
                    first(slots[2]).and_then(|v| directives::parse_size(&v, false)).unwrap_or(2 * size);
                let (msg, at) = if num < 2 {
                    (format!("there must be at least 2 \"{prefix}_buffers\""), slots[1])
                } else if busy < size {
                    (
                        format!(
                            "\"{prefix}_busy_buffers_size\" must be equal to or greater than the maximum of the value of \"{prefix}_buffer_size\" and one of the \"{prefix}_buffers\""
                        ),
                        slots[2],
                    )
                } else if busy > (num - 1) * bsize {
                    (
                        format!(
                            "\"{prefix}_busy_buffers_size\" must be less than the size of all \"{prefix}_buffers\" minus one buffer"
                        ),
                        slots[2].or(slots[0]).or(slots[1]),
                    )
                } else {
                    continue;
                };
                if reported.contains(&msg) {
                    continue;
                }
                reported.push(msg.clone());
                let r = at
                    .and_then(|di| self.cfg.directives.get(di as usize))
                    .map(|d| d.range)
                    .unwrap_or_default();
                let d = self.diag(DiagnosticCode::Directive, msg, r);
                d.nginx_range = http_close;
            }
        }
    }

    pub(super) fn effective(&self, kind: PassKind, level: Option<u32>) -> Effective {
        let m = module_index(kind);
        let mut found: [Option<u32>; SETTINGS.len()] = [None; SETTINGS.len()];
        let mut headers: Option<(u32, Vec<u32>)> = None;
        let mut cur = level;
        let mut guard = 0usize;
        while let Some(l) = cur.and_then(|l| self.levels.get(l as usize)) {
            for &(key, di) in self.own(l) {
                let (km, ks) = (key / 32, (key % 32) as usize);
                if km != m as u16 {
                    continue;
                }
                if ks == HEADER_KEY {
                    match &mut headers {
                        None => headers = Some((cur.unwrap_or(0), vec![di])),
                        Some((lv, list)) if Some(*lv) == cur => list.push(di),
                        Some(_) => {}
                    }
                } else if let Some(slot) = found.get_mut(ks) {
                    // The last one in a level wins (duplicates are errors anyway).
                    if slot.is_none() {
                        *slot = Some(di);
                    }
                }
            }
            cur = l.parent;
            guard += 1;
            if guard > self.levels.len() {
                break;
            }
        }
        let _ = &found;
        let get = |k: usize| found.get(k).copied().flatten();
        let range_of = |di: u32| self.cfg.directives.get(di as usize).map(|d| d.range);
        let first_arg = |di: u32| {
            let d = self.cfg.directives.get(di as usize)?;
            let &t = self.cfg.arg_tokens(d).first()?;
            Some(crate::unescape(self.cfg.word(t).0))
        };
        let time = |k: usize, default: u64| match get(k) {
            Some(di) => Setting {
                value: first_arg(di).and_then(|v| directives::parse_time_ms(&v)).unwrap_or(default),
                range: range_of(di),
            },
            None => Setting::default_value(default),
        };
        let size = |k: usize, default: u64| match get(k) {
            Some(di) => Setting {
                value: first_arg(di).and_then(|v| directives::parse_size(&v, false)).unwrap_or(default),
                range: range_of(di),
            },
            None => Setting::default_value(default),
        };
        let flag = |k: usize, default: bool| match get(k) {
            Some(di) => Setting {
                value: first_arg(di).map_or(default, |v| v.eq_ignore_ascii_case(b"on")),
                range: range_of(di),
            },
            None => Setting::default_value(default),
        };
        const PAGE: u64 = 4096;
        let buffer_size = size(3, PAGE);
        let buffers = match get(4) {
            Some(di) => {
                let a = self.args(di);
                let n = a
                    .first()
                    .and_then(|(v, _)| std::str::from_utf8(v).ok()?.parse::<u32>().ok())
                    .unwrap_or(8);
                let s = a.get(1).and_then(|(v, _)| directives::parse_size(v, false)).unwrap_or(PAGE);
                Setting { value: (n, s), range: range_of(di) }
            }
            None => Setting::default_value((8, PAGE)),
        };
        let busy_default = 2 * buffer_size.value.max(buffers.value.1);
        let busy = match kind {
            PassKind::Grpc | PassKind::Memcached => None,
            _ => Some(match get(5) {
                Some(di) => Setting {
                    value: first_arg(di)
                        .and_then(|v| directives::parse_size(&v, false))
                        .unwrap_or(busy_default),
                    range: range_of(di),
                },
                None => Setting::default_value(busy_default),
            }),
        };
        let http_version = match (kind, get(6)) {
            (PassKind::Proxy, Some(di)) => {
                Setting { value: first_arg(di).map(|v| text(&v)).unwrap_or_default(), range: range_of(di) }
            }
            (PassKind::Proxy, None) => Setting::default_value("1.0".to_string()),
            (PassKind::Grpc, _) => Setting::default_value("2".to_string()),
            _ => Setting::default_value(String::new()),
        };
        let set_headers = headers
            .map(|(_, list)| {
                let mut out = Vec::with_capacity(list.len());
                out.extend(list.iter().filter_map(|&di| {
                    let d = self.cfg.directives.get(di as usize)?;
                    let a = self.cfg.arg_tokens(d);
                    let arg = |n: usize| a.get(n).map(|&t| text(&crate::unescape(self.cfg.word(t).0)));
                    Some((arg(0)?, arg(1).unwrap_or_default(), range_of(di).unwrap_or_default()))
                }));
                out
            })
            .unwrap_or_default();
        let next_upstream = match get(9) {
            Some(di) => {
                Setting { value: self.args(di).iter().map(|(v, _)| text(v)).collect(), range: range_of(di) }
            }
            None => Setting::default_value(vec!["error".to_string(), "timeout".to_string()]),
        };
        Effective {
            connect_timeout: time(0, 60_000),
            read_timeout: time(1, 60_000),
            send_timeout: time(2, 60_000),
            buffer_size,
            buffers,
            busy_buffers_size: busy,
            http_version,
            set_headers,
            ssl_server_name: flag(7, false),
            ssl_verify: flag(8, false),
            next_upstream,
            buffering: flag(10, !matches!(kind, PassKind::Grpc)),
        }
    }
}

/// Settings looked up per module; index = setting key within a module.
pub(super) const SETTINGS: [&str; 12] = [
    "connect_timeout",
    "read_timeout",
    "send_timeout",
    "buffer_size",
    "buffers",
    "busy_buffers_size",
    "http_version",
    "ssl_server_name",
    "ssl_verify",
    "next_upstream",
    "buffering",
    "set_header",
];

pub(super) const HEADER_KEY: usize = 11;

pub(super) const MODULES: [&str; 6] = ["proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"];

pub(super) fn module_index(kind: PassKind) -> usize {
    MODULES.iter().position(|m| *m == kind.prefix()).unwrap_or(0)
}

/// `proxy_read_timeout` → key for (proxy, read_timeout); `fastcgi_param` counts as the header list.
pub(super) fn setting_key(name: &[u8]) -> Option<u16> {
    let us = name.iter().position(|&b| b == b'_')?;
    let (module, rest) = name.split_at(us);
    let rest = rest.get(1..)?;
    let m = MODULES.iter().position(|m| m.as_bytes() == module)?;
    let s = if rest == b"param" && matches!(m, 1..=3) {
        HEADER_KEY
    } else if rest == b"param" {
        return None;
    } else {
        SETTINGS.iter().position(|s| s.as_bytes() == rest)?
    };
    u16::try_from(m * 32 + s).ok()
}
