//! `include` resolution: which pasted files a pattern names, walked in place, with cycles and
//! fan-out bounded.

use super::*;
use badgateway_text::glob_match;

impl<'a> Walker<'a> {
    pub(super) fn include(&mut self, di: u32, frame: Frame) {
        let args = self.args(di);
        let term = self.terminator_range(di);
        let d_range = self.cfg.directives.get(di as usize).map(|d| d.range).unwrap_or_default();
        let [(pattern, pr)] = args.as_slice() else {
            if frame.ctx.mask().is_some() {
                let r = self.name_range(di);
                self.directive_error(
                    di,
                    "invalid number of arguments in \"include\" directive".into(),
                    r.unwrap_or(d_range),
                );
            }
            return;
        };
        let _ = term;
        let pattern = text(pattern);
        let matches = self.resolve_include(&pattern);
        if matches.is_empty() {
            let is_glob = pattern.contains(['*', '?', '[']);
            let dump = self.cfg.files.iter().any(|f| f.header.is_some());
            if !(dump && is_glob) {
                let d = self.diag(
                    DiagnosticCode::IncludeNotPasted,
                    format!("included file \"{pattern}\" was not pasted: paste it to check it"),
                    *pr,
                );
                d.suggestion = Some(pattern.clone());
            }
            return;
        }
        // Push in reverse so the first match is walked first.
        for &f in matches.iter().rev() {
            if self.active.get(f as usize).copied().unwrap_or(0) > 0 {
                let path = self.cfg.files.get(f as usize).map(|f| f.path.clone()).unwrap_or_default();
                self.diag(
                    DiagnosticCode::IncludeCycle,
                    format!("include cycle: \"{path}\" includes itself"),
                    *pr,
                );
                continue;
            }
            let Some(&(start, end)) = self.file_tops.get(f as usize) else { continue };
            // Includes may fan out (a file including a glob that matches every file, a chain that
            // includes the next file twice): bound the total work, nginx would exhaust itself.
            let size = end.saturating_sub(start) as usize;
            self.include_budget = self.include_budget.saturating_sub(size.max(1));
            if self.include_budget == 0 {
                if !self.budget_reported {
                    self.budget_reported = true;
                    self.diag(
                        DiagnosticCode::IncludeCycle,
                        "includes expand too much (cycle or fan-out): not followed further".into(),
                        *pr,
                    );
                }
                continue;
            }
            if let Some(v) = self.visited.get_mut(f as usize) {
                *v = true;
            }
            if let Some(a) = self.active.get_mut(f as usize) {
                *a += 1;
            }
            self.stack.push(Frame { cursor: start, end, file: Some(f), ..frame });
        }
    }

    /// The pasted files an include pattern names: absolute patterns match paths; relative ones are
    /// taken from the main file's directory (nginx's prefix), or matched as a path suffix.
    pub(super) fn resolve_include(&mut self, pattern: &str) -> Vec<u32> {
        if let Some(hit) = self.include_cache.get(pattern) {
            return hit.clone();
        }
        let out = self.resolve_include_uncached(pattern);
        self.include_cache.insert(pattern.to_string(), out.clone());
        out
    }

    pub(super) fn resolve_include_uncached(&self, pattern: &str) -> Vec<u32> {
        let base = self
            .cfg
            .files
            .first()
            .and_then(|f| f.path.rfind('/').map(|k| f.path.get(..=k).unwrap_or_default().to_string()));
        let full = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            match &base {
                Some(b) => format!("{b}{pattern}"),
                None => pattern.to_string(),
            }
        };
        let is_glob = pattern.contains(['*', '?', '[']);
        if !is_glob && (pattern.starts_with('/') || base.is_some()) {
            return self
                .cfg
                .files
                .iter()
                .position(|f| f.path == full)
                .map(|i| vec![i as u32])
                .unwrap_or_default();
        }
        let mut out = Vec::new();
        for (i, f) in self.cfg.files.iter().enumerate() {
            if f.path.is_empty() {
                continue;
            }
            let hit = glob_match(full.as_bytes(), f.path.as_bytes())
                || (!pattern.starts_with('/') && {
                    // Relative to an unknown prefix: match the last components.
                    let n = pattern.bytes().filter(|&b| b == b'/').count() + 1;
                    let tail = f.path.rsplitn(n + 1, '/').take(n).collect::<Vec<_>>();
                    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("/");
                    glob_match(pattern.as_bytes(), tail.as_bytes())
                });
            if hit {
                out.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        // nginx's glob returns names in sorted order.
        crate::order::sort_by_key(&mut out, |&a| self.cfg.files.get(a as usize).map(|f| f.path.as_str()));
        out.dedup();
        out
    }
}
