use crate::diagnose::Findings;
use std::net::{IpAddr, Ipv4Addr};

use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::{ClientStatus, EventGroup, EventKind};

use super::super::container;
use super::super::evidence::{
    cite_events, endpoint_text, listener_address, listener_text, paste_listeners, target_place,
    unnamed_listener_check,
};
use super::super::facts::{
    Endpoint, EndpointAddr, Facts, Locality, TcpReach, UnixReach, looks_like_container,
};

declare_rule! {
    /// ## What it detects
    /// Nothing listens on the address and port nginx sends requests to, and no
    /// application server listens anywhere else on the host either: the backend is not
    /// running (it crashed, failed to start, or was never started). Not when the log shows
    /// the connection never reached a host (`101: Network is unreachable`, `113: No route to
    /// host`, `13: Permission denied` to an address that is not loopback): BG207 explains those.
    /// Nor when a firewall rule of the paste stops connections to an address that is not
    /// loopback: a REJECT's refusal (`111`) looks like a closed port (lab capture
    /// `firewall-remote-reject`: `-A OUTPUT -d 10.96.0.7/32 ... -j REJECT`, 111 at once), and
    /// BG207 names the rule.
    ///
    /// Listeners the table does not name (`ss -tln`, or `ss -tlnp` without root) on ports no
    /// infrastructure uses may be the backend on the wrong port: they lower the confidence
    /// below 80 and are cited with the check that decides (`sudo ss -tlnp`); they are never
    /// taken for the backend (lab capture `backend-down-unnamed-listeners`: a python
    /// http.server on another port and listeners on 6379 and 9100, the backend down).
    ///
    /// A listener table describes the host it ran on only. It is used for addresses of that
    /// host: loopback, an address a listener in the table or nginx's own `listen` binds, or
    /// one a pasted `ip addr` / `ip -br addr` / `hostname -I` / `ifconfig` lists. Any other
    /// address (another VM, a container's `172.17.0.2`, a load balancer) may be another
    /// machine, whose sockets the table cannot show, so the table alone proves nothing there
    /// and this rule stays silent. With the log's `111: Connection refused` naming such an
    /// address, it reports that **that host** refuses the port (nothing listens there, or a
    /// firewall there rejects), and the checks to make on that host: `ssh HOST ss -tlnp`,
    /// `curl -v` and `nc -zv` from nginx's host, `docker ps` for a container's address
    /// (lab capture: a backend host in another network namespace with nothing on the port,
    /// `connect() failed (111: Connection refused) ... upstream: "http://10.95.0.7:19461/"`, 502).
    ///
    /// One server of an `upstream {}` group down while the others answer (the table shows them
    /// listening, or nginx passed the refused requests on): the finding names that member and is
    /// a warning while clients get answers. nginx skips it for `fail_timeout` after `max_fails`
    /// failures and retries on the next server; 502s come when the retry fails too or retries
    /// are off, and "no live upstreams" once the others fail as well (lab capture
    /// `upstream-member-down`: 111 to 127.0.0.1:19712 and `upstream server temporarily
    /// disabled`, gunicorn on 19711 answering, 200 x4). A server marked `down` is never
    /// connected to, so it is never reported here.
    ///
    /// ## Why it causes a 502
    /// Every `connect()` nginx makes is refused (`111: Connection refused`). With no
    /// response to relay, nginx answers **502 Bad Gateway**.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// $ sudo ss -tlnp          # nothing on :8000, no app server at all
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Start the backend and find out why it stopped: `sudo systemctl status myapp`,
    /// `sudo journalctl -u myapp -n 50`. Then check that it listens where nginx connects:
    /// `sudo ss -tlnp | grep :8000`. For a backend on another host, do that there
    /// (`ssh 10.0.0.7 'sudo ss -tlnp | grep :8000'`): it must listen on an address nginx
    /// can reach (`0.0.0.0:8000` or that host's own address, not its `127.0.0.1`), and its
    /// firewall must let nginx's host in. For a container, `docker ps` shows whether it
    /// runs and which ports it publishes.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    /// - https://www.freedesktop.org/software/systemd/man/systemctl.html
    code: BG201,
    name: "nothing-listens-on-target",
    title: "backend not running: nothing listens where nginx connects",
    explains: [NothingListens],
    suppressed_by: [(BG207, SameTarget)],
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    if facts.config.is_none() {
        log_only(facts, out);
        return;
    }
    for endpoint in &facts.endpoints {
        if let EndpointAddr::Unix { path } = &endpoint.addr {
            stale_socket(facts, endpoint, path, out);
            continue;
        }
        let EndpointAddr::Tcp { host, port, ips } = &endpoint.addr else { continue };
        let reach = facts.tcp_reach(endpoint);
        let refused: Vec<_> = facts.refused_for(endpoint);
        // A table run inside the target's container shows the app on its own 127.0.0.1: the
        // app runs, bound where nginx cannot reach (the bound-elsewhere rule says so).
        let refused_at = refused.first().and_then(|g| refused_ip(g)).or_else(|| ips.first().copied());
        if container::listens_on_own_loopback(facts, host, refused_at, *port).is_some()
            || facts
                .refused_at_resolved(endpoint)
                .first()
                .and_then(|g| refused_ip(g))
                .is_some_and(|ip| container::listens_on_own_loopback(facts, host, Some(ip), *port).is_some())
        {
            continue;
        }
        // Multicast and broadcast addresses are no host's: no listener table can say what is there.
        if !ips.is_empty() && ips.iter().all(|ip| not_a_host(*ip)) {
            continue;
        }
        // Not known to be nginx's host: only the log can say that connections are refused there.
        if !ips.is_empty() && !facts.endpoint_is_local(endpoint) {
            if let Some(first) = refused.first()
                && let Some(ip) = refused_ip(first).or_else(|| ips.first().copied())
            {
                out.push(refused_elsewhere(facts, Some(endpoint), ip, *port, &refused));
            }
            continue;
        }
        // A name whose address the paste does not show (a compose service, say): the log's
        // refusals name the address it had, and when that is not this host's the table
        // cannot speak for it either.
        let loopback = !ips.is_empty() && ips.iter().all(|ip| ip.to_canonical().is_loopback());
        // A running container exposes the port without publishing it: the container rule says so.
        if loopback
            && container::nginx_loopback_is_the_table_s(facts)
            && container::exposed_not_published(facts, *port).is_some()
        {
            continue;
        }
        // The table shows a listener where nginx was refused: it is not nginx's loopback.
        if loopback
            && let TcpReach::Listening(found) = &reach
            && refused.iter().any(|g| decided_the_status(g))
            // The refused address is one the listener takes (not the [::1] of a localhost
            // that also means 127.0.0.1, where the backend listens: the family rule's case).
            && let Some(first) = found.iter().filter_map(|&i| facts.listener(i)).find(|l| {
                refused.iter().filter_map(|g| refused_ip(g)).any(|ip| l.accepts(ip, *port))
            })
            && let Some(finding) = table_is_not_nginx_s(facts, endpoint, first, &refused)
        {
            out.push(finding);
            continue;
        }
        let at_resolved = facts.refused_at_resolved(endpoint);
        if let Some(ip) = at_resolved.first().and_then(|g| refused_ip(g))
            && !facts.is_local(ip)
        {
            out.push(refused_elsewhere(facts, Some(endpoint), ip, *port, &at_resolved));
            continue;
        }
        let proven_by_table = reach == TcpReach::Nothing;
        // Refusals nginx passed on to another server that answered do not show a dead backend.
        let only_log = reach == TcpReach::Unknown
            && refused.iter().any(|g| decided_the_status(g))
            && facts.listeners.is_none();
        if !proven_by_table && !only_log {
            continue;
        }
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        // Unnamed listeners elsewhere (no process column): the backend may be one of them.
        let unnamed: Vec<_> = if proven_by_table {
            facts.unnamed_candidates(endpoint).into_iter().filter_map(|i| facts.listener(i)).collect()
        } else {
            Vec::new()
        };
        let confidence = match (proven_by_table, refused.is_empty()) {
            (true, false) if unnamed.is_empty() => 95,
            (true, true) if unnamed.is_empty() => 80,
            (true, false) => 75,
            (true, true) => 60,
            (false, _) => 60,
        };
        let mut message = format!(
            "In {place}, nginx forwards requests to {target}, but nothing listens there, so the connection is \
             refused and clients get 502 Bad Gateway."
        );
        if proven_by_table && unnamed.is_empty() {
            message.push_str(" The listener table shows no application server on any other port either: the backend is not running.");
        } else if proven_by_table {
            message.push_str(&format!(
                " The listener table names no application server of the kind {} speaks to on any other port, so \
                 the backend is most likely not running. It does not name the process of {} (ss without root, \
                 netstat without -p, print no process column): if that is your backend, nginx connects to the \
                 wrong port instead.",
                endpoint.kind.directive(),
                unnamed_list(&unnamed)
            ));
        } else {
            message.push_str(" Without the listener table it is not yet proven whether the backend is down or listening somewhere else.");
        }
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("nothing listens on {target}: the backend is not running"),
        )
        .message(message)
        .confidence(confidence)
        .status(502)
        .label(Label::primary(
            InputKind::Config,
            endpoint.range,
            format!("nginx connects to {target}"),
        ));
        for group in &refused {
            finding = cite_events(finding, group, &format!("connection to {target} refused"));
        }
        if !proven_by_table {
            finding = finding.next_step(paste_listeners());
        }
        for l in unnamed.iter().take(3) {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                l.addr_range,
                "no process named: is this the backend?",
            ));
        }
        if let Some(first) = unnamed.first().and_then(|l| l.port) {
            finding = unnamed_listener_check(finding, first);
        }
        finding = service_evidence(facts, finding);
        if let EndpointAddr::Tcp { host, .. } = &endpoint.addr {
            finding = probe_evidence(facts, host, *port, finding);
        }
        finding = finding.fix(start_backend(*port));
        finding = one_server_of_a_group(facts, endpoint, &refused, finding);
        // Only the log spoke (a listener table would be the container's or the host's).
        if only_log
            && let Some(ip) =
                ips.first().copied().filter(|ip| ips.iter().all(IpAddr::is_loopback) && ip.is_loopback())
            && let Some(why) = container::nginx_in_container(facts)
        {
            finding = container::own_loopback(finding, ip, *port, why);
        }
        out.push(finding);
    }
}

