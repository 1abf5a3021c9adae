"""The lab's catalogue of broken (and healthy) setups. lab.py runs them.

Each scenario is a dict:
  name, description, cause      words for meta.json and the README
  listen                        the port nginx listens on (127.0.0.1)
  http                          the text inside http { } ({P} = the prefix dir, {LAB} = tests/lab)
  backends                      [{cmd, log, ready, cwd}] started before nginx, each in its own
                                process group; `ready` is a text to wait for in its log
  ports, socket_paths, ls       what belongs to this scenario in ss/netstat output, and dirs to `ls -l`
  files, setup                  files to write/copy into the prefix, commands to run first
  requests                      [(path, concurrency), ...] made one after another
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
]
