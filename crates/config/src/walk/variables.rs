//! `$variable` uses and definitions, and nginx's `unknown "x" variable` once the walk is over.

use super::*;

impl<'a> Walker<'a> {
    /// Records `$var` uses and definitions of one directive.
    pub(super) fn collect_variables(&mut self, di: u32, name: &'a [u8], raw: bool, opaque: bool) {
        let cfg: &'a Config = self.cfg;
        let Some(d) = cfg.directives.get(di as usize) else { return };
        let toks = cfg.arg_tokens(d);
        if opaque {
            self.vars_opaque = true;
        }
        let def_index = match name {
            _ if raw => None,
            b"set" | b"perl_set" | b"js_set" | b"auth_request_set" | b"set_by_lua" | b"set_by_lua_file"
            | b"set_by_lua_block" | b"geo"
                if name != b"geo" || toks.len() == 1 =>
            {
                Some(0)
            }
            b"geo" => Some(1),
            b"map" | b"split_clients" => Some(1),
            _ => None,
        };
        let name_tok = if raw { Some(d.name) } else { None };
        for (i, &t) in name_tok.iter().chain(toks.iter()).enumerate() {
            let (v, r) = cfg.word(t);
            let (mut has_q, mut has_dollar) = (false, false);
            for &b in v {
                has_q |= b == b'?';
                has_dollar |= b == b'$';
            }
            if !has_q && !has_dollar {
                continue;
            }
            let is_def = def_index.is_some_and(|k| k + usize::from(raw) == i);
            // Named regex captures define variables.
            for pat in [&b"?<"[..], b"?P<", b"?'"].into_iter().filter(|_| has_q) {
                let mut rest = v;
                while let Some(k) = find(rest, pat) {
                    let after = rest.get(k + pat.len()..).unwrap_or_default();
                    let len = after.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                    if len > 0 {
                        self.var_defs.insert(after.get(..len).unwrap_or_default());
                    }
                    rest = after;
                }
            }
            let mut k = 0;
            while let Some(off) = v.get(k..).and_then(|rest| memchr::memchr(b'$', rest)) {
                let at = k + off + 1;
                let (start, braced) = if v.get(at) == Some(&b'{') { (at + 1, true) } else { (at, false) };
                let len = v
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                k = start + len;
                if len == 0 || (braced && v.get(start + len) != Some(&b'}')) {
                    continue;
                }
                let var = v.get(start..start + len).unwrap_or_default();
                let vr = TextRange::new(
                    r.start + at as u32 - 1,
                    r.start + (start + len + usize::from(braced)) as u32,
                );
                if is_def {
                    self.var_defs.insert(var);
                } else {
                    self.var_uses.push((var, vr));
                }
            }
        }
    }

    /// nginx: `unknown "x" variable` (found after reading the whole configuration, no line).
    pub(super) fn check_variables(&mut self) {
        // A snippet uses variables defined in the parts that were not pasted.
        let opaque = !self.saw_http
            || self.vars_opaque
            || self.diags.iter().any(|d| d.message.starts_with("unknown directive"));
        if opaque {
            return;
        }
        let mut seen = FastSet::default();
        let uses = std::mem::take(&mut self.var_uses);
        for (var, r) in uses {
            if !seen.insert(var) || directives::is_builtin_variable(var) || self.var_defs.contains(var) {
                continue;
            }
            let d = self.diag(DiagnosticCode::Directive, format!("unknown \"{}\" variable", text(var)), r);
            d.after_parse = true;
        }
    }
}
