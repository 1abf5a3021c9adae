use crate::diagnose::Findings;
use std::net::IpAddr;

use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::listeners::{KubeEndpoints, KubePod, KubeService, ListenerReport};

use super::super::evidence::{cite_events, endpoint_text, target_place};
use super::super::facts::{EndpointAddr, Facts, literal_ips};

declare_rule! {
    /// ## What it detects
    /// nginx forwards to a Kubernetes Service (by its name: `api`, `api.shop`,
    /// `api.shop.svc.cluster.local`, or by its ClusterIP from `kubectl get svc`) and
    /// `kubectl get endpoints` (or `endpointslices`) in the listeners paste shows it with no
    /// address at all (`<none>`, `<unset>`): no pod of the service is ready. The pods named
    /// like the service (`api-5f6c…`) in `kubectl get pods` are cited with their state
    /// (`CrashLoopBackOff`, `Pending`, `0/1`). Not captured here (no cluster on this machine):
    /// the tests use a hand-written kubectl paste in kubectl's own layout.
    ///
    /// ## Why it causes a 502
    /// A Service only forwards to ready pods. With none, kube-proxy rejects connections to its
    /// ClusterIP (refused), and a headless name resolves to nothing, so nginx cannot connect
    /// and clients get **502 Bad Gateway** (ingress-nginx answers 503 itself when it sees
    /// the empty endpoints first).
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://api.shop.svc.cluster.local:8000; }
    /// ```
    /// ```text
    /// $ kubectl get endpoints
    /// NAME   ENDPOINTS   AGE
    /// api    <none>      2d
    /// ```
    ///
    /// ## Fix
    /// Find why no pod is ready: `kubectl get pods -l SELECTOR` (the service's selector from
    /// `kubectl get svc -o wide`), `kubectl describe pod POD` (events: image pulls,
    /// scheduling, failing readiness probes), `kubectl logs POD --previous` for a crash loop.
    /// When the pods run but are not selected, the Service's selector does not match their
    /// labels; when they are not ready, their readiness probe fails (port or path wrong).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/service/
    /// - https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/
    code: BG216,
    name: "service-has-no-ready-endpoints",
    title: "the Kubernetes Service has no ready endpoints",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(report) = facts.listeners else { return };
    if report.kube_endpoints.is_empty() {
        return;
    }
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { host, ips, .. } = &endpoint.addr else { continue };
        let ips: Vec<IpAddr> = if ips.is_empty() { literal_ips(host) } else { ips.clone() };
        let Some((service, namespace)) = service_named(report, host, &ips) else { continue };
        let entries: Vec<&KubeEndpoints> = report
            .kube_endpoints
            .iter()
            .filter(|e| {
                e.belongs_to(&service) && same_namespace(e.namespace.as_deref(), namespace.as_deref())
            })
            .collect();
        let Some(first) = entries.first() else { continue };
        if !entries.iter().all(|e| e.is_empty()) {
            continue;
        }
        let failures = facts.events_for(endpoint);
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let pods: Vec<&KubePod> = report.kube_pods.iter().filter(|p| named_like(&p.name, &service)).collect();
        let mut message = format!(
            "In {place}, nginx forwards requests to {target}, the Kubernetes Service {service}, and the pasted \
             endpoints show it with no address: no pod of {service} is ready, so nothing takes the connection and \
             clients get 502 Bad Gateway."
        );
        if !pods.is_empty() {
            let shown: Vec<String> = pods
                .iter()
                .take(3)
                .map(|p| match p.ready {
                    Some((r, n)) => format!("{} ({}, {r}/{n} ready)", p.name, p.status),
                    None => format!("{} ({})", p.name, p.status),
                })
                .collect();
            message.push_str(&format!(" Its pods, by their names: {}.", shown.join(", ")));
        } else {
            message.push_str(
                " No pod named like the service is in the paste: none may exist, or the Service's selector does \
                 not match the pods' labels.",
            );
        }
        let mut f = Finding::new(
            INFO.code,
            Severity::Error,
            format!("Service {service} has no ready endpoints: no pod behind it is ready"),
        )
        .message(message)
        .confidence(if failures.is_empty() { 80 } else { 92 })
        .status(502)
        .label(Label::primary(InputKind::Listeners, first.range, format!("{service}: no endpoints")))
        .label(Label::secondary(
            InputKind::Config,
            endpoint.range,
            format!("nginx connects to {target}"),
        ));
        for p in pods.iter().take(3) {
            f = f.label(Label::secondary(InputKind::Listeners, p.range, format!("{}: {}", p.name, p.status)));
        }
        for g in &failures {
            f = cite_events(f, g, &format!("connection to {target} failed"));
        }
        let ns = namespace.as_deref().map(|n| format!(" -n {n}")).unwrap_or_default();
        let pod = pods.first().map_or("POD", |p| p.name.as_str());
        out.push(f.fix(Fix::display_only(format!("make a pod of {service} ready")).with_commands(vec![
            Command::new(
                "the service's selector, and the pods it selects",
                format!("kubectl get svc {service}{ns} -o wide; kubectl get pods{ns} -o wide --show-labels"),
            ),
            Command::new(
                "why the pod is not ready (events: probes, scheduling, image pulls)",
                format!("kubectl describe pod {pod}{ns}"),
            ),
            Command::new(
                "the last run's log, for a crash loop",
                format!("kubectl logs {pod}{ns} --previous --tail 50"),
            ),
        ])));
    }
}

/// The service a target names: by its ClusterIP, or by its DNS name (`api`, `api.shop`,
/// `api.shop.svc`, `api.shop.svc.cluster.local`), with the namespace the name gives.
fn service_named(report: &ListenerReport, host: &str, ips: &[IpAddr]) -> Option<(String, Option<String>)> {
    let by_ip = |s: &&KubeService| s.cluster_ip.is_some_and(|c| ips.contains(&c));
    if let Some(s) = report.kube_services.iter().find(by_ip) {
        return Some((s.name.clone(), s.namespace.clone()));
    }
    if !ips.is_empty() || host.is_empty() || host.starts_with('$') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let bare = host.strip_suffix(".cluster.local").unwrap_or(&host);
    let bare = bare.strip_suffix(".svc").unwrap_or(bare);
    let mut parts = bare.split('.');
    let name = parts.next()?.to_string();
    let namespace = parts.next().map(str::to_string);
    if parts.next().is_some() {
        return None;
    }
    // A bare name must be a Service of the paste (an upstream or compose name is not).
    let listed = report.kube_services.iter().any(|s| s.name == name)
        || report.kube_endpoints.iter().any(|e| e.belongs_to(&name));
    listed.then_some((name, namespace))
}

fn same_namespace(shown: Option<&str>, named: Option<&str>) -> bool {
    match (shown, named) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// A Deployment's pods are `NAME-<replicaset hash>-<5 chars>`, a StatefulSet's `NAME-<n>`.
fn named_like(pod: &str, service: &str) -> bool {
    pod.strip_prefix(service).and_then(|r| r.strip_prefix('-')).is_some_and(|r| !r.is_empty())
}
