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

/// Real Docker captures (tests/lab/docker_lab.py): the findings a rule must give, and what
/// taking its evidence away changes.
fn first(inputs: Inputs<'_>) -> (String, String, u8) {
    let a = analyze(inputs);
    let f = a.findings.first().expect("a finding");
    (f.code.as_str().to_string(), f.title.clone(), f.confidence)
}

/// The paste without one command's output (from its `$ ` line to the next).
fn without_section(listeners: &[u8], command: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(listeners);
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("$ ") {
            skipping = line.starts_with(command);
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert_ne!(out.as_bytes(), listeners, "no `{command}` in the paste");
    out.into_bytes()
}

#[test]
fn an_exited_container_is_named_with_its_logs() {
    let s = common::load("docker-app-exited");
    let (code, title, confidence) = first(s.all());
    assert_eq!(code, "BG217", "{title}");
    assert!(title.contains("shop_app_1") && title.contains("exited"), "{title}");
    assert!(confidence >= 80);
    let a = analyze(s.all());
    let f = a.findings.iter().find(|f| f.code.as_str() == "BG217").unwrap();
    assert!(f.message.contains("137"), "{}", f.message);
    let commands: Vec<&str> = f.fix.as_ref().unwrap().commands().iter().map(|c| c.command.as_str()).collect();
    assert!(commands.contains(&"docker logs --tail 50 shop_app_1"), "{commands:?}");
    // Without `docker ps -a`, nothing says a container stopped.
    let listeners = without_section(s.listeners.as_deref().unwrap(), "$ docker ps");
    let a = analyze(Inputs { listeners: Some(&listeners), ..s.all() });
    assert!(!common::codes(&a).contains(&"BG217"), "{:?}", common::codes(&a));
}

#[test]
fn nginx_refused_to_start_because_the_app_s_container_exited() {
    // The threads' most common compose case: `[emerg] host not found in upstream "app"`.
    let s = common::load("docker-app-exited-at-start");
    let a = analyze(s.all());
    let f = a.findings.first().unwrap();
    assert_eq!(f.code.as_str(), "BG217", "{}", f.title);
    assert!(f.title.contains("shop_app_1") && f.status.is_none(), "{} {:?}", f.title, f.status);
    assert!(f.message.contains("refused to start"), "{}", f.message);
    assert!(common::codes(&a).contains(&"BG103"));
}

#[test]
fn docker_s_dns_forgets_an_exited_container() {
    let s = common::load("docker-app-exited-dns");
    let codes = common::codes(&analyze(s.all()));
    assert!(codes.contains(&"BG217") && codes.contains(&"BG208"), "{codes:?}");
    // The log alone shows the name failing, not why.
    assert!(!common::codes(&analyze(s.log_only())).contains(&"BG217"));
}

#[test]
fn an_exposed_port_is_not_published_on_the_host() {
    let s = common::load("docker-exposed-not-published");
    let (code, title, confidence) = first(s.all());
    assert_eq!(code, "BG215", "{title}");
    assert!(title.contains("exposed, not published") && confidence >= 90, "{title} {confidence}");
    assert!(!common::codes(&analyze(s.all())).contains(&"BG201"));
    // Without `docker ps` it is the host's table alone: nothing listens, the backend looks down.
    let listeners = without_section(s.listeners.as_deref().unwrap(), "$ docker ps");
    let codes = common::codes(&analyze(Inputs { listeners: Some(&listeners), ..s.all() }));
    assert!(codes.contains(&"BG201") && !codes.contains(&"BG215"), "{codes:?}");
}

#[test]
fn a_table_from_inside_the_container_decides_its_own_loopback() {
    let s = common::load("docker-app-loopback-exec");
    let (code, title, confidence) = first(s.all());
    assert_eq!(code, "BG203", "{title}");
    assert!(title.contains("127.0.0.1:8000 inside its container app") && confidence >= 90, "{title}");
    // Without it, the refusal names both causes, below 80.
    let listeners = without_section(s.listeners.as_deref().unwrap(), "$ docker-compose exec");
    let a = analyze(Inputs { listeners: Some(&listeners), ..s.all() });
    let f = a.findings.first().unwrap();
    assert_eq!(f.code.as_str(), "BG201", "{}", f.title);
    assert!(f.confidence < 80, "{}", f.confidence);
    assert!(f.message.contains("stopped") && f.message.contains("127.0.0.1"), "{}", f.message);
    // The parser keeps the container's sockets apart from the host's.
    let report = badgateway_core::listeners::parse(s.listeners.as_deref().unwrap());
    assert!(report.in_containers.iter().any(|c| c.container == "app" && c.listener.port == Some(8000)));
    assert!(
        !report.listeners.iter().any(|l| l.port == Some(8000) && l.is_listening() && l.processes.is_empty())
    );
}

#[test]
fn a_refusal_at_a_running_container_is_not_a_stale_address() {
    let s = common::load("docker-app-loopback");
    let a = analyze(s.all());
    let codes = common::codes(&a);
    assert!(!codes.contains(&"BG209"), "{codes:?}");
    // Without docker ps, a recreated container stays a hypothesis (below 80%).
    let a2 = analyze(Inputs { listeners: None, ..s.all() });
    let stale = a2.findings.iter().find(|f| f.code.as_str() == "BG209").expect("BG209 without docker ps");
    assert!(stale.confidence < 80);
    // With the app's container younger than nginx's (as after a recreate), it is said again.
    let listeners = String::from_utf8(s.listeners.clone().unwrap()).unwrap();
    let app_row = listeners.lines().find(|l| l.ends_with("shop_app_1")).unwrap();
    let status = app_row.split("   ").find(|c| c.trim_start().starts_with("Up ")).unwrap().trim().to_string();
    let younger = listeners.replacen(app_row, &app_row.replacen(&status, "Up 1 second", 1), 1);
    assert_ne!(younger, listeners);
    let a3 = analyze(Inputs { listeners: Some(younger.as_bytes()), ..s.all() });
    assert!(common::codes(&a3).contains(&"BG209"), "{:?}", common::codes(&a3));
    let f = a.findings.iter().find(|f| f.code.as_str() == "BG201").unwrap();
    // The address Docker gave the app's container (the compose network's, 172.x).
    assert!(
        f.title.starts_with("172.") && f.title.contains(" refuses connections on port 8000"),
        "{}",
        f.title
    );
}

#[test]
fn nginx_s_own_loopback_with_the_host_s_table() {
    // Real Docker: compose log prefixes, the host's ss shows docker-proxy on 9000.
    let s = common::load("docker-nginx-own-loopback");
    let (code, title, _) = first(s.all());
    assert_eq!(code, "BG201");
    assert!(title.contains("in nginx's container"), "{title}");
    // Network namespaces: no container sign, the host's table shows gunicorn on the port.
    let s = common::load("container-nginx-own-loopback");
    let (code, title, confidence) = first(s.all());
    assert_eq!(code, "BG201");
    assert!(title.contains("where nginx runs, though the pasted table shows gunicorn"), "{title}");
    assert!(confidence < 80);
    // The same table with nginx's own socket in it is nginx's namespace: no such claim.
    let mut listeners = s.listeners.clone().unwrap();
    let nginx =
        b"LISTEN 0      511        127.0.0.1:19820      0.0.0.0:*    users:((\"nginx\",pid=1,fd=5))\n";
    let at = listeners.windows(7).position(|w| w == b"$ sudo ").and_then(|first| {
        listeners[first + 1..].windows(7).position(|w| w == b"$ sudo ").map(|p| p + first + 1)
    });
    listeners.splice(at.unwrap()..at.unwrap(), nginx.iter().copied());
    let a = analyze(Inputs { listeners: Some(&listeners), ..s.all() });
    assert!(!a.findings.iter().any(|f| f.title.contains("where nginx runs")), "{:?}", common::codes(&a));
}

/// No cluster runs here: kubectl's tables are the hand-written paste of the parser tests
/// (kubectl's own layout), the config a two-line fragment.
#[test]
fn a_service_without_ready_endpoints() {
    let kubectl =
        std::fs::read(common::scenarios_dir().join("../listeners/handwritten/kubectl_get.txt")).unwrap();
    let diagnose = |target: &str| {
        let config = format!("location / {{\n    proxy_pass http://{target};\n}}\n");
        let a = analyze(Inputs { config: Some(config.as_bytes()), listeners: Some(&kubectl), log: None });
        a.findings.iter().find(|f| f.code.as_str() == "BG216").map(|f| (f.title.clone(), f.message.clone()))
    };
    for target in ["api:8000", "api.default.svc.cluster.local:8000", "10.96.201.14:8000"] {
        let (title, message) = diagnose(target).unwrap_or_else(|| panic!("{target}: no BG216"));
        assert!(title.starts_with("Service api has no ready endpoints"), "{title}");
        assert!(message.contains("CrashLoopBackOff"), "{message}");
    }
    // web has endpoints; `apix` is no service of the paste.
    assert_eq!(diagnose("web:80"), None);
    assert_eq!(diagnose("apix:8000"), None);
}

#[test]
fn no_route_or_a_timeout_at_a_container_address_names_the_container_causes() {
    for (name, code) in [("container-recreated", "BG207"), ("container-no-shared-network", "BG402")] {
        let s = common::load(name);
        let a = analyze(s.log_only());
        let f = a
            .findings
            .iter()
            .find(|f| f.code.as_str() == code)
            .unwrap_or_else(|| panic!("{name}: no {code}"));
        let notes = f.notes.join("\n");
        assert!(notes.contains("recreated") && notes.contains("share no Docker network"), "{name}: {notes}");
    }
    // 172.16/12 is many companies' range too: the checks on that host stay beside the
    // container causes (the connect timeout's tcpdump and ss there).
    let s = common::load("container-no-shared-network");
    let a = analyze(s.log_only());
    let f = a.findings.iter().find(|f| f.code.as_str() == "BG402").expect("BG402");
    let steps = serde_json::to_string(f).unwrap_or_default();
    assert!(steps.contains("tcpdump") && steps.contains("share no Docker network"), "{steps}");
    // Outside Docker's range, no such note (the lab's no-route-to-host is at 10.98.0.7).
    let s = common::load("no-route-to-host");
    let a = analyze(s.log_only());
    assert!(!a.findings.iter().any(|f| f.notes.iter().any(|n| n.contains("Docker puts its networks"))));
}
