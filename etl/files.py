"""Writing a file whole or not at all.

A temporary file beside the target (created exclusively, mode 600 until
told otherwise), flushed to disk, then renamed over the target: a reader or
a crash never sees half a file, and a link planted at the target's name is
replaced, not followed. Used for the harvesters' state, the rendered
configs and the API token.
"""
from __future__ import annotations

import os
import tempfile
from typing import Union


def write_atomic(path: str, data: Union[bytes, str], mode: int = 0o600, group: int = -1) -> None:
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            if group != -1:
                os.fchown(f.fileno(), -1, group)
            os.fchmod(f.fileno(), mode)
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
