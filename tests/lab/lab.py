#!/usr/bin/env python3
"""The lab: runs real nginx in front of real (or deliberately broken) backends on
loopback, makes requests, and captures what a user would paste (nginx -T, ss,
netstat, error logs) as test fixtures. Stdlib only.

  python3 tests/lab/lab.py capture [--only NAME ...] [--out DIR]
  python3 tests/lab/lab.py check --bin PATH [--dir DIR] [--only NAME ...]
  python3 tests/lab/lab.py list

Scenarios live in scenarios.py; see README.md beside this file.
"""
import argparse
import datetime
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

LAB_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(LAB_DIR))
DEFAULT_OUT = os.path.join(REPO, "tests", "fixtures", "scenarios")
LAB_ROOT = "/tmp/badgateway-lab"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Backends are started with the system python: gunicorn is packaged for it.
SYS_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

sys.dont_write_bytecode = True
sys.path.insert(0, LAB_DIR)
import scenarios as catalog  # noqa: E402

NGINX_CONF = """\
{user}{main}worker_processes 1;
pid {P}/nginx.pid;
error_log {P}/error.log info;

events {{
    worker_connections {worker_connections};
}}

http {{
    access_log {P}/access.log;
    client_body_temp_path {P}/temp/client_body;
    proxy_temp_path {P}/temp/proxy;
    fastcgi_temp_path {P}/temp/fastcgi;
    uwsgi_temp_path {P}/temp/uwsgi;
    scgi_temp_path {P}/temp/scgi;

{body}
}}
"""


def expand(value, prefix):
    """Fill the placeholders a scenario may use in any string."""
    if isinstance(value, list):
        return [expand(v, prefix) for v in value]
    return (
        value.replace("{P}", prefix)
        .replace("{LAB}", LAB_DIR)
        .replace("{PYTHON}", SYS_PYTHON)
    )


def run(cmd, timeout=20):
    """Run a command and return its stdout+stderr as one text (what `cmd 2>&1` shows)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def kill_group(proc, grace=2.0):
    """Stop a process started in its own session, and everything in its group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    # Children (workers) may outlive a leader that already exited.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        pass


def wait_for_text(path, text, timeout=8.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path, "rb") as f:
                if text.encode() in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def wait_for_listen(port, timeout=5.0):
    """Wait until something LISTENs on the port, without connecting (a probe
    connection would leave a "client closed connection" line in the log)."""
    want = ":%04X " % port
    deadline = time.time() + timeout
    while time.time() < deadline:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    for line in f:
                        fields = line.split()
                        if len(fields) > 3 and fields[3] == "0A" and (fields[1] + " ").endswith(want):
                            return True
            except FileNotFoundError:
                pass
        time.sleep(0.05)
    return False


def request(url, timeout, opts=None):
    """One request; `opts` may set the "method", a "body" and "headers" (a Host header the
    client sent through a port forward, a form post)."""
    opts = opts or {}
    body = opts.get("body")
    req = urllib.request.Request(url, data=body.encode() if body is not None else None,
                                 headers=opts.get("headers", {}), method=opts.get("method"))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except http.client.BadStatusLine:
        return "no status line (HTTP/0.9 response)"
    except Exception as e:  # the client saw no status: record what it saw instead
        return "error: %s" % (getattr(e, "reason", None) or e)


def request_batch(path, concurrency, port, timeout, opts=None):
    url = "http://127.0.0.1:%d%s" % (port, path)
    results = [None] * concurrency
    threads = []
    for i in range(concurrency):
        def one(i=i):
            results[i] = request(url, timeout, opts)
        t = threading.Thread(target=one)
        t.start()
        threads.append(t)
        time.sleep(0.02)  # keep the order of arrival stable
    for t in threads:
        t.join()
    return results


