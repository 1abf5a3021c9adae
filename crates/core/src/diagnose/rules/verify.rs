//! A rule's own tests, beside it: the rule run alone on the lab's real captures
//! (tests/fixtures/scenarios: real nginx, real backends, real `ss`), with a must-fire and a
//! must-not table (ShellCheck's verify/verifyNot, oxc's pass/fail) and its findings as the
//! page and the CLI's JSON see them, snapshotted with insta (`rules/snapshots/`; review a
//! change with `cargo insta review`, or `INSTA_UPDATE=always` and `git diff`). Alone means
//! no other rule's findings, so no relation (`caused_by`, `suppressed_by`) applies: what
//! the rules say together is tested in `crates/core/tests` and by the golden JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::{RULES, RuleInfo};
use crate::analysis::{Analysis, analyze_with};
use crate::finding::Finding;
use crate::input::{InputKind, Inputs};

/// Which of a capture's inputs are pasted: the lab's subsets (`tests/lab/lab.py check`).
#[derive(Clone, Copy, Debug)]
pub enum Subset {
    All,
    ConfigListeners,
    Config,
    Listeners,
    Log,
}

impl Subset {
    fn name(self) -> &'static str {
        match self {
            Subset::All => "all",
            Subset::ConfigListeners => "config+listeners",
            Subset::Config => "config",
            Subset::Listeners => "listeners",
            Subset::Log => "log",
        }
    }

    /// Pasted or not: config, listeners, log.
    fn keeps(self) -> [bool; 3] {
        match self {
            Subset::All => [true, true, true],
            Subset::ConfigListeners => [true, true, false],
            Subset::Config => [true, false, false],
            Subset::Listeners => [false, true, false],
            Subset::Log => [false, false, true],
        }
    }
}

/// A lab scenario's inputs as `lab.py check` reads them: meta.json's `inputs`, the log
/// files joined into one.
pub struct Capture {
    config: Option<Vec<u8>>,
    listeners: Option<Vec<u8>>,
    log: Option<Vec<u8>>,
}

impl Capture {
    pub fn load(scenario: &str) -> Capture {
        let meta: serde_json::Value = serde_json::from_slice(&Capture::file(scenario, "meta.json")).unwrap();
        let file = |name: &serde_json::Value| Capture::file(scenario, name.as_str().unwrap());
        let inputs = &meta["inputs"];
        let log = inputs["log"].as_array().map(|names| names.iter().flat_map(file).collect());
        Capture {
            config: inputs.get("config").filter(|v| v.is_string()).map(file),
            listeners: inputs.get("listeners").filter(|v| v.is_string()).map(file),
            log,
        }
    }

    /// One file of a scenario as captured.
    pub fn file(scenario: &str, name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios");
        std::fs::read(path.join(scenario).join(name)).unwrap_or_else(|e| panic!("{scenario}/{name}: {e}"))
    }

    pub fn inputs(&self, subset: Subset) -> Inputs<'_> {
        let [c, l, g] = subset.keeps();
        Inputs {
            config: self.config.as_deref().filter(|_| c),
            listeners: self.listeners.as_deref().filter(|_| l),
            log: self.log.as_deref().filter(|_| g),
        }
    }
}

/// The rule alone on these inputs: parsed and ranked as `analyze` does, no other rule run.
pub fn alone<'a>(info: &RuleInfo, inputs: Inputs<'a>) -> Analysis<'a> {
    let rule = RULES.iter().find(|r| r.info.code == info.code).expect("the rule is in RULES");
    analyze_with(inputs, std::slice::from_ref(rule))
}

fn fires(info: &RuleInfo, inputs: Inputs<'_>) -> bool {
    let analysis = alone(info, inputs);
    assert!(analysis.findings.iter().all(|f| f.code == info.code), "another code from {}", info.code);
    !analysis.findings.is_empty()
}

/// Must fire: on each capture and subset, the rule alone reports at least one finding.
pub fn verify(info: &RuleInfo, cases: &[(&str, Subset)]) {
    for (scenario, subset) in cases {
        let capture = Capture::load(scenario);
        assert!(
            fires(info, capture.inputs(*subset)),
            "{} is silent on {scenario} [{}]",
            info.code,
            subset.name()
        );
    }
}

