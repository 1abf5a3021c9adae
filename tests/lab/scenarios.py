"""The lab's catalogue of broken (and healthy) setups. lab.py runs them.

Each scenario is a dict:
  name, description, cause      words for meta.json and the README
  listen                        the port nginx listens on (127.0.0.1)
  http                          the text inside http { } ({P} = the prefix dir, {LAB} = tests/lab)
  backends                      [{cmd, log, ready, cwd, id, later}] started before nginx (unless
                                `later`: a step starts it), each in its own process group; `ready`
                                is a text to wait for in its log
  ports, socket_paths, ls       what belongs to this scenario in ss/netstat output, and dirs to `ls -l`
  files, setup                  files to write/copy into the prefix, commands to run first
  requests                      [(path, concurrency), ...] made one after another, or (path, concurrency,
                                {method, body, headers}); a dict between them is a step (lab.step:
                                stop/start a backend, rewrite a file in place)
  hosts                         run in a private mount namespace whose /etc/hosts is this text
                                ({P}/hosts, bind-mounted; a step may rewrite it)
  net                           run in a private network namespace (lo up), after these commands (`ip`
                                for routes and links, `iptables`/`nft` for firewall rules); a backend
                                with `netns`: {link, net} runs in a namespace of its own, "another
                                host": the link is moved into it and set up with `net` there
  lookups                       commands whose output goes into listeners.txt (`getent ahosts NAME`)
  listeners_in                  a backend's id: the listener tables are run in its network namespace
                                (nsenter), as a user pastes the host's `ss` while nginx runs in a container
  probes                        root commands whose output goes into listeners.txt behind `$ sudo`,
                                after the requests (`iptables -S`); only in a private network namespace
  tools                         executables this scenario needs besides the lab's own (capture stops
                                when one is missing)
  no_root                       the listeners paste is `ss -tln` (no process column), as without root
  user, worker_connections      nginx main/events settings
  config_fails                  nginx -t is expected to fail (nginx is then not started)
  expect, expect_not            badgateway codes that must / must not be reported
  expect_subsets                {"config+listeners"|"log": {expect, expect_not}}
"""


def gunicorn(bind, log="gunicorn.log", extra=()):
    return {
        "cmd": ["/usr/bin/gunicorn", "--chdir", "{LAB}/apps", "--bind", bind, "--workers", "1",
                "--access-logfile", "-", *extra, "wsgi_app:app"],
        "log": log,
        "ready": "Booting worker",
    }


def broken(mode, *args, log="backend.log", ready="listening on"):
    return {"cmd": ["{PYTHON}", "{LAB}/backends.py", mode, *args], "log": log, "ready": ready}


def server(port, location):
    return """    server {
        listen 127.0.0.1:%d;
        server_name _;

%s
    }
""" % (port, location)



PHP_FPM_CONF = """[global]
pid = {P}/php-fpm.pid
error_log = {P}/php-fpm.log
daemonize = no

[www]
listen = {P}/run/php-fpm.sock
listen.mode = 0666
%s
"""

PHP_FILES = [
    {"path": "{P}/www/index.php", "copy": "{LAB}/apps/php/index.php"},
    {"path": "{P}/www/slow.php", "copy": "{LAB}/apps/php/slow.php"},
]


def php_fpm(pool="pm = static\npm.max_children = 2"):
    """Real php-fpm8.2 in the foreground, its pid, socket and log inside the prefix."""
    return {
        "cmd": ["php-fpm8.2", "--nodaemonize", "--allow-to-run-as-root", "--fpm-config", "{P}/php-fpm.conf"],
        "log": "php-fpm.stdout",
        "keep_log": False,
        "ready": "ready to handle connections",
        "ready_in": "php-fpm.log",
        "files": [{"path": "{P}/php-fpm.conf", "text": PHP_FPM_CONF % pool}],
    }


def php_location(fastcgi_pass):
    return """        root {P}/www;
        index index.php;

        location ~ \\.php$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_pass %s;
        }""" % fastcgi_pass


def proxy(port, target, extra=""):
    """A server on 127.0.0.1:port whose location / proxies to target."""
    return server(port, """        location / {
%s            proxy_pass %s;
        }""" % ("".join("            %s\n" % l for l in extra.splitlines() if l), target))


# "Another host" on a veth pair: nginx's namespace has v0 = 10.95.0.1/24, the backend's own
# namespace gets v1 = 10.95.0.7/24 (lab.own_netns_command).
def veth(cidr, peer_up=True):
    """`net` commands: a veth pair v0/v1, v0 = `cidr` and up; v1 up too unless another
    namespace (a backend's own "host") takes it and sets it up there."""
    cmds = [["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"],
            ["ip", "addr", "add", cidr, "dev", "v0"],
            ["ip", "link", "set", "v0", "up"]]
    return cmds + ([["ip", "link", "set", "v1", "up"]] if peer_up else [])


REMOTE_NET = veth("10.95.0.1/24", peer_up=False)
REMOTE_HOST = {"link": "v1", "net": [["ip", "addr", "add", "10.95.0.7/24", "dev", "v1"],
                                     ["ip", "link", "set", "v1", "up"]]}
# The other host with nothing listening: a process that only keeps its namespace alive.
REMOTE_HOST_ONLY = {"cmd": ["sh", "-c", "echo 'host 10.95.0.7 up, nothing listens'; exec sleep 600"],
                    "log": "remote-host.log", "ready": "host 10.95.0.7 up", "keep_log": False,
                    "netns": REMOTE_HOST}

CERT_SETUP = [
    ["mkdir", "-p", "{P}/tls"],
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
     "-keyout", "{P}/tls/backend.key", "-out", "{P}/tls/backend.crt", "-days", "2", "-subj", "/CN=backend.lab"],
]

IPTABLES_PROBES = [["iptables", "-S"], ["iptables", "-L", "-n", "-v"]]
NFT_PROBES = [["nft", "list", "ruleset"]]


def nft_chain(hook, *rules):
    """`net` commands: a table inet filter with one base chain on `hook` (policy accept) and these rules."""
    cmds = [["nft", "add", "table", "inet", "filter"],
            ["nft", "add", "chain", "inet", "filter", hook,
             "{ type filter hook %s priority 0; policy accept; }" % hook]]
    return cmds + [["nft", "add", "rule", "inet", "filter", hook, *r.split()] for r in rules]


# A bridge network with nobody else on it (as in no-route-to-host): a route to 10.96.0.0/24, no hosts.
VETH_10_96 = veth("10.96.0.1/24")

