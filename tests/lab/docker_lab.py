#!/usr/bin/env python3
"""Captures lab scenarios from a real Docker daemon into tests/fixtures/scenarios/docker-*/.

Not part of `lab.py capture` (CI has no Docker daemon it could rely on): the fixtures are
committed, and `lab.py check`, the golden test and never_confidently_wrong read them like any
other scenario. Run as root on Debian 12 with `apt-get install docker.io docker-compose`
(dockerd 20.10.24, docker-compose 1.29.2). When no daemon answers, one is started on a
private data root under /tmp and stopped at the end.

No image can be pulled here, so the images are imported from the host: `bglab/busybox`
(the host's busybox and its libraries: httpd, netstat, sh) and `bglab/nginx` (the same plus
the host's own nginx 1.22.1 binary and its libraries). nginx logs to stderr, as the official
images do, so `docker-compose logs nginx` is its error log with compose's prefixes.

  python3 tests/lab/docker_lab.py [--only NAME ...] [--out DIR]
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

PROJECT = "shop"
DOCKERD_ROOT = "/tmp/bg-dockerd"

NGINX_CONF = """\
worker_processes 1;
pid /tmp/nginx.pid;
error_log /dev/stderr info;

events {
    worker_connections 64;
}

http {
    access_log /dev/stdout;
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;

    server {
        listen 80;
        server_name _;

        location / {
%s
        }
    }
}
"""


def nginx_service(location, ports=("19800:80",), extra=""):
    return {"image": "bglab/nginx:1.22", "ports": list(ports),
            "volumes": ["./nginx.conf:/etc/nginx/nginx.conf:ro"],
            "command": ["nginx", "-g", "daemon off;"], "_conf": NGINX_CONF % location, "_extra": extra}


def httpd(bind, **kw):
    return dict({"image": "bglab/busybox:1.35", "command": ["httpd", "-f", "-p", bind, "-h", "/www"]}, **kw)


# Each scenario: compose services (nginx's `_conf` is written to ./nginx.conf), steps run
# after `up` (a list of ("request", path) / ("sh", cmd) / ("sleep", s)), and what the paste
# holds: `listeners` (commands whose output makes listeners.txt), `host_nginx` (nginx runs
# on the host, from the lab's prefix, instead of in a container).
SCENARIOS = [
    {
        "name": "docker-app-loopback",
        "description": "nginx in a compose container proxies to http://app:8000; the app's httpd listens on "
                       "127.0.0.1:8000 inside its own container",
        "cause": "The app runs, but listens on 127.0.0.1 inside its own container: nginx, in another container, "
                 "connects to the app's address on the compose network (172.x) and is refused.",
        "services": {"nginx": nginx_service("            proxy_pass http://app:8000;"),
                     "app": httpd("127.0.0.1:8000")},
        "requests": ["/", "/"],
        "listeners": [["docker", "ps"], ["docker-compose", "ps"]],
        # Without docker ps (config+log), BG209 may say a recreated container could be why (below 80%).
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG204", "BG207", "BG213"],
        "expect_subsets": {"log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203"]},
                           "config+log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203"]}},
    },
    {
        "name": "docker-app-loopback-exec",
        "description": "docker-app-loopback, and the paste shows netstat from inside the app's container: "
                       "127.0.0.1:8000",
        "cause": "The app listens on 127.0.0.1:8000 inside its own container (netstat run in it shows so), so "
                 "nginx's connection to the app's container address is refused.",
        "services": {"nginx": nginx_service("            proxy_pass http://app:8000;"),
                     "app": httpd("127.0.0.1:8000")},
        "requests": ["/"],
        "listeners": [["docker", "ps"], ["docker-compose", "exec", "-T", "app", "netstat", "-tln"]],
        "expect": ["BG203"],
        "expect_not": ["BG201", "BG202", "BG204", "BG207"],
        "expect_subsets": {"config+listeners": {"expect": ["BG203"], "expect_not": ["BG201", "BG202"]},
                           "log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203"]}},
    },
    {
        "name": "docker-app-exited",
        "description": "nginx in a container proxies to http://app:8000 (resolved at start); the app's container "
                       "then exits",
        "cause": "The app's container exited after nginx started: nginx still connects to the address it "
                 "resolved at start, where no container answers any more.",
        "services": {"nginx": nginx_service("            proxy_pass http://app:8000;\n"
                                            "            proxy_connect_timeout 5s;"),
                     "app": httpd("0.0.0.0:8000")},
        "steps": [("request", "/"), ("sh", ["docker-compose", "stop", "-t", "1", "app"]), ("request", "/")],
        "listeners": [["docker", "ps", "-a"]],
        # BG209 too: nginx does keep the address it resolved at start (a reload after the restart is needed).
        "expect": ["BG209", "BG217"],
        "expect_not": ["BG202", "BG203", "BG204", "BG213"],
        "expect_subsets": {"config+listeners": {"expect": ["BG217"], "expect_not": ["BG201", "BG202", "BG203"]},
                           "log": {"expect": ["BG402"], "expect_not": ["BG201", "BG217"]}},
    },
    {
        "name": "docker-app-exited-dns",
        "description": "nginx in a container with Docker's DNS (resolver 127.0.0.11) and the app's name in a "
                       "variable; the app's container has exited",
        "cause": "The app's container exited (exit code 1): Docker's DNS no longer answers for its name, so "
                 "nginx cannot resolve it at request time.",
        "services": {"nginx": nginx_service("            resolver 127.0.0.11 valid=10s ipv6=off;\n"
                                            "            set $app app;\n"
                                            "            proxy_pass http://$app:8000;"),
                     "app": {"image": "bglab/busybox:1.35", "command": ["sh", "-c", "echo 'cannot open database'; "
                                                                         "exit 1"]}},
        "requests": ["/"],
        "listeners": [["docker", "ps", "-a"]],
        # BG208 too: Docker's DNS really answers that app does not exist (the container's exit is why).
        "expect": ["BG208", "BG217"],
        "expect_not": ["BG201", "BG202", "BG203", "BG209"],
        "expect_subsets": {"log": {"expect": ["BG208"], "expect_not": ["BG201", "BG217"]}},
    },
    {
        "name": "docker-app-exited-at-start",
        "description": "nginx in a container starts (2 s late) after the app's container has exited: "
                       "proxy_pass http://app:8000 cannot be resolved at start",
        "cause": "The app's container exited (exit code 1) before nginx started: Docker's DNS does not know a "
                 "stopped container's name, so nginx refuses its config ([emerg] host not found in upstream) and "
                 "its own container exits too.",
        "nginx_fails": True,
        "services": {"nginx": dict(nginx_service("            proxy_pass http://app:8000;"),
                                   command=["sh", "-c", "sleep 2; exec nginx -g 'daemon off;'"]),
                     "app": {"image": "bglab/busybox:1.35",
                             "command": ["sh", "-c", "echo 'cannot open database'; exit 1"]}},
        "listeners": [["docker", "ps", "-a"]],
        # BG103 too: the config really does not load (host not found); BG217 says why.
        "expect": ["BG103", "BG217"],
        "expect_not": ["BG201", "BG202", "BG209"],
        "expect_subsets": {"log": {"expect": [], "expect_not": ["BG201", "BG217"]}},
    },
    {
        "name": "docker-nginx-own-loopback",
        "description": "nginx in a container proxies to http://127.0.0.1:9000; the api container publishes "
                       "9000 on the host (docker-proxy listens there)",
        "cause": "In nginx's container 127.0.0.1 is nginx's own container: nothing listens on 9000 there, "
                 "though the host's docker-proxy does (the api's published port).",
        "services": {"nginx": nginx_service("            proxy_pass http://127.0.0.1:9000;"),
                     "api": httpd("0.0.0.0:9000", ports=["9000:9000"])},
        "requests": ["/"],
        "listeners": [["docker", "ps"], ["ss", "-tlnp"]],
        "ports": [9000, 19800],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204", "BG207", "BG213"],
        "expect_subsets": {"log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203"]}},
    },
    {
        "name": "docker-exposed-not-published",
        "description": "nginx on the host proxies to http://127.0.0.1:8000; the app's container EXPOSEs 8000 "
                       "but does not publish it",
        "cause": "The app's container listens on 8000 on its own network only: the port is exposed, not "
                 "published, so nothing listens on the host's 127.0.0.1:8000 and nginx is refused.",
        "host_nginx": "            proxy_pass http://127.0.0.1:8000;",
        "services": {"app": httpd("0.0.0.0:8000", expose=["8000"])},
        "requests": ["/"],
        "listeners": [["ss", "-tlnp"], ["docker", "ps"]],
        "ports": [8000, 19800],
        "expect": ["BG215"],
        "expect_not": ["BG202", "BG203", "BG204", "BG213"],
        "expect_subsets": {"config+listeners": {"expect": ["BG215"], "expect_not": ["BG201", "BG202"]},
                           "log": {"expect": ["BG201"], "expect_not": ["BG202", "BG215"]}},
    },
]

HOST_NGINX_CONF = """\
worker_processes 1;
pid {P}/nginx.pid;
error_log {P}/error.log info;

