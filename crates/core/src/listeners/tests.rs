//! Tests on captured and hand-written fixtures.

use super::*;

macro_rules! fixture {
    ($p:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/listeners/", $p)).as_slice()
    };
}

#[test]
fn dump_all() {
    for (name, text) in [
        ("ss_tlnp", fixture!("captured/ss_tlnp.txt")),
        ("paste", fixture!("captured/paste_mixed.txt")),
        ("lsof_U", fixture!("captured/lsof_U.txt")),
        ("ls", fixture!("captured/ls_l_sock.txt")),
        ("curl", fixture!("captured/curl_v_live.txt")),
        ("curlI", fixture!("captured/curl_I_live.txt")),
        ("ps", fixture!("captured/ps_ef.txt")),
        ("sys", fixture!("handwritten/systemctl_status_failed.txt")),
        ("sys2", fixture!("handwritten/systemctl_status_active.txt")),
        ("sys3", fixture!("handwritten/systemctl_status_activating.txt")),
        ("j", fixture!("handwritten/journalctl_u.txt")),
        ("ufw", fixture!("handwritten/ufw_status_verbose.txt")),
        ("ipt", fixture!("handwritten/iptables_S.txt")),
        ("nft", fixture!("handwritten/nft_ruleset.txt")),
        ("docker", fixture!("handwritten/docker_ps.txt")),
        ("getsebool", fixture!("handwritten/getsebool.txt")),
        ("avc", fixture!("handwritten/avc_denied.txt")),
        ("telnet", fixture!("handwritten/telnet.txt")),
    ] {
        let r = parse(text);
        eprintln!(
            "=== {name}: sections {:?}",
            r.sections.iter().map(|s| (s.format.label(), s.rows)).collect::<Vec<_>>()
        );
        for l in &r.listeners {
            eprintln!(
                "  L {:?} {:?} {:?} {:?} q={:?}/{:?} {:?}",
                l.kind,
                l.bind,
                l.port,
                l.state,
                l.recv_q,
                l.send_q,
                l.processes.iter().map(|p| (&p.name, p.pid, p.fd, &p.user)).collect::<Vec<_>>()
            );
        }
        for f in &r.socket_files {
            eprintln!("  F {} {} {} {:o} {}", f.path, f.owner, f.group, f.mode, f.is_socket);
        }
        for f in &r.facts {
            eprintln!("  P {f:?}");
        }
        for u in &r.unrecognized {
            eprintln!("  ?? {:?}", String::from_utf8_lossy(u.slice(text)));
        }
    }
}