def make_requests(scn, port, prefix, procs, running):
    """scn['requests'] runs in order: (path, concurrency) makes that many requests at once, and
    (path, concurrency, opts) with `request`'s opts (method, body, headers), recorded in
    meta.json's `client`; a dict is a step between requests (see `step`), recorded as
    `before` of the next request."""
    statuses = []
    before = []
    for entry in scn.get("requests", [("/", 1)]):
        if isinstance(entry, dict):
            before.append(step(entry, scn, prefix, procs, running))
            continue
        path, concurrency, opts = (tuple(entry) + (None,))[:3]
        results = request_batch(path, concurrency, port, scn.get("client_timeout", 8), opts)
        statuses.append(dict({"path": path}, **({"request": opts} if opts else {}),
                             **({"before": before} if before else {}), statuses=results))
        before = []
    if before:
        raise ValueError("steps after the last request change nothing the capture shows")
    return statuses


def step(entry, scn, prefix, procs, running):
    """One step between requests; returns the words meta.json records for it.
      {"stop": ID}               stop that backend (its process group)
      {"start": ID}              start a backend declared with "later": True, wait until ready
      {"write": PATH, "text": T} rewrite a file in place (same inode: a bind mount of it follows)
      {"sleep": SECONDS}         wait (past a cache's lifetime)
      {"net": CMD}               a network command (`ip ...`), only in the scenario's private
                                 network namespace
      "say"                      what the step means, for meta.json (default: the step itself)
    """
    backends = {b.get("id", i): b for i, b in enumerate(scn.get("backends", []))}
    if "stop" in entry:
        kill_group(running.pop(entry["stop"]))
    elif "start" in entry:
        running[entry["start"]] = start_backend(backends[entry["start"]], prefix, procs)
    elif "write" in entry:
        with open(expand(entry["write"], prefix), "r+") as f:
            f.truncate(0)
            f.write(expand(entry["text"], prefix))
    elif "sleep" in entry:
        time.sleep(entry["sleep"])  # e.g. past a resolver's `valid=` time
    elif "net" in entry:
        parent = json.loads(os.environ.get(NS_ENV, "{}"))
        if "net" not in scn or parent.get("net") in (None, own_namespaces()["net"]):
            raise RuntimeError("refusing a network step outside the scenario's private network namespace")
        rc, out = run(expand(entry["net"], prefix))
        if rc != 0:
            raise RuntimeError("step %s failed: %s" % (entry["net"], out))
    else:
        raise ValueError("unknown step %r" % entry)
    return entry.get("say") or json.dumps({k: v for k, v in entry.items() if k != "say"})


def own_netns_command(spec, cmd, prefix):
    """A backend with `netns` runs on "another host": in a network namespace of its own
    (`unshare --net`, no fork, so the pid is the backend's), where a shell waits for the link
    the scenario moves in (`spec["link"]`, one end of its veth pair), brings it up with the
    `spec["net"]` commands and then execs the backend."""
    setup = " && ".join(shlex.join(c) for c in [["ip", "link", "set", "lo", "up"]] + expand(spec["net"], prefix))
    script = ("i=0; while ! ip link show %s >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 200 ] && exit 97; "
              "sleep 0.05; done; %s && exec \"$@\"") % (shlex.quote(spec["link"]), setup)
    return ["unshare", "--net", "--", "sh", "-c", script, "sh"] + cmd


