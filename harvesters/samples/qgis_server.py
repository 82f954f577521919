"""Debian's QGIS Server (package qgis-server) serving the GIS sample layers.

    python -m harvesters.samples.qgis_server [--port 5003]

Writes the project (qgis_project.py, with the system Python's python3-qgis)
into a temporary folder and starts QGIS's development server
`qgis_mapserver` on loopback with it: WFS 1.1/1.0 and WMS 1.3 at
/ows/?SERVICE=…, OGC API – Features at /wfs3. Used by the tests as a
second map server beside MapServer (harvesters/samples/mapserver_cgi.py).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Iterator, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-qgis is built for Debian's Python
MISSING = "QGIS Server not installed: apt-get install qgis-server python3-qgis (run bin/setup)"


def binary() -> Optional[str]:
    return shutil.which("qgis_mapserver") or next(
        (p for p in ("/usr/bin/qgis_mapserver",) if os.access(p, os.X_OK)), None)


def _env(tmp: str) -> dict:
    # Headless: no display, a throwaway profile; nothing of the caller's QGIS settings.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": tmp}


def write_project(path: str, drop: tuple[str, ...] = ()) -> None:
    """The sample project at `path` (optionally without the layers in `drop`)."""
    tmp = os.path.dirname(os.path.abspath(path))
    command = [SYSTEM_PYTHON, os.path.join(HERE, "qgis_project.py"), path]
    for name in drop:
        command += ["--drop", name]
    done = subprocess.run(command, env=_env(tmp), capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not os.path.exists(path):
        raise RuntimeError(f"writing the QGIS project failed ({MISSING if 'qgis' in done.stderr else ''}):"
                           f" {done.stderr[-2000:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A sample server process on loopback, serving one project/config file;
    restart() reloads a rewritten one. This one: qgis_mapserver."""
    name = "qgis_mapserver"
    probe = "/ows/?SERVICE=WMS&REQUEST=GetCapabilities"  # up when this answers

    def __init__(self, project: str, port: int = 0):
        self.project, self.port = project, port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[subprocess.Popen] = None
        self.log = os.path.join(os.path.dirname(project), f"{self.name}.{self.port}.log")

    def command(self) -> tuple[list[str], dict]:
        exe = binary()
        if not exe:
            raise RuntimeError(MISSING)
        tmp = os.path.dirname(os.path.abspath(self.project))
        env = dict(_env(tmp), QGIS_PROJECT_FILE=self.project, QGIS_SERVER_LOG_LEVEL="2",
                   QGIS_SERVER_LOG_STDERR="1", QGIS_SERVER_PARALLEL_RENDERING="0")
        return [exe, f"127.0.0.1:{self.port}"], env

    def start(self) -> "Server":
        command, env = self.command()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): {self._log_tail()}")
            try:
                with urllib.request.urlopen(self.base + self.probe, timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within 60 s: {self._log_tail()}")

    def _log_tail(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()[-2000:]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def wait(self) -> None:
        """In the foreground (the command line's main): until the process ends or Ctrl-C."""
        try:
            self.proc.wait()
        except KeyboardInterrupt:
            pass

    def restart(self) -> None:
        # QGIS watches its project file, pygeoapi reads its config once: a fresh process
        # serves the rewritten file from its first request on.
        self.stop()
        self.start()


@contextlib.contextmanager
def serve(drop: tuple[str, ...] = (), port: int = 0) -> Iterator[Server]:
    """QGIS Server with the sample project on loopback; yields the running Server."""
    if not binary():
        raise RuntimeError(MISSING)
    with tempfile.TemporaryDirectory(prefix="qgis-") as tmp:
        project = os.path.join(tmp, "jena.qgs")
        write_project(project, drop)
        server = Server(project, port).start()
        try:
            yield server
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5003)
    args = parser.parse_args()
    with serve(port=args.port) as server:
        print(f"QGIS Server on {server.base}/ows/ (WFS, WMS) and {server.base}/wfs3", flush=True)
        server.wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
