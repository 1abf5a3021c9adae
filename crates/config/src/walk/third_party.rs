//! Directives of third-party modules: fine where the paste loads the module, "unknown
//! directive" as nginx says it where the paste is evidently a whole configuration of a build that
//! loads its modules and not this one, and otherwise a note of which module the build needs.

use super::*;

impl<'a> Walker<'a> {
    /// The module that defines `name`: the one the paste loads, else the first that fits.
    pub(super) fn provider(&self, name: &[u8]) -> Option<(&'static Module, &'static [u32])> {
        let mut providers = crate::modules::providers(name).peekable();
        let first = providers.peek().copied();
        providers.find(|(m, _)| self.loaded.contains(m)).or(first)
    }

    /// `load_module`: the module counts from here on; one that needs another (Lua needs ndk)
    /// fails to load before it, as nginx's `dlopen()` does.
    pub(super) fn load_module(&mut self, di: u32) -> bool {
        let Some((path, r)) = self.args(di).first().copied() else { return true };
        let Some(module) = crate::modules::by_file(path) else { return true };
        if let Some(needs) = module.needs
            && !self.loaded.iter().any(|m| m.file == Some(needs))
        {
            let path = Lossy(path);
            let msg = format!(
                "dlopen() \"{path}\" failed (undefined symbols: \"{needs}\" must be loaded before it)"
            );
            let before = self.diags.len();
            self.directive_error(di, msg, r);
            if let Some(d) = self.diags.get_mut(before) {
                d.module = crate::modules::MODULES.iter().find(|m| m.file == Some(needs));
            }
            return false;
        }
        self.loaded.push(module);
        true
    }

    /// Checks a directive of `module` (not loaded, or loaded): returns whether reading goes on.
    pub(super) fn module_directive(
        &mut self,
        di: u32,
        name: &[u8],
        module: &'static Module,
        name_range: TextRange,
    ) -> bool {
        // Modules define variables the walk cannot see (`geoip2` blocks, `set_by_lua`...).
        self.vars_opaque = true;
        if self.loaded.contains(&module) {
            return true;
        }
        if self.lacks_unloaded() {
            let before = self.diags.len();
            self.directive_error(di, format!("unknown directive \"{}\"", Lossy(name)), name_range);
            if let Some(d) = self.diags.get_mut(before) {
                d.module = Some(module);
            }
            return false;
        }
        if !self.noted.contains(&module) {
            self.noted.push(module);
            let message = format!("\"{}\" is a directive of {}", Lossy(name), module.name);
            let before = self.diags.len();
            self.directive_diag(DiagnosticCode::ModuleDirective, di, message, name_range);
            if let Some(d) = self.diags.get_mut(before) {
                d.module = Some(module);
            }
        }
        true
    }

    /// A whole configuration that loads dynamic modules (`load_module` only stands in the main
    /// file) and includes nothing unpasted that might load more: a module it does not load is
    /// not in the build. Anything else (a fragment, a build with no `load_module` at all, such as
    /// OpenResty's, an unpasted `modules-enabled/*.conf`) may well include it.
    fn lacks_unloaded(&mut self) -> bool {
        if let Some(known) = self.lacks_unloaded {
            return known;
        }
        let cfg: &'a Config = self.cfg;
        let loads = cfg.directives.iter().any(|d| cfg.name(d) == b"load_module");
        let unpasted_include = loads
            && cfg.directives.iter().filter(|d| d.parent.is_none() && cfg.name(d) == b"include").any(|d| {
                let pattern = cfg.arg_tokens(d).first().map(|&t| text(cfg.word(t).0)).unwrap_or_default();
                self.resolve_include(&pattern).is_empty()
            });
        let known = loads && !unpasted_include;
        self.lacks_unloaded = Some(known);
        known
    }
}

/// upstream-fair's own check of its parameters (nginx reads `fair` as taking any number).
pub(super) fn fair_problem(args: &[(&[u8], TextRange)]) -> Option<(String, TextRange)> {
    let mut weight_mode = false;
    for (a, r) in args {
        match *a {
            b"no_rr" => {}
            b"weight_mode=peak" | b"weight_mode=idle" if !weight_mode => weight_mode = true,
            b"weight_mode=peak" | b"weight_mode=idle" => {
                return Some(("weight_mode= options are mutually exclusive".into(), *r));
            }
            _ => return Some((format!("Invalid `fair' parameter `{}'", Lossy(a)), *r)),
        }
    }
    None
}
