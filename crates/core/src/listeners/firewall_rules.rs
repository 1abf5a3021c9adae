//! Firewall listings as pasted: `ufw status`, `iptables -S`, `iptables -L -n -v`, `nft list
//! ruleset`. Each rule becomes a [`ProbeFact::FirewallRule`] the diagnosis judges in order.

use super::scan::{Line, contains, find, lossy, parse_u16, tok, tokens, trim_quotes, word};
use super::{
    FirewallAction, FirewallHook, FirewallTool, Format, Mode, ProbeFact, Reader, RuleMatch, TextRange,
};

/// Pushes the rule a line describes once per port it names (once, port `None`, for none).
fn push_rule(
    r: &mut Reader,
    matches: &RuleMatch,
    tool: FirewallTool,
    action: FirewallAction,
    ports: &[(Option<u16>, Option<u16>)],
    is_policy: bool,
    range: TextRange,
) {
    let any = [(None, None)];
    for &(port, port_last) in if ports.is_empty() { &any[..] } else { ports } {
        r.report.facts.push(ProbeFact::FirewallRule {
            tool,
            port,
            port_last,
            action,
            matches: matches.clone(),
            is_policy,
            range,
        });
    }
}

/// The built-in chains of iptables and ufw's directions.
fn hook_of_chain(chain: &[u8]) -> Option<FirewallHook> {
    match chain {
        b"INPUT" | b"IN" => Some(FirewallHook::Input),
        b"OUTPUT" | b"OUT" => Some(FirewallHook::Output),
        b"FORWARD" | b"FWD" => Some(FirewallHook::Forward),
        _ => None,
    }
}

/// `80,443`, `6000:6007` (iptables, ufw) or `6000-6007` (nft): `(first, last of a range)`.
fn port_list(list: &[u8], range_sep: u8) -> Vec<(Option<u16>, Option<u16>)> {
    list.split(|c| *c == b',')
        .filter(|p| !p.is_empty())
        .map(|p| match memchr::memchr(range_sep, p) {
            Some(o) => {
                (parse_u16(p.get(..o).unwrap_or_default()), parse_u16(p.get(o + 1..).unwrap_or_default()))
            }
            None => (parse_u16(p), None),
        })
        .collect()
}

/// `0.0.0.0/0` and `::/0` (any address) and ufw's `Anywhere` say nothing.
fn address_or_any(w: &[u8]) -> Option<String> {
    let w = w.strip_suffix(b"(v6)").unwrap_or(w).trim_ascii();
    (!w.is_empty() && w != b"0.0.0.0/0" && w != b"::/0" && w != b"Anywhere" && w != b"*").then(|| lossy(w))
}

// ---------------------------------------------------------------- ufw

fn ufw_action(w: &[u8]) -> Option<FirewallAction> {
    Some(match w {
        b"ALLOW" => FirewallAction::Allow,
        b"DENY" => FirewallAction::Deny,
        b"REJECT" => FirewallAction::Reject,
        b"LIMIT" => FirewallAction::Limit,
        _ => return None,
    })
}

