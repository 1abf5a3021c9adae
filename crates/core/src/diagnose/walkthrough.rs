//! The five steps every 502 guide walks, answered from the user's own evidence, and
//! "what I checked" when the findings cannot decide. Both are read off the facts (targets,
//! listener matches, log groups, probes), never off rule codes.

use serde::{Deserialize, Serialize};

use crate::input::{InputKind, Span, TextRange};
use crate::log::{EventKind, Phase};

use super::evidence::{endpoint_text, listener_address, listener_text, reload_commands, target_place};
use super::facts::{Endpoint, EndpointAddr, Facts, TcpReach, UnixReach, literal_ips};

/// The steps, in the order the guides give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Is the backend running and listening?
    BackendListening,
    /// What does the error log say?
    ErrorLog,
    /// Can nginx reach it (address, family, firewall, socket permissions)?
    Reachable,
    /// Does the config point there (the pass directive and its target)?
    ConfigPointsThere,
    /// Test and reload.
    TestAndReload,
}

impl StepKind {
    /// In the order of [`walkthrough`]'s steps.
    pub const ALL: [StepKind; 5] = [
        StepKind::BackendListening,
        StepKind::ErrorLog,
        StepKind::Reachable,
        StepKind::ConfigPointsThere,
        StepKind::TestAndReload,
    ];