/// Must not fire: on each capture and subset, the rule alone reports nothing.
pub fn verify_not(info: &RuleInfo, cases: &[(&str, Subset)]) {
    for (scenario, subset) in cases {
        let capture = Capture::load(scenario);
        let analysis = alone(info, capture.inputs(*subset));
        assert!(
            analysis.findings.is_empty(),
            "{} fires on {scenario} [{}]: {:#?}",
            info.code,
            subset.name(),
            analysis.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
    }
}

/// Must fire / must not fire on hand-written inputs: only for what no capture can show.
pub fn verify_inputs(info: &RuleInfo, inputs: Inputs<'_>, fire: bool) {
    let what = if fire { "is silent" } else { "fires" };
    assert_eq!(fires(info, inputs), fire, "{} {what} on the hand-written inputs", info.code);
}

/// The rule's only finding on `inputs`.
pub fn only<'a>(analysis: &'a Analysis<'_>) -> &'a Finding {
    assert_eq!(analysis.findings.len(), 1, "one finding: {:#?}", analysis.findings);
    &analysis.findings[0]
}

/// Where the finding points: its primary label's input and text.
pub fn primary_text(analysis: &Analysis<'_>, f: &Finding) -> (InputKind, String) {
    let span = f.primary_span().expect("a primary label");
    (span.input, String::from_utf8_lossy(span.range.slice(analysis.inputs.text(span.input))).into_owned())
}

/// Convergence: with the finding's edits applied, the config still loads and the rule alone
/// no longer reports it. Returns the fixed config.
pub fn converges(info: &RuleInfo, inputs: Inputs<'_>, f: &Finding) -> String {
    let edits = f.fix.as_ref().map(|x| x.edits()).unwrap_or_default();
    assert!(!edits.is_empty(), "{} has a fix with edits", info.code);
    let fixed = crate::finding::apply_edits(inputs.config.unwrap_or_default(), edits).expect("edits apply");
    let again = alone(info, Inputs { config: Some(&fixed), ..inputs });
    let text = String::from_utf8_lossy(&fixed).into_owned();
    assert!(again.config.as_ref().and_then(|c| c.first_error()).is_none(), "the fixed config loads:\n{text}");
    assert!(!again.findings.iter().any(|g| g.title == f.title), "{} still reported:\n{text}", info.code);
    text
}

/// The rule's findings on one capture, as the JSON of the page and the CLI shows them.
pub fn snapshot(info: &RuleInfo, scenario: &str, subset: Subset) {
    let capture = Capture::load(scenario);
    snapshot_inputs(info, &format!("{scenario}-{}", subset.name()), capture.inputs(subset));
}

/// The same for inputs a test wrote or assembled, named `case`.
pub fn snapshot_inputs(info: &RuleInfo, case: &str, inputs: Inputs<'_>) {
    let analysis = alone(info, inputs);
    assert!(!analysis.findings.is_empty(), "{} is silent on {case}", info.code);
    let json = serde_json::to_string_pretty(&analysis.views()).unwrap();
    insta::assert_snapshot!(format!("{}-{case}", info.code), json);
}

/// A rule's three tests on the lab's captures: it fires on each `fire` case, stays silent
/// on each `not` case (captures of other causes, and its own where the subset lacks the
/// evidence), and its findings on `snapshot` match the reviewed JSON.
macro_rules! rule_tests {
    (
        fire: [$(($fire:literal, $fire_subset:ident)),* $(,)?],
        not: [$(($not:literal, $not_subset:ident)),* $(,)?],
        snapshot: ($snap:literal, $snap_subset:ident) $(,)?
    ) => {
        use $crate::diagnose::rules::verify::{self, Subset};

        #[test]
        fn fires_on_real_captures() {
            verify::verify(&super::INFO, &[$(($fire, Subset::$fire_subset)),*]);
        }

        #[test]
        fn silent_where_it_does_not_apply() {
            verify::verify_not(&super::INFO, &[$(($not, Subset::$not_subset)),*]);
        }

        #[test]
        fn renders_its_findings() {
            verify::snapshot(&super::INFO, $snap, Subset::$snap_subset);
        }
    };
    // For what no capture shows: hand-written input in one box (`config: FRAGMENT`), named
    // for its snapshot; the must-not cases are still captures.
    (
        written: ($input:ident: $text:expr, $case:literal),
        not: [$(($not:literal, $not_subset:ident)),* $(,)?] $(,)?
    ) => {
        use $crate::diagnose::rules::verify::{self, Subset};
        use $crate::input::Inputs;

        #[test]
        fn fires_on_the_written_case() {
            verify::verify_inputs(&super::INFO, Inputs { $input: Some($text), ..Default::default() }, true);
        }

        #[test]
        fn silent_where_it_does_not_apply() {
            verify::verify_not(&super::INFO, &[$(($not, Subset::$not_subset)),*]);
        }

        #[test]
        fn renders_its_findings() {
            verify::snapshot_inputs(&super::INFO, $case, Inputs { $input: Some($text), ..Default::default() });
        }
    };
}
pub(crate) use rule_tests;
