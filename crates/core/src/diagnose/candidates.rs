//! Which listeners could be the backend a `*_pass` speaks to: the one place that knows which
//! process kinds fit which pass directive, and which ports and processes are a host's
//! infrastructure (sshd, databases, DNS, agents, exporters), never a backend nginx proxies to.
//!
//! Every real host runs such services, and without root `ss -tlnp` prints no process column:
//! an unnamed listener on another port is as likely an exporter as the app. Only a process of
//! the right kind makes a wrong-port or wrong-address diagnosis; an unnamed one is a hint that
//! names the check that decides (`sudo ss -tlnp`).

use badgateway_config::PassKind;

use crate::listeners::{AppServer, BackendKind, Listener, backend_kind};

/// Could a listener be the backend of a `*_pass`?
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Candidacy {
    /// A process of the kind the pass speaks to (php-fpm for `fastcgi_pass`, gunicorn or node
    /// for `proxy_pass`, ...), or the only application on a table whose other rows are all
    /// known infrastructure.
    Fits,
    /// The paste cannot tell: no process column (`ss` without root, `netstat` without `-p`), or
    /// a process whose name says nothing (a compiled program), on a port no infrastructure uses.
    Unnamed,
    /// Infrastructure (by port or process), nginx itself, or an application that speaks
    /// another protocol than the pass (php-fpm behind `proxy_pass`).
    Never,
}

/// Ports of services a host runs besides its web application: a listener on one of them is
/// never taken for the backend unless its process says it is one (php-fpm on 9000 is named).
pub fn infrastructure_port(port: u16) -> bool {
    matches!(
        port,
        // ssh, smtp, dns, pop3, rpcbind, ntp, imap, smb, ldap(s), smtps, submission, cups, imaps, pop3s
        0..=1023
        // nfs, docker API, etcd, zookeeper, mysql, mysqlx, epmd, rabbitmq, postgres, mdns
        | 2049 | 2181 | 2375 | 2376 | 2379 | 2380 | 3306 | 33060 | 4369 | 5672 | 15672 | 5432 | 5353
        // otlp, kubernetes API, redis, redis cluster bus, consul, vault, influxdb, statsd
        | 4317 | 4318 | 6443 | 6379 | 16379 | 8300..=8302 | 8500 | 8600 | 8200 | 8086 | 8125
        // prometheus, pushgateway, alertmanager; node_exporter and the other exporters (9100-9999)
        | 9090..=9094 | 9100..=9999
        // kubelet and friends, memcached, fluentd, mongodb
        | 10248..=10259 | 11211 | 24224 | 27017..=27019
    )
}

/// Process names of infrastructure the process classifier (`listeners::backend_kind`, which
/// knows sshd, cupsd, chronyd, the databases, ...) leaves unknown: agents, exporters.
fn infrastructure_process(name: &str) -> bool {
    let base = name.trim().rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let base = base.split([' ', ':']).next().unwrap_or_default();
    base.ends_with("_exporter")
        || base.ends_with("-exporter")
        || matches!(
            base,
            "prometheus"
                | "alertmanager"
                | "pushgateway"
                | "grafana"
                | "grafana-server"
                | "containerd"
                | "containerd-shim"
                | "kubelet"
                | "kube-proxy"
                | "kube-apiserver"
                | "consul"
                | "vault"
                | "nomad"
                | "telegraf"
                | "zabbix_agentd"
                | "zabbix_agent2"
                | "datadog-agent"
                | "agent"
                | "otelcol"
                | "otelcol-contrib"
                | "fluent-bit"
                | "fluentd"
                | "td-agent"
                | "filebeat"
                | "metricbeat"
                | "amazon-ssm-agent"
                | "snapd"
                | "smtpd"
                | "docker"
                | "netdata"
                | "monit"
                | "containerd-shim-runc-v2"
                | "systemd-resolve"
                | "systemd-resolved"
        )
}

/// Does an application server speak what this pass directive sends?
pub fn fits(kind: PassKind, app: AppServer) -> bool {
    use AppServer as A;
    match (kind, app) {
        // A published container port stands for whatever runs inside.
        (_, A::ContainerProxy) => true,
        // FastCGI: php-fpm, or php-cgi -b (`Php`).
        (PassKind::FastCgi, a) => matches!(a, A::PhpFpm | A::Php),
        (PassKind::Uwsgi, a) => a == A::Uwsgi,
        // memcached_pass speaks to memcached (see `candidacy`), no application server.
        (PassKind::Memcached, _) => false,
        // HTTP (and gRPC, SCGI): every application server except php-fpm's FastCGI; uWSGI
        // serves HTTP with --http-socket, php with `artisan serve` / `php -S`.
        (PassKind::Proxy | PassKind::Grpc | PassKind::Scgi, a) => a != A::PhpFpm,
    }
}

