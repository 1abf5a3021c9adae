//! Tests of the kubectl readers. No cluster runs here: the samples are written from
//! kubernetes `pkg/printers/internalversion/printers.go` (cell formats) and kubectl's
//! table layout; they test the parser, not a diagnosis.

use std::net::IpAddr;

use super::tests_docker::{collapse, unrecognized};
use super::*;

fn src() -> &'static [u8] {
    include_bytes!("../../../../tests/fixtures/listeners/handwritten/kubectl_get.txt")
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn check(src: &[u8], r: &ListenerReport) {
    assert!(unrecognized(src, r).is_empty(), "{:?}", unrecognized(src, r));
    let svc = |n: &str| r.kube_services.iter().find(|s| s.name == n).unwrap();
    let web = svc("web");
    assert_eq!(web.service_type.as_deref(), Some("NodePort"));
    assert_eq!(web.cluster_ip, Some(ip("10.104.12.7")));
    assert_eq!(
        web.ports,
        vec![
            ServicePort { port: 80, node_port: Some(31080), proto: "TCP".into() },
            ServicePort { port: 443, node_port: Some(31443), proto: "TCP".into() }
        ]
    );
    assert_eq!(web.selector.as_deref(), Some("app=web"));
    assert!(svc("edge").external_pending && svc("edge").external.is_empty());
    assert!(svc("db").headless && svc("db").cluster_ip.is_none());
    let legacy = svc("legacy");
    assert_eq!((legacy.external.clone(), legacy.ports.len()), (vec!["db.example.test".to_owned()], 0));
    assert_eq!(r.kube_services.len(), 6);

    let eps = |kind: EndpointsKind, n: &str| {
        r.kube_endpoints.iter().find(|e| e.kind == kind && e.belongs_to(n)).unwrap_or_else(|| panic!("{n}"))
    };
    for kind in [EndpointsKind::Endpoints, EndpointsKind::EndpointSlice] {
        let web = eps(kind, "web");
        assert_eq!((web.addresses.len(), web.more), (3, 1));
        assert_eq!(web.addresses[0].ip, ip("10.244.1.5"));
        assert!(!web.is_empty());
        // No ready pod behind `api`.
        assert!(eps(kind, "api").is_empty());
    }
    assert_eq!(eps(EndpointsKind::Endpoints, "web").addresses[1].port, Some(8080));
    assert_eq!(eps(EndpointsKind::EndpointSlice, "web").ports, vec![8080]);
    let db = eps(EndpointsKind::Endpoints, "db");
    assert_eq!((db.addresses[0].ip, db.addresses[0].port), (ip("fd00:10:244::7"), Some(5432)));
    assert!(!eps(EndpointsKind::EndpointSlice, "kubernetes").belongs_to("kube"));
    assert!(!eps(EndpointsKind::EndpointSlice, "web").belongs_to("we"));

    let pod = |n: &str| r.kube_pods.iter().find(|p| p.name == n).unwrap();
    let web = pod("web-7d4b9c8f6d-2xkzq");
    assert_eq!(
        (web.is_ready(), web.ip, web.node.as_deref()),
        (Some(true), Some(ip("10.244.1.5")), Some("node-1"))
    );
    let crash = pod("api-5f6c7d8e9f-8mnbv");
    assert_eq!(
        (crash.is_ready(), crash.status.as_str(), crash.restarts),
        (Some(false), "CrashLoopBackOff", Some(7))
    );
    let pending = pod("api-5f6c7d8e9f-tq4ls");
    assert_eq!((pending.ip, pending.node.as_deref(), pending.status.as_str()), (None, None, "Pending"));
    let formats: Vec<(Format, usize)> = r.sections.iter().map(|s| (s.format, s.rows)).collect();
    assert_eq!(
        formats,
        vec![
            (Format::KubeServices, 6),
            (Format::KubeEndpoints, 4),
            (Format::KubeEndpointSlices, 3),
            (Format::KubePods, 3)
        ]
    );
    // Nothing here is a socket of this host.
    assert!(r.listeners.is_empty());
}

#[test]
fn kubectl_tables_handwritten() {
    let r = parse(src());
    check(src(), &r);
}

#[test]
fn kubectl_tables_collapsed_spacing_handwritten() {
    let squashed = collapse(src());
    check(&squashed, &parse(&squashed));
}

#[test]
fn kubectl_old_columns_namespaces_and_get_all() {
    // kubectl 1.8 printed no TYPE; before 1.11 pods -o wide had no NOMINATED NODE; RESTARTS
    // had no `(… ago)` before 1.22. `-A` adds NAMESPACE; `get all` names kinds and prints
    // tables we do not use (deployments).
    let src = b"$ kubectl get svc,pods -A -o wide\n\
NAMESPACE   NAME         CLUSTER-IP   EXTERNAL-IP   PORT(S)    AGE\n\
shop        web          10.0.0.12    <none>        80/TCP     3h\n\
\n\
NAMESPACE   NAME                   READY     STATUS    RESTARTS   AGE       IP          NODE\n\
shop        web-3094457389-k1x2r   1/1       Running   3          3h        172.17.0.4  minikube\n\
$ kubectl get all\n\
NAME                       READY   STATUS    RESTARTS   AGE\n\
pod/web-7d4b9c8f6d-2xkzq   1/1     Running   0          2d\n\
\n\
NAME          TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE\n\
service/web   ClusterIP   10.96.12.7    <none>        80/TCP    2d\n\
\n\
NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\n\
deployment.apps/web   1/1     1            1           2d\n\
No resources found in shop namespace.\n\
the web pod keeps restarting\n";
    let r = parse(src);
    assert_eq!(unrecognized(src, &r), vec!["the web pod keeps restarting"]);
    let names: Vec<(Option<&str>, &str)> =
        r.kube_services.iter().map(|s| (s.namespace.as_deref(), s.name.as_str())).collect();
    assert_eq!(names, vec![(Some("shop"), "web"), (None, "web")]);
    assert_eq!(r.kube_services[0].service_type, None);
    assert_eq!(r.kube_services[1].cluster_ip, Some(ip("10.96.12.7")));
    let pods: Vec<(&str, Option<u32>, Option<IpAddr>)> =
        r.kube_pods.iter().map(|p| (p.name.as_str(), p.restarts, p.ip)).collect();
    assert_eq!(
        pods,
        vec![
            ("web-3094457389-k1x2r", Some(3), Some(ip("172.17.0.4"))),
            ("web-7d4b9c8f6d-2xkzq", Some(0), None)
        ]
    );
    assert_eq!(r.sections.last().map(|s| s.format), Some(Format::Kubectl));
}

#[test]
fn kubectl_rows_that_do_not_fit_are_not_read() {
    let src = b"NAME   ENDPOINTS   AGE\n\
web    is-not      2d\n\
NAME   READY   STATUS    RESTARTS   AGE\n\
web    yes     Running   0          2d\n\
NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n\
web    ClusterIP   10.96.1.1    <none>        http      2d\n";
    let r = parse(src);
    assert!(r.kube_endpoints.is_empty() && r.kube_pods.is_empty() && r.kube_services.is_empty());
    assert_eq!(r.unrecognized.len(), 3);
}
