//! What kind of program a listener's process is: an application server nginx might
//! proxy to, nginx itself, a system daemon or a database. The diagnosis uses this so
//! sshd or postgres listening on a port is never taken for the app.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppServer {
    Gunicorn,
    Uvicorn,
    Hypercorn,
    Daphne,
    Waitress,
    Uwsgi,
    PhpFpm,
    Node,
    Deno,
    Bun,
    Java,
    Puma,
    Unicorn,
    Passenger,
    Dotnet,
    /// `python3 -m http.server`
    PythonHttpServer,
    /// Another python program (Flask dev server, custom app).
    Python,
    Ruby,
    /// beam.smp: Erlang/Elixir (Phoenix)
    Beam,
    Php,
    Perl,
    Caddy,
    Apache,
    /// docker-proxy, rootlessport, slirp4netns, pasta, conmon: forwards a published
    /// port into a container, so it stands for the app inside.
    ContainerProxy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "server", rename_all = "kebab-case")]
pub enum BackendKind {
    AppServer(AppServer),
    Nginx,
    SystemDaemon,
    Database,
    /// Nothing known: possibly a compiled app (Go, Rust) - cannot be told from the name.
    Unknown,
}

impl BackendKind {
    /// A known application server or interpreter (gunicorn, php-fpm, node, python, ...).
    pub fn is_app(self) -> bool {
        matches!(self, BackendKind::AppServer(_))
    }

    /// Could this process be the application nginx proxies to?
    pub fn may_be_app(self) -> bool {
        matches!(self, BackendKind::AppServer(_) | BackendKind::Unknown)
    }
}

/// Classifies a process name (ss comm, netstat program, lsof COMMAND) or a whole
/// command line (`/usr/bin/python3 /usr/bin/gunicorn app:app`, `php-fpm: pool www`).
pub fn backend_kind(process_name_or_cmdline: &str) -> BackendKind {
    let text = process_name_or_cmdline.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("nginx") || lower.starts_with("openresty") {
        return BackendKind::Nginx;
    }
    if lower.starts_with("php-fpm") || lower.contains("php-fpm") {
        return BackendKind::AppServer(AppServer::PhpFpm);
    }
    let words: Vec<&str> =
        lower.split(|c: char| c.is_whitespace() || c == ':').filter(|w| !w.is_empty()).collect();
    let base = |w: &str| -> String { w.rsplit('/').next().unwrap_or(w).to_owned() };
    // The program itself, then the script an interpreter runs (`python3 /usr/bin/gunicorn`).
    let mut interp: Option<BackendKind> = None;
    for (i, w) in words.iter().enumerate() {
        let b = base(w);
        if i > 0 && w.starts_with('-') {
            if *w == "-m"
                && let Some(m) = words.get(i + 1)
            {
                if let Some(k) = by_name(m) {
                    return k;
                }
                if m.starts_with("http.server") || m.starts_with("simplehttpserver") {
                    return BackendKind::AppServer(AppServer::PythonHttpServer);
                }
            }
            continue;
        }
        if let Some(k) = by_name(&b) {
            return k;
        }
        if interp.is_none() && i == 0 {
            interp = by_interpreter(&b);
        }
        if i == 0 && interp.is_none() {
            // A compiled program: the first word decides.
            return BackendKind::Unknown;
        }
        if i >= 3 {
            break;
        }
    }
    interp.unwrap_or(BackendKind::Unknown)
}