events {{
    worker_connections 64;
}}

http {{
    access_log {P}/access.log;
    client_body_temp_path {P}/temp/client_body;
    proxy_temp_path {P}/temp/proxy;

    server {{
        listen 127.0.0.1:19800;
        server_name _;

        location / {{
{location}
        }}
    }}
}}
"""


def sh(cmd, cwd=None, check=True, timeout=60):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d\n%s" % (" ".join(cmd), p.returncode, out))
    return out


def ensure_daemon():
    """Returns the dockerd process this script started, or None when one already answered."""
    if subprocess.run(["docker", "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        return None
    os.makedirs(DOCKERD_ROOT, exist_ok=True)
    log = open(os.path.join(DOCKERD_ROOT, "log"), "ab")
    proc = subprocess.Popen(["dockerd", "--data-root", DOCKERD_ROOT + "/root", "--exec-root", DOCKERD_ROOT + "/exec"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(120):
        if subprocess.run(["docker", "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return proc
        time.sleep(0.5)
    raise RuntimeError("dockerd did not answer in 60 s; see %s/log" % DOCKERD_ROOT)


def copy_with_libs(root, binary):
    os.makedirs(root + os.path.dirname(binary), exist_ok=True)
    shutil.copy(binary, root + binary)
    for line in sh(["ldd", binary]).splitlines():
        for word in line.split():
            if word.startswith("/"):
                os.makedirs(root + os.path.dirname(word), exist_ok=True)
                shutil.copy(word, root + word)


def import_images():
    """bglab/busybox:1.35 and bglab/nginx:1.22, from the host's own binaries."""
    for tag, with_nginx in (("bglab/busybox:1.35", False), ("bglab/nginx:1.22", True)):
        root = tempfile.mkdtemp(prefix="bg-root.")
        try:
            copy_with_libs(root, "/usr/bin/busybox")
            for d in ("bin", "etc", "tmp", "www", "etc/nginx", "var/log/nginx", "var/lib/nginx"):
                os.makedirs(os.path.join(root, d), exist_ok=True)
            os.chmod(os.path.join(root, "tmp"), 0o1777)
            for applet in ("sh", "httpd", "sleep", "netstat", "wget", "cat", "echo", "nslookup"):
                os.symlink("/usr/bin/busybox", os.path.join(root, "bin", applet))
            with open(os.path.join(root, "etc/passwd"), "w") as f:
                f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
            with open(os.path.join(root, "etc/group"), "w") as f:
                f.write("root:x:0:\nnogroup:x:65534:\n")
            with open(os.path.join(root, "www/index.html"), "w") as f:
                f.write("hello from the app\n")
            if with_nginx:
                copy_with_libs(root, "/usr/sbin/nginx")
                os.symlink("/usr/sbin/nginx", os.path.join(root, "bin", "nginx"))
            tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
            subprocess.run(["docker", "import", "-", tag], stdin=tar.stdout, stdout=subprocess.DEVNULL, check=True)
            tar.wait()
        finally:
            shutil.rmtree(root)