    /// The question the step answers, as the guides ask it.
    pub fn question(self) -> &'static str {
        match self {
            StepKind::BackendListening => "Is the backend running and listening?",
            StepKind::ErrorLog => "What does the error log say?",
            StepKind::Reachable => "Can nginx reach it?",
            StepKind::ConfigPointsThere => "Does the config point there?",
            StepKind::TestAndReload => "Test and reload",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The evidence answers it (`evidence` says where).
    Answered,
    /// Nothing pasted answers it: run `command` and paste its output.
    Open,
    /// The question does not arise (no backend in the config).
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub step: StepKind,
    pub status: StepStatus,
    /// One sentence: what the evidence proves, or what is missing.
    pub says: String,
    pub evidence: Vec<Span>,
    /// The command to run next (and paste, when the step is open).
    pub command: Option<String>,
}

/// What was found for one target nginx connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetFound {
    ListenerMatched,
    NoListener,
    /// A listener on the port, bound to another address (or only the other family).
    ListenerOnAnotherAddress,
    /// Nothing on the port; a backend listens on another port.
    ListenerOnAnotherPort,
    /// Not one of this host's addresses: the table cannot tell.
    NotThisHost,
    SocketPresent,
    /// The socket file exists, nothing listens on it.
    SocketStale,
    SocketMissing,
    /// No listener table to look in (or a name that cannot be resolved offline).
    NotChecked,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedTarget {
    /// `127.0.0.1:8000`, `unix:/run/php/php-fpm.sock`.
    pub address: String,
    /// Where it was named: the config's pass directive or a log line's `upstream:`.
    pub named_in: Span,
    pub found: TargetFound,
    /// The listener rows that match (or are on the other address/port).
    pub listeners: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventCount {
    /// [`EventKind::name`]: `connect_refused`, `upstream_timed_out`...
    pub kind: &'static str,
    pub count: usize,
    /// The first line of the first group of this kind.
    pub first: Span,
}

/// "What I checked": shown when no finding is at error or warning level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub targets: Vec<CheckedTarget>,
    pub events: Vec<EventCount>,
    /// The one command to paste next: the first open step's, if any step is open.
    pub next: Option<Next>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Next {
    /// The open step the command answers.
    pub step: StepKind,
    /// Why, and where to run it (the step's own sentence).
    pub says: String,
    pub command: String,
}

/// Targets listed in [`Checked`]: a huge config has thousands, mostly the same few.
const MAX_CHECKED_TARGETS: usize = 20;

pub fn walkthrough(facts: &Facts<'_>) -> Vec<Step> {
    let targets = targets(facts);
    // The endpoint the steps follow: the first one something is wrong with, else the first.
    let chosen = targets
        .iter()
        .find(|(e, _)| !matches!(found(facts, e).0, TargetFound::ListenerMatched))
        .or(targets.first())
        .map(|(e, _)| e);
    vec![
        backend_listening(facts, chosen),
        error_log(facts),
        reachable(facts, chosen),
        config_points_there(facts, chosen),
        test_and_reload(facts),
    ]
}

pub fn checked(facts: &Facts<'_>, steps: &[Step]) -> Checked {
    let mut targets = Vec::new();
    for (endpoint, named_in) in self::targets(facts) {
        let address = endpoint_text(&endpoint);
        if targets.len() >= MAX_CHECKED_TARGETS {
            break;
        }
        if targets.iter().any(|t: &CheckedTarget| t.address == address) {
            continue;
        }
        let (found, rows) = found(facts, &endpoint);
        let listeners = rows
            .iter()
            .filter_map(|&i| facts.listener(i))
            .map(|l| Span::new(InputKind::Listeners, l.range))
            .collect();
        targets.push(CheckedTarget { address, named_in, found, listeners });
    }
    let mut events: Vec<EventCount> = Vec::new();
    for group in facts.log.map(|l| l.groups.as_slice()).unwrap_or_default() {
        let kind = group.event.kind.name();
        match events.iter_mut().find(|e| e.kind == kind) {
            Some(e) => e.count += group.count,
            None => events.push(EventCount {
                kind,
                count: group.count,
                first: Span::new(InputKind::Log, group.event.range),
            }),
        }
    }
    let next = steps
        .iter()
        .find(|s| s.status == StepStatus::Open)
        .and_then(|s| Some(Next { step: s.step, says: s.says.clone(), command: s.command.clone()? }));
    Checked { targets, events, next }
}

/// The config's endpoints, then the log's `upstream:` addresses no endpoint matches, each with
/// where it was named.
fn targets(facts: &Facts<'_>) -> Vec<(Endpoint, Span)> {
    let mut out: Vec<(Endpoint, Span)> =
        facts.endpoints.iter().map(|e| (e.clone(), Span::new(InputKind::Config, e.range))).collect();
    for group in facts.log.map(|l| l.groups.as_slice()).unwrap_or_default() {
        let Some(upstream) = &group.event.upstream else { continue };
        if facts.endpoint_of(group).is_some() {
            continue;
        }
        let addr = match (upstream.unix_path(), upstream.port()) {
            (Some(path), _) => EndpointAddr::Unix { path: path.to_string() },
            (None, Some(port)) => {
                let host = upstream.host().to_string();
                let ips = literal_ips(&host);
                EndpointAddr::Tcp { host, port, ips }
            }
            // An upstream group's name (`no live upstreams`): not an address.
            (None, None) => continue,
        };
        if out.iter().any(|(e, _)| e.addr == addr) {
            continue;
        }
        let endpoint = Endpoint {
            addr,
            target: usize::MAX,
            upstream_server: None,
            kind: badgateway_config::PassKind::Proxy,
            range: TextRange::new(0, 0),
            port_range: None,
            host_end: 0,
        };
        out.push((endpoint, Span::new(InputKind::Log, group.event.range)));
        if out.len() > 4 * MAX_CHECKED_TARGETS {
            break;
        }
    }
    out
}

/// What the listener table says about one endpoint, and the rows that say it.
fn found(facts: &Facts<'_>, endpoint: &Endpoint) -> (TargetFound, Vec<usize>) {
    match &endpoint.addr {
        EndpointAddr::Tcp { .. } => match facts.tcp_reach(endpoint) {
            TcpReach::Listening(rows) => (TargetFound::ListenerMatched, rows),
            TcpReach::OtherPort(rows) => (TargetFound::ListenerOnAnotherPort, rows),
            TcpReach::OtherAddress(rows) | TcpReach::OtherFamily(rows) => {
                (TargetFound::ListenerOnAnotherAddress, rows)
            }
            TcpReach::Nothing => (TargetFound::NoListener, Vec::new()),
            TcpReach::NotLocal => (TargetFound::NotThisHost, Vec::new()),
            TcpReach::Unknown => (TargetFound::NotChecked, Vec::new()),
        },
        EndpointAddr::Unix { .. } => match facts.unix_reach(endpoint) {
            UnixReach::Listening(rows) => (TargetFound::SocketPresent, rows),
            UnixReach::Stale(_) => (TargetFound::SocketStale, Vec::new()),
            UnixReach::Missing { listeners, .. } => (TargetFound::SocketMissing, listeners),
            UnixReach::Unknown => (TargetFound::NotChecked, Vec::new()),
        },
    }
}

fn step(
    step: StepKind,
    status: StepStatus,
    says: String,
    evidence: Vec<Span>,
    command: Option<&str>,
) -> Step {
    Step { step, status, says, evidence, command: command.map(str::to_string) }
}

const LISTENERS_COMMAND: &str = "sudo ss -tlnpx";
const LOG_COMMAND: &str = "sudo tail -n 50 /var/log/nginx/error.log";
const CONFIG_COMMAND: &str = "sudo nginx -T";

fn no_backend(kind: StepKind, facts: &Facts<'_>) -> Step {
    if facts.config.is_some() {
        step(
            kind,
            StepStatus::NotApplicable,
            "the config passes no request to a backend".into(),
            vec![],
            None,
        )
    } else {
        step(
            kind,
            StepStatus::Open,
            "no backend is known yet: the config names it".into(),
            vec![],
            Some(CONFIG_COMMAND),
        )
    }
}

fn backend_listening(facts: &Facts<'_>, endpoint: Option<&Endpoint>) -> Step {
    use StepStatus::{Answered, Open};
    let kind = StepKind::BackendListening;
    let Some(endpoint) = endpoint else { return no_backend(kind, facts) };
    let target = endpoint_text(endpoint);
    let (found, rows) = found(facts, endpoint);
    let first = rows.first().and_then(|&i| facts.listener(i));
    let rows_spans: Vec<Span> = rows
        .iter()
        .filter_map(|&i| facts.listener(i))
        .map(|l| Span::new(InputKind::Listeners, l.range))
        .take(3)
        .collect();
    let (status, says, command) = match (found, first) {
        (TargetFound::ListenerMatched | TargetFound::SocketPresent, Some(l)) => {
            (Answered, format!("{}, the address nginx connects to ({target})", listener_text(l)), None)
        }
        (TargetFound::ListenerOnAnotherPort, Some(l)) => {
            (Answered, format!("nothing listens on {target}; {} instead", listener_text(l)), None)
        }
        (TargetFound::ListenerOnAnotherAddress, Some(l)) => (
            Answered,
            format!("something listens on that port, but on {}, not on {target}", listener_address(l)),
            None,
        ),
        (TargetFound::NoListener | TargetFound::SocketMissing, _) => {
            (Answered, format!("nothing in the listener table listens on {target}"), None)
        }
        (TargetFound::SocketStale, _) => {
            (Answered, format!("the socket file of {target} exists, but no process listens on it"), None)
        }
        (TargetFound::NotThisHost, _) => (
            Open,
            format!(
                "{target} is not an address of the host the table ran on: run this on the backend's host"
            ),
            Some(LISTENERS_COMMAND),
        ),
        _ => (Open, format!("no listener table says what listens on {target}"), Some(LISTENERS_COMMAND)),
    };
    step(kind, status, says, if status == Answered { rows_spans } else { vec![] }, command)
}

fn error_log(facts: &Facts<'_>) -> Step {
    let kind = StepKind::ErrorLog;
    let Some(log) = facts.log else {
        return step(kind, StepStatus::Open, "no error log was pasted".into(), vec![], Some(LOG_COMMAND));
    };
    if log.groups.is_empty() {
        return step(
            kind,
            StepStatus::Answered,
            format!("the log ({} lines) has no upstream error", log.lines),
            vec![],
            None,
        );
    }
    let events: usize = log.groups.iter().map(|g| g.count).sum();
    let mut kinds: Vec<&'static str> = Vec::new();
    for g in &log.groups {
        if !kinds.contains(&g.event.kind.name()) {
            kinds.push(g.event.kind.name());
        }
    }
    let evidence = log.groups.iter().take(3).map(|g| Span::new(InputKind::Log, g.event.range)).collect();
    step(
        kind,
        StepStatus::Answered,
        format!("{events} upstream error line(s): {}", kinds.join(", ")),
        evidence,
        None,
    )
}

fn curl_command(facts: &Facts<'_>, endpoint: &Endpoint) -> String {
    match &endpoint.addr {
        EndpointAddr::Tcp { .. } => format!("curl -v http://{}/", endpoint_text(endpoint)),
        EndpointAddr::Unix { path } => {
            format!("sudo -u {} curl -v --unix-socket {path} http://localhost/", facts.worker_user().name)
        }
    }
}

fn reachable(facts: &Facts<'_>, endpoint: Option<&Endpoint>) -> Step {
    use StepStatus::{Answered, Open};
    let kind = StepKind::Reachable;
    let Some(endpoint) = endpoint else { return no_backend(kind, facts) };
    let target = endpoint_text(endpoint);
    let curl = curl_command(facts, endpoint);
    let groups = facts.events_for(endpoint);
    let connect = groups.iter().find(|g| {
        matches!(g.event.kind, EventKind::ConnectRefused | EventKind::ConnectFailed)
            || (g.event.kind == EventKind::UpstreamTimedOut && g.event.phase == Some(Phase::Connecting))
    });
    if let Some(g) = connect {
        let says = match (&g.event.kind, g.event.errno) {
            (EventKind::ConnectRefused, _) => {
                format!(
                    "connect() to {target} was refused: the host answered, nothing accepts on that address"
                )
            }
            (EventKind::ConnectFailed, Some(13)) => {
                format!("connect() to {target} was denied (13): the nginx worker may not open it")
            }
            (EventKind::ConnectFailed, Some(2)) => {
                format!("connect() to {target} failed (2): no such socket file")
            }
            (EventKind::ConnectFailed, Some(errno)) => {
                format!("connect() to {target} failed ({errno}): the network or a firewall refuses it")
            }
            (EventKind::ConnectFailed, None) => format!("connect() to {target} failed"),
            _ => format!(
                "connecting to {target} timed out: packets are dropped (a firewall, or a host that is down)"
            ),
        };
        return step(kind, Answered, says, vec![Span::new(InputKind::Log, g.event.range)], Some(&curl));
    }
    if let EndpointAddr::Tcp { host, port, .. } = &endpoint.addr
        && let Some(probe) = facts.direct_probes(host, *port).first()
    {
        let says = if probe.connected {
            format!("a probe from the pasted host connected to {target}")
        } else {
            format!("a probe of {target} failed: {}", probe.errno_text.unwrap_or("no connection"))
        };
        return step(kind, Answered, says, vec![Span::new(InputKind::Listeners, probe.range)], None);
    }
    if let Some(g) = groups.first() {
        return step(
            kind,
            Answered,
            format!(
                "nginx connected to {target}: the log's error ({}) came after connect()",
                g.event.kind.name()
            ),
            vec![Span::new(InputKind::Log, g.event.range)],
            None,
        );
    }
    let listening =
        matches!(found(facts, endpoint).0, TargetFound::ListenerMatched | TargetFound::SocketPresent);
    if listening && facts.log.is_some() {
        return step(
            kind,
            Answered,
            format!("it listens where nginx connects, and the log has no failed connect() to {target}"),
            vec![],
            None,
        );
    }
    step(
        kind,
        Open,
        format!("nothing pasted shows whether nginx's host can connect to {target}"),
        vec![],
        Some(&curl),
    )
}

fn config_points_there(facts: &Facts<'_>, endpoint: Option<&Endpoint>) -> Step {
    let kind = StepKind::ConfigPointsThere;
    if facts.config.is_none() {
        return step(kind, StepStatus::Open, "no config was pasted".into(), vec![], Some(CONFIG_COMMAND));
    }
    // The log's own targets (range 0..0) are not in the config.
    let Some(endpoint) = endpoint.filter(|e| e.target != usize::MAX).or(facts.endpoints.first()) else {
        return no_backend(kind, facts);
    };
    step(
        kind,
        StepStatus::Answered,
        format!(
            "{} in {} sends requests to {}",
            endpoint.kind.directive(),
            target_place(facts, endpoint),
            endpoint_text(endpoint)
        ),
        vec![Span::new(InputKind::Config, endpoint.range)],
        None,
    )
}

fn test_and_reload(facts: &Facts<'_>) -> Step {
    let kind = StepKind::TestAndReload;
    let reload = reload_commands().command;
    let error = facts.config.and_then(|c| c.diagnostics().iter().find(|d| d.code.is_error()));
    if let Some(d) = error {
        return step(
            kind,
            StepStatus::Answered,
            format!("nginx -t would fail: {}", d.message),
            vec![Span::new(InputKind::Config, d.range)],
            Some(&reload),
        );
    }
    if let Some(e) = facts.log.and_then(|l| l.config_errors.first()) {
        return step(
            kind,
            StepStatus::Answered,
            format!("nginx -t failed: {}", e.message),
            vec![Span::new(InputKind::Log, e.range)],
            Some(&reload),
        );
    }
    if facts.config.is_some() {
        return step(
            kind,
            StepStatus::Answered,
            "the config has nothing nginx -t would refuse; after a change, test and reload".into(),
            vec![],
            Some(&reload),
        );
    }
    step(kind, StepStatus::Open, "no config was pasted to test".into(), vec![], Some(&reload))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::unwrap_used)]
    use super::*;
    use crate::input::Inputs;

