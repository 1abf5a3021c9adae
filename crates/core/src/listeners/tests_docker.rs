//! Tests of the container readers on real captures (`captured_docker/`: dockerd 20.10.24,
//! docker CLI 28.2.2 and 20.10.24, docker-compose 1.29.2) and the forms people paste them
//! in: spacing collapsed by a chat client, quote markers, a cut `docker inspect`.

use std::net::{IpAddr, Ipv4Addr};

use super::*;

macro_rules! docker {
    ($p:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/listeners/captured_docker/", $p)).as_slice()
    };
}

pub(super) fn unrecognized<'a>(src: &'a [u8], r: &ListenerReport) -> Vec<&'a str> {
    r.unrecognized.iter().map(|u| std::str::from_utf8(u.slice(src)).unwrap_or("?")).collect()
}

fn named<'a>(r: &'a ListenerReport, name: &str) -> &'a Container {
    r.containers.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no container {name}"))
}

/// What every capture of the `shop` scenario shows, whichever tool printed it.
fn check_shop(src: &[u8], r: &ListenerReport, all: bool) {
    assert!(unrecognized(src, r).is_empty(), "{:?}", unrecognized(src, r));
    let web = named(r, "shop_web_1");
    assert_eq!(web.state, Some(ContainerState::Running));
    let published: Vec<(u16, u16, bool)> =
        web.published.iter().map(|p| (p.host_port, p.container_port, p.host.is_wildcard())).collect();
    assert_eq!(published, vec![(8080, 80, true), (8080, 80, true)]);
    assert!(web.exposed.is_empty());
    let app = named(r, "shop_app_1");
    assert!(app.exposes_unpublished(8000), "{app:?}");
    assert!(app.published.is_empty());
    let api = named(r, "shop_api_1");
    assert_eq!(api.published_port(9000).map(|p| &p.host), Some(&Bind::Ipv4(Ipv4Addr::LOCALHOST)));
    // Published ports are also the host's listeners (docker-proxy), under the container's name.
    let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let on_8080: Vec<&str> = r.listeners_accepting(lo, 8080).map(|l| l.processes[0].name.as_str()).collect();
    assert_eq!(on_8080, vec!["shop_web_1", "shop_web_1"]);
    assert_eq!(r.listeners_accepting(lo, 8000).count(), 0, "exposed only: not on the host");
    assert_eq!(r.listeners_accepting(lo, 9000).count(), 1);
    if all {
        let worker = named(r, "shop_worker_1");
        assert_eq!((worker.state, worker.exit_code), (Some(ContainerState::Exited), Some(3)));
        assert_eq!(named(r, "never-started").state, Some(ContainerState::Created));
        assert_eq!(named(r, "never-started").is_running(), Some(false));
    }
}

#[test]
fn docker_ps_captured() {
    for (src, all) in [
        (docker!("docker_ps.txt"), false),
        (docker!("docker_ps_a.txt"), true),
        (docker!("docker_ps_a_cli20.txt"), true),
    ] {
        let r = parse(src);
        check_shop(src, &r, all);
        let plain = named(&r, "plain");
        assert_eq!(plain.health.as_deref(), Some("unhealthy"));
        assert_eq!(plain.image.as_deref(), Some("bglab/busybox:1.35"));
        assert_eq!(plain.id.as_deref(), Some("3369edccd94c"));
        assert_eq!(plain.status.as_deref(), Some("Up 1 second (unhealthy)"));
        let flaky = named(&r, "shop_flaky_1");
        assert_eq!((flaky.state, flaky.exit_code), (Some(ContainerState::Restarting), Some(1)));
        assert_eq!(flaky.is_running(), Some(false));
        assert_eq!(r.sections.len(), 1);
        assert_eq!(r.sections[0].format, Format::DockerPs);
    }
    // The 20.10 CLI prints the IPv6 wildcard unbracketed: `:::8080->80/tcp`.
    let r = parse(docker!("docker_ps_a_cli20.txt"));
    assert!(r.listeners.iter().any(|l| l.port == Some(8080) && matches!(l.bind, Bind::AnyV6 { .. })));
}

