#!/usr/bin/env python3
"""Tests of the lab itself (no nginx needed): listener filters, the check command,
and the integrity of the committed fixtures.  python3 tests/lab/test_lab.py"""
import contextlib
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
import scenarios  # noqa: E402

SS_T = """State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
LISTEN 0      128          0.0.0.0:2024       0.0.0.0:*
LISTEN 0      2048       127.0.0.1:3000       0.0.0.0:*    users:(("gunicorn",pid=1,fd=5))
LISTEN 0      5              [::1]:19031         [::]:*    users:(("python3",pid=2,fd=4))
LISTEN 0      511        127.0.0.1:19000      0.0.0.0:*    users:(("nginx",pid=3,fd=5))
"""
SS_X = """Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
u_str LISTEN 0      4096   /run/php/php8.2-fpm.sock 33767            * 0    users:(("php-fpm8.2",pid=4,fd=10))
u_str LISTEN 0      16     /tmp/other.sock 33768            * 0    users:(("x",pid=5,fd=3))
"""
NETSTAT = """Active Internet connections (only servers)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
tcp        0      0 127.0.0.1:3000          0.0.0.0:*               LISTEN      1/python3
tcp        0      0 0.0.0.0:2024            0.0.0.0:*               LISTEN      -
tcp6       0      0 ::1:19031               :::*                    LISTEN      2/python3
"""
LSOF = """COMMAND    PID   USER   FD   TYPE DEVICE SIZE/OFF NODE NAME
gunicorn 28056   root    5u  IPv4  50800      0t0  TCP 127.0.0.1:3000 (LISTEN)
sshd       100   root    3u  IPv4  50801      0t0  TCP *:22 (LISTEN)
"""


class Filters(unittest.TestCase):
    def test_ss_tcp_keeps_header_and_scenario_ports(self):
        out = lab.filter_ss_tcp(SS_T, {"3000", "19031"}).splitlines()
        self.assertEqual(len(out), 3)
        self.assertTrue(out[0].startswith("State"))
        self.assertIn("127.0.0.1:3000", out[1])
        self.assertIn("[::1]:19031", out[2])

    def test_ss_unix_keeps_named_paths(self):
        out = lab.filter_ss_unix(SS_X, {"/run/php/php8.2-fpm.sock"}).splitlines()
        self.assertEqual(len(out), 2)
        self.assertIn("php8.2-fpm.sock", out[1])

    def test_netstat_keeps_two_header_lines(self):
        out = lab.filter_netstat(NETSTAT, {"19031"}).splitlines()
        self.assertEqual(len(out), 3)
        self.assertIn("::1:19031", out[2])

    def test_ss_mixed(self):
        text = ("Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n"
                "u_str LISTEN 0      4096   /run/a.sock 1 * 0 users:((\"php-fpm8.2\",pid=4,fd=10))\n"
                "u_str LISTEN 0      4096   /run/b.sock 2 * 0 users:((\"x\",pid=5,fd=10))\n"
                "tcp   LISTEN 0      2048   127.0.0.1:3000 0.0.0.0:* users:((\"gunicorn\",pid=1,fd=5))\n"
                "tcp   LISTEN 0      128    0.0.0.0:2024 0.0.0.0:*\n")
        out = lab.filter_ss_mixed(text, {"3000"}, {"/run/a.sock"}).splitlines()
        self.assertEqual(len(out), 3)
        self.assertIn("/run/a.sock", out[1])
        self.assertIn("127.0.0.1:3000", out[2])

    def test_lsof(self):
        out = lab.filter_lsof(LSOF, {"3000"}).splitlines()
        self.assertEqual(len(out), 2)
        self.assertIn("127.0.0.1:3000", out[1])


FAKE_BIN = """#!/usr/bin/env python3
import json, sys
a = sys.argv
if a[1:] == ["explain", "--list"]:
    print("BG201  nothing-listens-on-target\\nBG202  backend-listens-on-another-port\\nBG205  unix-socket-missing")
    sys.exit(0)
assert a[1] == "diagnose" and a[-2:] == ["--format", "json"]
codes = ["BG202"] if "--listeners" in a else []
print(json.dumps({"findings": [{"code": c, "severity": "error"} for c in codes]}))
"""