def start_backend(b, prefix, procs):
    """Start one backend in its own process group (added to procs before waiting, so the
    caller's finally stops it even when it never gets ready) and wait for its ready line.
    A backend with `netns` gets a network namespace of its own, and the link it names is
    moved into it from the scenario's (private) namespace."""
    logpath = os.path.join(prefix, b["log"])
    cmd = expand(b["cmd"], prefix)
    if b.get("netns"):
        if NS_ENV not in os.environ:
            raise RuntimeError("refusing to move links outside a private network namespace")
        cmd = own_netns_command(b["netns"], cmd, prefix)
    with open(logpath, "ab") as logf:
        proc = subprocess.Popen(
            cmd,
            stdout=logf,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=expand(b.get("cwd", "{P}"), prefix),
        )
    procs.append(proc)
    if b.get("netns"):
        # `unshare` makes its namespace a moment after it starts: moving the link before
        # that would move it into our own namespace, and the backend would wait for it forever.
        ours = os.readlink("/proc/self/ns/net")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if os.readlink("/proc/%d/ns/net" % proc.pid) != ours:
                    break
            except OSError:
                pass
            time.sleep(0.01)
        else:
            raise RuntimeError("backend %s: no network namespace of its own after 10 s" % b["log"])
        rc, out = run(["ip", "link", "set", b["netns"]["link"], "netns", str(proc.pid)])
        if rc != 0:
            raise RuntimeError("ip link set %s netns %d: %s" % (b["netns"]["link"], proc.pid, out))
    ready_in = os.path.join(prefix, b.get("ready_in", b["log"]))
    if b.get("ready") and not wait_for_text(ready_in, b["ready"]):
        with open(ready_in, "rb") as f:
            tail = f.read()[-600:].decode("utf-8", "replace")
        raise RuntimeError("backend %s never logged %r; its log ends:\n%s" % (b["log"], b["ready"], tail))
    return proc


# ---------------------------------------------------------------- namespaces

# Scenarios with "hosts" (a private /etc/hosts) or "net" (a private network namespace) run in a
# child of this process started with `unshare`, so the machine's /etc/hosts and routes are never
# touched: the bind mount and the routes exist only in the child's namespaces and vanish with
# its last process. The child is this script again, told the parent's namespaces so it can
# refuse to mount or route anything when it is not in namespaces of its own.
NS_ENV = "BADGATEWAY_LAB_PARENT_NS"


def namespaces_of(scn):
    return (["mnt"] if scn.get("hosts") is not None else []) + (["net"] if scn.get("net") is not None else [])


def own_namespaces():
    return {ns: os.readlink("/proc/self/ns/%s" % ns) for ns in ("mnt", "net")}


def capture_in_namespace(scn, out, verbose):
    """Run one scenario in new namespaces; returns the child's exit status."""
    flags = {"mnt": ["--mount", "--propagation", "private"], "net": ["--net"]}
    cmd = ["unshare"] + [f for ns in namespaces_of(scn) for f in flags[ns]]
    cmd += ["--", sys.executable, os.path.abspath(__file__), "capture", "--only", scn["name"], "--out", out]
    cmd += ["-v"] if verbose else []
    env = dict(os.environ, **{NS_ENV: json.dumps(own_namespaces())})
    # The child stops its own processes in its finally; it is waited for, never left behind.
    return subprocess.run(cmd, env=env).returncode


def enter_private_files(scn, prefix):
    """In the child: mount the scenario's hosts file on /etc/hosts and set up its routes,
    after checking that this process is in namespaces of its own."""
    parent = json.loads(os.environ[NS_ENV])
    mine = own_namespaces()
    for ns in namespaces_of(scn):
        if mine[ns] == parent[ns]:
            raise RuntimeError("refusing to change the machine: %s namespace is the parent's (%s)" % (ns, mine[ns]))
    if scn.get("hosts") is not None:
        hosts = os.path.join(prefix, "hosts")
        write(prefix, "hosts", expand(scn["hosts"], prefix))
        rc, out = run(["mount", "--bind", hosts, "/etc/hosts"])
        if rc != 0:
            raise RuntimeError("mount --bind %s /etc/hosts: %s" % (hosts, out))
    if scn.get("net") is not None:
        for cmd in [["ip", "link", "set", "lo", "up"]] + scn["net"]:
            rc, out = run(expand(cmd, prefix))
            if rc != 0:
                raise RuntimeError("%s: %s" % (" ".join(cmd), out))


# ---------------------------------------------------------------- listeners

def _port_of(addr):
    return addr.rpartition(":")[2]


def filter_ss_tcp(text, ports):
    lines = text.splitlines()
    keep = lines[:1]
    for line in lines[1:]:
        f = line.split()
        if len(f) >= 4 and _port_of(f[3]) in ports:
            keep.append(line)
    return "\n".join(keep) + "\n"