    const CONFIG: &str = "events {}\nhttp {\n  server {\n    listen 80;\n    location / {\n      proxy_pass http://127.0.0.1:8000;\n    }\n  }\n}\n";
    const REFUSED: &str = "2026/11/21 11:39:16 [error] 10275#10275: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"127.0.0.1\"\n";
    const LISTENING: &str = "$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      2048       127.0.0.1:8000      0.0.0.0:*    users:((\"gunicorn\",pid=7566,fd=5))\n";

    fn run(config: Option<&str>, listeners: Option<&str>, log: Option<&str>) -> (Vec<Step>, Option<Checked>) {
        let a = crate::analyze(Inputs {
            config: config.map(str::as_bytes),
            listeners: listeners.map(str::as_bytes),
            log: log.map(str::as_bytes),
        });
        (a.walkthrough, a.checked)
    }

    fn statuses(steps: &[Step]) -> Vec<StepStatus> {
        steps.iter().map(|s| s.status).collect()
    }

    #[test]
    fn the_config_alone_answers_where_it_points_and_leaves_the_rest_open() {
        use StepStatus::{Answered, Open};
        let (steps, _) = run(Some(CONFIG), None, None);
        assert_eq!(statuses(&steps), [Open, Open, Open, Answered, Answered]);
        assert_eq!(steps[0].command.as_deref(), Some("sudo ss -tlnpx"));
        assert_eq!(steps[1].command.as_deref(), Some("sudo tail -n 50 /var/log/nginx/error.log"));
        assert_eq!(steps[2].command.as_deref(), Some("curl -v http://127.0.0.1:8000/"));
        let pass = &steps[3].evidence[0];
        assert_eq!(pass.input, InputKind::Config);
        assert_eq!(pass.range.slice(CONFIG.as_bytes()), b"127.0.0.1:8000");
    }

