use crate::diagnose::Findings;

use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;

use super::super::container;
use super::super::evidence::{cite_events, endpoint_text, target_place};
use super::super::facts::{EndpointAddr, Facts};

declare_rule! {
    /// ## What it detects
    /// nginx on the host connects to a loopback address (`proxy_pass http://127.0.0.1:8000`),
    /// nothing on the host listens on that port, and a running container in the paste's
    /// `docker ps` (or `docker inspect`) exposes that port without publishing it: `8000/tcp`
    /// in the PORTS column, not `127.0.0.1:8000->8000/tcp`. Lab capture from a real Docker
    /// daemon: `docker-exposed-not-published` (compose `expose: ["8000"]`, nginx on the host,
    /// `connect() failed (111: Connection refused)`, 502).
    ///
    /// ## Why it causes a 502
    /// An exposed port is reachable only on the container's own address, from the container's
    /// networks; only a published port (`-p`, compose `ports:`) makes docker-proxy listen on
    /// the host. The host's 127.0.0.1:8000 has no listener, so the connection is refused and
    /// clients get **502 Bad Gateway**.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// $ docker ps
    /// CONTAINER ID   IMAGE      ...   STATUS         PORTS      NAMES
    /// d2f7ba44571a   app:1.0    ...   Up 2 seconds   8000/tcp   shop_app_1
    /// ```
    ///
    /// ## Fix
    /// Publish the port on the host's loopback only: `ports: ["127.0.0.1:8000:8000"]` in the
    /// compose file (`docker run -p 127.0.0.1:8000:8000 …`), then recreate the container
    /// (`docker compose up -d`). Or run nginx in a container on the same network and proxy to
    /// the service name (`proxy_pass http://app:8000;`).
    ///
    /// ## References
    /// - https://docs.docker.com/engine/network/#published-ports
    /// - https://docs.docker.com/reference/compose-file/services/#ports
    code: BG215,
    name: "container-port-not-published",
    title: "the container's port is exposed, not published on the host",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    // nginx in a container: its 127.0.0.1 is its own, publishing would not help.
    if !container::nginx_loopback_is_the_table_s(facts) {
        return;
    }
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { port, ips, .. } = &endpoint.addr else { continue };
        if ips.is_empty() || !ips.iter().all(|ip| ip.to_canonical().is_loopback()) {
            continue;
        }
        let Some(c) = container::exposed_not_published(facts, *port) else { continue };
        let refused = facts.refused_for(endpoint);
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let mut f = Finding::new(
            INFO.code,
            Severity::Error,
            format!("port {port} of container {} is exposed, not published: nothing listens on the host's {target}", c.name),
        )
        .message(format!(
            "In {place}, nginx forwards requests to {target}. Container {} runs and exposes port {port}, but does not \
             publish it: an exposed port is reachable only on the container's own address, from its Docker networks, \
             and nothing listens on port {port} on the host, so the connection is refused and clients get 502 Bad \
             Gateway. Publish it on the host's loopback (`ports: [\"127.0.0.1:{port}:{port}\"]`), or run nginx on the \
             container's network and proxy to its name.",
            c.name
        ))
        .confidence(if refused.is_empty() { 80 } else { 92 })
        .status(502)
        .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")))
        .label(Label::secondary(InputKind::Listeners, c.range, format!("{port}/tcp exposed, not published")));
        for g in &refused {
            f = cite_events(f, g, &format!("connection to {target} refused"));
        }
        let service = c.service.clone().unwrap_or_else(|| "SERVICE".to_string());
        out.push(f.fix(
            Fix::display_only(format!(
                "publish the port on the host's loopback: `ports: [\"127.0.0.1:{port}:{port}\"]` (docker run -p 127.0.0.1:{port}:{port})"
            ))
            .with_commands(vec![
                Command::new("after editing the compose file: recreate the container with the port published", format!("docker compose up -d {service}")),
                Command::new("check that docker-proxy now listens on the host", format!("sudo ss -tlnp | grep ':{port} '")),
            ]),
        ));
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("docker-exposed-not-published", All), ("docker-exposed-not-published", ConfigListeners)],
        not: [("healthy", All), ("docker-nginx-own-loopback", All), ("docker-exposed-not-published", Log)],
        snapshot: ("docker-exposed-not-published", All),
    }
}