/// `the listener on 127.0.0.1:8001`, `the listeners on 127.0.0.1:8001, 0.0.0.0:9000 and 2 more`.
/// nginx was refused at a loopback address where the pasted table shows a listener: the table
/// comes from another network namespace than nginx's (nginx in a container, the table from
/// the host), or the backend started after those log lines. With evidence that nginx runs in
/// a container, it is nginx's own loopback; without it, both are said. Nothing when the table
/// shows nginx's own listening sockets too (then it is nginx's namespace: the backend restarted).
fn table_is_not_nginx_s(
    facts: &Facts<'_>,
    endpoint: &Endpoint,
    listener: &crate::listeners::Listener,
    refused: &[&EventGroup],
) -> Option<Finding> {
    let report = facts.listeners?;
    let in_container = container::nginx_in_container(facts);
    if in_container.is_none() && report.listeners.iter().any(|l| facts.is_nginx(l)) {
        return None;
    }
    let EndpointAddr::Tcp { port, ips, .. } = &endpoint.addr else { return None };
    let ip = refused.first().and_then(|g| refused_ip(g)).or_else(|| ips.first().copied())?;
    let target = endpoint_text(endpoint);
    let place = target_place(facts, endpoint);
    let shown = listener_text(listener);
    let mut finding = Finding::new(
        INFO.code,
        Severity::Error,
        format!("nothing listens on {target} where nginx runs, though the pasted table shows {shown}"),
    )
    .message(format!(
        "In {place}, nginx forwards requests to {target}, and its connections are refused, so clients get 502 Bad          Gateway, while the pasted listener table shows {shown}. The table was not taken where nginx runs: it does          not show nginx's own listening sockets either. Most likely nginx runs in a container (or another network          namespace) and the table is the host's: there {target} is nginx's own container, where nothing listens.          Less likely, the backend was started after these log lines (then a new request succeeds)."
    ))
    .confidence(60)
    .status(502)
    .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")))
    .label(Label::secondary(InputKind::Listeners, listener.addr_range, "this socket is not in nginx's network namespace"));
    for group in refused {
        finding = cite_events(finding, group, &format!("connection to {target} refused"));
    }
    finding = finding.fix(start_backend(*port)).next_step(Command::new(
        "where does nginx run? (a container shows up here, with its published ports)",
        "docker ps --format 'table {{.Names}}\t{{.Image}}\t{{.Ports}}'",
    ));
    Some(match in_container {
        Some(why) => {
            let mut f = container::own_loopback(finding, ip, *port, why);
            if listener.processes.iter().any(|p| p.name == "docker-proxy") {
                f = f.note(format!(
                    "The host's {shown} is docker-proxy: another container publishes port {port} on the host. From                      nginx's container, reach it by its service name on a shared network (`http://SERVICE:{port}`),                      or by the host as `host.docker.internal:{port}`."
                ));
            }
            f
        }
        None => finding,
    })
}