    #[test]
    fn the_log_alone_answers_the_log_and_reach_and_names_its_upstream() {
        use StepStatus::{Answered, Open};
        let (steps, checked) = run(None, None, Some(REFUSED));
        assert_eq!(statuses(&steps), [Open, Answered, Answered, Open, Open]);
        assert!(steps[2].says.contains("refused"), "{}", steps[2].says);
        assert_eq!(steps[3].command.as_deref(), Some("sudo nginx -T"));
        // A refused connect is an error finding: nothing to "check" then.
        assert!(checked.is_none());
    }

    #[test]
    fn every_step_is_answered_with_all_three_inputs() {
        let (steps, _) = run(Some(CONFIG), Some(LISTENING), Some(REFUSED));
        assert!(steps.iter().all(|s| s.status == StepStatus::Answered), "{steps:#?}");
        assert_eq!(steps[0].evidence[0].input, InputKind::Listeners);
    }

    #[test]
    fn a_config_without_backends_makes_the_backend_steps_not_applicable() {
        use StepStatus::{Answered, NotApplicable, Open};
        let config = "events {}\nhttp {\n  server {\n    listen 80;\n    root /srv;\n  }\n}\n";
        let (steps, checked) = run(Some(config), None, None);
        assert_eq!(statuses(&steps), [NotApplicable, Open, NotApplicable, NotApplicable, Answered]);
        let checked = checked.unwrap();
        assert!(checked.targets.is_empty());
        assert_eq!(checked.next.unwrap().step, StepKind::ErrorLog);
    }

    #[test]
    fn what_i_checked_lists_each_target_and_what_listens_there() {
        let (_, checked) = run(Some(CONFIG), Some(LISTENING), Some(""));
        let checked = checked.unwrap();
        assert_eq!(checked.targets.len(), 1);
        assert_eq!(checked.targets[0].address, "127.0.0.1:8000");
        assert_eq!(checked.targets[0].found, TargetFound::ListenerMatched);
        assert_eq!(checked.targets[0].listeners.len(), 1);
        assert!(checked.events.is_empty());
    }
}