def compose_yaml(services):
    """docker-compose.yml (JSON is YAML) without the keys that are ours."""
    clean = {n: {k: v for k, v in s.items() if not k.startswith("_")} for n, s in services.items()}
    return json.dumps({"version": "2.4", "services": clean}, indent=2) + "\n"


def capture(scn, out_dir):
    name = scn["name"]
    prefix = os.path.join(lab.LAB_ROOT, name)
    shutil.rmtree(prefix, ignore_errors=True)
    proj = os.path.join(prefix, PROJECT)
    os.makedirs(proj)
    os.makedirs(os.path.join(prefix, "temp"))
    dest = os.path.join(out_dir, name)
    work = tempfile.mkdtemp(prefix="bg-docker-")
    host_nginx = None
    statuses = []
    try:
        with open(os.path.join(proj, "docker-compose.yml"), "w") as f:
            f.write(compose_yaml(scn["services"]))
        if "nginx" in scn["services"]:
            with open(os.path.join(proj, "nginx.conf"), "w") as f:
                f.write(scn["services"]["nginx"]["_conf"])
        sh(["docker-compose", "up", "-d"], cwd=proj)
        if scn.get("host_nginx"):
            conf = os.path.join(prefix, "nginx.conf")
            with open(conf, "w") as f:
                f.write(HOST_NGINX_CONF.format(P=prefix, location=scn["host_nginx"]))
            host_nginx = subprocess.Popen([lab.NGINX, "-p", prefix, "-c", conf, "-g", "daemon off;"],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)
        if scn.get("nginx_fails"):
            time.sleep(6)  # nginx's delayed start, its [emerg] and exit
        elif not lab.wait_for_listen(19800, timeout=20):
            raise RuntimeError("nothing listens on 19800:\n" + sh(["docker-compose", "logs", "--no-color"], cwd=proj))
        time.sleep(1.0)  # the app's httpd starts a moment after its container
        files = {}
        if not host_nginx and not scn.get("nginx_fails"):
            # The dump as nginx runs it, before any step (a stopped app makes `nginx -T` fail: host not found).
            files["nginx-T.txt"] = sh(["docker-compose", "exec", "-T", "nginx", "nginx", "-T"], cwd=proj)
        steps = scn.get("steps") or [("request", p) for p in scn.get("requests", [] if scn.get("nginx_fails") else ["/"])]
        for kind, arg in steps:
            if kind == "request":
                statuses.append({"path": arg, "statuses": [lab.request("http://127.0.0.1:19800" + arg, 20)]})
            elif kind == "sh":
                sh(arg, cwd=proj)
            elif kind == "sleep":
                time.sleep(arg)
        time.sleep(0.5)
        os.makedirs(work, exist_ok=True)
        if host_nginx:
            files["nginx-T.txt"] = sh([lab.NGINX, "-T", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf")],
                                      check=False)
            shutil.copy(os.path.join(prefix, "error.log"), os.path.join(work, "error.log"))
            logs = ["error.log"]
        else:
            files["docker-compose-logs.txt"] = sh(["docker-compose", "logs", "--no-color", "nginx"], cwd=proj)
            logs = ["docker-compose-logs.txt"]
        ports = {str(p) for p in scn.get("ports", [19800])}
        paste = ""
        for cmd in scn["listeners"]:
            out = sh(cmd, cwd=proj, check=False)
            if cmd[:2] == ["ss", "-tlnp"]:
                out = lab.filter_ss_tcp(out, ports)
                paste += "$ sudo %s\n%s" % (" ".join(cmd), out)
            else:
                shown = [c for c in cmd if c != "-T"]  # -T: no tty for the capture; people type without it
                paste += "$ %s\n%s" % (" ".join(shown), out)
        files["listeners.txt"] = paste
        files["docker-compose.yml"] = compose_yaml(scn["services"])
        for n, text in files.items():
            with open(os.path.join(work, n), "w") as f:
                f.write(text)
        config = "nginx-T.txt"
        if scn.get("nginx_fails"):
            # nginx never ran: the config input is the file itself (as lab.py does for config_fails).
            shutil.copy(os.path.join(proj, "nginx.conf"), os.path.join(work, "nginx.conf"))
            config = "nginx.conf"
        meta = {
            "name": name,
            "description": scn["description"],
            "cause": scn["cause"],
            "client": statuses,
            "nginx_version": sh([lab.NGINX, "-v"]).strip(),
            "captured": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "captured_by": "tests/lab/docker_lab.py",
            "docker": sh(["docker", "version", "--format", "{{.Server.Version}}"]).strip(),
            "expect": scn.get("expect", []),
            "expect_not": scn.get("expect_not", []),
            "inputs": {"config": config, "listeners": "listeners.txt", "log": logs},
        }
        if scn.get("expect_subsets"):
            meta["expect_subsets"] = scn["expect_subsets"]
        with open(os.path.join(work, "meta.json"), "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(work, dest)
        return statuses
    finally:
        if host_nginx:
            lab.kill_group(host_nginx)
        sh(["docker-compose", "down", "-t", "1"], cwd=proj, check=False)
        shutil.rmtree(work, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", nargs="+")
    p.add_argument("--out", default=lab.DEFAULT_OUT)
    args = p.parse_args()
    chosen = [s for s in SCENARIOS if not args.only or s["name"] in args.only]
    daemon = ensure_daemon()
    failures = 0
    try:
        import_images()
        for scn in chosen:
            try:
                statuses = capture(scn, os.path.abspath(args.out))
                print("ok   %-30s client=%s" % (scn["name"], [s for r in statuses for s in r["statuses"]]))
            except Exception as e:  # report and go on: the others are independent
                failures += 1
                print("FAIL %s: %s" % (scn["name"], e))
    finally:
        sh(["docker", "rmi", "bglab/busybox:1.35", "bglab/nginx:1.22"], check=False)
        if daemon:
            lab.kill_group(daemon, grace=10)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