fn unnamed_list(listeners: &[&crate::listeners::Listener]) -> String {
    let mut shown: Vec<String> = listeners.iter().take(3).map(|l| listener_address(l)).collect();
    if listeners.len() > 3 {
        shown.push(format!("{} more", listeners.len() - 3));
    }
    match shown.split_last() {
        Some((last, [])) => format!("the listener on {last}"),
        Some((last, rest)) => format!("the listeners on {} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Some line of the group failed its request: nginx did not pass it on to another server
/// that answered (`upstream server temporarily disabled` after a first failure).
fn decided_the_status(group: &EventGroup) -> bool {
    group.statuses.iter().any(|s| s.code().is_some_and(|c| c >= 500))
}

fn not_a_host(ip: IpAddr) -> bool {
    ip.is_multicast() || ip == IpAddr::V4(Ipv4Addr::BROADCAST)
}

/// A unix socket file that exists while nothing listens on it: the backend exited (or
/// crashed) without removing it. `connect()` to it is refused.
fn stale_socket(facts: &Facts<'_>, endpoint: &Endpoint, path: &str, out: &mut Findings) {
    let refused: Vec<_> = facts.refused_for(endpoint);
    let reach = facts.unix_reach(endpoint);
    let file = match reach {
        UnixReach::Stale(i) => facts.listeners.and_then(|l| l.socket_files.get(i)),
        UnixReach::Unknown if !refused.is_empty() => None,
        _ => return,
    };
    let place = target_place(facts, endpoint);
    let mut finding = Finding::new(
        INFO.code,
        Severity::Error,
        format!("nothing listens on unix:{path}: the socket file is left over, the backend is not running"),
    )
    .message(format!(
        "In {place}, nginx connects to the unix socket {path}. The socket file exists, but no process \
         listens on it (the backend exited or crashed without removing it), so the connection is refused and \
         clients get 502 Bad Gateway."
    ))
    .confidence(match (file.is_some(), refused.is_empty()) {
        (true, false) => 95,
        (true, true) => 82,
        _ => 75,
    })
    .status(502)
    .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to unix:{path}")));
    if let Some(f) = file {
        finding = finding.label(Label::secondary(
            InputKind::Listeners,
            f.range,
            "the socket file exists, but no process listens on it (not in ss -xlp)",
        ));
    }
    for group in &refused {
        finding = cite_events(finding, group, &format!("connection to unix:{path} refused"));
    }
    if file.is_none() {
        finding =
            finding.next_step(Command::new("paste the unix sockets that are listening", "sudo ss -xlp"));
    }
    finding = service_evidence(facts, finding);
    finding = finding.fix(
        Fix::display_only("start the backend (it recreates its socket), and find out why it stopped")
            .with_commands(vec![
                Command::new("see which services failed, and why", "sudo systemctl --failed"),
                Command::new(
                    "read the backend's last log lines (name your service)",
                    "sudo journalctl -u myapp -n 50 --no-pager",
                ),
                Command::new(
                    "after starting it, check that it listens on the socket",
                    format!("sudo ss -xlp | grep '{path}'"),
                ),
            ]),
    );
    out.push(finding);
}

/// `systemctl status` of a failed or stopped service proves the backend is down and says why.
fn service_evidence(facts: &Facts<'_>, mut finding: Finding) -> Finding {
    for down in facts.services_down() {
        let (unit, active) = (down.unit, down.active);
        let why = down.exit_reason.map(|r| format!(" ({r})")).unwrap_or_default();
        finding = finding
            .label(Label::secondary(InputKind::Listeners, down.range, format!("{unit} is {active}{why}")))
            .note(format!(
                "systemctl shows {unit} {active}{why}: read why with `sudo journalctl -u {unit} -n 50 --no-pager`."
            ));
        finding.confidence = finding.confidence.saturating_add(3).min(99);
        // The journal lines systemctl printed with it say why (the last few).
        for range in down.journal.iter().rev().take(3).rev() {
            finding =
                finding.label(Label::secondary(InputKind::Listeners, *range, format!("{unit} logged this")));
        }
    }
    finding
}

/// `curl`/`telnet` to the address nginx uses: refused confirms; connected means the
/// backend is up now (it was down when nginx logged, or it came back since).
fn probe_evidence(facts: &Facts<'_>, host: &str, port: u16, mut finding: Finding) -> Finding {
    for probe in facts.direct_probes(host, port) {
        let (target, range) = (probe.target, &probe.range);
        if probe.connected {
            finding = finding.note(format!(
                "But a direct connection to {target} works: the backend is up now. It was down when nginx \
                 logged, or nginx connects to another address than the one probed (check `getent hosts {host}`)."
            ));
            finding.confidence = finding.confidence.saturating_sub(30);
        } else {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                *range,
                format!("connecting to {target} directly fails too"),
            ));
        }
    }
    finding
}

/// The address a refused connection went to, from the log line.
fn refused_ip(group: &EventGroup) -> Option<IpAddr> {
    group.event.upstream.as_ref().and_then(|u| u.host().parse::<IpAddr>().ok())
}

/// Connections to an address that is not known to be nginx's host are refused: that host
/// answers, and nothing listens on the port there (or its firewall rejects). The listener
/// table pasted here cannot say more, so the finding sends the user to that host.
fn refused_elsewhere(
    facts: &Facts<'_>,
    endpoint: Option<&Endpoint>,
    ip: IpAddr,
    port: u16,
    refused: &[&EventGroup],
) -> Finding {
    let host = if ip.is_ipv6() { format!("[{ip}]") } else { ip.to_string() };
    let target = endpoint.map_or_else(|| format!("{host}:{port}"), endpoint_text);
    let decided = refused.iter().any(|g| decided_the_status(g));
    let who = match endpoint {
        Some(e) => format!("In {}, nginx forwards requests to {target}, and", target_place(facts, e)),
        None => format!("nginx connects to {target}, and"),
    };
    let outcome = if decided {
        "so clients get 502 Bad Gateway"
    } else {
        "and nginx passed the requests on to another server of the upstream"
    };
    let mut message = format!(
        "{who} its connections are refused (111: Connection refused), {outcome}. A refusal is an answer: the \
         machine at {ip} is up, but nothing listens on port {port} there (the backend is stopped, listens on \
         another port, or only on that machine's own 127.0.0.1), or a firewall there rejects the \
         connection."
    );
    let locality = facts.locality(ip);
    match locality {
        Locality::NotLocal => message.push_str(&format!(
            " {ip} is not an address of this host (the pasted address listing does not show it), so the \
             listener table pasted here cannot show what listens there: the check has to be made on {ip}."
        )),
        _ if facts.listeners.is_some() => message.push_str(&format!(
            " {ip} is not known to be an address of this host (it is not loopback, and neither a listener in \
             the table nor nginx's `listen` binds it), so the listener table pasted here cannot show what \
             listens there: the check has to be made on the machine that has {ip}."
        )),
        _ => message.push_str(&format!(" The check has to be made on the machine that has {ip}.")),
    }
    let mut finding = Finding::new(
        INFO.code,
        if decided { Severity::Error } else { Severity::Warning },
        format!("{host} refuses connections on port {port}: nothing listens there, or a firewall rejects"),
    )
    .message(message)
    // A refusal alone does not tell a closed port from a firewall's REJECT (lab:
    // `firewall-remote-reject` and `remote-backend-down` log the same line): below 80.
    .confidence(if decided { 75 } else { 65 });
    if decided {
        finding = finding.status(502);
    }
    match endpoint {
        Some(e) => {
            finding = finding.label(Label::primary(
                InputKind::Config,
                e.range,
                format!("nginx connects to {target}"),
            ));
        }
        None => {
            if let Some(range) = refused.first().and_then(|g| g.event.upstream_range) {
                finding = finding.label(Label::primary(
                    InputKind::Log,
                    range,
                    format!("nginx connected to {target}"),
                ));
            }
        }
    }
    for group in refused {
        finding = cite_events(finding, group, &format!("{host} refused the connection"));
    }
    if locality == Locality::Unknown {
        if facts.listeners.is_some() {
            // What the table would say if the address were this host's after all.
            let here: Vec<_> = facts.tcp_on_port(port).filter(|(_, l)| !facts.is_nginx(l)).collect();
            let hint = match here.iter().find(|(_, l)| !l.accepts(ip, port)) {
                // The wrong-address case (BG203) if the address is this host's.
                Some((_, l)) => format!(
                    " It shows {}: a socket bound to {} does not take connections to {ip}.",
                    listener_text(l),
                    l.bind.address_text().unwrap_or_default()
                ),
                None if here.is_empty() => format!(" It shows nothing on port {port}."),
                // A wildcard socket on the port would have taken the connection.
                None => String::new(),
            };
            finding = finding
                .note(format!(
                    "If {ip} is in fact this host's own address, the listener table applies.{hint}"
                ))
                .next_step(Command::new(
                    format!("is {ip} one of this host's addresses? (paste the output with the listeners)"),
                    "ip -br addr",
                ));
        } else {
            finding = finding.next_step(Command::new(
                format!(
                    "if {ip} may be this host's own address, paste what listens and this host's addresses"
                ),
                "sudo ss -tlnp; ip -br addr",
            ));
        }
    }
    let container = looks_like_container(ip);
    if container {
        finding = finding.note(format!(
            "{ip} is in 172.16.0.0/12, where Docker puts its networks by default: if it is a Docker container's \
             address, check that the container runs (`docker ps`), and that the app inside listens on \
             0.0.0.0:{port}, not on the container's own 127.0.0.1. A container gets a new address when it is \
             recreated: prefer a published port (`-p 127.0.0.1:{port}:{port}`, then `proxy_pass \
             http://127.0.0.1:{port}`) or its name on a shared network."
        ));
    }
    finding = probe_evidence(facts, &host, port, finding);
    let probes = [
        Command::new(
            "from nginx's host: make the connection nginx makes",
            format!("curl -v --connect-timeout 3 http://{host}:{port}/"),
        ),
        Command::new("from nginx's host: is the port open at all?", format!("nc -zv {ip} {port}")),
    ];
    // A container has no ssh: docker tells which one has the address, whether it runs, where
    // the app inside listens (0.0.0.0 or its own 127.0.0.1) and what it logged.
    let (summary, mut commands) = if container {
        (
            format!(
                "in the container at {ip}: start the app, listening on 0.0.0.0:{port} (not its own 127.0.0.1)"
            ),
            vec![
                Command::new(
                    "is the container running, and which ports does it publish?",
                    "docker ps -a --format 'table {{.Names}}\\t{{.Status}}\\t{{.Ports}}'",
                ),
                Command::new(
                    format!("which container has {ip}?"),
                    format!(
                        "docker network inspect -f '{{{{range .Containers}}}}{{{{.Name}}}} {{{{.IPv4Address}}}}{{{{println}}}}{{{{end}}}}' $(docker network ls -q) | grep '{ip}/'"
                    ),
                ),
                Command::new(
                    format!("inside it: does the app listen on port {port}, and on 0.0.0.0 or 127.0.0.1?"),
                    format!(
                        "docker exec CONTAINER sh -c 'ss -tlnp 2>/dev/null || netstat -tlnp' | grep ':{port}'"
                    ),
                ),
                Command::new(
                    "its last log lines (why it stopped, where it bound)",
                    "docker logs --tail 50 CONTAINER",
                ),
            ],
        )
    } else {
        (
            format!(
                "on {ip}: start the backend on port {port}, listening on an address nginx can reach, and let \
                 nginx's host through its firewall"
            ),
            vec![
                Command::new(
                    format!(
                        "on {ip}: does anything listen on port {port}, and on which address (127.0.0.1 there is out of reach)?"
                    ),
                    format!("ssh {ip} \"sudo ss -tlnp | grep ':{port}'\""),
                ),
                Command::new(
                    format!(
                        "on {ip}: does a firewall rule reject the port? (a cloud security group drops, it never refuses)"
                    ),
                    format!(
                        "ssh {ip} \"sudo iptables -S | grep -E 'REJECT|{port}'; sudo nft list ruleset | grep -iE 'reject|{port}'\""
                    ),
                ),
            ],
        )
    };
    commands.extend(probes);
    finding.fix(Fix::display_only(summary).with_commands(commands))
}

/// The endpoint is one server of an `upstream {}` group whose other servers answer (the table
/// shows them listening), or whose refusals nginx passed on to another server: one member is
/// down. Clients mostly get answers (nginx retries on the next server), so it is a warning
/// unless a refusal did fail a request; the finding says when it turns into 502s and "no live
/// upstreams", and names the member.
fn one_server_of_a_group(
    facts: &Facts<'_>,
    endpoint: &Endpoint,
    refused: &[&EventGroup],
    finding: Finding,
) -> Finding {
    let Some((index, _)) = endpoint.upstream_server else { return finding };
    let Some(upstream) = facts.config.and_then(|c| c.model().upstreams.get(index)) else { return finding };
    let members = facts.upstream_members(&upstream.name);
    let others: Vec<&Endpoint> =
        members.iter().copied().filter(|m| m.upstream_server != endpoint.upstream_server).collect();
    if others.is_empty() {
        return finding;
    }
    let answering: Vec<usize> = others
        .iter()
        .filter_map(|m| match facts.tcp_reach(m) {
            TcpReach::Listening(l) => l.first().copied(),
            _ => None,
        })
        .collect();
    // `proxy_next_upstream off`: nginx logs "temporarily disabled" but retries nothing, so each
    // refusal was a 502 (lab: upstream-member-down-no-retry, 200 502 200 200).
    let retries_off = facts
        .config
        .and_then(|c| c.model().targets.get(endpoint.target))
        .is_some_and(|t| t.effective.next_upstream.value.iter().any(|v| v == "off"));
    let decided = refused.iter().any(|g| decided_the_status(g)) || (retries_off && !refused.is_empty());
    let passed_on = !refused.is_empty() && !decided;
    // The others answer: the table shows them listening, or (without a table) the refusals were
    // passed on and no other server failed a request.
    let others_answer = if facts.listeners.is_some() {
        !answering.is_empty()
    } else {
        passed_on
            && !others.iter().any(|m| facts.refused_for(m).iter().any(|g| decided_the_status(g)))
            && facts.events_of(&EventKind::NoLiveUpstreams).next().is_none()
    };
    if !others_answer {
        // Every server is down: each gets its own finding, and "no live upstreams" follows.
        return finding;
    }
    let (name, n, target) = (&upstream.name, members.len(), endpoint_text(endpoint));
    let mut finding = finding;
    finding.title = format!("one of the {n} servers of {name} is down: nothing listens on {target}");
    let place = target_place(facts, endpoint);
    finding.message = format!(
        "In {place}, nginx sends requests to the {n} servers of upstream {name}. Nothing listens on {target}, one \
         of them, so connections to it are refused, while the others answer{}. After max_fails failures \
         (1 unless set) nginx skips {target} for fail_timeout (10 s unless set) and passes a request it failed \
         on to the next server, so most clients get answers while the log fills with refusals. Clients get 502 \
         when the retry fails too or retries are off (`proxy_next_upstream off`, or a request already sent), and \
         every request gets 502 with \"no live upstreams\" once the other servers fail as well.",
        if passed_on { " (nginx passed the refused requests on to them)" } else { "" }
    );
    if retries_off {
        finding.message.push_str(&format!(
            " Here retries are off (`proxy_next_upstream off`): every request nginx sends to {target} gets 502, \
             the others get answers: intermittent 502s."
        ));
    }
    if !decided {
        finding.severity = Severity::Warning;
        finding.status = None;
    }
    for &l in &answering {
        if let Some(listener) = facts.listener(l) {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                listener.addr_range,
                "another server of the group answers",
            ));
        }
    }
    finding = finding.note(format!(
        "Open-source nginx checks the servers of a group only passively (max_fails, fail_timeout): `server {target} \
         max_fails=3 fail_timeout=30s;` tunes it; an active health check needs nginx Plus (`health_check`) or a \
         module such as nginx_upstream_check_module (`check`). Until {target} is back, mark it `down` or take its \
         line out, so no request waits on it."
    ));
    if let Some(fix) = finding.fix.as_mut() {
        fix.insert_command(
            0,
            Command::new(
                format!("how often nginx failed on {target} (each line is a retry, or a 502)"),
                format!("sudo grep -c 'upstream: \"[a-z]*://{target}' /var/log/nginx/error.log"),
            ),
        );
    }
    finding
}

