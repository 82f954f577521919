"""A data provider's web server on loopback for tests: paths (with their
query, matched as sent or unquoted; a key ending in * matches what starts
with it) map to (body, content type[, delay in
seconds[, status[, headers]]]) or to a callable returning that; anything
else answers 404. `serving` runs a handler of a test's own (one that
streams, counts or answers HEAD) the same way."""
import contextlib
import http.server
import threading
import time
import urllib.parse


@contextlib.contextmanager
def serve(routes: dict):
    """Serve `routes` (a dict the test may change while it runs); yields the base URL."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path = urllib.parse.unquote(self.path)
            route = routes.get(self.path) or routes.get(path) or next(
                (v for k, v in routes.items() if k.endswith("*") and path.startswith(k[:-1])), None)
            if callable(route):
                route = route(self.path)
            body, ctype, *rest = route or (None, None)
            delay, status, headers = (list(rest) + [0, 200, {}][len(rest):])[:3]
            if delay:
                time.sleep(delay)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        yield base


@contextlib.contextmanager
def serving(handler):
    """Serve with `handler` (a BaseHTTPRequestHandler class) on a free
    loopback port, each request in its own thread; yields the base URL."""
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:  # closes its socket at the end
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
