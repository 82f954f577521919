"""Validation work in its own process: parts of a big table, the primary key
across them, and whole-file formats (XLSX, XLS, ODS, JSON) whose parsers read
everything into memory — there with an address-space limit and a deadline,
so that a hostile file costs the child, never the job or the harvester.

Started as `python -m etl.validation` (its __main__.py) rather than through
multiprocessing: spawn would re-import the caller's __main__, and fork would
copy polars' thread pool (and a CKAN worker's database connections). A job is
JSON on stdin; the result JSON on stdout.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ChildFailed(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


def start(job: dict[str, Any], memory_bytes: Optional[int] = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
               # one BLAS thread: each reserves its own buffers, which a memory limit counts
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if memory_bytes:
        env["JENA_VALIDATION_MEMORY"] = str(memory_bytes)
    proc = subprocess.Popen([sys.executable, "-m", "etl.validation"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    proc.stdin.write(json.dumps(job))
    proc.stdin.close()
    proc.stdin = None  # so that communicate() does not flush it again
    return proc


def result(proc: subprocess.Popen, deadline: Optional[float] = None) -> dict[str, Any]:
    try:
        out, err = proc.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise ChildFailed("deadline", f"reading the file took longer than {deadline:g} s")
    if proc.returncode != 0:
        if proc.returncode < 0 or any(s in err for s in ("MemoryError", "Memory allocation", "Cannot allocate")):
            raise ChildFailed("memory", "reading the file needed more memory than allowed")
        raise ChildFailed("crash", f"the validation process failed: {err.strip()[-500:]}")
    return json.loads(out)


def run(job: dict[str, Any], memory_bytes: Optional[int] = None, deadline: Optional[float] = None) -> dict[str, Any]:
    return result(start(job, memory_bytes), deadline)


def peak_mb() -> int:
    """This process's own peak memory since exec (VmHWM; ru_maxrss would include
    the parent's pages from before exec)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0