pub(super) fn ufw(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let b = line.bytes;
    let t = b.trim_ascii();
    if !in_mode && !t.first().is_some_and(|c| c.is_ascii_digit() || *c == b'[') && !t.starts_with(b"Status: ")
    {
        return None;
    }
    if let Some(v) = t.strip_prefix(b"Status: ") {
        let v = v.trim_ascii();
        if v == b"active" || v == b"inactive" {
            r.report.facts.push(ProbeFact::FirewallStatus {
                tool: FirewallTool::Ufw,
                active: v == b"active",
                range: line.range(),
            });
            r.mode = Mode::Ufw;
            return Some(Format::Ufw);
        }
        return None;
    }
    if in_mode {
        if t.starts_with(b"Logging:")
            || t.starts_with(b"New profiles:")
            || (t.starts_with(b"To") && contains(t, b"Action") && contains(t, b"From"))
            || t.iter().all(|c| *c == b'-' || *c == b' ')
        {
            return Some(Format::Ufw);
        }
        if let Some(d) = t.strip_prefix(b"Default:") {
            // `Default: deny (incoming), allow (outgoing), disabled (routed)`
            for part in d.split(|c| *c == b',') {
                let part = part.trim_ascii();
                if let Some(word) = part.strip_suffix(b"(incoming)") {
                    let action = match word.trim_ascii() {
                        b"deny" => Some(FirewallAction::Deny),
                        b"reject" => Some(FirewallAction::Reject),
                        b"allow" => Some(FirewallAction::Allow),
                        _ => None,
                    };
                    if let Some(action) = action {
                        let draft = RuleMatch {
                            chain: Some("IN".to_owned()),
                            hook: Some(FirewallHook::Input),
                            ..RuleMatch::default()
                        };
                        push_rule(r, &draft, FirewallTool::Ufw, action, &[], true, line.range());
                    }
                }
            }
            return Some(Format::Ufw);
        }
    }
    // `[ 1] 8000/tcp    DENY IN    Anywhere`
    let mut body = t;
    if body.starts_with(b"[")
        && let Some(c) = memchr::memchr(b']', body)
    {
        body = body.get(c + 1..).unwrap_or_default().trim_ascii_start();
    }
    let mut toks = Vec::new();
    tokens(body, &mut toks);
    let ai = (0..toks.len()).find(|&i| ufw_action(tok(body, &toks, i)).is_some())?;
    if ai == 0 {
        return None;
    }
    let action = ufw_action(tok(body, &toks, ai))?;
    let mut from_i = ai + 1;
    let dir = Some(tok(body, &toks, ai + 1)).filter(|d| matches!(*d, b"IN" | b"OUT" | b"FWD"));
    if dir.is_some() {
        from_i += 1;
    }
    let to = tok(body, &toks, 0);
    let (ports, proto) = match memchr::memchr(b'/', to) {
        Some(o) => (to.get(..o).unwrap_or_default(), Some(lossy(to.get(o + 1..).unwrap_or_default()))),
        None => (to, None),
    };
    let port_like = ports.iter().all(|c| c.is_ascii_digit() || *c == b',' || *c == b':') && !ports.is_empty();
    if !in_mode && !port_like {
        return None;
    }
    let iface = (0..ai).find(|&i| tok(body, &toks, i) == b"on").map(|i| lossy(tok(body, &toks, i + 1)));
    let source =
        toks.get(from_i).and_then(|&(s, _)| address_or_any(body.get(s..).unwrap_or_default().trim_ascii()));
    let dir = dir.unwrap_or(b"IN");
    let draft = RuleMatch {
        proto,
        source,
        chain: Some(lossy(dir)),
        hook: hook_of_chain(dir),
        // `8000/tcp on eth0 ALLOW IN`: ufw's `on` names the interface of the rule's direction.
        interface: iface.clone().filter(|_| dir != b"OUT"),
        out_interface: iface.filter(|_| dir == b"OUT"),
        ..RuleMatch::default()
    };
    // An application profile (`Nginx Full`) or `Anywhere`: no port we can name.
    let ports = if port_like { port_list(ports, b':') } else { Vec::new() };
    push_rule(r, &draft, FirewallTool::Ufw, action, &ports, false, line.range());
    r.mode = Mode::Ufw;
    Some(Format::Ufw)
}

// ---------------------------------------------------------------- iptables

fn ipt_action(w: &[u8]) -> Option<FirewallAction> {
    Some(match w {
        b"ACCEPT" => FirewallAction::Allow,
        b"DROP" => FirewallAction::Drop,
        b"REJECT" => FirewallAction::Reject,
        _ => return None,
    })
}