def filter_ss_unix(text, paths):
    lines = text.splitlines()
    keep = lines[:1]
    for line in lines[1:]:
        f = line.split()
        if len(f) >= 5 and f[4] in paths:
            keep.append(line)
    return "\n".join(keep) + "\n"


def filter_ss_mixed(text, ports, paths):
    """`ss -tlnpx`: a Netid column first, then TCP and unix rows mixed."""
    lines = text.splitlines()
    keep = lines[:1]
    for line in lines[1:]:
        f = line.split()
        if len(f) >= 5 and (f[4] in paths or (f[0] == "tcp" and _port_of(f[4]) in ports)):
            keep.append(line)
    return "\n".join(keep) + "\n"


def filter_netstat(text, ports):
    lines = text.splitlines()
    keep = lines[:2]
    for line in lines[2:]:
        f = line.split()
        if len(f) >= 4 and _port_of(f[3]) in ports:
            keep.append(line)
    return "\n".join(keep) + "\n"


def filter_lsof(text, ports):
    lines = text.splitlines()
    keep = lines[:1]
    for line in lines[1:]:
        f = line.split()
        # NAME is "ADDR:PORT (LISTEN)"
        if len(f) >= 2 and f[-1] == "(LISTEN)" and _port_of(f[-2]) in ports:
            keep.append(line)
    return "\n".join(keep) + "\n"


def capture_listeners(scn, prefix, work, running=None):
    ports = {str(p) for p in scn.get("ports", [])} | {str(scn["listen"])}
    paths = set(expand(scn.get("socket_paths", []), prefix))
    # `listeners_in`: the tables are the ones of that backend's network namespace (the host
    # that runs nginx's container, say), not nginx's own.
    inside = []
    if scn.get("listeners_in") is not None:
        inside = ["nsenter", "--net=/proc/%d/ns/net" % running[scn["listeners_in"]].pid, "--"]

    def table(cmd):
        return run(inside + cmd)[1]

    ss_t, ss_x, ns = table(["ss", "-tlnp"]), table(["ss", "-xlp"]), table(["netstat", "-tlnp"])
    ss_t, ss_x, ns = filter_ss_tcp(ss_t, ports), filter_ss_unix(ss_x, paths), filter_netstat(ns, ports)
    write(work, "ss-tlnp.txt", ss_t)
    write(work, "ss-xlp.txt", ss_x)
    write(work, "netstat-tlnp.txt", ns)
    mixed = table(["ss", "-tlnpx"])
    write(work, "ss-tlnpx.txt", filter_ss_mixed(mixed, ports, paths))
    ls_of = table(["lsof", "-nP", "-iTCP", "-sTCP:LISTEN"])
    write(work, "lsof-tcp-listen.txt", filter_lsof(ls_of, ports))
    if scn.get("no_root"):
        # As a user without root pastes it: no -p (ss would print no process column anyway).
        plain = filter_ss_tcp(table(["ss", "-tln"]), ports)
        write(work, "ss-tln.txt", plain)
        paste = "$ ss -tln\n" + plain
    else:
        paste = "$ sudo ss -tlnp\n" + ss_t + "$ sudo ss -xlp\n" + ss_x
    for d in expand(scn.get("ls", []), prefix):
        _, out = run(["ls", "-l", d])
        paste += "$ ls -l %s\n%s" % (d, out)
    # What a name means on nginx's host now (`getent ahosts NAME`), as a user would check it.
    for cmd in scn.get("lookups", []):
        _, out = run(expand(cmd, prefix))
        paste += "$ %s\n%s" % (" ".join(cmd), out)
    # Root-only probes (the firewall's rules), after the requests so counters show their packets.
    for cmd in scn.get("probes", []):
        rc, out = run(expand(cmd, prefix))
        if rc != 0:
            raise RuntimeError("probe %s failed: %s" % (" ".join(cmd), out))
        paste += "$ sudo %s\n%s" % (" ".join(cmd), out)
    write(work, "listeners.txt", paste)


