"""Tiny WSGI app the lab runs under real gunicorn: `/` answers at once, `/slow` sleeps."""
import time


def app(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path.startswith("/slow"):
        time.sleep(5)
    body = ("hello from gunicorn: %s\n" % path).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