fn by_name(b: &str) -> Option<BackendKind> {
    use AppServer as A;
    use BackendKind::{AppServer as App, Database, Nginx, SystemDaemon};
    let b = b.trim_end_matches([',', ')']);
    let app = |a| Some(App(a));
    match b {
        "nginx" | "openresty" => Some(Nginx),
        "gunicorn" | "gunicorn3" => app(A::Gunicorn),
        "uvicorn" => app(A::Uvicorn),
        "hypercorn" => app(A::Hypercorn),
        "daphne" => app(A::Daphne),
        "waitress-serve" | "waitress" => app(A::Waitress),
        "uwsgi" | "uwsgi-core" => app(A::Uwsgi),
        "node" | "nodejs" | "npm" | "pm2" | "next-server" | "next" | "yarn" | "npx" => app(A::Node),
        "deno" => app(A::Deno),
        "bun" => app(A::Bun),
        "java" => app(A::Java),
        "puma" => app(A::Puma),
        "unicorn" | "unicorn_rails" => app(A::Unicorn),
        "passenger" | "passengeragent" | "passenger-status" => app(A::Passenger),
        "dotnet" => app(A::Dotnet),
        "beam.smp" | "beam" | "erl" | "elixir" | "iex" => app(A::Beam),
        "caddy" => app(A::Caddy),
        "apache2" | "httpd" => app(A::Apache),
        "rails" | "rackup" | "thin" | "falcon" => app(A::Ruby),
        "flask" | "django-admin" | "manage.py" | "granian" => app(A::Python),
        "docker-proxy" | "rootlessport" | "slirp4netns" | "pasta" | "pasta.avx2" | "conmon" => {
            app(A::ContainerProxy)
        }
        "sshd" | "systemd-resolve" | "systemd-resolved" | "systemd" | "init" | "dnsmasq" | "chronyd"
        | "ntpd" | "cupsd" | "rpcbind" | "rpc.statd" | "master" | "postfix" | "exim" | "exim4"
        | "sendmail" | "dovecot" | "avahi-daemon" | "dhclient" | "named" | "unbound" | "containerd"
        | "dockerd" | "rsyslogd" | "snmpd" | "smbd" | "nmbd" | "cron" | "systemd-network"
        | "systemd-networkd" | "tailscaled" | "cockpit-ws" | "xinetd" | "vsftpd" | "proftpd"
        | "exim4-daemon" => Some(SystemDaemon),
        "postgres" | "postmaster" | "mysqld" | "mariadbd" | "mysql" | "redis-server" | "redis"
        | "memcached" | "mongod" | "mongos" | "clickhouse-server" | "elasticsearch" | "valkey-server"
        | "keydb-server" | "etcd" | "rabbitmq-server" | "epmd" | "influxd" | "couchdb" => Some(Database),
        _ if b.starts_with("php-fpm") => app(A::PhpFpm),
        _ if b.starts_with("uwsgi") => app(A::Uwsgi),
        _ if b.starts_with("puma ") || b == "puma" => app(A::Puma),
        _ if b.starts_with("postgres") => Some(Database),
        _ => None,
    }
}

fn by_interpreter(b: &str) -> Option<BackendKind> {
    use AppServer as A;
    let a = |x| Some(BackendKind::AppServer(x));
    if b.starts_with("python") || b == "pypy" || b == "pypy3" {
        return a(A::Python);
    }
    if b.starts_with("ruby") {
        return a(A::Ruby);
    }
    if b.starts_with("php") {
        return a(A::Php);
    }
    if b.starts_with("perl") || b == "starman" || b == "plackup" {
        return a(A::Perl);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        use super::AppServer as A;
        use BackendKind::{AppServer, Database, Nginx, SystemDaemon, Unknown};
        assert_eq!(backend_kind("gunicorn"), AppServer(A::Gunicorn));
        assert_eq!(
            backend_kind("/usr/bin/python3 /usr/bin/gunicorn --chdir /x app:app"),
            AppServer(A::Gunicorn)
        );
        assert_eq!(backend_kind("php-fpm: pool www"), AppServer(A::PhpFpm));
        assert_eq!(backend_kind("php-fpm8.2"), AppServer(A::PhpFpm));
        assert_eq!(
            backend_kind("php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)"),
            AppServer(A::PhpFpm)
        );
        assert_eq!(backend_kind("python3 -m http.server 8000"), AppServer(A::PythonHttpServer));
        assert_eq!(backend_kind("python3 -m uvicorn main:app"), AppServer(A::Uvicorn));
        assert_eq!(backend_kind("python3"), AppServer(A::Python));
        assert_eq!(backend_kind("node"), AppServer(A::Node));
        assert_eq!(backend_kind("/usr/bin/node /srv/app/server.js"), AppServer(A::Node));
        assert_eq!(backend_kind("puma 6.4.0 (tcp://0.0.0.0:3000) [app]"), AppServer(A::Puma));
        assert_eq!(backend_kind("beam.smp"), AppServer(A::Beam));
        assert_eq!(backend_kind("uwsgi"), AppServer(A::Uwsgi));
        assert_eq!(backend_kind("nginx: master process /usr/sbin/nginx"), Nginx);
        assert_eq!(backend_kind("nginx"), Nginx);
        assert_eq!(backend_kind("sshd"), SystemDaemon);
        assert_eq!(backend_kind("/usr/sbin/sshd -D"), SystemDaemon);
        assert_eq!(backend_kind("systemd-resolve"), SystemDaemon);
        assert_eq!(backend_kind("master"), SystemDaemon);
        assert_eq!(backend_kind("postgres"), Database);
        assert_eq!(backend_kind("redis-server"), Database);
        assert_eq!(backend_kind("mysqld"), Database);
        assert_eq!(backend_kind("docker-proxy"), AppServer(A::ContainerProxy));
        assert_eq!(
            backend_kind("/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0"),
            AppServer(A::ContainerProxy)
        );
        assert_eq!(backend_kind("myapp"), Unknown);
        assert_eq!(backend_kind(""), Unknown);
        assert!(backend_kind("myapp").may_be_app());
        assert!(!backend_kind("sshd").may_be_app());
    }
}