/// What a listener's process names and port say about it being `kind`'s backend on another
/// port than nginx's target. nginx itself is the caller's to rule out (it knows nginx's ports).
pub fn candidacy(listener: &Listener, kind: PassKind) -> Candidacy {
    judge(listener, kind, listener.port.is_some_and(infrastructure_port))
}

/// The same, for a listener on the very port nginx connects to (bound to another address or
/// family): the port is the one the user chose, so only the process can rule it out.
pub fn candidacy_on_target_port(listener: &Listener, kind: PassKind) -> Candidacy {
    judge(listener, kind, false)
}

fn judge(listener: &Listener, kind: PassKind, port_is_infra: bool) -> Candidacy {
    if kind == PassKind::Memcached {
        // memcached_pass speaks to memcached itself, which is infrastructure to every other pass.
        return match listener.processes.as_slice() {
            [] => Candidacy::Unnamed,
            ps if ps.iter().any(|p| p.name == "memcached") => Candidacy::Fits,
            _ => Candidacy::Never,
        };
    }
    if listener.processes.is_empty() {
        return if port_is_infra || listener.port.is_none() { Candidacy::Never } else { Candidacy::Unnamed };
    }
    let mut unknown = false;
    for p in &listener.processes {
        if infrastructure_process(&p.name) {
            return Candidacy::Never;
        }
        match backend_kind(&p.name) {
            BackendKind::AppServer(a) if fits(kind, a) => return Candidacy::Fits,
            BackendKind::AppServer(_) => {}
            BackendKind::Unknown => unknown = true,
            _ => {}
        }
    }
    if unknown && !port_is_infra { Candidacy::Unnamed } else { Candidacy::Never }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use crate::code::Code;
    use crate::{Inputs, analyze};

    fn codes(config: &str, ss: &str) -> Vec<(Code, u8)> {
        let a =
            analyze(Inputs { config: Some(config.as_bytes()), listeners: Some(ss.as_bytes()), log: None });
        a.findings.iter().map(|f| (f.code, f.confidence)).collect()
    }

    const PROXY: &str =
        "events {}\nhttp { server { listen 80; location / { proxy_pass http://127.0.0.1:8000; } } }\n";
    const FASTCGI: &str =
        "events {}\nhttp { server { listen 80; location / { fastcgi_pass 127.0.0.1:9000; } } }\n";
    const HEAD: &str = "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n";

    fn row(port: u16, process: &str) -> String {
        let users =
            if process.is_empty() { String::new() } else { format!(" users:((\"{process}\",pid=7,fd=5))") };
        format!("LISTEN 0      2048       127.0.0.1:{port}       0.0.0.0:*   {users}\n")
    }

    #[test]
    fn an_app_server_of_the_pass_kind_is_the_wrong_port() {
        let c = codes(PROXY, &format!("{HEAD}{}", row(3000, "gunicorn")));
        assert!(c.iter().any(|(code, _)| *code == Code::BG202), "{c:?}");
        let c = codes(FASTCGI, &format!("{HEAD}{}", row(9001, "php-fpm8.2")));
        assert!(c.iter().any(|(code, _)| *code == Code::BG202), "{c:?}");
    }

    #[test]
    fn a_process_of_another_kind_or_infrastructure_is_never_a_candidate() {
        for (config, ss) in [
            (PROXY, row(9001, "php-fpm8.2")),
            (FASTCGI, row(3000, "gunicorn")),
            (PROXY, row(2222, "sshd")),
            (PROXY, row(9100, "node_exporter")),
            (PROXY, row(5432, "postgres")),
            (PROXY, row(6379, "")),
            (PROXY, row(9100, "")),
            (PROXY, row(22, "")),
        ] {
            let c = codes(config, &format!("{HEAD}{ss}"));
            assert!(!c.iter().any(|(code, _)| *code == Code::BG202), "{ss}: {c:?}");
            assert!(c.iter().any(|(code, conf)| *code == Code::BG201 && *conf >= 80), "{ss}: {c:?}");
        }
    }

    #[test]
    fn an_unnamed_listener_is_a_hint_not_a_diagnosis() {
        let c = codes(PROXY, &format!("{HEAD}{}{}", row(3000, ""), row(6379, "")));
        assert!(!c.iter().any(|(code, _)| *code == Code::BG202), "{c:?}");
        assert!(c.iter().any(|(code, conf)| *code == Code::BG201 && *conf < 80), "{c:?}");
    }

    #[test]
    fn the_only_application_among_named_infrastructure_is_the_backend() {
        let ss = format!("{HEAD}{}{}{}", row(3000, "myapi"), row(2222, "sshd"), row(5432, "postgres"));
        let c = codes(PROXY, &ss);
        assert!(c.iter().any(|(code, _)| *code == Code::BG202), "{c:?}");
        // Beside another unknown program, it is only a hint.
        let ss = format!("{HEAD}{}{}", row(3000, "myapi"), row(3001, "other"));
        assert!(!codes(PROXY, &ss).iter().any(|(code, _)| *code == Code::BG202));
    }
}