/// `iptables -S` and `iptables-save`: `-P INPUT DROP`, `:INPUT DROP [0:0]`,
/// `-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 8000 -j ACCEPT`.
pub(super) fn iptables(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    // iptables-save's banner and table lines start its output when pasted without a prompt.
    if !in_mode
        && ((t.starts_with(b"# Generated by ip") && contains(t, b"tables-save"))
            || matches!(t, b"*filter" | b"*nat" | b"*mangle" | b"*raw" | b"*security"))
    {
        r.mode = Mode::Iptables;
        return Some(Format::Iptables);
    }
    if !in_mode && !matches!(word(t, 0), b"-A" | b"-I" | b"-P") {
        return None;
    }
    if in_mode
        && (t.starts_with(b"*")
            || t == b"COMMIT"
            || t.starts_with(b"# ")
            || t.starts_with(b"-N ")
            || t.starts_with(b"-X"))
    {
        return Some(Format::Iptables);
    }
    let mut toks = Vec::new();
    tokens(t, &mut toks);
    let w = |i: usize| tok(t, &toks, i);
    // `-P INPUT DROP` and iptables-save's `:INPUT DROP [0:0]`
    let policy = if w(0) == b"-P" {
        Some((w(1), w(2)))
    } else if in_mode && t.starts_with(b":") {
        Some((w(0).get(1..).unwrap_or_default(), w(1)))
    } else {
        None
    };
    if let Some((chain, target)) = policy {
        r.mode = Mode::Iptables;
        // A user chain's `:f2b-sshd - [0:0]` has no policy.
        let Some(action) = ipt_action(target) else { return Some(Format::Iptables) };
        let draft =
            RuleMatch { chain: Some(lossy(chain)), hook: hook_of_chain(chain), ..RuleMatch::default() };
        push_rule(r, &draft, FirewallTool::Iptables, action, &[], true, line.range());
        return Some(Format::Iptables);
    }
    if w(0) != b"-A" && w(0) != b"-I" {
        return None;
    }
    let mut draft = RuleMatch { chain: Some(lossy(w(1))), hook: hook_of_chain(w(1)), ..RuleMatch::default() };
    let mut ports = Vec::new();
    let mut target = None;
    // `-I INPUT 3 ...`: a position, not an option.
    let mut i = if w(0) == b"-I" && w(2).first().is_some_and(u8::is_ascii_digit) { 3 } else { 2 };
    while i < toks.len() {
        let (opt, value) = (w(i), w(i + 1));
        let mut step = 2;
        match opt {
            // `! -s 10.0.0.0/8`: the rule matches everything else; not modelled.
            b"!" => {
                draft.other_matches = true;
                step = 3;
            }
            b"-p" | b"--protocol" => draft.proto = Some(lossy(value)),
            b"-s" | b"--source" => draft.source = address_or_any(value),
            b"-d" | b"--destination" => draft.destination = address_or_any(value),
            b"-i" | b"--in-interface" => draft.interface = Some(lossy(value)),
            b"-o" | b"--out-interface" => draft.out_interface = Some(lossy(value)),
            b"--dport" | b"--dports" | b"--destination-port" | b"--destination-ports" => {
                ports = port_list(value, b':');
            }
            b"-j" | b"--jump" | b"-g" | b"--goto" => target = Some(value),
            b"--reject-with" => draft.reject_with = Some(lossy(value)),
            // Matches that only restate the protocol or add a comment.
            b"-m" | b"--match" if matches!(value, b"tcp" | b"udp" | b"multiport" | b"comment") => {}
            b"--comment" => step += quoted_words(&toks, t, i + 1),
            // `--syn` matches exactly the packets that open a connection.
            b"--syn" => step = 1,
            _ if opt.starts_with(b"-") => {
                draft.other_matches = true;
                // An option without a value (`--rsource`) is followed by the next option.
                step = if value.starts_with(b"-") || value == b"!" { 1 } else { 2 };
            }
            _ => step = 1,
        }
        i += step;
    }
    r.mode = Mode::Iptables;
    let Some(action) = target.and_then(ipt_action) else { return Some(Format::Iptables) };
    push_rule(r, &draft, FirewallTool::Iptables, action, &ports, false, line.range());
    Some(Format::Iptables)
}