class Check(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.bin = os.path.join(self.tmp, "fake")
        with open(self.bin, "w") as f:
            f.write(FAKE_BIN)
        os.chmod(self.bin, os.stat(self.bin).st_mode | stat.S_IXUSR)
        self.dir = os.path.join(self.tmp, "fx")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def fixture(self, name, meta):
        d = os.path.join(self.dir, name)
        os.makedirs(d)
        for f in ("nginx-T.txt", "listeners.txt", "error.log", "gunicorn.log"):
            with open(os.path.join(d, f), "w") as fh:
                fh.write("x\n")
        meta.setdefault("inputs", {"config": "nginx-T.txt", "listeners": "listeners.txt",
                                   "log": ["error.log", "gunicorn.log"]})
        with open(os.path.join(d, "meta.json"), "w") as fh:
            json.dump(meta, fh)

    def run_check(self):
        args = type("A", (), {"bin": self.bin, "dir": self.dir, "only": None})()
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = lab.cmd_check(args)
        return rc, buf.getvalue().splitlines()

    def test_pass_and_fail_and_subsets(self):
        self.fixture("a", {"expect": ["BG202"], "expect_not": ["BG201"],
                           "expect_subsets": {"log": {"expect": [], "expect_not": ["BG202"]}}})
        self.fixture("b", {"expect": ["BG205"]})
        rc, lines = self.run_check()
        self.assertEqual(rc, 1)
        self.assertEqual(lines[-1], "2 passed, 1 failed")
        self.assertTrue(any(l.startswith("FAIL b") for l in lines))

    def test_all_pass(self):
        self.fixture("a", {"expect": ["BG202"]})
        rc, lines = self.run_check()
        self.assertEqual((rc, lines[-1]), (0, "1 passed, 0 failed"))


class Steps(unittest.TestCase):
    """Steps between requests, and the namespace guard (no nginx, no mount)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_write_rewrites_in_place(self):
        # A bind mount follows the inode: a new file put in place by rename would not show.
        path = os.path.join(self.tmp, "hosts")
        with open(path, "w") as f:
            f.write("127.0.0.2 backend.test\n" * 3)
        inode = os.stat(path).st_ino
        said = lab.step({"write": "{P}/hosts", "text": "127.0.0.3 backend.test\n", "say": "moved"},
                        {}, self.tmp, [], {})
        self.assertEqual(said, "moved")
        self.assertEqual(os.stat(path).st_ino, inode)
        with open(path) as f:
            self.assertEqual(f.read(), "127.0.0.3 backend.test\n")

    def test_sleep_step(self):
        self.assertEqual(lab.step({"sleep": 0, "say": "waited"}, {}, self.tmp, [], {}), "waited")

    def test_unknown_step(self):
        with self.assertRaises(ValueError):
            lab.step({"reboot": True}, {}, self.tmp, [], {})

    def test_steps_are_recorded_before_the_next_request(self):
        made = []

        def fake_batch(path, concurrency, port, timeout, opts=None):
            made.append((path, opts) if opts else path)
            return [200] * concurrency

        post = {"method": "POST", "body": "x=1"}
        scn = {"requests": [("/a", 1), {"write": "{P}/f", "text": "x", "say": "changed f"}, ("/b", 2),
                            ("/c", 1, post)]}
        open(os.path.join(self.tmp, "f"), "w").close()
        real, lab.request_batch = lab.request_batch, fake_batch
        try:
            got = lab.make_requests(scn, 1, self.tmp, [], {})
            with self.assertRaises(ValueError):  # a step nothing observes
                lab.make_requests({"requests": [("/a", 1), {"write": "{P}/f", "text": "y"}]}, 1, self.tmp, [], {})
        finally:
            lab.request_batch = real
        self.assertEqual(got, [{"path": "/a", "statuses": [200]},
                               {"path": "/b", "before": ["changed f"], "statuses": [200, 200]},
                               {"path": "/c", "request": post, "statuses": [200]}])
        self.assertEqual(made, ["/a", "/b", ("/c", post), "/a"])

    def test_namespaces_of(self):
        self.assertEqual(lab.namespaces_of({}), [])
        self.assertEqual(lab.namespaces_of({"hosts": ""}), ["mnt"])
        self.assertEqual(lab.namespaces_of({"hosts": "x", "net": []}), ["mnt", "net"])

    def test_own_netns_command(self):
        spec = {"link": "v1", "net": [["ip", "addr", "add", "10.95.0.7/24", "dev", "v1"]]}
        cmd = lab.own_netns_command(spec, ["/usr/bin/gunicorn", "--bind", "0.0.0.0:1"], "/p")
        # unshare without --fork: the pid lab.py moves the link to is the backend's.
        self.assertEqual(cmd[:6], ["unshare", "--net", "--", "sh", "-c", cmd[5]])
        self.assertNotIn("--fork", cmd)
        self.assertEqual(cmd[6:], ["sh", "/usr/bin/gunicorn", "--bind", "0.0.0.0:1"])
        self.assertIn("ip link show v1", cmd[5])
        self.assertIn("ip link set lo up && ip addr add 10.95.0.7/24 dev v1 && exec \"$@\"", cmd[5])

    def test_links_are_moved_only_in_a_private_namespace(self):
        b = {"cmd": ["true"], "log": "x.log", "netns": {"link": "v1", "net": []}}
        os.environ.pop(lab.NS_ENV, None)
        procs = []
        with self.assertRaisesRegex(RuntimeError, "refusing"):
            lab.start_backend(b, self.tmp, procs)
        self.assertEqual(procs, [])

    def test_private_files_refused_in_the_machines_namespaces(self):
        # Told that the parent's namespaces are our own: nothing may be mounted or routed.
        os.environ[lab.NS_ENV] = json.dumps(lab.own_namespaces())
        try:
            for scn in ({"hosts": "127.0.0.9 localhost\n"}, {"net": [["ip", "route", "add", "prohibit", "10.98.0.0/24"]]}):
                with self.assertRaisesRegex(RuntimeError, "refusing"):
                    lab.enter_private_files(scn, self.tmp)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "hosts")))
        finally:
            del os.environ[lab.NS_ENV]


class Tools(unittest.TestCase):
    """A capture stops when a tool is missing: no scenario is skipped or captured without its evidence."""

    def test_missing_tool_stops_the_capture(self):
        scn = {"name": "needs-a-tool", "tools": ["badgateway-no-such-tool"]}
        self.assertIn(("badgateway-no-such-tool", "?"), lab.missing_tools([scn]))
        args = type("A", (), {"only": ["needs-a-tool"], "out": tempfile.mkdtemp(), "verbose": False})()
        real = lab.select
        lab.select = lambda only: [scn]
        buf = io.StringIO()
        try:
            with contextlib.redirect_stdout(buf):
                rc = lab.cmd_capture(args)
        finally:
            lab.select = real
            shutil.rmtree(args.out)
        self.assertEqual(rc, 2)
        self.assertIn("missing tools: badgateway-no-such-tool", buf.getvalue())

    def test_scenario_tools_are_installed_by_the_bootstrap(self):
        with open(os.path.join(lab.REPO, "scripts", "versions.env")) as f:
            apt = next(l for l in f if l.startswith("APT_PACKAGES=")).split("=", 1)[1].strip().strip('"').split()
        for scn in scenarios.SCENARIOS:
            for tool in scn.get("tools", []):
                with self.subTest(scn["name"], tool=tool):
                    self.assertIn(lab.TOOL_PACKAGES.get(tool), apt)

    def test_firewall_commands_only_in_a_private_network_namespace(self):
        # Rules are added, and the firewall read, only where `net` gives the scenario a
        # network namespace of its own: never the machine's firewall.
        firewall = {"iptables", "nft"}
        for scn in scenarios.SCENARIOS:
            used = {c[0] for c in scn.get("probes", []) + scn.get("net", [])} & firewall
            with self.subTest(scn["name"]):
                # setup runs before the child has checked that its namespaces are its own.
                self.assertFalse({c[0] for c in scn.get("setup", [])} & firewall)
                if used:
                    self.assertIn("net", scn)
                    self.assertLessEqual(used, set(scn.get("tools", [])))


class Fixtures(unittest.TestCase):
    """The committed fixtures are complete and say what the catalogue says."""

    def test_every_scenario_has_a_complete_fixture(self):
        for scn in scenarios.SCENARIOS:
            d = os.path.join(lab.DEFAULT_OUT, scn["name"])
            with self.subTest(scn["name"]):
                with open(os.path.join(d, "meta.json")) as f:
                    meta = json.load(f)
                for key in ("name", "description", "cause", "client", "nginx_version", "captured",
                            "expect", "expect_not", "inputs"):
                    self.assertIn(key, meta)
                self.assertEqual(meta["expect"], scn.get("expect", []))
                inputs = meta["inputs"]
                for f in [inputs["config"], inputs["listeners"], *inputs["log"]]:
                    self.assertTrue(os.path.exists(os.path.join(d, f)), f)
                # the stable prefix: paths in the dump are the same on every run
                with open(os.path.join(d, inputs["config"])) as f:
                    self.assertIn("/tmp/badgateway-lab/%s/" % scn["name"], f.read())

    def test_fixtures_outside_the_catalogue_are_docker_captures(self):
        # A scenario folder that `capture` does not make is one docker_lab.py made (and lists).
        import docker_lab
        known = {s["name"] for s in scenarios.SCENARIOS}
        docker = {s["name"] for s in docker_lab.SCENARIOS}
        for name in os.listdir(lab.DEFAULT_OUT):
            path = os.path.join(lab.DEFAULT_OUT, name, "meta.json")
            if name in known or not os.path.exists(path):
                continue
            with self.subTest(name):
                with open(path) as f:
                    meta = json.load(f)
                self.assertEqual(meta.get("captured_by"), "tests/lab/docker_lab.py")
                self.assertIn(name, docker)
                spec = [s for s in docker_lab.SCENARIOS if s["name"] == name][0]
                self.assertEqual(meta["expect"], spec["expect"])

    def test_lookups_are_in_the_listeners_paste(self):
        for scn in scenarios.SCENARIOS:
            for cmd in scn.get("lookups", []):
                with self.subTest(scn["name"]):
                    with open(os.path.join(lab.DEFAULT_OUT, scn["name"], "listeners.txt")) as f:
                        self.assertIn("$ %s\n" % " ".join(cmd), f.read())

    def test_remote_backend_down_evidence(self):
        # The refusal came from the other namespace's address, and nginx's own paste shows
        # neither that address nor anything on the port.
        d = os.path.join(lab.DEFAULT_OUT, "remote-backend-down")
        log = open(os.path.join(d, "error.log")).read()
        self.assertIn('connect() failed (111: Connection refused) while connecting to upstream', log)
        self.assertIn('upstream: "http://10.95.0.7:19461/"', log)
        paste = open(os.path.join(d, "listeners.txt")).read()
        self.assertNotIn("10.95.0.7", paste)
        self.assertNotIn(":19461 ", paste)
        # The healthy one: the backend on the other host really answered nginx's host.
        d = os.path.join(lab.DEFAULT_OUT, "remote-backend")
        self.assertIn('10.95.0.1 - - [', open(os.path.join(d, "gunicorn.log")).read())
    def test_container_evidence(self):
        # nginx's own loopback: the paste is the host's table (gunicorn there, nginx not), the
        # log says nginx was refused at that very address.
        d = os.path.join(lab.DEFAULT_OUT, "container-nginx-own-loopback")
        paste = open(os.path.join(d, "listeners.txt")).read()
        self.assertIn("127.0.0.1:19821", paste)
        self.assertIn('"gunicorn"', paste)
        self.assertNotIn(":19820 ", paste)
        self.assertIn('(111: Connection refused) while connecting to upstream', open(os.path.join(d, "error.log")).read())
        # The app on its container's loopback: nginx's table shows nothing on the port.
        d = os.path.join(lab.DEFAULT_OUT, "container-app-loopback")
        self.assertNotIn(":19811 ", open(os.path.join(d, "listeners.txt")).read())
        self.assertIn("Booting worker", open(os.path.join(d, "gunicorn.log")).read())
        self.assertIn('upstream: "http://172.18.0.2:19811/"', open(os.path.join(d, "error.log")).read())

    def test_probes_are_in_the_listeners_paste(self):
        for scn in scenarios.SCENARIOS:
            for cmd in scn.get("probes", []):
                with self.subTest(scn["name"]):
                    with open(os.path.join(lab.DEFAULT_OUT, scn["name"], "listeners.txt")) as f:
                        self.assertIn("$ sudo %s\n" % " ".join(cmd), f.read())

    def test_wrong_port_evidence(self):
        d = os.path.join(lab.DEFAULT_OUT, "wrong-port")
        log = open(os.path.join(d, "error.log")).read()
        self.assertIn("connect() failed (111: Connection refused) while connecting to upstream", log)
        self.assertIn('upstream: "http://127.0.0.1:8000/"', log)
        self.assertIn("127.0.0.1:3000", open(os.path.join(d, "listeners.txt")).read())
        self.assertIn("proxy_pass http://127.0.0.1:8000;", open(os.path.join(d, "nginx-T.txt")).read())


if __name__ == "__main__":
    unittest.main()
