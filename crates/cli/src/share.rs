//! `badgateway share`: a link that opens the inputs in the page. The inputs travel in
//! the URL fragment (`badgateway_core::share`), which browsers never send to a server.

use badgateway_core::share::{Shared, encode};

use crate::inputs::Loaded;

/// Links longer than this get a warning on stderr.
const LONG_LINK: usize = 64 * 1024;

/// `base` + the fragment, with the page's address checked and its own fragment dropped.
pub fn link(base: &str, loaded: &Loaded, redact: bool) -> Result<String, String> {
    let base = base.trim();
    if !(base.starts_with("https://") || base.starts_with("http://")) || base.len() <= "https://".len() {
        return Err(format!(
            "--base {base:?} is not an http(s) address (such as https://badgateway.example/)"
        ));
    }
    let base = base.split_once('#').map_or(base, |(b, _)| b);
    // The link carries text: bytes that are not UTF-8 become U+FFFD.
    let text = |bytes: &Option<Vec<u8>>| bytes.as_deref().map(|b| String::from_utf8_lossy(b).into_owned());
    let mut shared = Shared {
        config: text(&loaded.config).unwrap_or_default(),
        listeners: text(&loaded.listeners).unwrap_or_default(),
        log: text(&loaded.log).unwrap_or_default(),
        embed: false,
        redacted: false,
    };
    if redact {
        redact_inputs(&mut shared);
    }
    let link = format!("{base}{}", encode(&shared));
    if link.len() > LONG_LINK {
        eprintln!(
            "badgateway: the link is {} KB; some chat tools and browsers cut links this long (share fewer log lines)",
            link.len() / 1024
        );
    }
    Ok(link)
}

/// `--redact`: the core's redaction, the same as the page's, over the three inputs
/// together (one value gets one placeholder in all three).
fn redact_inputs(shared: &mut Shared) {
    let r = badgateway_core::redact::redact(&shared.config, &shared.listeners, &shared.log);
    shared.config = r.config;
    shared.listeners = r.listeners;
    shared.log = r.log;
    shared.redacted = true;
    eprintln!("badgateway: redacted {} value(s); read the link's inputs before you share it", r.replaced);
}