# ---------------------------------------------------------------- capture

def write(d, name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


def nginx_conf(scn, prefix):
    user = scn.get("user")
    return NGINX_CONF.format(
        user=("user %s;\n" % user) if user else "",
        main="".join("%s\n" % d for d in scn.get("main", [])),
        P=prefix,
        worker_connections=scn.get("worker_connections", 64),
        body=expand(scn["http"], prefix).rstrip("\n"),
    )


def capture_one(scn, out_dir, in_namespace=False):
    name = scn["name"]
    prefix = os.path.join(LAB_ROOT, name)
    shutil.rmtree(prefix, ignore_errors=True)
    os.makedirs(os.path.join(prefix, "temp"), exist_ok=True)
    os.chmod(LAB_ROOT, 0o755)
    os.chmod(prefix, 0o755)
    backend_files = [f for b in scn.get("backends", []) for f in b.get("files", [])]
    for f in scn.get("files", []) + backend_files:
        dst = expand(f["path"], prefix)
        os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
        if "copy" in f:
            shutil.copy(expand(f["copy"], prefix), dst)
        else:
            write(os.path.dirname(dst), os.path.basename(dst), expand(f["text"], prefix))
    for cmd in scn.get("setup", []):
        rc, out = run(expand(cmd, prefix))
        if rc != 0:
            raise RuntimeError("setup %s failed: %s" % (cmd, out))
    conf = os.path.join(prefix, "nginx.conf")
    write(prefix, "nginx.conf", nginx_conf(scn, prefix))

    procs = []
    meta = {}
    started = time.time()
    try:
        if in_namespace:
            enter_private_files(scn, prefix)
        running = {}
        for i, b in enumerate(scn.get("backends", [])):
            if not b.get("later"):
                running[b.get("id", i)] = start_backend(b, prefix, procs)
        rc_t, out_t = run([NGINX, "-t", "-p", prefix, "-c", conf])
        if rc_t != 0 or scn.get("keep_nginx_t"):
            write(prefix, "nginx-t.txt", out_t)
        statuses = []
        if rc_t == 0:
            procs.append(
                subprocess.Popen(
                    [NGINX, "-p", prefix, "-c", conf, "-g", "daemon off;"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            if not wait_for_listen(scn["listen"]):
                raise RuntimeError("nginx did not listen on %d" % scn["listen"])
            statuses = make_requests(scn, scn["listen"], prefix, procs, running)
            time.sleep(scn.get("settle", 0.3))
        elif not scn.get("config_fails"):
            raise RuntimeError("nginx -t failed:\n" + out_t)
        _, dump = run([NGINX, "-T", "-p", prefix, "-c", conf])
        write(prefix, "nginx-T.txt", dump)
        capture_listeners(scn, prefix, prefix, running)
        meta["statuses"] = statuses
    finally:
        for p in reversed(procs):
            kill_group(p)

    _, version = run([NGINX, "-v"])
    logs = ["error.log"] + [b["log"] for b in scn.get("backends", []) if b.get("keep_log", True)]
    logs += scn.get("extra_logs", [])
    logs = [l for l in dict.fromkeys(logs) if os.path.exists(os.path.join(prefix, l))]
    dest = os.path.join(out_dir, name)
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    files = ["nginx-T.txt", "listeners.txt", "ss-tlnp.txt", "ss-xlp.txt", "netstat-tlnp.txt",
             "ss-tlnpx.txt", "lsof-tcp-listen.txt"] + logs
    if scn.get("no_root"):
        files.append("ss-tln.txt")
    config_input = "nginx-T.txt"
    if os.path.exists(os.path.join(prefix, "nginx-t.txt")):
        files.append("nginx-t.txt")
    if scn.get("config_fails"):
        # nginx -T prints only the error then, so the config input is the file itself.
        files.append("nginx.conf")
        config_input = "nginx.conf"
        logs.append("nginx-t.txt")  # its [emerg] line is the log evidence
    for f in files:
        shutil.copy(os.path.join(prefix, f), os.path.join(dest, f))
    meta = {
        "name": name,
        "description": scn["description"],
        "cause": scn["cause"],
        "client": meta["statuses"],
        "nginx_version": version.strip(),
        "captured": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expect": scn.get("expect", []),
        "expect_not": scn.get("expect_not", []),
        "inputs": {"config": config_input, "listeners": "listeners.txt", "log": logs},
    }
    if scn.get("expect_subsets"):
        meta["expect_subsets"] = scn["expect_subsets"]
    if scn.get("notes"):
        meta["notes"] = scn["notes"]
    with open(os.path.join(dest, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return meta, time.time() - started


def error_lines(dest):
    try:
        with open(os.path.join(dest, "error.log")) as f:
            return [l.rstrip("\n") for l in f if "[notice]" not in l]
    except FileNotFoundError:
        return []


# Every capture needs these; a scenario adds its own in "tools" (its Debian package in TOOL_PACKAGES).
REQUIRED_TOOLS = ["nginx", "ss", "netstat", "lsof", "openssl", "/usr/bin/gunicorn", "php-fpm8.2", "unshare", "mount",
                  "ip", "getent", "nsenter"]
TOOL_PACKAGES = {
    "nginx": "nginx-light", "ss": "iproute2", "ip": "iproute2", "netstat": "net-tools", "lsof": "lsof",
    "openssl": "openssl", "/usr/bin/gunicorn": "gunicorn", "php-fpm8.2": "php8.2-fpm", "unshare": "util-linux",
    "mount": "mount", "getent": "libc-bin", "nsenter": "util-linux", "iptables": "iptables", "nft": "nftables",
    "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so": "libnginx-mod-http-headers-more-filter",
    "/usr/lib/nginx/modules/ngx_http_upstream_fair_module.so": "libnginx-mod-http-upstream-fair",
}


def missing_tools(chosen, path=None):
    """The tools the chosen scenarios need that are not installed, with their packages."""
    path = (path if path is not None else os.environ.get("PATH", "")) + ":/usr/sbin:/sbin"
    wanted = list(REQUIRED_TOOLS) + [t for s in chosen for t in s.get("tools", [])]
    def present(t):
        # A dynamic module is a file nginx loads, not a program.
        return os.path.exists(t) if t.endswith(".so") else shutil.which(t, path=path)
    return [(t, TOOL_PACKAGES.get(t, "?")) for t in dict.fromkeys(wanted) if not present(t)]


def cmd_capture(args):
    chosen = select(args.only)
    # A missing tool stops the capture: a scenario is never skipped or captured without its evidence.
    missing = missing_tools(chosen)
    if missing:
        print("missing tools: %s\ninstall them (scripts/bootstrap.sh test does): apt-get install %s"
              % (", ".join(t for t, _ in missing), " ".join(sorted({p for _, p in missing}))))
        return 2
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    failures = 0
    inside = NS_ENV in os.environ
    for scn in chosen:
        if namespaces_of(scn) and not inside:
            sys.stdout.flush()
            if capture_in_namespace(scn, out, args.verbose) != 0:
                failures += 1
            continue
        try:
            meta, took = capture_one(scn, out, in_namespace=inside)
        except Exception as e:
            failures += 1
            print("FAIL %s: %s" % (scn["name"], e))
            continue
        seen = [s for r in meta["client"] for s in r.get("statuses", [])]
        print("ok   %-28s %5.1fs client=%s" % (scn["name"], took, seen))
        if args.verbose:
            for l in error_lines(os.path.join(out, scn["name"])):
                print("       " + l)
    return 1 if failures else 0


# ---------------------------------------------------------------- check

def diagnose(binary, dest, inputs, parts):
    cmd = [binary, "diagnose"]
    tmp = None
    if "config" in parts:
        cmd += ["--config", os.path.join(dest, inputs["config"])]
    if "listeners" in parts:
        cmd += ["--listeners", os.path.join(dest, inputs["listeners"])]
    if "log" in parts:
        tmp = tempfile.NamedTemporaryFile("wb", suffix=".log", delete=False)
        for name in inputs["log"]:
            with open(os.path.join(dest, name), "rb") as f:
                tmp.write(f.read())
        tmp.close()
        cmd += ["--log", tmp.name]
    cmd += ["--format", "json"]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "could not run %s: %s" % (binary, e)
    finally:
        if tmp:
            os.unlink(tmp.name)
    try:
        data = json.loads(p.stdout.decode("utf-8", "replace"))
        return sorted({f["code"] for f in data.get("findings", [])}), None
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        return None, "exit %d, bad JSON (%s): %s" % (p.returncode, e, p.stderr.decode("utf-8", "replace")[:300])


SUBSETS = {"all": ("config", "listeners", "log"), "config+listeners": ("config", "listeners"), "log": ("log",),
           "config": ("config",), "config+log": ("config", "log")}


def cmd_check(args):
    d = os.path.abspath(args.dir)
    names = sorted(n for n in os.listdir(d) if os.path.exists(os.path.join(d, n, "meta.json")))
    if args.only:
        names = [n for n in names if n in args.only]
    # Expectations that name a code the binary does not implement yet are reported as
    # pending, never as passed: they turn into real checks when the rule lands.
    listing = subprocess.run([args.bin, "explain", "--list"], stdout=subprocess.PIPE, check=True)
    implemented = {line.split()[0] for line in listing.stdout.decode().splitlines() if line.strip()}
    passed = failed = pending = 0
    pending_codes = set()
    for name in names:
        dest = os.path.join(d, name)
        with open(os.path.join(dest, "meta.json")) as f:
            meta = json.load(f)
        runs = [("all", meta.get("expect", []), meta.get("expect_not", []))]
        for sub, exp in sorted(meta.get("expect_subsets", {}).items()):
            runs.append((sub, exp.get("expect", []), exp.get("expect_not", [])))
        for sub, expect, expect_not in runs:
            label = name if sub == "all" else "%s [%s]" % (name, sub)
            codes, err = diagnose(args.bin, dest, meta["inputs"], SUBSETS[sub])
            if err:
                failed += 1
                print("FAIL %s: %s" % (label, err))
                continue
            missing = [c for c in expect if c not in codes and c in implemented]
            unwanted = [c for c in expect_not if c in codes]
            waiting = [c for c in expect if c not in implemented]
            if waiting and not missing and not unwanted:
                pending += 1
                pending_codes.update(waiting)
                print("wait %s: got %s; %s not implemented yet" % (label, codes, waiting))
            elif missing or unwanted:
                failed += 1
                print("FAIL %s: got %s; missing %s; must not report %s" % (label, codes, missing, unwanted))
            else:
                passed += 1
                print("ok   %s: %s" % (label, codes))
    if pending:
        print("%d pending on codes not implemented yet: %s" % (pending, " ".join(sorted(pending_codes))))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def select(only):
    all_s = catalog.SCENARIOS
    if not only:
        return all_s
    known = {s["name"] for s in all_s}
    unknown = [n for n in only if n not in known]
    if unknown:
        sys.exit("unknown scenario(s): %s" % ", ".join(unknown))
    return [s for s in all_s if s["name"] in only]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture", help="run scenarios and write fixtures")
    c.add_argument("--only", nargs="+")
    c.add_argument("--out", default=DEFAULT_OUT)
    c.add_argument("-v", "--verbose", action="store_true", help="print the nginx error lines")
    k = sub.add_parser("check", help="run badgateway over the fixtures")
    k.add_argument("--bin", required=True)
    k.add_argument("--dir", default=DEFAULT_OUT)
    k.add_argument("--only", nargs="+")
    sub.add_parser("list", help="list scenarios")
    args = p.parse_args()
    if args.cmd == "capture":
        return cmd_capture(args)
    if args.cmd == "check":
        return cmd_check(args)
    for s in catalog.SCENARIOS:
        print("%-28s %s" % (s["name"], s["description"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