/// Only the log, a refusal nginx passed on to another server that answered (the line is
/// followed by "upstream server temporarily disabled", not by a 502): one server of an
/// upstream group is down, or listens elsewhere, and the others answer.
fn passed_on_refusal(facts: &Facts<'_>, group: &EventGroup, target: &str) -> Finding {
    let mut finding = Finding::new(
        INFO.code,
        Severity::Warning,
        format!("{target} refuses connections: one server of the upstream group is down"),
    )
    .message(format!(
        "nginx's connections to {target} are refused and nginx marked it failed (\"upstream server temporarily \
         disabled\"), with no 502 in the log for them: one server of an upstream group is down (or listens on \
         another port or address), and nginx passed those requests on to another server (the default, \
         `proxy_next_upstream error timeout`; with it off, each of them got 502). Clients mostly get answers, \
         but each refusal costs a retry, and they get 502 with \"no live upstreams\" once the other servers \
         fail as well. The listener table and the config tell whether nothing listens on {target} or the \
         backend listens elsewhere."
    ))
    .confidence(70);
    if let Some(range) = group.event.upstream_range {
        finding =
            finding.label(Label::primary(InputKind::Log, range, format!("nginx connected to {target}")));
    }
    finding = cite_events(finding, group, "connection refused, passed on to the next server");
    for g in facts
        .events_of(&EventKind::ServerTemporarilyDisabled)
        .filter(|g| g.event.upstream.as_ref().is_some_and(|u| u.target() == target))
        .take(2)
    {
        finding = cite_events(finding, g, &format!("{target} marked failed"));
    }
    finding
        .next_step(paste_listeners())
        .next_step(Command::new("paste the config, to see the upstream group", "sudo nginx -T"))
}