/// A chat client collapses every run of spaces: the header no longer says where cells start.
pub(super) fn collapse(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    for &c in src {
        if !(c == b' ' && out.last() == Some(&b' ')) {
            out.push(c);
        }
    }
    out
}

#[test]
fn docker_ps_collapsed_spacing_captured() {
    for src in
        [docker!("docker_ps_a.txt"), docker!("docker_ps_a_cli20.txt"), docker!("docker_ps_format_table.txt")]
    {
        let clean = parse(src);
        let squashed = collapse(src);
        let r = parse(&squashed);
        assert!(unrecognized(&squashed, &r).is_empty(), "{:?}", unrecognized(&squashed, &r));
        let view = |r: &ListenerReport| -> Vec<String> {
            let ports = |c: &Container| -> Vec<String> {
                c.published
                    .iter()
                    .map(|p| format!("{:?}:{}->{}/{}", p.host, p.host_port, p.container_port, p.proto))
                    .collect()
            };
            r.containers
                .iter()
                .map(|c| {
                    format!(
                        "{} {:?} {:?} {:?} {:?} {:?}",
                        c.name,
                        c.state,
                        c.exit_code,
                        c.health,
                        ports(c),
                        c.exposed
                    )
                })
                .collect()
        };
        assert_eq!(view(&r), view(&clean));
        assert_eq!(r.containers.len(), 8);
        assert_eq!(r.listeners.len(), clean.listeners.len());
    }
}

#[test]
fn docker_ps_format_table_captured() {
    let src = docker!("docker_ps_format_table.txt");
    let r = parse(src);
    check_shop(src, &r, true);
    assert!(r.containers.iter().all(|c| c.id.is_none() && c.image.is_none()));
}

#[test]
fn docker_compose_v1_captured() {
    let src = docker!("docker_compose_v1_ps.txt");
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    let names: Vec<&str> = r.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["shop_api_1", "shop_app_1", "shop_flaky_1", "shop_web_1", "shop_worker_1"]);
    let worker = named(&r, "shop_worker_1");
    assert_eq!((worker.state, worker.exit_code), (Some(ContainerState::Exited), Some(3)));
    assert!(named(&r, "shop_app_1").exposes_unpublished(8000));
    let web = named(&r, "shop_web_1");
    assert_eq!(web.published.len(), 2);
    assert_eq!(web.state, Some(ContainerState::Running));
    // compose v1 has no SERVICE column: the service is not guessed from the name.
    assert!(r.containers.iter().all(|c| c.service.is_none()));
}

#[test]
fn docker_compose_v2_handwritten() {
    // compose v2's default table (docker/compose `cmd/formatter/container.go`:
    // NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS); no compose v2 here to capture it.
    let src = "$ docker compose ps -a\n\
NAME             IMAGE                COMMAND                  SERVICE   CREATED          STATUS                      PORTS\n\
shop-api-1       bglab/busybox:1.35   \"httpd -f -p 9000 -h…\"   api       10 minutes ago   Up 10 minutes               127.0.0.1:9000->9000/tcp\n\
shop-app-1       bglab/busybox:1.35   \"httpd -f -p 8000 -h…\"   app       10 minutes ago   Up 10 minutes               8000/tcp\n\
shop-web-1       bglab/busybox:1.35   \"httpd -f -p 80 -h /…\"   web       10 minutes ago   Up 10 minutes               0.0.0.0:8080->80/tcp, [::]:8080->80/tcp\n\
shop-worker-1    bglab/busybox:1.35   \"sh -c 'exit 3'\"         worker    10 minutes ago   Exited (3) 10 minutes ago   \n";
    for src in [src.as_bytes().to_vec(), collapse(src.as_bytes())] {
        let r = parse(&src);
        assert!(unrecognized(&src, &r).is_empty(), "{:?}", unrecognized(&src, &r));
        let services: Vec<Option<&str>> = r.containers.iter().map(|c| c.service.as_deref()).collect();
        assert_eq!(services, vec![Some("api"), Some("app"), Some("web"), Some("worker")]);
        assert!(named(&r, "shop-app-1").exposes_unpublished(8000));
        assert!(named(&r, "shop-app-1").answers_to("app"));
        assert_eq!(named(&r, "shop-worker-1").exit_code, Some(3));
        assert_eq!(named(&r, "shop-web-1").published.len(), 2);
    }
}

