//! nginx in a container, told from the evidence, on the lab's real capture of a backend
//! that is not running (127.0.0.1:19011 refused): with `docker compose logs` prefixes on
//! its lines, or `resolver 127.0.0.11` in its config, 127.0.0.1 is nginx's own container.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use badgateway_core::{Inputs, analyze};

fn bg201_title(inputs: Inputs<'_>) -> String {
    let a = analyze(inputs);
    a.findings.iter().find(|f| f.code.as_str() == "BG201").map(|f| f.title.clone()).unwrap_or_default()
}

#[test]
fn loopback_in_nginx_s_container_is_nginx_itself() {
    let s = common::load("backend-not-running");
    let log = String::from_utf8(s.log.clone().unwrap()).unwrap();
    let plain = bg201_title(Inputs { config: None, listeners: None, log: Some(log.as_bytes()) });
    assert!(
        plain.starts_with("nothing listens on 127.0.0.1:19011") && !plain.contains("container"),
        "{plain}"
    );

    // As `docker compose logs` prints it.
    let compose: String = log.lines().map(|l| format!("proxy-nginx-1  | {l}\n")).collect();
    let title = bg201_title(Inputs { config: None, listeners: None, log: Some(compose.as_bytes()) });
    assert!(title.contains("in nginx's container"), "{title}");

    // The config says so: Docker's embedded DNS.
    let config = String::from_utf8(s.config.clone().unwrap()).unwrap();
    let with_resolver = config.replacen("server {", "resolver 127.0.0.11 valid=10s;\n    server {", 1);
    assert_ne!(with_resolver, config);
    let title = bg201_title(Inputs {
        config: Some(with_resolver.as_bytes()),
        listeners: None,
        log: Some(log.as_bytes()),
    });
    assert!(title.contains("in nginx's container"), "{title}");
    // With the host's listener table the table speaks, not the container guess.
    let title = bg201_title(Inputs {
        config: Some(with_resolver.as_bytes()),
        listeners: s.listeners.as_deref(),
        log: Some(log.as_bytes()),
    });
    assert!(!title.contains("container"), "{title}");
}

#[test]
fn a_refusal_at_a_container_address_gets_docker_checks_not_ssh() {
    let s = common::load("backend-not-running");
    let log =
        String::from_utf8(s.log.clone().unwrap()).unwrap().replace("127.0.0.1:19011", "172.18.0.3:19011");
    let a = analyze(Inputs { config: None, listeners: None, log: Some(log.as_bytes()) });
    let f = a.findings.iter().find(|f| f.code.as_str() == "BG201").unwrap();
    let commands: Vec<&str> = f.fix.as_ref().unwrap().commands().iter().map(|c| c.command.as_str()).collect();
    assert!(commands.iter().any(|c| c.starts_with("docker exec CONTAINER")), "{commands:?}");
    assert!(commands.iter().any(|c| c.starts_with("docker logs")), "{commands:?}");
    assert!(!commands.iter().any(|c| c.starts_with("ssh ")), "{commands:?}");
}