/// Only the log: every group of refused connections is a backend that is down or elsewhere.
fn log_only(facts: &Facts<'_>, out: &mut Findings) {
    let Some(log) = facts.log else { return };
    for group in log.groups.iter().filter(|g| g.event.kind == EventKind::ConnectRefused) {
        let Some(upstream) = &group.event.upstream else { continue };
        if let Some(ip) = refused_ip(group).filter(|ip| !facts.is_local(*ip))
            && !not_a_host(ip)
        {
            out.push(refused_elsewhere(facts, None, ip, upstream.port().unwrap_or(80), &[group]));
            continue;
        }
        if !decided_the_status(group) {
            // A refusal at ::1 passed on is most often `localhost` resolving to ::1 and 127.0.0.1 with a
            // backend on IPv4 only (lab: localhost-ipv6-first), not a group with a member down.
            let ipv6_loopback = refused_ip(group).is_some_and(|ip| ip.is_ipv6() && ip.is_loopback());
            // Another server answered only if no refusal failed a request and no group ran out of servers.
            let others_failed = log.groups.iter().any(|g| {
                g.event.kind == EventKind::NoLiveUpstreams
                    || (g.event.kind == EventKind::ConnectRefused && decided_the_status(g))
            });
            if group.statuses.contains(&ClientStatus::NotAnError) && !ipv6_loopback && !others_failed {
                out.push(passed_on_refusal(facts, group, upstream.target()));
            }
            continue;
        }
        let target = upstream.target();
        let mut finding = Finding::new(INFO.code, Severity::Error, format!("nothing listens on {target}"))
            .message(format!(
                "nginx's connections to {target} are refused: nothing listens there, so clients get 502 Bad \
                 Gateway. Either the backend is down, or it listens on another port or address. Paste the \
                 listener table and the config to tell which."
            ))
            .confidence(60)
            .status(502);
        if let Some(range) = group.event.upstream_range {
            finding =
                finding.label(Label::primary(InputKind::Log, range, format!("nginx connected to {target}")));
        }
        finding = cite_events(finding, group, "connection refused");
        finding = finding.next_step(paste_listeners()).next_step(Command::new(
            "paste the config, to see where this address comes from",
            "sudo nginx -T",
        ));
        finding = finding.fix(start_backend(upstream.port().unwrap_or(80)));
        if let Some(ip) = refused_ip(group).filter(IpAddr::is_loopback)
            && let Some(why) = container::nginx_in_container(facts)
        {
            finding = container::own_loopback(finding, ip, upstream.port().unwrap_or(80), why);
        }
        out.push(finding);
    }
}

fn start_backend(port: u16) -> Fix {
    Fix::display_only("start the backend, and find out why it stopped").with_commands(vec![
        Command::new("see which services failed, and why", "sudo systemctl --failed"),
        Command::new(
            "read the backend's last log lines (name your service)",
            "sudo journalctl -u myapp -n 50 --no-pager",
        ),
        Command::new(
            "after starting it, check that it listens where nginx connects",
            format!("sudo ss -tlnp | grep ':{port}'"),
        ),
    ])
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("backend-down-unnamed-listeners", All), ("backend-not-running", All), ("no-live-upstreams", All), ("backend-down-unnamed-listeners", ConfigListeners), ("backend-down-unnamed-listeners", Log)],
        not: [("healthy", All), ("connect-timeout", All), ("content-length-and-chunked", All), ("family-v4-backend", All), ("backend-down-unnamed-listeners", Config), ("backend-not-running", Config)],
        snapshot: ("backend-down-unnamed-listeners", All),
    }
}
