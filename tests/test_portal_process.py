"""The portals and jobs workers tests start do not outlive a test run that
is killed: the next run would find them on the shared Redis, taking its jobs."""
import os
import signal
import subprocess
import sys
import time

from .portal_process import ROOT

STARTER = """
import subprocess, sys
sys.path.insert(0, sys.argv[1])
from tests.portal_process import spawn
child = spawn(["sleep", "300"], None, subprocess.DEVNULL)
print(child.pid, flush=True)
sys.stdin.read()  # until killed
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"  # a zombie is gone, only not yet reaped
    except FileNotFoundError:
        return False


def test_a_started_process_stops_when_the_run_that_started_it_is_killed():
    starter = subprocess.Popen([sys.executable, "-c", STARTER, ROOT], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    pid = int(starter.stdout.readline())
    try:
        assert alive(pid)
        starter.send_signal(signal.SIGKILL)  # as an impatient developer's kill -9 of pytest
        starter.wait()
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), "the started process outlived the killed test run"
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
