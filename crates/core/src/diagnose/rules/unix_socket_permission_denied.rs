use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::listeners::{AppServer, SocketFile};
use crate::log::{EventGroup, EventKind};
use badgateway_config::PassKind;

use super::super::evidence::{backend_software, cite_events, evidence_first, target_place};
use super::super::facts::{
    EndpointAddr, Facts, SocketAccess, UnixReach, WorkerUser, WorkerUserSource, unix_path,
};

declare_rule! {
    /// ## What it detects
    /// The nginx worker's user may not connect to the backend's unix socket: the socket's
    /// owner, group and mode (`ls -l`) leave that user without write permission, or the
    /// error log shows `connect() to unix:... failed (13: Permission denied)`. The worker
    /// user comes from `user` in the config, from `ps`, or nginx's default (`nobody`;
    /// Debian and Ubuntu packages set `www-data`).
    ///
    /// ## Why it causes a 502
    /// Connecting to a unix socket needs write permission on the socket file (and search
    /// permission on every parent directory). Without it `connect()` fails at once with
    /// `(13: Permission denied)`, logged at `[crit]`, and the client gets
    /// **502 Bad Gateway**, while the backend runs fine.
    ///
    /// ## Example
    /// ```nginx
    /// user www-data;
    /// location / { proxy_pass http://unix:/run/app/app.sock; }
    /// ```
    /// ```text
    /// srw-rw---- 1 root root 0 Nov 21 11:39 app.sock
    /// [crit] connect() to unix:/run/app/app.sock failed (13: Permission denied) while connecting to upstream
    /// ```
    ///
    /// ## Fix
    /// Let the backend create its socket for nginx's group:
    /// php-fpm pool `listen.owner = www-data`, `listen.group = www-data`, `listen.mode = 0660`;
    /// gunicorn `--umask 007` and run it with nginx's group (`Group=www-data` in its unit);
    /// a systemd `.socket` unit `SocketUser=`, `SocketGroup=www-data`, `SocketMode=0660`.
    /// Restart the backend, then check with `sudo -u www-data test -w SOCKET && echo ok`
    /// and `namei -l SOCKET` (parent directories).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/ngx_core_module.html#user
    /// - https://www.php.net/manual/en/install.fpm.configuration.php
    /// - https://docs.gunicorn.org/en/stable/settings.html#umask
    /// - https://www.freedesktop.org/software/systemd/man/systemd.socket.html
    code: BG206,
    name: "unix-socket-permission-denied",
    title: "unix socket permission denied for nginx's worker user",
    explains: [SocketPermissionDenied],
}