/// Words after the first of a `"quoted value with spaces"` (iptables' `--comment`).
fn quoted_words(toks: &[(usize, usize)], t: &[u8], first: usize) -> usize {
    let w = tok(t, toks, first);
    if !w.starts_with(b"\"") || (w.len() > 1 && w.ends_with(b"\"")) {
        return 0;
    }
    (first + 1..toks.len()).position(|j| tok(t, toks, j).ends_with(b"\"")).map_or(0, |n| n + 1)
}

/// `iptables -L -n [-v] [--line-numbers]`:
/// `Chain INPUT (policy DROP)`, a column header, then
/// `DROP  tcp  --  0.0.0.0/0  0.0.0.0/0  tcp dpt:8000` (with `-v`: `pkts bytes` first and
/// `in out` after `opt`; with `--line-numbers`: `num` first). iptables 1.8.9 prints the
/// protocol as a number (`6`, `0` for all).
pub(super) fn iptables_list(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    if let Some(rest) = t.strip_prefix(b"Chain ") {
        let name_end = rest.iter().position(u8::is_ascii_whitespace).unwrap_or(rest.len());
        let name = rest.get(..name_end).unwrap_or_default();
        let after = rest.get(name_end..).unwrap_or_default().trim_ascii();
        if !after.starts_with(b"(") {
            return None;
        }
        let verbose = matches!(r.mode, Mode::IptablesList { verbose: true, .. });
        if let Some(p) = after.strip_prefix(b"(policy ") {
            let end = p.iter().position(|c| *c == b' ' || *c == b')').unwrap_or(p.len());
            if let Some(action) = p.get(..end).and_then(ipt_action) {
                let draft =
                    RuleMatch { chain: Some(lossy(name)), hook: hook_of_chain(name), ..RuleMatch::default() };
                push_rule(r, &draft, FirewallTool::IptablesList, action, &[], true, line.range());
            }
        }
        r.mode = Mode::IptablesList { chain: Some(lossy(name)), verbose, numbered: false };
        return Some(Format::IptablesList);
    }
    let Mode::IptablesList { chain, verbose, numbered } = &r.mode else { return None };
    let (chain, mut verbose, mut numbered) = (chain.clone(), *verbose, *numbered);
    let mut toks = Vec::new();
    tokens(t, &mut toks);
    let w = |i: usize| tok(t, &toks, i);
    // The header says which columns follow.
    let header_at = usize::from(w(0) == b"num");
    if matches!(w(header_at), b"target" | b"pkts") {
        numbered = header_at == 1;
        verbose = w(header_at) == b"pkts";
        r.mode = Mode::IptablesList { chain, verbose, numbered };
        return Some(Format::IptablesList);
    }
    let base = usize::from(numbered) + if verbose { 2 } else { 0 };
    let (target, opt) = (w(base), w(base + 2));
    if target.is_empty() || !(opt == b"--" || opt.starts_with(b"-") || opt == b"f") {
        return None;
    }
    let Some(action) = ipt_action(target) else { return Some(Format::IptablesList) };
    let column = |i: usize| Some(w(i)).filter(|x| !x.is_empty() && *x != b"*").map(lossy);
    let src_i = if verbose { base + 5 } else { base + 3 };
    let mut draft = RuleMatch {
        proto: Some(lossy(w(base + 1))).filter(|p| p != "all" && p != "0"),
        chain: chain.clone(),
        hook: chain.as_deref().and_then(|c| hook_of_chain(c.as_bytes())),
        interface: if verbose { column(base + 3) } else { None },
        out_interface: if verbose { column(base + 4) } else { None },
        // Without -v the listing hides interfaces: `-i lo -j ACCEPT` reads as "accept all".
        other_matches: !verbose,
        ..RuleMatch::default()
    };
    for (i, field) in [(src_i, &mut draft.source), (src_i + 1, &mut draft.destination)] {
        let x = w(i);
        if x.starts_with(b"!") {
            draft.other_matches = true;
        } else {
            *field = address_or_any(x);
        }
    }
    let mut ports = Vec::new();
    let mut i = src_i + 2;
    while i < toks.len() {
        let x = w(i);
        let mut step = 1;
        if let Some(p) = x.strip_prefix(b"dpt:").or_else(|| x.strip_prefix(b"dpts:")) {
            ports = port_list(p, b':');
        } else if x == b"dports" {
            ports = port_list(w(i + 1), b':');
            step = 2;
        } else if x == b"reject-with" {
            draft.reject_with = Some(lossy(w(i + 1)));
            step = 2;
        } else if x == b"/*" {
            // `/* comment words */`
            step = (i + 1..toks.len()).position(|j| w(j) == b"*/").map_or(toks.len() - i, |n| n + 2);
        } else if !matches!(x, b"tcp" | b"udp" | b"multiport") && !x.starts_with(b"flags:") {
            // `ctstate RELATED,ESTABLISHED`, `spt:53`, `limit: avg ...`, `mark match ...`
            draft.other_matches = true;
        }
        i += step;
    }
    push_rule(r, &draft, FirewallTool::IptablesList, action, &ports, false, line.range());
    Some(Format::IptablesList)
}

