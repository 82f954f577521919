"""Real portal processes for tests (`ckan run`, `ckan jobs worker`,
gunicorn) on a free loopback port, against the test database, Redis and
storage of the pytest run (its CKAN_* environment) with ckan.site_url set to
the port. Each process runs in its own process group, so stopping it stops
its children too (gunicorn's workers, the jobs' forks), and each is told
to stop when the test run dies (killed, not ended), so no portal of a
dead run is left to take the next run's jobs from the shared Redis."""
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)  # the virtualenv running the tests
TEST_INI = os.path.join(ROOT, "test.ini")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ckan(ini: str, *args: str) -> list:
    """The command line of `ckan -c INI ARGS…`."""
    return [os.path.join(BIN, "ckan"), "-c", ini, *args]


def ckan_web(port: int, ini: str = TEST_INI) -> list:
    """CKAN's own web server as the portal's tests use it: no reloader, threads."""
    return ckan(ini, "run", "-H", "127.0.0.1", "-p", str(port), "--disable-reloader", "--threaded")


def tail(path: str, chars: int = 4000) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()[-chars:]
    except OSError:
        return ""


class Started:
    """The started processes: the portal's URL, each process and its log."""

    def __init__(self, url: str, procs: dict, logs: dict):
        self.url, self.procs, self.logs = url, procs, logs

    def tail(self, which: str, chars: int = 4000) -> str:
        return tail(self.logs[which], chars)


def spawn(args: list, env: dict, log) -> subprocess.Popen:
    """Start `args` in a process group of its own, which Linux tells to stop
    (SIGTERM) when the process that started it is gone."""
    parent = os.getpid()

    def stop_with_parent():  # in the child, before exec; PR_SET_PDEATHSIG survives setsid and exec
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # gone already, before the wish was made
            os.kill(os.getpid(), signal.SIGTERM)
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True, preexec_fn=stop_with_parent)


def _stop(procs):
    # All groups asked at once, then awaited: a slow one does not delay the others' end.
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def started(commands: dict, port: int, env: dict = None, timeout: float = 120.0,
            log_prefix: str = "jena-portal", keep_logs: bool = False):
    """Start `commands` ({name: argv}) with the run's environment plus
    CKAN_SITE_URL and `env`; once the portal on `port` answers status_show,
    yields a Started. A process that exits first, or no answer within
    `timeout`, is a RuntimeError with the logs' ends; so is a failure in
    the with-block's body reported with them. Logs are removed at the end
    unless `keep_logs` (then they stay in the temporary folder)."""
    url = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, "CKAN_SITE_URL": url, **(env or {})}
    logs = {which: os.path.join(tempfile.gettempdir(), f"{log_prefix}-{which}-{port}.log") for which in commands}
    procs = {}
    running = Started(url, procs, logs)

    def tails() -> str:
        return "\n".join(f"--- {which}:\n{running.tail(which)}" for which in procs)
    try:
        for which, args in commands.items():
            with open(logs[which], "w") as log:
                procs[which] = spawn(args, full_env, log)
        deadline = time.monotonic() + timeout
        while True:
            for which, proc in procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{which} stopped (exit {proc.returncode}):\n{running.tail(which)}")
            try:
                if requests.get(url + "/api/3/action/status_show", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the portal did not answer on {url} within {timeout:g} s:\n{tails()}")
            time.sleep(0.5)
        try:
            yield running
        except BaseException:
            # What the processes said is the useful part of a failure.
            sys.stderr.write(f"portal processes' output:\n{tails()}\n")
            raise
    finally:
        _stop(procs.values())
        if not keep_logs:
            for path in logs.values():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
