"""Sources on loopback for the harvester tests: the bundled samples served
over HTTP, and routes a test can change to simulate faults."""
import http.server
import os
import threading
import time

import pytest

from harvesters import runner

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(ROOT, "harvesters", "samples")


def sample(name):
    with open(os.path.join(SAMPLES, name), "rb") as f:
        return f.read()


class _Source(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        body, ctype, delay = self.routes.get(self.path, (None, None, 0))
        if delay:
            time.sleep(delay)
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


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Source)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield _Source.routes, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def sources(server):
    routes, base = server
    routes.clear()
    routes["/jena.csv"] = (sample("jena_baumkataster.csv"), "text/csv; charset=windows-1252", 0)
    routes["/leipzig.csv"] = (sample("leipzig_baeume.csv"), "text/csv", 0)
    config = runner.load_config()
    config["jena"]["url"] = base + "/jena.csv"
    config["leipzig"]["url"] = base + "/leipzig.csv"
    for c in config.values():
        c.update(timeout=1, attempts=2, backoff=0.01)
    return routes, base, config


