"""Crash points for the fault tests: with JENA_HARVEST_CRASH_AT=<step> the
harvest kills itself with SIGKILL when it reaches that step (no cleanup, no
finally blocks: what a power cut or the OOM killer does). Unset in
production, where a crash point costs one dictionary lookup.

Steps: built (package built and valid, not yet swapped in), swap (between
the two halves of the swap), upload (after the first file reached the
portal), published (every file uploaded, the dataset not yet patched).
"""
from __future__ import annotations

import os
import signal

STEPS = ("built", "swap", "upload", "published")


def crash_point(step: str) -> None:
    if os.environ.get("JENA_HARVEST_CRASH_AT") == step:
        os.kill(os.getpid(), signal.SIGKILL)
