"""A data provider's web server on loopback for tests: paths map to
(body, content type[, delay in seconds]); anything else answers 404."""
import contextlib
import http.server
import threading
import time


@contextlib.contextmanager
def serve(routes: dict):
    """Serve `routes` (a dict the test may change while it runs); yields the base URL."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body, ctype, *rest = routes.get(self.path, (None, None))
            if rest and rest[0]:
                time.sleep(rest[0])
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
