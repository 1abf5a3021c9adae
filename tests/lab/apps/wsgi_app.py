"""Tiny WSGI app the lab runs under real gunicorn.

/        answers at once
/slow    sleeps 5 s (gunicorn --timeout 1 aborts it: the worker answers 500 itself)
/stuck   sleeps 10 s with SIGABRT ignored, like a worker stuck in C code: gunicorn's
         WORKER TIMEOUT abort has no effect, so the arbiter SIGKILLs the worker and
         nginx sees the connection close before a response header.
"""
import signal
import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/slow"):
        time.sleep(5)
    elif path.startswith("/stuck"):
        signal.signal(signal.SIGABRT, signal.SIG_IGN)
        time.sleep(10)
    body = ("hello from gunicorn: %s\n" % path).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