SCENARIOS = [
    {
        "name": "wrong-port",
        "description": "proxy_pass names port 8000, gunicorn listens on 3000",
        "cause": "The backend runs, but on another port than the one proxy_pass names: "
                 "connect() to 127.0.0.1:8000 is refused while gunicorn listens on 127.0.0.1:3000.",
        "listen": 19000,
        "http": server(19000, """        location / {
            proxy_pass http://127.0.0.1:8000;
        }"""),
        "backends": [gunicorn("127.0.0.1:3000")],
        "ports": [8000, 3000],
        "requests": [("/", 1)],
        "expect": ["BG202"],
        "expect_not": ["BG201", "BG205"],
        "expect_subsets": {"config+listeners": {"expect": ["BG202"]}},
    },
    {
        "name": "backend-not-running",
        "description": "nothing listens on the port proxy_pass names, nor anywhere else",
        "cause": "The backend is not running at all: connect() to 127.0.0.1:19011 is refused.",
        "listen": 19010,
        "http": proxy(19010, "http://127.0.0.1:19011"),
        "ports": [19011],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG205"],
    },
    {
        "name": "wrong-address",
        "description": "gunicorn bound to 127.0.0.2:19021, nginx connects to 127.0.0.1:19021",
        "cause": "Right port, wrong address: the backend is bound to another loopback address "
                 "than the one proxy_pass names, so 127.0.0.1:19021 refuses.",
        "listen": 19020,
        "http": proxy(19020, "http://127.0.0.1:19021"),
        "backends": [gunicorn("127.0.0.2:19021")],
        "ports": [19021],
        "expect": ["BG203"],
        "expect_not": ["BG201"],
    },
    {
        "name": "family-v6-backend",
        "description": "gunicorn on [::1]:19031 only, nginx connects to 127.0.0.1:19031",
        "cause": "Address family mismatch: the backend listens on IPv6 loopback only (like Node 17+ "
                 "binding 'localhost'), nginx connects over IPv4 and is refused.",
        "listen": 19030,
        "http": proxy(19030, "http://127.0.0.1:19031"),
        "backends": [gunicorn("[::1]:19031")],
        "ports": [19031],
        "expect": ["BG204"],
        "expect_not": ["BG201"],
    },
    {
        "name": "family-v4-backend",
        "description": "gunicorn on 127.0.0.1:19041 only, nginx connects to [::1]:19041",
        "cause": "Address family mismatch, the reverse way: nginx connects to [::1], the backend "
                 "listens on IPv4 loopback only.",
        "listen": 19040,
        "http": proxy(19040, "http://[::1]:19041"),
        "backends": [gunicorn("127.0.0.1:19041")],
        "ports": [19041],
        "expect": ["BG204"],
        "expect_not": ["BG201"],
    },
    {
        "name": "unix-socket-wrong-path",
        "description": "php-fpm listens on run/php-fpm.sock, fastcgi_pass names run/php8.2-fpm.sock",
        "cause": "The unix socket fastcgi_pass names does not exist (2: No such file or directory); "
                 "php-fpm is running and listening on another path in the same directory.",
        "listen": 19050,
        "http": server(19050, php_location("unix:{P}/run/php8.2-fpm.sock")),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "files": PHP_FILES,
        "backends": [php_fpm()],
        "extra_logs": ["php-fpm.log"],
        "socket_paths": ["{P}/run/php-fpm.sock", "{P}/run/php8.2-fpm.sock"],
        "ls": ["{P}/run"],
        "requests": [("/index.php", 1)],
        "expect": ["BG205"],
        "expect_not": ["BG201", "BG206"],
    },
    {
        "name": "unix-socket-permission",
        "description": "backend socket is 0660 root:root, nginx workers run as nobody",
        "cause": "Permission denied on the unix socket (13): the worker user may not write to it.",
        "listen": 19060,
        "http": proxy(19060, "http://unix:{P}/run/app.sock"),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "backends": [broken("ok", "--unix", "{P}/run/app.sock", "--chmod", "0660")],
        "socket_paths": ["{P}/run/app.sock"],
        "ls": ["{P}/run"],
        "expect": ["BG206"],
        "expect_not": ["BG205", "BG201"],
    },
    {
        "name": "unix-socket-stale",
        "description": "a socket file is left behind by a backend that exited",
        "cause": "Stale unix socket: the file exists but no process listens on it, so connect() "
                 "is refused (111) instead of failing with ENOENT.",
        "listen": 19070,
        "http": proxy(19070, "http://unix:{P}/run/app.sock"),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "backends": [broken("stale", "--unix", "{P}/run/app.sock", "--chmod", "0666", ready="stale socket")],
        "socket_paths": ["{P}/run/app.sock"],
        "ls": ["{P}/run"],
        "expect": ["BG201"],
        "expect_not": ["BG205", "BG206"],
        "notes": "No code of its own in the brief; expected as 'backend not running' (the socket file is stale).",
    },
    {
        "name": "no-live-upstreams",
        "description": "upstream of two dead servers, two requests",
        "cause": "Both servers of the upstream refuse; after the first request marks them failed "
                 "(max_fails=1, fail_timeout=10s), the second gets 'no live upstreams'.",
        "listen": 19080,
        "http": """    upstream app_pool {
        server 127.0.0.1:19081;
        server 127.0.0.1:19082;
    }

""" + proxy(19080, "http://app_pool"),
        "ports": [19081, 19082],
        "requests": [("/", 1), ("/", 1)],
        # Both servers are down (nothing listens on either): BG201 is as true as BG210.
        "expect": ["BG210", "BG201"],
    },
    {
        "name": "unix-backlog-full",
        "description": "backend never accepts, its unix socket accept queue is full",
        "cause": "Saturated backend: the unix socket's listen backlog is full, so connect() fails "
                 "at once with EAGAIN (11: Resource temporarily unavailable).",
        "listen": 19090,
        "http": proxy(19090, "http://unix:{P}/run/app.sock"),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "backends": [broken("noaccept", "--unix", "{P}/run/app.sock", "--chmod", "0666", "--backlog", "0",
                            ready="accept queue filled")],
        "socket_paths": ["{P}/run/app.sock"],
        "ls": ["{P}/run"],
        "expect": ["BG211"],
        "expect_not": ["BG205", "BG206", "BG201"],
    },
    {
        "name": "php-fpm-max-children",
        "description": "php-fpm pm.max_children=1, listen.backlog=1, slow script, 6 concurrent requests",
        "cause": "Saturated php-fpm: its only child is busy, the socket backlog fills, further "
                 "connects fail with EAGAIN (11) and php-fpm warns it reached pm.max_children.",
        "listen": 19100,
        "http": server(19100, php_location("unix:{P}/run/php-fpm.sock")),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "files": PHP_FILES,
        "backends": [php_fpm("listen.backlog = 1\npm = dynamic\npm.max_children = 1\n"
                             "pm.start_servers = 1\npm.min_spare_servers = 1\npm.max_spare_servers = 1")],
        "extra_logs": ["php-fpm.log"],
        "socket_paths": ["{P}/run/php-fpm.sock"],
        "ls": ["{P}/run"],
        "requests": [("/slow.php", 6)],
        "client_timeout": 15,
        "settle": 1.2,
        "expect": ["BG211"],
        "expect_not": ["BG205", "BG206", "BG201"],
    },
    {
        "name": "worker-connections-too-small",
        "description": "worker_connections 3 in front of a healthy gunicorn",
        "cause": "nginx has no free connection slot for the upstream socket: "
                 "'3 worker_connections are not enough', the client gets 500.",
        "listen": 19110,
        "worker_connections": 3,
        "http": proxy(19110, "http://127.0.0.1:19111"),
        "backends": [gunicorn("127.0.0.1:19111")],
        "ports": [19111],
        "expect": ["BG212"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "proxy-loop",
        "description": "proxy_pass points at nginx's own listen address",
        "cause": "Proxy loop: each request proxies to itself until worker_connections run out.",
        "listen": 19120,
        "http": proxy(19120, "http://127.0.0.1:19120"),
        "expect": ["BG213"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "upstream-closes",
        "description": "backend reads the request and closes the connection without answering",
        "cause": "The backend closes (FIN) before sending a response header: "
                 "'upstream prematurely closed connection'.",
        "listen": 19130,
        "http": proxy(19130, "http://127.0.0.1:19131"),
        "backends": [broken("close", "--tcp", "127.0.0.1:19131")],
        "ports": [19131],
        "expect": ["BG301"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "gunicorn-worker-timeout",
        "description": "gunicorn --timeout 1, a view stuck for 10 s (SIGABRT ignored)",
        "cause": "gunicorn's WORKER TIMEOUT kills the worker (SIGKILL) mid-request; nginx sees the "
                 "connection close before a header: 'upstream prematurely closed connection'.",
        "listen": 19140,
        "http": proxy(19140, "http://127.0.0.1:19141"),
        "backends": [gunicorn("127.0.0.1:19141", extra=["--timeout", "1"])],
        "ports": [19141],
        "requests": [("/stuck", 1)],
        "client_timeout": 15,
        "expect": ["BG301"],
        "expect_not": ["BG201", "BG202", "BG401"],
    },
    {
        "name": "php-fpm-terminate-timeout",
        "description": "php-fpm request_terminate_timeout = 1s, a script that sleeps 2 s",
        "cause": "php-fpm kills the child running the script ('execution timed out ... terminating'); "
                 "on the unix socket nginx sees a reset: 'recv() failed (104: Connection reset by peer) "
                 "while reading response header from upstream'.",
        "listen": 19370,
        "http": server(19370, php_location("unix:{P}/run/php-fpm.sock")),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "files": PHP_FILES,
        "backends": [php_fpm("pm = static\npm.max_children = 2\nrequest_terminate_timeout = 1s")],
        "extra_logs": ["php-fpm.log"],
        "socket_paths": ["{P}/run/php-fpm.sock"],
        "ls": ["{P}/run"],
        "requests": [("/slow.php", 1)],
        "settle": 0.5,
        "expect": ["BG304"],
        "expect_not": ["BG205", "BG206", "BG201", "BG401"],
        "notes": "The nginx line is a reset (BG304), not a premature close; the php-fpm log names the cause.",
    },
    {
        "name": "fastcgi-to-http",
        "description": "fastcgi_pass to an HTTP server",
        "cause": "Protocol mismatch: nginx speaks FastCGI, the backend answers HTTP; "
                 "'unsupported FastCGI protocol version: 72' (72 = 'H').",
        "listen": 19150,
        "http": server(19150, php_location("127.0.0.1:19151")),
        "files": PHP_FILES,
        "backends": [broken("http400", "--tcp", "127.0.0.1:19151")],
        "ports": [19151],
        "notes": "The backend is backends.py http400: an HTTP server that rejects non-HTTP bytes at once "
                 "(as node or nginx do). gunicorn instead waits for a CRLF that FastCGI/TLS never send, "
                 "so the request hangs until a timeout.",
        "requests": [("/index.php", 1)],
        "expect": ["BG302"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "https-to-http",
        "description": "proxy_pass https:// to an HTTP server speaking plain HTTP",
        "cause": "Protocol mismatch: nginx starts a TLS handshake, the backend answers plain HTTP; "
                 "'SSL_do_handshake() failed ... wrong version number'.",
        "listen": 19160,
        "http": proxy(19160, "https://127.0.0.1:19161"),
        "backends": [broken("http400", "--tcp", "127.0.0.1:19161")],
        "ports": [19161],
        "notes": "The backend is backends.py http400: an HTTP server that rejects non-HTTP bytes at once "
                 "(as node or nginx do). gunicorn instead waits for a CRLF that FastCGI/TLS never send, "
                 "so the request hangs until a timeout.",
        "expect": ["BG302"],
        "expect_not": ["BG201", "BG202", "BG305"],
    },
    {
        "name": "grpc-to-http1",
        "description": "grpc_pass to gunicorn (HTTP/1.1)",
        "cause": "Protocol mismatch: nginx speaks HTTP/2 (gRPC), the backend answers HTTP/1.1; "
                 "'upstream sent too large http2 frame' (the length is 'HTT').",
        "listen": 19170,
        "http": server(19170, """        location / {
            grpc_pass grpc://127.0.0.1:19171;
        }"""),
        "backends": [gunicorn("127.0.0.1:19171")],
        "ports": [19171],
        "expect": ["BG302"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "non-http-response",
        "description": "backend answers with bytes that are not HTTP",
        "cause": "The port speaks another protocol: 'upstream sent no valid HTTP/1.0 header', "
                 "nginx relays the bytes as HTTP/0.9.",
        "listen": 19180,
        "http": proxy(19180, "http://127.0.0.1:19181"),
        "backends": [broken("garbage", "--tcp", "127.0.0.1:19181")],
        "ports": [19181],
        "expect": ["BG302"],
        "expect_not": ["BG201", "BG202"],
        "notes": "Code choice is the lab's: a non-HTTP answer is a protocol mismatch.",
    },
    {
        "name": "header-too-big",
        "description": "backend sends a 16 KB response header, proxy_buffer_size 4k",
        "cause": "'upstream sent too big header': the response header does not fit proxy_buffer_size.",
        "listen": 19190,
        "http": proxy(19190, "http://127.0.0.1:19191", "proxy_buffer_size 4k;"),
        "backends": [broken("bigheader", "--tcp", "127.0.0.1:19191", "--size", "16384")],
        "ports": [19191],
        "expect": ["BG303"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "upstream-resets",
        "description": "backend reads the request and closes with SO_LINGER 0 (RST)",
        "cause": "'recv() failed (104: Connection reset by peer)' while reading the response header.",
        "listen": 19200,
        "http": proxy(19200, "http://127.0.0.1:19201"),
        "backends": [broken("reset", "--tcp", "127.0.0.1:19201")],
        "ports": [19201],
        "expect": ["BG304"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "tls-verify-self-signed",
        "description": "proxy_ssl_verify on, backend uses a self-signed certificate",
        "cause": "'upstream SSL certificate verify error: (18:self-signed certificate)'.",
        "listen": 19210,
        "http": proxy(19210, "https://127.0.0.1:19211",
                      "proxy_ssl_verify on;\nproxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;"),
        "setup": CERT_SETUP,
        "backends": [broken("tls", "--tcp", "127.0.0.1:19211", "--cert", "{P}/tls/backend.crt",
                            "--key", "{P}/tls/backend.key")],
        "ports": [19211],
        "expect": ["BG305"],
        "expect_not": ["BG201", "BG202", "BG302"],
    },
    {
        "name": "invalid-header",
        "description": "backend sends a header name containing a space",
        "cause": "'upstream sent invalid header' while reading the response header.",
        "listen": 19220,
        "http": proxy(19220, "http://127.0.0.1:19221"),
        "backends": [broken("badheader", "--tcp", "127.0.0.1:19221")],
        "ports": [19221],
        "expect": ["BG306"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "content-length-and-chunked",
        "description": "backend sends both Content-Length and Transfer-Encoding: chunked",
        "cause": "Ambiguous response framing (CL+TE). nginx 1.22.1 accepts it (200, no error line); "
                 "newer nginx rejects it with 'upstream sent \"Content-Length\" and "
                 "\"Transfer-Encoding\" headers at the same time'.",
        "listen": 19230,
        "http": proxy(19230, "http://127.0.0.1:19231"),
        "backends": [broken("clte", "--tcp", "127.0.0.1:19231")],
        "ports": [19231],
        "expect": [],
        "expect_not": ["BG306", "BG201", "BG202"],
        "notes": "A control on nginx 1.22.1: no error line, so nothing may fire. Recapture on nginx "
                 ">= 1.23 and this becomes a BG306 case.",
    },
    {
        "name": "read-timeout",
        "description": "backend answers after 3 s, proxy_read_timeout 1s",
        "cause": "'upstream timed out (110: Connection timed out) while reading response header', 504.",
        "listen": 19240,
        "http": proxy(19240, "http://127.0.0.1:19241", "proxy_read_timeout 1s;"),
        "backends": [broken("slow", "--tcp", "127.0.0.1:19241", "--delay", "3")],
        "ports": [19241],
        "expect": ["BG401"],
        "expect_not": ["BG201", "BG202", "BG301"],
    },
    {
        "name": "connect-timeout",
        "description": "backend listen(0) never accepts and its queue is held full, proxy_connect_timeout 1s",
        "cause": "A full TCP accept queue drops the SYN, connect() never completes: "
                 "'upstream timed out (110: Connection timed out) while connecting to upstream', 504.",
        "listen": 19250,
        "http": proxy(19250, "http://127.0.0.1:19251", "proxy_connect_timeout 1s;"),
        "backends": [broken("noaccept", "--tcp", "127.0.0.1:19251", "--backlog", "0", "--hold", "1",
                            ready="accept queue filled")],
        "ports": [19251],
        # The timeout's cause is the full accept queue ss shows (LISTEN 1 0): BG211 is true too.
        "expect": ["BG402", "BG211"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "backend-down-unnamed-listeners",
        "description": "backend down; an unrelated app and infrastructure ports listen, pasted as ss -tln (no root)",
        "cause": "The backend on 127.0.0.1:19551 is not running. A python http.server on 19552 (another app) and "
                 "listeners on redis's 6379 and node_exporter's 9100 are unnamed without -p: none is the backend.",
        "listen": 19550,
        "http": proxy(19550, "http://127.0.0.1:19551"),
        "backends": [
            {"cmd": ["{PYTHON}", "-u", "-m", "http.server", "--bind", "127.0.0.1", "19552"],
             "log": "other-app.log", "ready": "Serving HTTP", "keep_log": False},
            {"cmd": ["{PYTHON}", "-u", "-m", "http.server", "--bind", "127.0.0.1", "6379"],
             "log": "redis.log", "ready": "Serving HTTP", "keep_log": False},
            {"cmd": ["{PYTHON}", "-u", "-m", "http.server", "--bind", "0.0.0.0", "9100"],
             "log": "exporter.log", "ready": "Serving HTTP", "keep_log": False},
        ],
        "ports": [19551, 19552, 6379, 9100],
        "no_root": True,
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204"],
    },
    {
        "name": "variable-without-resolver",
        "description": "proxy_pass with a variable host and no resolver directive",
        "cause": "'no resolver defined to resolve app.internal': a variable in proxy_pass defers "
                 "name resolution to run time, which needs a resolver.",
        "listen": 19260,
        "http": server(19260, """        set $backend app.internal;

        location / {
            proxy_pass http://$backend:19261;
        }"""),
        "ports": [19261],
        "expect": ["BG208"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "resolver-nxdomain",
        "description": "proxy_pass with a variable host, resolver says the name does not exist",
        "cause": "'app.internal could not be resolved (3: Host not found)': run-time DNS failure "
                 "(a fake DNS server on loopback answers NXDOMAIN).",
        "listen": 19340,
        "http": server(19340, """        resolver 127.0.0.1:19341 ipv6=off;
        resolver_timeout 1s;
        set $backend app.internal;

        location / {
            proxy_pass http://$backend:19342;
        }"""),
        "backends": [broken("dns-nxdomain", "--tcp", "127.0.0.1:19341", log="dns.log")],
        "ports": [19342],
        "expect": ["BG208"],
        "expect_not": ["BG201", "BG202"],
        "expect_subsets": {"log": {"expect": ["BG208"], "expect_not": ["BG201", "BG202"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG208", "BG201", "BG202"]}},
        "notes": "BG208 covers request-time resolution failures (NXDOMAIN). The config alone is fine: "
                 "a resolver is defined, so config+listeners must stay silent.",
    },
    {
        "name": "resolver-timeout",
        "description": "proxy_pass with a variable host, the resolver never answers, resolver_timeout 1s",
        "cause": "'app.internal could not be resolved (110: Operation timed out)': a 502, not a 504.",
        "listen": 19350,
        "http": server(19350, """        resolver 127.0.0.1:19351 ipv6=off;
        resolver_timeout 1s;
        set $backend app.internal;

        location / {
            proxy_pass http://$backend:19352;
        }"""),
        "backends": [broken("dns-silent", "--tcp", "127.0.0.1:19351", log="dns.log")],
        "ports": [19352],
        "expect": ["BG208"],
        "expect_not": ["BG401", "BG402", "BG201", "BG202"],
        "expect_subsets": {"log": {"expect": ["BG208"], "expect_not": ["BG401", "BG402", "BG201", "BG202"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG208", "BG401", "BG402", "BG201", "BG202"]}},
        "notes": "BG208 covers request-time resolution failures; errno 110 here is the resolver's, the "
                 "client gets 502, so no timeout (BG4xx) code may fire.",
    },
    {
        "name": "tls-name-mismatch",
        "description": "proxy_ssl_verify on, certificate trusted but issued for backend.lab, proxy_pass https://127.0.0.1",
        "cause": "'upstream SSL certificate does not match \"127.0.0.1\"': proxy_ssl_name defaults to "
                 "the host in proxy_pass.",
        "listen": 19360,
        "http": proxy(19360, "https://127.0.0.1:19361",
                      "proxy_ssl_verify on;\nproxy_ssl_trusted_certificate {P}/tls/backend.crt;"),
        "setup": CERT_SETUP,
        "backends": [broken("tls", "--tcp", "127.0.0.1:19361", "--cert", "{P}/tls/backend.crt",
                            "--key", "{P}/tls/backend.key")],
        "ports": [19361],
        "expect": ["BG305"],
        "expect_not": ["BG201", "BG202", "BG302"],
    },
    {
        "name": "network-unreachable",
        "description": "proxy_pass to 224.0.0.1 (multicast): connect() fails at once with ENETUNREACH",
        "cause": "No route to the backend's network: 'connect() to 224.0.0.1:19391 failed (101: Network is "
                 "unreachable)'. nginx never reaches a host, so nothing can be said about what listens there.",
        "listen": 19390,
        "http": proxy(19390, "http://224.0.0.1:19391"),
        "ports": [19391],
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG201"]}},
        "notes": "connect() to a multicast address fails in the kernel (no route), so nothing is sent and the "
                 "client gets 502 at once. Not BG201: the listener table describes nginx's host, not that address.",
    },
    {
        "name": "no-route-to-host",
        "description": "proxy_pass to 10.98.0.7 on a bridge network where nobody has that address (private "
                       "network namespace)",
        "cause": "The address is on a network nginx's host is attached to, but no host answers for it (a "
                 "container that is gone): ARP gets no reply and connect() fails after about 3 s with "
                 "'113: No route to host'.",
        "listen": 19420,
        "net": veth("10.98.0.1/24"),
        "http": proxy(19420, "http://10.98.0.7:19421"),
        "ports": [19421],
        "client_timeout": 15,
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203", "BG204"]}},
        "notes": "Runs in a private network namespace (unshare --net) with a veth pair on 10.98.0.0/24: the "
                 "machine's interfaces and routes are not touched. Without the log nothing is said: 10.98.0.7 "
                 "is not known to be nginx's host, so its listener table proves nothing there.",
    },
    {
        "name": "route-prohibited",
        "description": "proxy_pass to 10.97.0.7, a network with a 'prohibit' route (private network namespace)",
        "cause": "A policy forbids the connection on nginx's own host: connect() fails at once with "
                 "'13: Permission denied' over TCP. Here a 'prohibit' route; on RHEL-like hosts the same line "
                 "comes from SELinux.",
        "listen": 19430,
        "net": [["ip", "route", "add", "prohibit", "10.97.0.0/24"]],
        "http": proxy(19430, "http://10.97.0.7:19431"),
        "ports": [19431],
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG206"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203", "BG204"]}},
        "notes": "Runs in a private network namespace (unshare --net): the route exists only there. Without the "
                 "log nothing is said: 10.97.0.7 is not known to be nginx's host.",
    },
    {
        "name": "remote-backend",
        "description": "proxy_pass to 10.95.0.7, a backend on another host (its own network namespace behind a "
                       "veth pair): healthy (control)",
        "cause": "Nothing is wrong: gunicorn runs on the other host, 10.95.0.7:19451. nginx's own listener table "
                 "(and ip addr) show nothing on port 19451, and must not: a table describes its own host only.",
        "listen": 19450,
        "net": REMOTE_NET,
        "http": proxy(19450, "http://10.95.0.7:19451"),
        "backends": [dict(gunicorn("0.0.0.0:19451"), netns=REMOTE_HOST)],
        "ports": [19451],
        "lookups": [["ip", "addr"]],
        "expect": [],
        "notes": "nginx runs in a private network namespace with v0 = 10.95.0.1/24; the backend in another one "
                 "with v1 = 10.95.0.7/24 (the veth's other end), like a second machine on the same network.",
    },
    {
        "name": "remote-backend-down",
        "description": "proxy_pass to 10.95.0.7:19461; that host is up but nothing listens on 19461; nginx's own "
                       "host runs another app on 0.0.0.0:19462",
        "cause": "The backend host (its own network namespace, 10.95.0.7) answers, but nothing listens on port "
                 "19461 there, so it refuses: connect() failed (111: Connection refused). nginx's own listener "
                 "table cannot show that host's sockets, and the app on nginx's host (gunicorn on 0.0.0.0:19462) "
                 "is not the backend.",
        "listen": 19460,
        "net": REMOTE_NET,
        "http": proxy(19460, "http://10.95.0.7:19461"),
        "backends": [dict(REMOTE_HOST_ONLY), gunicorn("0.0.0.0:19462")],
        "ports": [19461, 19462],
        "requests": [("/", 1), ("/", 1)],
        "lookups": [["ip", "-br", "addr"]],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204", "BG207", "BG213", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": [],
                                                "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG213"]},
                           "log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203", "BG204", "BG207"]}},
        "notes": "The refusal is real: 10.95.0.7 exists (another network namespace holds it, nothing listening) "
                 "and answers the SYN with a reset. BG201 must name that host and the checks to make there, not "
                 "claim from nginx's own table that the backend is not running (or that it listens on 19462).",
    },
    {
        "name": "own-address-wrong-bind",
        "description": "proxy_pass to 10.95.0.1:19471, an address of nginx's own host (ip -br addr lists it); "
                       "gunicorn binds 127.0.0.1:19471 only",
        "cause": "The backend runs on nginx's host but listens on 127.0.0.1 only, while nginx connects to the "
                 "host's network address: the connection is refused. `ip -br addr` in the paste shows 10.95.0.1 "
                 "is this host's, so the listener table speaks for it.",
        "listen": 19470,
        "net": veth("10.95.0.1/24"),
        "http": proxy(19470, "http://10.95.0.1:19471"),
        "backends": [gunicorn("127.0.0.1:19471")],
        "ports": [19471],
        "lookups": [["ip", "-br", "addr"]],
        "expect": ["BG203"],
        "expect_not": ["BG201", "BG202", "BG204"],
        "expect_subsets": {"config+listeners": {"expect": ["BG203"], "expect_not": ["BG201", "BG202"]}},
        "notes": "The other side of remote-backend-down: an address that is not loopback but that the paste shows "
                 "to be nginx's host's is judged by its listener table. Without `ip -br addr` it could be another "
                 "machine, and only the log's refusal is reported (with the table's 127.0.0.1 socket as a hint).",
    },
    {
        "name": "firewall-reject-reset",
        "description": "gunicorn listens on 127.0.0.1:19451, an iptables OUTPUT rule rejects that port with a "
                       "TCP reset (private network namespace)",
        "cause": "A firewall rule answers for the backend: `-A OUTPUT -p tcp --dport 19451 -j REJECT --reject-with "
                 "tcp-reset` makes connect() fail at once with '111: Connection refused', exactly like a closed "
                 "port, while gunicorn listens there.",
        "listen": 19450,
        "net": [["iptables", "-A", "OUTPUT", "-p", "tcp", "--dport", "19451", "-j", "REJECT",
                 "--reject-with", "tcp-reset"]],
        "tools": ["iptables"],
        "http": proxy(19450, "http://127.0.0.1:19451"),
        "backends": [gunicorn("127.0.0.1:19451")],
        "ports": [19451],
        "probes": IPTABLES_PROBES,
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201", "BG402"]},
                           "log": {"expect": [], "expect_not": ["BG207", "BG402"]}},
        "notes": "Runs in a private network namespace (unshare --net): the rule exists only there. iptables rules "
                 "apply to loopback traffic unless a rule accepts lo first. The log alone is a plain refusal "
                 "(111): only the rule in the paste names the firewall.",
    },
    {
        "name": "firewall-reject-prohibited",
        "description": "gunicorn listens on 127.0.0.1:19461, an iptables INPUT rule rejects that port with "
                       "icmp-host-prohibited (private network namespace)",
        "cause": "A firewall rule on the backend's host (the RHEL default reject): `-A INPUT -p tcp --dport 19461 "
                 "-j REJECT --reject-with icmp-host-prohibited` makes connect() fail at once with '113: No route "
                 "to host'.",
        "listen": 19460,
        "net": [["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "19461", "-j", "REJECT",
                 "--reject-with", "icmp-host-prohibited"]],
        "tools": ["iptables"],
        "http": proxy(19460, "http://127.0.0.1:19461"),
        "backends": [gunicorn("127.0.0.1:19461")],
        "ports": [19461],
        "probes": [["iptables", "-L", "-n"]],
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201", "BG402"]}},
        "notes": "Runs in a private network namespace (unshare --net). The paste is `iptables -L -n` (no -v), "
                 "as the 502 guides ask for it.",
    },
    {
        "name": "firewall-drop",
        "description": "gunicorn listens on 127.0.0.1:19471, an iptables INPUT rule drops that port, "
                       "proxy_connect_timeout 1s (private network namespace)",
        "cause": "A firewall rule drops the SYN (`-A INPUT -p tcp --dport 19471 -j DROP`): nothing answers, and "
                 "nginx gives up after proxy_connect_timeout: 'upstream timed out (110: Connection timed out) "
                 "while connecting to upstream', 504.",
        "listen": 19470,
        "net": [["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "19471", "-j", "DROP"]],
        "tools": ["iptables"],
        "http": proxy(19470, "http://127.0.0.1:19471", "proxy_connect_timeout 1s;"),
        "backends": [gunicorn("127.0.0.1:19471")],
        "ports": [19471],
        "probes": IPTABLES_PROBES,
        "expect": ["BG402", "BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG211"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201", "BG402"]}},
        "notes": "Runs in a private network namespace (unshare --net). The log alone shows a connect timeout "
                 "(BG402) with no cause; the rule in the paste names it.",
    },
    {
        "name": "nft-drop",
        "description": "gunicorn listens on 127.0.0.1:19481, an nft output rule drops that port, "
                       "proxy_connect_timeout 1s (private network namespace)",
        "cause": "nftables drops the SYN (`tcp dport 19481 drop` in a chain on the output hook): nginx gives up "
                 "after proxy_connect_timeout, 504.",
        "listen": 19480,
        "net": nft_chain("output", "tcp dport 19481 drop"),
        "tools": ["nft"],
        "http": proxy(19480, "http://127.0.0.1:19481", "proxy_connect_timeout 1s;"),
        "backends": [gunicorn("127.0.0.1:19481")],
        "ports": [19481],
        "probes": NFT_PROBES,
        "expect": ["BG402", "BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG211"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201", "BG402"]}},
        "notes": "Runs in a private network namespace (unshare --net), rules made with nft itself (not "
                 "iptables-nft).",
    },
    {
        "name": "nft-reject-admin-prohibited",
        "description": "gunicorn listens on 127.0.0.1:19491, an nft input rule rejects that port with icmpx "
                       "admin-prohibited, as firewalld does (private network namespace)",
        "cause": "nftables rejects the connection (`tcp dport 19491 reject with icmpx type admin-prohibited`, "
                 "firewalld's reject): connect() fails at once with '113: No route to host'.",
        "listen": 19490,
        "net": nft_chain("input", "tcp dport 19491 reject with icmpx type admin-prohibited"),
        "tools": ["nft"],
        "http": proxy(19490, "http://127.0.0.1:19491"),
        "backends": [gunicorn("127.0.0.1:19491")],
        "ports": [19491],
        "probes": NFT_PROBES,
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201", "BG402"]}},
        "notes": "Runs in a private network namespace (unshare --net).",
    },
    {
        "name": "nft-reject-ipv6-admin-prohibited",
        "description": "gunicorn listens on [::1]:19541, an nft input rule rejects that port with icmpx "
                       "admin-prohibited (private network namespace)",
        "cause": "The same firewalld-style reject as nft-reject-admin-prohibited, over IPv6: ICMPv6 "
                 "'administratively prohibited' makes connect() fail with '13: Permission denied', the line "
                 "SELinux causes.",
        "listen": 19540,
        "net": nft_chain("input", "tcp dport 19541 reject with icmpx type admin-prohibited"),
        "tools": ["nft"],
        "http": proxy(19540, "http://[::1]:19541"),
        "backends": [gunicorn("[::1]:19541")],
        "ports": [19541],
        "probes": NFT_PROBES,
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG206", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201", "BG206"]}},
        "notes": "Runs in a private network namespace (unshare --net). The log alone reads like SELinux (13 over "
                 "TCP); the rule in the paste names the firewall.",
    },
    {
        "name": "firewall-remote-reject",
        "description": "proxy_pass to 10.96.0.7:19511 on a bridge network; an iptables OUTPUT rule rejects that "
                       "address and port with the default icmp-port-unreachable (private network namespace)",
        "cause": "nginx's own host rejects its outgoing connection (`-A OUTPUT -d 10.96.0.7/32 -p tcp --dport "
                 "19511 -j REJECT`): connect() fails at once with '111: Connection refused', though no packet "
                 "left the host and nothing is known about what listens on 10.96.0.7.",
        "listen": 19510,
        "net": VETH_10_96 + [["iptables", "-A", "OUTPUT", "-d", "10.96.0.7/32", "-p", "tcp", "--dport", "19511",
                              "-j", "REJECT"]],
        "tools": ["iptables"],
        "http": proxy(19510, "http://10.96.0.7:19511"),
        "ports": [19511],
        "probes": IPTABLES_PROBES,
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": ["BG207"], "expect_not": ["BG201"]}},
        "notes": "Runs in a private network namespace (unshare --net) with a veth pair on 10.96.0.0/24. The "
                 "listener table is nginx's host's: it says nothing about 10.96.0.7, so no BG201.",
    },
    {
        "name": "firewall-lo-rule-remote-target",
        "description": "proxy_pass to 10.96.0.7:19521 where no host answers; the only firewall rule on that port "
                       "is for loopback (`-o lo`) (private network namespace)",
        "cause": "Nobody has 10.96.0.7 (unanswered ARP): '113: No route to host' after about 3 s. The iptables "
                 "rule on port 19521 only matches loopback traffic, so it is not the cause.",
        "listen": 19520,
        "net": VETH_10_96 + [["iptables", "-A", "OUTPUT", "-o", "lo", "-p", "tcp", "--dport", "19521",
                              "-j", "REJECT", "--reject-with", "tcp-reset"]],
        "tools": ["iptables"],
        "http": proxy(19520, "http://10.96.0.7:19521"),
        "ports": [19521],
        "probes": IPTABLES_PROBES,
        "client_timeout": 15,
        "expect": ["BG207"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG402"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG207"]}},
        "notes": "Runs in a private network namespace (unshare --net). BG207 fires for the route (113), and must "
                 "not name the loopback rule; config and listeners alone show no rule that blocks 10.96.0.7.",
    },
    {
        "name": "firewall-rules-not-in-the-way",
        "description": "gunicorn on 127.0.0.1:19531 answers; iptables drops 19531 in INPUT after accepting lo, and "
                       "rejects another port in OUTPUT (control, private network namespace)",
        "cause": "Nothing is wrong: `-A INPUT -i lo -j ACCEPT` comes before `-A INPUT -p tcp --dport 19531 -j "
                 "DROP`, so loopback connections to the backend pass, and the OUTPUT rule is for port 19539.",
        "listen": 19530,
        "net": [["iptables", "-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
                ["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "19531", "-j", "DROP"],
                ["iptables", "-A", "OUTPUT", "-p", "tcp", "--dport", "19539", "-j", "REJECT",
                 "--reject-with", "tcp-reset"]],
        "tools": ["iptables"],
        "http": proxy(19530, "http://127.0.0.1:19531"),
        "backends": [gunicorn("127.0.0.1:19531")],
        "ports": [19531],
        "probes": IPTABLES_PROBES,
        "expect": [],
        "expect_not": ["BG201", "BG202", "BG207", "BG402"],
        "notes": "A control: the client gets 200. Rules are read in order: the lo ACCEPT decides first.",
    },
    {
        "name": "stale-address",
        "description": "proxy_pass http://backend.test:19381; the backend moves from 127.0.0.2 to 127.0.0.3 "
                       "while nginx runs",
        "cause": "nginx resolved backend.test once, at start (127.0.0.2). The backend is recreated on "
                 "127.0.0.3 and the hosts file updated, like a container that restarts with a new IP; nginx "
                 "keeps connecting to 127.0.0.2 and is refused.",
        "listen": 19380,
        "hosts": "127.0.0.1 localhost\n127.0.0.2 backend.test\n",
        "http": proxy(19380, "http://backend.test:19381"),
        "backends": [dict(gunicorn("127.0.0.2:19381"), id="old"),
                     dict(gunicorn("127.0.0.3:19381", log="gunicorn-new.log"), id="new", later=True)],
        "ports": [19381],
        "requests": [("/", 1),
                     {"stop": "old", "say": "the backend on 127.0.0.2:19381 stops"},
                     {"write": "{P}/hosts", "text": "127.0.0.1 localhost\n127.0.0.3 backend.test\n",
                      "say": "the hosts file now maps backend.test to 127.0.0.3"},
                     {"start": "new", "say": "the backend starts again on 127.0.0.3:19381"},
                     ("/", 1)],
        "lookups": [["getent", "hosts", "backend.test"]],
        "expect": ["BG209"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204"],
        "expect_subsets": {"config+listeners": {"expect": [],
                                                "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG209"]}},
        "notes": "nginx and getent run in a private mount namespace whose /etc/hosts is a bind mount of the "
                 "prefix's hosts file, rewritten in place between the requests. Only the log shows the old "
                 "address: config and listeners alone (getent says 127.0.0.3, gunicorn listens there) are fine.",
    },
    {
        "name": "stale-address-resolver",
        "description": "stale-address with BG209's fix: resolver + variable, the backend moves from 127.0.0.2 "
                       "to 127.0.0.3 (control)",
        "cause": "With `resolver` and the host in a variable, nginx asks DNS at request time (valid=1s): after "
                 "the move it connects to 127.0.0.3 and the client still gets 200. Nothing may fire.",
        "listen": 19440,
        "hosts": "127.0.0.1 localhost\n127.0.0.2 backend.test\n",
        "http": server(19440, """        location / {
            resolver 127.0.0.1:19441 valid=1s ipv6=off;
            set $backend_host backend.test;
            proxy_pass http://$backend_host:19442;
        }"""),
        "backends": [broken("dns-hosts", "--tcp", "127.0.0.1:19441", "--hosts", "{P}/hosts", log="dns.log"),
                     dict(gunicorn("127.0.0.2:19442"), id="old"),
                     dict(gunicorn("127.0.0.3:19442", log="gunicorn-new.log"), id="new", later=True)],
        "ports": [19442],
        "requests": [("/", 1),
                     {"stop": "old", "say": "the backend on 127.0.0.2:19442 stops"},
                     {"write": "{P}/hosts", "text": "127.0.0.1 localhost\n127.0.0.3 backend.test\n",
                      "say": "the hosts file (which the lab's DNS server answers from) now maps backend.test to "
                             "127.0.0.3"},
                     {"start": "new", "say": "the backend starts again on 127.0.0.3:19442"},
                     # nginx's clock counts whole seconds: an answer cached at 18.9 s with valid=1s
                     # is still used at 19.9 s. 2.5 s is past it whatever the fraction.
                     {"sleep": 2.5, "say": "2.5 s: past the resolver's valid=1s"},
                     ("/", 1)],
        "lookups": [["getent", "hosts", "backend.test"]],
        "expect": [],
        "expect_not": ["BG201", "BG202", "BG203", "BG208", "BG209"],
        "notes": "Proves the fix BG209 offers on real nginx 1.22 (DNS from backends.py dns-hosts, which reads "
                 "the same hosts file): the request after the move is answered by the backend at its new address.",
    },
    {
        "name": "localhost-ipv6-first",
        "description": "proxy_pass http://localhost:19401, hosts maps localhost to ::1 then 127.0.0.1, "
                       "gunicorn on 127.0.0.1 only",
        "cause": "nginx resolves localhost to [::1] and 127.0.0.1 at start and tries [::1] first: refused, "
                 "the address is disabled for 10 s and the request is retried on 127.0.0.1.",
        "listen": 19400,
        "hosts": "::1 localhost\n127.0.0.1 localhost\n",
        "http": proxy(19400, "http://localhost:19401"),
        "backends": [gunicorn("127.0.0.1:19401")],
        "ports": [19401],
        "requests": [("/", 1), ("/", 1), ("/", 1)],
        "lookups": [["getent", "ahosts", "localhost"]],
        "expect": ["BG204"],
        "expect_not": ["BG201", "BG202", "BG203"],
        "expect_subsets": {"log": {"expect": ["BG204"], "expect_not": ["BG201"]}},
        "notes": "The client got 200 every time: the refused [::1] attempt was passed on to 127.0.0.1. BG204 is "
                 "a warning without a status; the log alone shows no failed request, so no BG201.",
    },
    {
        "name": "localhost-ipv4-only",
        "description": "proxy_pass http://localhost:19411, hosts maps localhost to 127.0.0.1 only, "
                       "gunicorn on [::1] only",
        "cause": "On this host localhost means 127.0.0.1 only; the backend listens on [::1] only (like "
                 "Node 17+ binding 'localhost' on a host where it means ::1), so every connection is refused.",
        "listen": 19410,
        "hosts": "127.0.0.1 localhost\n",
        "http": proxy(19410, "http://localhost:19411"),
        "backends": [gunicorn("[::1]:19411")],
        "ports": [19411],
        "requests": [("/", 1), ("/", 1)],
        "lookups": [["getent", "ahosts", "localhost"]],
        "expect": ["BG204"],
        "expect_not": ["BG201", "BG202", "BG203"],
        "notes": "getent ahosts localhost in the listeners paste shows 127.0.0.1 only: nginx never tries [::1], "
                 "every request is refused (502).",
    },
    {
        "name": "missing-scheme",
        "description": "proxy_pass 127.0.0.1:19271 without http://",
        "cause": "nginx refuses the configuration: 'invalid URL prefix'. nginx -t fails, nothing starts.",
        "listen": 19270,
        "http": proxy(19270, "127.0.0.1:19271"),
        "ports": [19271],
        "config_fails": True,
        "requests": [],
        "expect": ["BG102"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "upstream-name-typo",
        "description": "proxy_pass http://app_backnd; the upstream is called app_backend",
        "cause": "nginx refuses the configuration: 'host not found in upstream \"app_backnd\"' "
                 "(a typo of the upstream name, so nginx tries DNS).",
        "listen": 19310,
        "http": """    upstream app_backend {
        server 127.0.0.1:19311;
    }

""" + proxy(19310, "http://app_backnd"),
        "ports": [19311],
        "config_fails": True,
        "requests": [],
        "expect": ["BG103"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "missing-semicolon",
        "description": "proxy_pass line without its semicolon",
        "cause": "nginx refuses the configuration: a directive is not terminated by ';'.",
        "listen": 19320,
        "http": server(19320, """        location / {
            proxy_pass http://127.0.0.1:19321
        }"""),
        "ports": [19321],
        "config_fails": True,
        "requests": [],
        "expect": ["BG101"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "unknown-directive",
        "description": "proxy_pas (misspelt) instead of proxy_pass",
        "cause": "nginx refuses the configuration: 'unknown directive \"proxy_pas\"'.",
        "listen": 19330,
        "http": proxy(19330, "http://127.0.0.1:19331").replace("proxy_pass ", "proxy_pas "),
        "ports": [19331],
        "config_fails": True,
        "requests": [],
        "expect": ["BG104"],
        "expect_not": ["BG201", "BG202"],
    },
    {
        "name": "healthy",
        "description": "nginx in front of a working gunicorn (control: nothing may fire)",
        "cause": "Nothing is wrong.",
        "listen": 19280,
        "http": proxy(19280, "http://127.0.0.1:19281"),
        "backends": [gunicorn("127.0.0.1:19281")],
        "ports": [19281],
        "expect": [],
    },
    {
        "name": "static-404",
        "description": "a missing static file next to a working gunicorn",
        "cause": "A plain 404: 'open() ... failed (2: No such file or directory)' is about a file, "
                 "not a unix socket.",
        "listen": 19290,
        "http": server(19290, """        location /static/ {
            root {P}/www;
        }

        location / {
            proxy_pass http://127.0.0.1:19291;
        }"""),
        "files": [{"path": "{P}/www/static/app.css", "text": "body { color: black; }\n"}],
        "backends": [gunicorn("127.0.0.1:19291")],
        "ports": [19291],
        "requests": [("/static/missing.css", 1), ("/", 1)],
        "expect": [],
        "expect_not": ["BG205"],
    },
    {
        "name": "php-primary-script-unknown",
        "description": "real php-fpm asked for a script that does not exist",
        "cause": "'FastCGI sent in stderr: \"Primary script unknown\"' with a 404: the backend works, "
                 "the script path is wrong.",
        "listen": 19300,
        "http": server(19300, php_location("unix:{P}/run/php-fpm.sock")),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "files": PHP_FILES,
        "backends": [php_fpm()],
        "extra_logs": ["php-fpm.log"],
        "socket_paths": ["{P}/run/php-fpm.sock"],
        "ls": ["{P}/run"],
        "requests": [("/missing.php", 1), ("/index.php", 1)],
        "expect": [],
    },
    # Third-party modules (issue 14 item 4): Debian's headers-more and upstream-fair loaded
    # with load_module, their directives in use; the backend is simply not running. The
    # directives must not be read as unknown (nginx loaded them); the refusal is the cause.
    {
        "name": "third-party-modules-backend-down",
        "description": "headers-more and upstream-fair (Debian's libnginx-mod-*) loaded and used; "
                       "the backend behind the fair upstream is not running",
        "cause": "Nothing listens on 127.0.0.1:19901: connect() is refused. more_set_headers and "
                 "fair come from the loaded modules and are fine.",
        "main": ["load_module /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so;",
                 "load_module /usr/lib/nginx/modules/ngx_http_upstream_fair_module.so;"],
        "tools": ["/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so",
                  "/usr/lib/nginx/modules/ngx_http_upstream_fair_module.so"],
        "listen": 19900,
        "http": """    upstream app {
        fair;
        server 127.0.0.1:19901;
    }

""" + proxy(19900, "http://app", extra="more_set_headers \"X-Served-By: lab\";\nmore_clear_headers Server;"),
        "ports": [19901],
        "requests": [("/", 2)],
        "expect": ["BG201"],
        "expect_not": ["BG104", "BG106", "BG202", "BG203"],
    },
]

# Causes seen in the wild (issue 14, item 5), each captured from real nginx. One block, so a
# merge with other helpers' scenarios stays easy.
def member_pool(listen, up, down, extra=""):
    """nginx on `listen` proxying to upstream app_pool of 127.0.0.1:`up` and 127.0.0.1:`down`."""
    return """    upstream app_pool {
        server 127.0.0.1:%d;
        server 127.0.0.1:%d;
    }

""" % (up, down) + proxy(listen, "http://app_pool", extra)


CAUSES_SCENARIOS = [
    {
        "name": "host-variable-drops-port",
        "description": "proxy_pass http://$host; a client asks for Host 127.0.0.1:19701 (the backend's port), "
                       "$host has no port, so nginx connects to port 80 (private network namespace)",
        "cause": "$host is the Host header's name without its port: the request asked for 127.0.0.1:19701, "
                 "nginx connected to 127.0.0.1:80, where nothing listens (111: Connection refused). "
                 "$http_host (name and port) or the backend's address would reach gunicorn on 19701.",
        "listen": 19700,
        "net": [],
        "http": proxy(19700, "http://$host"),
        "backends": [gunicorn("127.0.0.1:19701")],
        "ports": [19701, 80],
        "requests": [("/", 1, {"headers": {"Host": "127.0.0.1:19701"}}),
                     ("/api/items", 1, {"headers": {"Host": "127.0.0.1:19701"}})],
        # Nothing listens on 127.0.0.1:80 either: from the log alone BG201 may say so too (below 80).
        "expect": ["BG214"],
        "expect_not": ["BG202", "BG203", "BG204", "BG208"],
        "expect_subsets": {"log": {"expect": ["BG214"], "expect_not": ["BG202", "BG208"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG208", "BG214"]}},
        "notes": "The Host header is the one a client sends through a port forward (the browser's URL had the "
                 "port). In a private network namespace, so port 80 is closed whatever the machine runs.",
    },
    {
        "name": "upstream-member-down",
        "description": "upstream of two servers: gunicorn on 19711 answers, nothing on 19712",
        "cause": "One server of the group is down: connections to 127.0.0.1:19712 are refused and nginx "
                 "marks it failed (max_fails=1, fail_timeout=10s) and retries the request on 19711, so "
                 "clients get answers while the log fills with refusals; when the other server fails too "
                 "(or retries are off), clients get 502 and 'no live upstreams'.",
        "listen": 19710,
        "http": member_pool(19710, 19711, 19712),
        "backends": [gunicorn("127.0.0.1:19711")],
        "ports": [19711, 19712],
        "requests": [("/", 1), ("/", 1), ("/", 1), ("/", 1)],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204", "BG210"],
        "expect_subsets": {"config+listeners": {"expect": ["BG201"], "expect_not": ["BG202", "BG210"]},
                           "log": {"expect": ["BG201"], "expect_not": ["BG202", "BG210"]}},
    },
    {
        "name": "connection-upgrade-always",
        "description": "proxy_set_header Connection \"upgrade\" on every request; the backend closes a "
                       "request with a body and Connection: upgrade (a form post), pages work",
        "cause": "The literal Connection \"upgrade\" goes with every request, not only WebSocket handshakes: a "
                 "backend that takes it for an upgrade (Kestrel rejects a body with it) drops the plain POST, "
                 "and nginx logs 'upstream prematurely closed connection' (502). The map $http_upgrade "
                 "$connection_upgrade fix sends it only with an Upgrade header.",
        "listen": 19720,
        "http": proxy(19720, "http://127.0.0.1:19721", extra="""proxy_http_version 1.1;
proxy_set_header Upgrade $http_upgrade;
proxy_set_header Connection "upgrade";
proxy_set_header Host $host;"""),
        "backends": [broken("upgrade-strict", "--tcp", "127.0.0.1:19721")],
        "ports": [19721],
        "requests": [("/", 1), ("/comments", 1, {"method": "POST", "body": "text=hello",
                                                 "headers": {"Content-Type": "application/x-www-form-urlencoded"}})],
        # The backend did close before answering: BG301 is the symptom, BG308 its cause here.
        "expect": ["BG308", "BG301"],
        "expect_not": ["BG201", "BG302", "BG304"],
        "expect_subsets": {"log": {"expect": ["BG301"], "expect_not": ["BG308"]}},
    },
    {
        "name": "generator-server-down",
        "description": "an upstream as nginx-proxy (docker-gen) writes it when it cannot reach the container: "
                       "only `server 127.0.0.1 down;`",
        "cause": "The config generator found no reachable container for the virtual host (not on a network "
                 "nginx-proxy shares, no exposed port or VIRTUAL_PORT, or not running) and wrote its fallback "
                 "`server 127.0.0.1 down;`: every request logs 'no live upstreams' and gets 502 at once.",
        "listen": 19730,
        "http": """    # app.example.test
    upstream app.example.test {
        # Container: app-web-1
        #     networks:
        #         app_default (unreachable)
        #     IP address: (none)
        #     exposed ports: (none)
        #     default port: 80
        #     using port: 80
        # Fallback entry
        server 127.0.0.1 down;
    }

""" + proxy(19730, "http://app.example.test"),
        "ports": [80],
        "requests": [("/", 1), ("/", 1)],
        "expect": ["BG210"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204"],
        "expect_subsets": {"log": {"expect": ["BG210"], "expect_not": ["BG201"]},
                           "config+listeners": {"expect": ["BG210"], "expect_not": ["BG201"]}},
        "notes": "The upstream block follows the shape of nginx-proxy's template (its comments name the "
                 "container and why it is unreachable); the config is the lab's own text.",
    },
]

# The same causes, their other faces: a dead member without retries, and a generator's `down` entry
# beside one real server.
CAUSES_SCENARIOS += [
    {
        "name": "upstream-member-down-no-retry",
        "description": "upstream of 127.0.0.1:19771 (gunicorn) and 127.0.0.1:19772 (nothing), "
                       "proxy_next_upstream off",
        "cause": "One server of the group is down and nginx does not retry: the request that goes to "
                 "127.0.0.1:19772 gets 502, the next ones (19772 marked failed) get answers: intermittent 502s.",
        "listen": 19770,
        "http": member_pool(19770, 19771, 19772, "proxy_next_upstream off;"),
        "backends": [gunicorn("127.0.0.1:19771")],
        "ports": [19771, 19772],
        "requests": [("/", 1), ("/", 1), ("/", 1), ("/", 1)],
        # Two causes together: the dead member, and retries off that turn it into 502s (BG501's risk).
        "expect": ["BG201", "BG501"],
        "expect_not": ["BG202", "BG203", "BG204", "BG210"],
        "expect_subsets": {"config+listeners": {"expect": ["BG201"], "expect_not": ["BG202", "BG210"]},
                           "log": {"expect": ["BG201"], "expect_not": ["BG202", "BG210"]}},
    },
    {
        "name": "generator-down-beside-one-server",
        "description": "an upstream with one real server (gunicorn 19781, started late) beside the generator's "
                       "`server 127.0.0.1 down;`: one refusal disables the real one",
        "cause": "The `down` fallback makes the group two servers, so max_fails applies to the real one: the first "
                 "request is refused (the backend not up yet) and marks it failed; the next one, with the backend up, "
                 "gets 'no live upstreams' (502) for fail_timeout.",
        "listen": 19780,
        "http": """    # app.example.test
    upstream app.example.test {
        # Container: app-web-1
        #     networks:
        #         app_default (reachable)
        #     IP address: 127.0.0.1
        #     exposed ports: 19781/tcp
        #     default port: 19781
        #     using port: 19781
        server 127.0.0.1:19781;
        # Fallback entry
        server 127.0.0.1 down;
    }

""" + proxy(19780, "http://app.example.test"),
        "backends": [dict(gunicorn("127.0.0.1:19781"), id="app", later=True)],
        "ports": [19781],
        "requests": [("/", 1), {"start": "app", "say": "the backend starts"}, ("/", 1)],
        "expect": ["BG210"],
        "expect_not": ["BG202", "BG203", "BG204"],
        "expect_subsets": {"log": {"expect": ["BG210"]}},
        "notes": "The refusal happened before the backend started; the listener table, taken after, shows the "
                 "backend up. BG210's note says why one failure emptied the group.",
    },
]

# Backends on other machines (issue 14, item 3): the other host is a network namespace of its own.
REMOTE_HOST_DROP = {"link": "v1", "net": REMOTE_HOST["net"] + [
    ["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "19741", "-j", "DROP"]]}
CAUSES_SCENARIOS += [
    {
        "name": "remote-backend-loopback-only",
        "description": "proxy_pass to 10.95.0.7:19751; gunicorn runs on that host but binds its 127.0.0.1 only",
        "cause": "The backend runs on the other host (10.95.0.7), listening on that host's own 127.0.0.1:19751: "
                 "connections from nginx's host to 10.95.0.7:19751 are refused. Only `ss -tlnp` on that host shows "
                 "it; nginx's own listener table cannot.",
        "listen": 19750,
        "net": REMOTE_NET,
        "http": proxy(19750, "http://10.95.0.7:19751"),
        "backends": [dict(gunicorn("127.0.0.1:19751"), netns=REMOTE_HOST)],
        "ports": [19751],
        "requests": [("/", 1)],
        "lookups": [["ip", "-br", "addr"]],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204", "BG207"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203"]},
                           "log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203", "BG207"]}},
        "notes": "BG201 must send the user to that host (`ss -tlnp` there, its 127.0.0.1 bind), not read nginx's "
                 "table as proof either way.",
    },
    {
        "name": "remote-firewall-drop",
        "description": "proxy_pass to 10.95.0.7:19741; gunicorn listens on 0.0.0.0:19741 there, and that host's "
                       "firewall drops the port (iptables INPUT DROP in its namespace); proxy_connect_timeout 1s",
        "cause": "The other host's firewall drops the SYN: nothing answers, and nginx gives up after "
                 "proxy_connect_timeout (504). nginx's host has no rule; a cloud security group gives the same "
                 "line. Only that host (or the cloud console) shows the rule.",
        "listen": 19740,
        "net": REMOTE_NET,
        "tools": ["iptables"],
        "http": proxy(19740, "http://10.95.0.7:19741", "proxy_connect_timeout 1s;"),
        "backends": [dict(gunicorn("0.0.0.0:19741"), netns=REMOTE_HOST_DROP)],
        "ports": [19741],
        "requests": [("/", 1)],
        "lookups": [["ip", "-br", "addr"]],
        "probes": IPTABLES_PROBES,
        "expect": ["BG402"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG211"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG207"]},
                           "log": {"expect": ["BG402"], "expect_not": ["BG201"]}},
        "notes": "nginx's own iptables listing (empty) is in the paste: it proves nothing about the other host.",
    },
]

# Fixes use the evidence (issue 15): the socket's owner, named by ss -xlp, decides whose advice comes first.
CAUSES_SCENARIOS += [
    {
        "name": "unix-socket-permission-gunicorn",
        "description": "gunicorn's socket is 0660 root:root (--umask 0o117), nginx workers run as nobody",
        "cause": "Permission denied on the unix socket (13): the worker user may not write to the socket gunicorn "
                 "made; ss -xlp names gunicorn as its owner, so gunicorn's fix comes first (not php-fpm's).",
        "listen": 19760,
        "http": proxy(19760, "http://unix:{P}/run/app.sock"),
        "setup": [["mkdir", "-p", "{P}/run"]],
        "backends": [gunicorn("unix:{P}/run/app.sock", extra=("--umask", "0o117"))],
        "socket_paths": ["{P}/run/app.sock"],
        "ls": ["{P}/run"],
        "expect": ["BG206"],
        "expect_not": ["BG205", "BG201"],
        "expect_subsets": {"log": {"expect": ["BG206"]}},
    },
]
SCENARIOS += CAUSES_SCENARIOS

# ---- Containers, played by network namespaces (the docker-lab block) ----------------------
# Addresses in 172.18.0.0/16 and 172.19.0.0/16, as Docker gives compose networks; every link and
# address exists only in the scenario's private namespaces. Real Docker captures (docker ps,
# compose logs, Docker's DNS) are made by tests/lab/docker_lab.py into tests/fixtures/scenarios/docker-*.
def container(addr, link="v1", extra=()):
    """`netns` of a backend that plays a container: `link` moved in, given `addr` (and `extra` commands)."""
    return {"link": link, "net": [["ip", "addr", "add", addr, "dev", link], ["ip", "link", "set", link, "up"],
                                  *extra]}


CONTAINER_SCENARIOS = [
    {
        "name": "container-app-loopback",
        "description": "proxy_pass to 172.18.0.2:19811, the app's own network namespace (a container); gunicorn "
                       "there binds 127.0.0.1:19811, its own loopback",
        "cause": "The app runs, but listens on 127.0.0.1 inside its own container: from nginx, the container's "
                 "address 172.18.0.2 refuses port 19811 (connect() failed (111: Connection refused)).",
        "listen": 19810,
        "net": veth("172.18.0.1/16", peer_up=False),
        "http": proxy(19810, "http://172.18.0.2:19811"),
        "backends": [dict(gunicorn("127.0.0.1:19811"), netns=container("172.18.0.2/16"))],
        "ports": [19811],
        "requests": [("/", 1), ("/", 1)],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204", "BG207", "BG213", "BG402"],
        "expect_subsets": {"log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203", "BG204", "BG207"]},
                           "config+log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203", "BG209"]},
                           "config": {"expect": [], "expect_not": ["BG201", "BG202", "BG203"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203", "BG204"]}},
        "notes": "gunicorn runs in a network namespace of its own with v1 = 172.18.0.2/16, bound to that "
                 "namespace's 127.0.0.1. nginx's namespace (v0 = 172.18.0.1/16) has no listener on 19811 and "
                 "cannot see the app's: the refusal alone cannot tell 'app down' from 'app on its own loopback'.",
    },
    {
        "name": "container-nginx-own-loopback",
        "description": "nginx in its own network namespace (a container) proxies to 127.0.0.1:19821; gunicorn "
                       "listens on 127.0.0.1:19821 in another namespace (the host); the paste is the host's ss",
        "cause": "127.0.0.1 in nginx's container is nginx's own loopback: the app listens on the host's "
                 "127.0.0.1:19821, which nginx cannot reach there, so the connection is refused.",
        "listen": 19820,
        "net": veth("172.18.0.2/16", peer_up=False),
        "http": proxy(19820, "http://127.0.0.1:19821"),
        "backends": [dict(gunicorn("127.0.0.1:19821"), id="host", netns=container("172.18.0.1/16"))],
        "listeners_in": "host",
        "ports": [19821],
        "expect": ["BG201"],
        "expect_not": ["BG202", "BG203", "BG204", "BG207", "BG213"],
        "expect_subsets": {"log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203"]},
                           "config+log": {"expect": ["BG201"], "expect_not": ["BG202", "BG203"]},
                           # The host's table alone shows the backend listening: nothing to say.
                           "config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203", "BG204"]}},
        "notes": "The listener tables are the host's (run in gunicorn's namespace with nsenter), as a user "
                 "pastes `ss -tlnp` from the machine while nginx runs in a container: they show gunicorn on "
                 "127.0.0.1:19821 and not nginx's own port, while the log says 127.0.0.1:19821 refused.",
    },
    {
        "name": "container-recreated",
        "description": "proxy_pass http://app:19831; 'app' (private /etc/hosts) is 172.18.0.2, then the app's "
                       "namespace is recreated as 172.18.0.3 while nginx runs",
        "cause": "nginx resolved app once, at start (172.18.0.2). The app's container is recreated with a new "
                 "address (172.18.0.3) and /etc/hosts updated; nginx keeps connecting to 172.18.0.2, where no "
                 "host answers any more: connect() failed (113: No route to host).",
        "listen": 19830,
        "hosts": "127.0.0.1 localhost\n172.18.0.2 app\n",
        "net": [["ip", "link", "add", "br0", "type", "bridge"], ["ip", "addr", "add", "172.18.0.1/16", "dev", "br0"],
                ["ip", "link", "set", "br0", "up"],
                ["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"],
                ["ip", "link", "add", "v2", "type", "veth", "peer", "name", "v3"],
                ["ip", "link", "set", "v0", "master", "br0"], ["ip", "link", "set", "v2", "master", "br0"],
                ["ip", "link", "set", "v0", "up"], ["ip", "link", "set", "v2", "up"]],
        "http": proxy(19830, "http://app:19831"),
        "backends": [dict(gunicorn("0.0.0.0:19831"), id="old", netns=container("172.18.0.2/16")),
                     dict(gunicorn("0.0.0.0:19831", log="gunicorn-new.log"), id="new", later=True,
                          netns=container("172.18.0.3/16", link="v3"))],
        "ports": [19831],
        "requests": [("/", 1),
                     {"stop": "old", "say": "the app's container (172.18.0.2) is removed"},
                     # The bridge still holds the old container's MAC from the first request, and
                     # when the kernel gives up on it depends on the neighbour cache's timers (3 s
                     # to more than the client's 15 s): forget it now, as the kernel does when the
                     # entry expires, so the capture does not depend on that timing.
                     {"net": ["ip", "neigh", "flush", "dev", "br0"],
                      "say": "nginx's host forgets the old container's link-layer address (as when its entry expires)"},
                     {"write": "{P}/hosts", "text": "127.0.0.1 localhost\n172.18.0.3 app\n",
                      "say": "the hosts file now maps app to 172.18.0.3"},
                     {"start": "new", "say": "the app's container is created again, as 172.18.0.3"},
                     ("/", 1)],
        "lookups": [["getent", "hosts", "app"]],
        "client_timeout": 15,
        "expect": ["BG209"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204"],
        "expect_subsets": {"config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203", "BG209"]},
                           "config+log": {"expect": ["BG209"], "expect_not": ["BG201", "BG202", "BG203"]},
                           "log": {"expect": ["BG207"], "expect_not": ["BG201", "BG202", "BG203"]}},
        "notes": "A bridge br0 = 172.18.0.1/16 in nginx's namespace, like docker0; each app namespace is "
                 "plugged in by a veth pair. The old namespace's end vanishes with it, so 172.18.0.2 answers "
                 "no ARP: ~3 s, then 113 (No route to host). getent in the paste says 172.18.0.3.",
    },
    {
        "name": "container-no-shared-network",
        "description": "nginx's namespace (172.18.0.2, default route via 172.18.0.1) proxies to 172.19.0.2:19841, "
                       "an app on a network it shares no link with; the gateway does not forward",
        "cause": "nginx and the app share no network: the packets go to the gateway (the host, 172.18.0.1), "
                 "which does not forward them (as Docker's isolation rules drop traffic between two networks), "
                 "so the connect times out (504).",
        "listen": 19840,
        "net": veth("172.18.0.2/16", peer_up=False) + [
            ["ip", "route", "add", "default", "via", "172.18.0.1"],
            ["ip", "link", "add", "v2", "type", "veth", "peer", "name", "v3"]],
        "http": proxy(19840, "http://172.19.0.2:19841", "proxy_connect_timeout 1s;"),
        "backends": [
            {"cmd": ["sh", "-c", "echo 'gateway 172.18.0.1 up, not forwarding'; exec sleep 600"],
             "log": "gateway.log", "ready": "gateway 172.18.0.1 up", "keep_log": False,
             "netns": container("172.18.0.1/16", extra=[["sysctl", "-q", "-w", "net.ipv4.ip_forward=0"]])},
            dict(gunicorn("0.0.0.0:19841"), netns=container("172.19.0.2/16", link="v3"))],
        "ports": [19841],
        "expect": ["BG402"],
        "expect_not": ["BG201", "BG202", "BG203", "BG204", "BG213"],
        "expect_subsets": {"log": {"expect": ["BG402"], "expect_not": ["BG201", "BG202", "BG203"]},
                           "config+log": {"expect": ["BG402"], "expect_not": ["BG201", "BG202", "BG203", "BG209"]},
                           "config+listeners": {"expect": [], "expect_not": ["BG201", "BG202", "BG203", "BG204"]}},
        "notes": "Three namespaces: nginx's (v0 = 172.18.0.2/16), a gateway (v1 = 172.18.0.1/16, "
                 "net.ipv4.ip_forward=0, so it drops what is not its own without an ICMP answer) and the app's "
                 "(v3 = 172.19.0.2/16, gunicorn on 0.0.0.0:19841; v3's peer stays down in nginx's namespace). "
                 "nginx's SYNs die at the gateway: a connect timeout.",
    },
]
SCENARIOS += CONTAINER_SCENARIOS


# Codes the catalogue expects somewhere: the controls must report none of them.
CODES = sorted({c for s in SCENARIOS for c in s.get("expect", [])})
for _s in SCENARIOS:
    if _s["name"] in ("healthy", "remote-backend"):
        _s["expect_not"] = CODES
    elif _s["name"] == "php-primary-script-unknown":
        _s["expect_not"] = [c for c in CODES if c.startswith("BG2")]

# What each input alone must already show (lab.py check runs these subsets too).
LOG_ALONE = {
    "unix-socket-wrong-path": "BG205", "unix-socket-permission": "BG206", "no-live-upstreams": "BG210",
    "unix-backlog-full": "BG211", "php-fpm-max-children": "BG211", "worker-connections-too-small": "BG212",
    "upstream-closes": "BG301", "gunicorn-worker-timeout": "BG301", "fastcgi-to-http": "BG302",
    "https-to-http": "BG302", "grpc-to-http1": "BG302", "non-http-response": "BG302",
    "header-too-big": "BG303", "upstream-resets": "BG304", "tls-verify-self-signed": "BG305",
    "invalid-header": "BG306", "read-timeout": "BG401", "connect-timeout": "BG402",
    "tls-name-mismatch": "BG305", "php-fpm-terminate-timeout": "BG304",
    "variable-without-resolver": "BG208", "network-unreachable": "BG207", "no-route-to-host": "BG207",
    "route-prohibited": "BG207", "firewall-reject-prohibited": "BG207", "firewall-drop": "BG402",
    "nft-drop": "BG402", "nft-reject-admin-prohibited": "BG207", "firewall-lo-rule-remote-target": "BG207",
    "nft-reject-ipv6-admin-prohibited": "BG207", "third-party-modules-backend-down": "BG201",
}
CONFIG_AND_LISTENERS = {
    "wrong-port": "BG202", "backend-not-running": "BG201", "third-party-modules-backend-down": "BG201", "wrong-address": "BG203", "backend-down-unnamed-listeners": "BG201",
    "family-v6-backend": "BG204", "family-v4-backend": "BG204", "unix-socket-wrong-path": "BG205",
    "proxy-loop": "BG213", "variable-without-resolver": "BG208", "missing-scheme": "BG102",
    "upstream-name-typo": "BG103", "missing-semicolon": "BG101", "unknown-directive": "BG104",
    "unix-socket-stale": "BG201", "localhost-ipv6-first": "BG204", "localhost-ipv4-only": "BG204",
}
for _s in SCENARIOS:
    subsets = _s.setdefault("expect_subsets", {})
    if _s["name"] in LOG_ALONE:
        subsets["log"] = {"expect": [LOG_ALONE[_s["name"]]]}
    if _s["name"] in CONFIG_AND_LISTENERS:
        subsets["config+listeners"] = {"expect": [CONFIG_AND_LISTENERS[_s["name"]]]}
    if not _s.get("expect"):  # controls: no input alone may fire what the whole must not
        subsets["log"] = {"expect": [], "expect_not": _s["expect_not"]}
        subsets["config+listeners"] = {"expect": [], "expect_not": _s["expect_not"]}