pub(super) fn is_eacces(group: &EventGroup) -> bool {
    group.event.kind == EventKind::ConnectFailed && group.event.errno == Some(13)
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let mut user = facts.worker_user();
    if facts.config.is_none() {
        // Without the config, the packaged default is a better guess than nginx's built-in one.
        let guessed = user.source == WorkerUserSource::Default;
        if guessed {
            user.name = "www-data".into();
        }
        let Some(log) = facts.log else { return };
        for group in log.groups.iter().filter(|g| is_eacces(g)) {
            let Some(path) = unix_path(group) else { continue };
            let range = group.event.upstream_range.unwrap_or(group.event.message_range);
            let finding = Finding::new(
                INFO.code,
                Severity::Error,
                format!("nginx's workers may not connect to {path}: permission denied"),
            )
            .message(format!(
                "nginx connects to the unix socket {path} and gets \"Permission denied\": the user its workers \
                 run as may not write to the socket (or enter a directory above it), so clients get 502 Bad \
                 Gateway while the backend itself runs fine."
            ))
            .confidence(88)
            .status(502)
            .label(Label::primary(InputKind::Log, range, format!("nginx connected to unix:{path}")));
            let finding = cite_events(finding, group, "permission denied")
                .next_step(Command::new(
                    "paste the socket's owner and mode, and who nginx's workers run as",
                    format!("ls -l {path}; namei -l {path}; ps -o user,cmd -C nginx"),
                ))
                .fix(fix(&path, &user, None, scheme_software(group), None));
            let finding = if guessed {
                finding.note(
                    "The fix assumes the workers run as www-data (Debian/Ubuntu); RHEL's package uses nginx, and \
                     without a `user` line nginx uses nobody. Use the name `ps -o user,cmd -C nginx` shows.",
                )
            } else {
                finding
            };
            out.push(finding);
        }
        return;
    }
    for endpoint in &facts.endpoints {
        let EndpointAddr::Unix { path } = &endpoint.addr else { continue };
        let denied: Vec<&EventGroup> =
            facts.events_for(endpoint).into_iter().filter(|g| is_eacces(g)).collect();
        let reach = facts.unix_reach(endpoint);
        if matches!(reach, UnixReach::Missing { .. } | UnixReach::Stale(_)) {
            continue;
        }
        let file = facts.socket_file(path).map(|(_, f)| f);
        let access = file.map(|f| Facts::socket_access(f, &user));
        let avc = facts.selinux_denied_socket(path);
        let (confidence, severity) = match (access, denied.is_empty(), avc.is_some()) {
            (Some(SocketAccess::Denied), false, _) => (97, Severity::Error),
            (Some(SocketAccess::Denied), true, _) => (85, Severity::Error),
            (Some(SocketAccess::DependsOnGroup), false, _) => (92, Severity::Error),
            (Some(SocketAccess::DependsOnGroup), true, _) => (45, Severity::Warning),
            (Some(SocketAccess::Allowed), false, true) => (85, Severity::Error),
            // The log says denied although the socket's mode allows it: a directory above it
            // (or a security module) denies the way there.
            (Some(SocketAccess::Allowed), false, false) => (75, Severity::Error),
            (Some(SocketAccess::Allowed), _, _) => continue,
            (None, false, _) => (88, Severity::Error),
            (None, true, true) => (80, Severity::Error),
            (None, true, false) => continue,
        };
        let place = target_place(facts, endpoint);
        let mut message = format!(
            "In {place}, nginx connects to the unix socket {path}. nginx's workers run as {}{}",
            user.name,
            match user.source {
                WorkerUserSource::Config(_) => " (the `user` directive)",
                WorkerUserSource::Ps(_) => " (ps)",
                WorkerUserSource::Default =>
                    " (nginx's default when started as root: there is no `user` directive)",
            }
        );
        match (file, access) {
            (Some(f), Some(SocketAccess::DependsOnGroup)) => message.push_str(&format!(
                ", and the socket is {} {}:{}: only members of group {} may connect.",
                mode_text(f),
                f.owner,
                f.group,
                f.group
            )),
            (Some(f), Some(SocketAccess::Denied)) => message.push_str(&format!(
                ", and the socket is {} {}:{}, which gives that user no write permission.",
                mode_text(f),
                f.owner,
                f.group
            )),
            (Some(f), Some(SocketAccess::Allowed)) => message.push_str(&format!(
                ". The socket itself ({} {}:{}) lets that user write, so a directory above it does not let the \
                 user through (it needs x on every parent), or SELinux/AppArmor denies it: run `namei -l {path}`.",
                mode_text(f),
                f.owner,
                f.group
            )),
            _ => message.push('.'),
        }
        message.push_str(
            " Connecting to a unix socket needs write permission on it, so connect() fails with \"Permission \
             denied\" and clients get 502 Bad Gateway while the backend runs fine.",
        );
        if avc.is_some() {
            message.push_str(" SELinux denies it as well (an AVC denial names this socket).");
        }
        let mut finding = Finding::new(
            INFO.code,
            severity,
            format!("nginx's workers ({}) may not connect to {path}", user.name),
        )
        .message(message)
        .confidence(confidence)
        .status(502)
        .label(Label::primary(
            InputKind::Config,
            endpoint.range,
            format!("nginx connects to unix:{path}"),
        ));
        if let Some(f) = file {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                f.range,
                format!("{} {}:{}: writable by {}", mode_text(f), f.owner, f.group, writers(f)),
            ));
        }
        match user.source {
            WorkerUserSource::Config(range) => {
                finding = finding.label(Label::secondary(InputKind::Config, range, format!("workers run as {}", user.name)))
            }
            WorkerUserSource::Ps(range) => {
                finding =
                    finding.label(Label::secondary(InputKind::Listeners, range, format!("an nginx worker runs as {}", user.name)))
            }
            WorkerUserSource::Default => {
                finding = finding.note(
                    "There is no `user` directive, so workers run as nobody when nginx starts as root (Debian's \
                     and Ubuntu's packaged nginx.conf sets `user www-data;`). Confirm with `ps -o user,cmd -C nginx`.",
                )
            }
        }
        if let Some(range) = avc {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                range,
                "SELinux denied this connection",
            ));
        }
        for group in &denied {
            finding = cite_events(finding, group, "permission denied");
        }
        if file.is_none() {
            finding = finding.next_step(Command::new(
                "paste the socket's owner and mode",
                format!("ls -l {path}; namei -l {path}"),
            ));
        }
        finding = finding.fix(fix(path, &user, file, backend_software(facts, endpoint), Some(endpoint.kind)));
        out.push(finding);
    }
}

