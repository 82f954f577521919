"""Debian's MapServer (`mapserv`, package cgi-mapserver) as a small web server.

    python -m harvesters.samples.mapserver_cgi [--port 5002] [NAME=MAPFILE ...]

GET /ows/NAME?SERVICE=WFS&… runs mapserv as CGI on the mapfile registered as
NAME (default: the samples in gis/: `jena`, `jena_gml`) and streams its
answer; GET /ows/NAME/ogcapi/… is MapServer's OGC API – Features of that
map. Used by the tests, the benchmark and `bin/run` for the demo; the real
services are the city's and the state's map servers.
"""
from __future__ import annotations

import argparse
import contextlib
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from typing import Iterator, Optional

GIS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gis")
SAMPLES = {"jena": os.path.join(GIS, "jena.map"), "jena_gml": os.path.join(GIS, "jena_gml.map")}


def mapserv() -> Optional[str]:
    return shutil.which("mapserv") or next(
        (p for p in ("/usr/lib/cgi-bin/mapserv",) if os.access(p, os.X_OK)), None)


def _handler(maps: dict[str, str], config: str, binary: str):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            path, _, query = self.path.partition("?")
            parts = path.rstrip("/").split("/")  # ["", "ows", NAME] or ["", "ows", NAME, "ogcapi", ...]
            name = parts[2] if len(parts) > 2 else ""
            ogcapi = len(parts) > 3 and parts[3] == "ogcapi"
            if parts[1:2] != ["ows"] or name not in maps or (len(parts) > 3 and not ogcapi):
                self.send_error(404)
                return
            # The client's own map= is ignored: only registered mapfiles are served.
            params = [(k, v) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k.lower() != "map"]
            env = {"PATH": os.environ.get("PATH", ""), "MAPSERVER_CONFIG_FILE": config,
                   "REQUEST_METHOD": "GET", "GATEWAY_INTERFACE": "CGI/1.1",
                   "QUERY_STRING": urllib.parse.urlencode([("map", maps[name])] + params),
                   "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(self.server.server_address[1]),
                   "SCRIPT_NAME": f"/ows/{name}", "HTTP_HOST": f"127.0.0.1:{self.server.server_address[1]}",
                   "SERVER_PROTOCOL": "HTTP/1.1"}
            if ogcapi:
                # MapServer's OGC API routes by PATH_INFO /NAME/ogcapi/… (NAME from the
                # config's MAPS); a map= in the query string is refused there.
                env.update(SCRIPT_NAME="/ows", PATH_INFO="/" + "/".join(parts[2:]),
                           QUERY_STRING=urllib.parse.urlencode(params))
            proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            try:
                headers = {}
                while True:
                    line = proc.stdout.readline().rstrip(b"\r\n")
                    if not line:
                        break
                    key, _, value = line.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                status = int(headers.pop("status", "200").split()[0])
                self.send_response(status)
                self.send_header("Content-Type", headers.get("content-type", "application/octet-stream"))
                self.send_header("Connection", "close")
                self.end_headers()
                while True:  # streamed: a page of 200,000 features is never held here
                    block = proc.stdout.read(1 << 16)
                    if not block:
                        break
                    self.wfile.write(block)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                proc.stdout.close()
                proc.kill()
                proc.wait()

        def log_message(self, *args):
            pass
    return Handler


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        import sys
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is no error
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(maps: Optional[dict[str, str]] = None, port: int = 0) -> Iterator[str]:
    """Serve the mapfiles on loopback; yields the base URL (…/ows/NAME is a service)."""
    binary = mapserv()
    if not binary:
        raise RuntimeError("mapserv not found: apt-get install cgi-mapserver (bin/setup does)")
    maps = {k: os.path.abspath(v) for k, v in (maps or SAMPLES).items()}
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "mapserver.conf")
        dirs = sorted({os.path.dirname(p) for p in maps.values()})
        pattern = "^(" + "|".join(re.escape(d + os.sep) for d in dirs) + ")[^/]+\\.map$"
        with open(os.path.join(GIS, "mapserver.conf.in"), encoding="utf-8") as f:
            conf = f.read().replace("@PATTERN@", pattern.replace("\\", "\\\\").replace('"', '\\"'))
        conf = conf.replace("@MAPS@", "".join(f'    "{k}" "{v}"\n' for k, v in maps.items()))
        with open(config, "w", encoding="utf-8") as f:
            f.write(conf)
        httpd = _Server(("127.0.0.1", port), _handler(maps, config, binary))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5002)
    parser.add_argument("maps", nargs="*", help="NAME=MAPFILE (default: the samples)")
    args = parser.parse_args()
    maps = dict(m.split("=", 1) for m in args.maps) or None
    with serve(maps, args.port) as base:
        print(f"MapServer on {base}/ows/NAME for {', '.join(maps or SAMPLES)}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