#[test]
fn docker_inspect_captured() {
    let src = docker!("docker_inspect.json");
    let mut pasted = b"$ docker inspect shop_web_1 shop_app_1\n".to_vec();
    pasted.extend_from_slice(src);
    for src in [src, pasted.as_slice()] {
        let r = parse(src);
        check_shop(src, &r, true);
        assert_eq!(r.containers.len(), 8);
        assert!(r.containers.iter().all(|c| c.format == Format::DockerInspect));
        assert_eq!(r.sections.len(), 1);
        assert_eq!((r.sections[0].format, r.sections[0].rows), (Format::DockerInspect, 8));
        let web = named(&r, "shop_web_1");
        assert_eq!((web.service.as_deref(), web.project.as_deref()), (Some("web"), Some("shop")));
        assert_eq!(web.network_mode.as_deref(), Some("shop_default"));
        let app = named(&r, "shop_app_1");
        let nets: Vec<(&str, Option<IpAddr>)> =
            app.networks.iter().map(|n| (n.name.as_str(), n.ip)).collect();
        assert_eq!(
            nets,
            vec![
                ("shop_backend", Some("172.22.0.2".parse().unwrap())),
                ("shop_default", Some("172.21.0.6".parse().unwrap()))
            ]
        );
        assert!(app.answers_to("app") && app.has_address("172.21.0.6".parse().unwrap()));
        assert!(app.networks.iter().all(|n| n.aliases.iter().any(|a| a == "app")));
        assert!(named(&r, "hostnet").uses_host_network());
        assert_eq!(named(&r, "plain").health.as_deref(), Some("unhealthy"));
        // A stopped container keeps its networks, without an address.
        let worker = named(&r, "shop_worker_1");
        assert_eq!(worker.networks.len(), 1);
        assert_eq!(worker.networks[0].ip, None);
        // never-started would publish 7000 once started: not "exposed only", not a listener.
        let never = named(&r, "never-started");
        assert!(never.exposed.is_empty() && never.published.is_empty());
        assert!(r.listeners.iter().all(|l| l.port != Some(7000)));
        // Each container's range is its object in the array.
        assert!(std::str::from_utf8(web.range.slice(src)).unwrap().starts_with('{'));
        assert!(std::str::from_utf8(web.range.slice(src)).unwrap().ends_with('}'));
    }
}

#[test]
fn docker_inspect_cut_and_quoted_captured() {
    let src = docker!("docker_inspect.json");
    // Cut in the middle of the second container, then the next command.
    let cut = src.len() / 8 * 2;
    let mut pasted = src.get(..cut).unwrap().to_vec();
    pasted.extend_from_slice(b"\n$ ss -tlnp\nState  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      511          0.0.0.0:80         0.0.0.0:*\n");
    let r = parse(&pasted);
    assert_eq!(named(&r, "shop_web_1").published.len(), 2);
    assert!(!r.containers.is_empty() && r.containers.len() <= 2);
    assert!(r.listeners.iter().any(|l| l.format == Format::SsTcp && l.port == Some(80)));
    assert_eq!(
        r.sections.iter().map(|s| s.format).collect::<Vec<_>>(),
        vec![Format::DockerInspect, Format::SsTcp]
    );
    // Behind quote markers, as a forum reply shows it.
    let quoted: Vec<u8> = docker!("docker_inspect_one.json")
        .split(|c| *c == b'\n')
        .flat_map(|l| [b"> ", l, b"\n"].concat())
        .collect();
    let r = parse(&quoted);
    assert!(unrecognized(&quoted, &r).is_empty(), "{:?}", unrecognized(&quoted, &r));
    assert!(named(&r, "shop_app_1").exposes_unpublished(8000));
}

#[test]
fn json_that_is_not_docker_inspect_is_unrecognized() {
    let src = b"[\n  {\"name\": \"x\"}\n]\n[root@web ~]# ss -tln\n";
    let r = parse(src);
    assert!(r.containers.is_empty());
    assert_eq!(unrecognized(src, &r), vec!["[", "  {\"name\": \"x\"}", "]"]);
    assert_eq!(r.commands.len(), 1);
}