// ---------------------------------------------------------------- nft

pub(super) fn nft(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    if !in_mode && !t.starts_with(b"table ") {
        return None;
    }
    // `nft -a` appends `# handle 12`; iptables-nft tables start with a `# Warning:` comment.
    let t = match memchr::memchr(b'#', t) {
        Some(o) => t.get(..o).unwrap_or_default().trim_ascii_end(),
        None => t,
    };
    // Facts point at the statement, without the indentation and the comment.
    let indent = line.bytes.len() - line.bytes.trim_ascii_start().len();
    let range = line.sub(indent, indent + t.len());
    let mut toks = Vec::new();
    tokens(t, &mut toks);
    let w = |i: usize| tok(t, &toks, i);
    let (table, chain, hook, depth) = match &r.mode {
        Mode::Nft { table, chain, hook, depth } => (table.clone(), chain.clone(), *hook, *depth),
        _ => (None, None, None, 0),
    };
    if w(0) == b"table" && t.ends_with(b"{") {
        // `table inet filter {`; `table filter {` is the ip family.
        let name = if toks.len() > 3 {
            format!("{} {}", lossy(w(1)), lossy(w(2)))
        } else {
            format!("ip {}", lossy(w(1)))
        };
        r.mode = Mode::Nft { table: Some(name), chain: None, hook: None, depth: 1 };
        return Some(Format::Nft);
    }
    if in_mode && t.is_empty() {
        return Some(Format::Nft);
    }
    // Between tables (or after the last one) only a new `table` line is nft's.
    if !in_mode || depth == 0 {
        return None;
    }
    if w(0) == b"chain" && t.ends_with(b"{") {
        r.mode = Mode::Nft { table, chain: Some(lossy(w(1))), hook: None, depth: depth + 1 };
        return Some(Format::Nft);
    }
    if t == b"}" {
        let chain = if depth <= 2 { None } else { chain };
        let hook = if depth <= 2 { None } else { hook };
        let table = if depth <= 1 { None } else { table };
        r.mode = Mode::Nft { table, chain, hook, depth: depth - 1 };
        return Some(Format::Nft);
    }
    if t.ends_with(b"{") {
        // `set allowed {`, `map ... {`
        r.mode = Mode::Nft { table, chain, hook, depth: depth + 1 };
        return Some(Format::Nft);
    }
    if w(0) == b"type" && contains(t, b"hook") {
        let hook = match (1..toks.len()).find(|&i| w(i - 1) == b"hook").map(w) {
            Some(b"input" | b"prerouting") => Some(FirewallHook::Input),
            Some(b"output" | b"postrouting") => Some(FirewallHook::Output),
            Some(b"forward") => Some(FirewallHook::Forward),
            _ => None,
        };
        r.mode = Mode::Nft { table: table.clone(), chain: chain.clone(), hook, depth };
        if let Some(o) = find(t, b"policy ") {
            let p = t.get(o + 7..).unwrap_or_default();
            let p = p.strip_suffix(b";").unwrap_or(p).trim_ascii();
            if let Some(action) = nft_verdict(p) {
                let draft = RuleMatch { chain, table, hook, ..RuleMatch::default() };
                push_rule(r, &draft, FirewallTool::Nft, action, &[], true, range);
            }
        }
        return Some(Format::Nft);
    }
    let mut draft = RuleMatch { chain, table, hook, ..RuleMatch::default() };
    let mut ports = Vec::new();
    let mut action = None;
    let mut i = 0;
    while i < toks.len() {
        let x = w(i);
        let mut step = 1;
        match x {
            // Words that only name the protocol family of the next match.
            b"ip" | b"ip6" | b"inet" | b"meta" | b"tcp" | b"udp" | b"th" | b"l4proto" | b"counter" => {}
            b"packets" | b"bytes" => step = 2,
            b"iif" | b"iifname" | b"oif" | b"oifname" | b"saddr" | b"daddr" | b"dport" | b"comment"
                if w(i + 1) == b"!=" =>
            {
                draft.other_matches = true;
                step = 3;
            }
            b"iif" | b"iifname" => (draft.interface, step) = (Some(lossy(trim_quotes(w(i + 1)))), 2),
            b"oif" | b"oifname" => (draft.out_interface, step) = (Some(lossy(trim_quotes(w(i + 1)))), 2),
            b"saddr" | b"daddr" => {
                let v = w(i + 1);
                if v == b"{" || v.starts_with(b"@") {
                    // An address set: which addresses it holds is not on this line.
                    draft.other_matches = true;
                } else if x == b"saddr" {
                    draft.source = address_or_any(v);
                } else {
                    draft.destination = address_or_any(v);
                }
                step = 2;
            }
            b"dport" => {
                draft.proto =
                    (i > 0).then(|| lossy(w(i - 1))).filter(|p| p == "tcp" || p == "udp" || p == "th");
                if w(i + 1) == b"{" {
                    let end = (i + 2..toks.len()).find(|&j| w(j) == b"}").unwrap_or(toks.len());
                    for j in i + 2..end {
                        let p = w(j);
                        ports.extend(port_list(p.strip_suffix(b",").unwrap_or(p), b'-'));
                    }
                    step = end + 1 - i;
                } else {
                    ports = port_list(w(i + 1), b'-');
                    step = 2;
                }
            }
            b"comment" => step = 2 + quoted_words(&toks, t, i + 1),
            b"reject" => {
                action = Some(FirewallAction::Reject);
                if w(i + 1) == b"with" {
                    // `with tcp reset`, `with icmpx admin-prohibited`, `with icmp type host-prohibited`
                    let end = (i + 2..toks.len()).find(|&j| w(j) == b"comment").unwrap_or(toks.len());
                    let words: Vec<String> =
                        (i + 2..end).map(w).filter(|x| *x != b"type").map(lossy).collect();
                    draft.reject_with = Some(words.join(" "));
                    step = end - i;
                }
            }
            _ => match nft_verdict(x) {
                Some(v) => action = Some(v),
                // `ct state new`, `jump f2b`, `limit rate 10/second`, `mark 0x1`, `log prefix ...`
                None => draft.other_matches = true,
            },
        }
        i += step;
    }
    let Some(action) = action else { return Some(Format::Nft) };
    push_rule(r, &draft, FirewallTool::Nft, action, &ports, false, range);
    Some(Format::Nft)
}

fn nft_verdict(w: &[u8]) -> Option<FirewallAction> {
    Some(match w {
        b"accept" => FirewallAction::Allow,
        b"drop" => FirewallAction::Drop,
        b"reject" => FirewallAction::Reject,
        _ => return None,
    })
}
