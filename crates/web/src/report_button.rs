//! "Copy report": the diagnosis as Markdown for a ticket or a chat, with a share link to
//! open it in the page. With "Redact first" on, the report is made from the redacted
//! inputs (the diagnosis stays the same, the quotes hold placeholders) and so is the link.

use std::rc::Rc;

use badgateway_core::view::markdown_report;
use badgateway_core::{Inputs, analyze};
use yew::prelude::*;

use crate::copy_button::use_copy;
use crate::input_text::InputText;
use crate::share_panel::make_link;
use crate::state::Outcome;

#[derive(Properties, PartialEq)]
pub struct ReportButtonProps {
    pub inputs: [InputText; 3],
    pub outcome: Rc<Outcome>,
    pub redact: bool,
}

#[function_component(ReportButton)]
pub fn report_button(props: &ReportButtonProps) -> Html {
    let (copied, copy) = use_copy();
    let onclick = {
        let [config, listeners, log] = props.inputs.clone();
        let (outcome, redact) = (props.outcome.clone(), props.redact);
        Callback::from(move |_: MouseEvent| {
            let (config, listeners, log, outcome, copy) =
                (config.clone(), listeners.clone(), log.clone(), outcome.clone(), copy.clone());
            yew::platform::spawn_local(async move {
                let mut report = if redact {
                    let r = badgateway_core::redact::redact(&config, &listeners, &log);
                    let analysis = analyze(Inputs {
                        config: Some(r.config.as_bytes()),
                        listeners: Some(r.listeners.as_bytes()),
                        log: Some(r.log.as_bytes()),
                    });
                    markdown_report(&analysis.views(), &analysis.summaries())
                } else {
                    markdown_report(&outcome.findings, &outcome.summaries)
                };
                let (link, _) = make_link(&config, &listeners, &log, redact).await;
                let redacted = if redact { ", redacted" } else { "" };
                report.push_str(&format!("\nOpen these inputs in badgateway{redacted}: {link}\n"));
                copy.emit(report);
            });
        })
    };
    html! {
        <button type="button" class={classes!(copied.then_some("copied"))} {onclick} data-testid="copy-report">
            { if copied { "Copied" } else { "Copy report" } }
        </button>
    }
}