fn mode_text(f: &SocketFile) -> String {
    let bit = |m: u32, c: char| if f.mode & m != 0 { c } else { '-' };
    format!(
        "s{}{}{}{}{}{}{}{}{}",
        bit(0o400, 'r'),
        bit(0o200, 'w'),
        bit(0o100, 'x'),
        bit(0o040, 'r'),
        bit(0o020, 'w'),
        bit(0o010, 'x'),
        bit(0o004, 'r'),
        bit(0o002, 'w'),
        bit(0o001, 'x')
    )
}

fn writers(f: &SocketFile) -> String {
    let mut who = vec![format!("{} (owner)", f.owner)];
    if f.mode & 0o020 != 0 {
        who.push(format!("group {}", f.group));
    }
    if f.mode & 0o002 != 0 {
        who.push("everyone".into());
    }
    if f.mode & 0o200 == 0 {
        who.remove(0);
    }
    if who.is_empty() { "nobody but root".into() } else { who.join(", ") }
}

/// Without a config: what the log's scheme says the socket speaks (FastCGI is php-fpm's).
fn scheme_software(group: &EventGroup) -> Option<AppServer> {
    let scheme = group.event.upstream.as_ref()?.scheme();
    match scheme {
        "fastcgi" => Some(AppServer::PhpFpm),
        "uwsgi" => Some(AppServer::Uwsgi),
        _ => None,
    }
}

/// `backend`: the application server the evidence names for the socket; its advice comes first.
fn fix(
    path: &str,
    user: &WorkerUser,
    file: Option<&SocketFile>,
    backend: Option<AppServer>,
    pass: Option<PassKind>,
) -> Fix {
    let u = &user.name;
    let g = user.group.clone().unwrap_or_else(|| if u == "nobody" { "nogroup".into() } else { u.clone() });
    let alternatives = vec![
        (
            Some(AppServer::PhpFpm),
            Command::new(
                format!(
                    "php-fpm: in the pool file set `listen.owner = {u}`, `listen.group = {g}`, `listen.mode = \
                     0660`, then restart php-fpm"
                ),
                "sudoedit /etc/php/*/fpm/pool.d/www.conf && sudo systemctl restart 'php*-fpm'",
            ),
        ),
        (
            Some(AppServer::Gunicorn),
            Command::new(
                "gunicorn: create the socket group-writable and run it with nginx's group (in its systemd unit: \
                 Group=)",
                format!("gunicorn --bind unix:{path} --umask 007 --group {g} app:app"),
            ),
        ),
        (
            None,
            Command::new(
                format!(
                    "systemd socket unit: in its [Socket] section set `SocketGroup={g}` and `SocketMode=0660`, \
                     then restart the socket"
                ),
                "sudo systemctl edit myapp.socket && sudo systemctl restart myapp.socket",
            ),
        ),
    ];
    let mut commands = evidence_first(alternatives, backend, pass);
    commands.push(Command::new(
        "check: can the worker user write to it, and enter every directory above it?",
        format!("sudo -u {u} test -w {path} && echo ok; namei -l {path}"),
    ));
    if file.is_some_and(|f| f.owner != *u) {
        commands.push(Command::new(
            "a quick test only (the backend recreates the socket on restart)",
            format!("sudo chgrp {g} {path} && sudo chmod g+w {path}"),
        ));
    }
    Fix::display_only(format!("let {u}, nginx's worker user, write to the socket")).with_commands(commands)
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("unix-socket-permission", All), ("unix-socket-permission", ConfigListeners), ("unix-socket-permission", Log)],
        not: [("healthy", All), ("nft-reject-ipv6-admin-prohibited", All), ("php-fpm-max-children", All), ("php-fpm-terminate-timeout", All), ("unix-socket-permission", Config)],
        snapshot: ("unix-socket-permission", All),
    }
}
