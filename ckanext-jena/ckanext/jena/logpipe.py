"""Writes what a service prints into its log file, rotating the file by size.

bin/run pipes each service's output through this (one machine, no logrotate
daemon): var/log/NAME.log is renamed to NAME.log.1 … NAME.log.KEEP when it
passes --max-bytes, the oldest dropped — the standard library's
RotatingFileHandler does the renaming. One writer per file, so no two
processes ever rotate the same file (gunicorn's workers share the master's
stderr). The log of the previous start is kept as NAME.log.1.

It ignores SIGTERM and SIGINT: stopping the service's process group must not
cut off the service's last lines; it ends when the service closes its end.

    python -m ckanext.jena.logpipe [--max-bytes N] [--keep K] FILE  < output
"""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import signal
import sys

MAX_BYTES = 20 * 1024 * 1024
KEEP = 5


def open_log(path: str, max_bytes: int, keep: int) -> logging.Handler:
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=keep,
                                                   encoding="utf-8", errors="backslashreplace")
    handler.terminator = ""  # the lines keep their own newline
    handler.setFormatter(logging.Formatter("%(message)s"))
    if os.path.getsize(path) > 0:
        handler.doRollover()
    return handler


def copy(lines, handler: logging.Handler) -> None:
    for line in lines:
        # msg without args: a '%' in the line is not a format
        handler.handle(logging.makeLogRecord({"msg": line}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--max-bytes", type=int, default=MAX_BYTES)
    parser.add_argument("--keep", type=int, default=KEEP)
    args = parser.parse_args(argv)
    if args.max_bytes < 1 or args.keep < 1:
        parser.error("--max-bytes and --keep must be at least 1")
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    handler = open_log(args.path, args.max_bytes, args.keep)
    stream = open(sys.stdin.fileno(), encoding="utf-8", errors="backslashreplace", newline="", closefd=False)
    try:
        copy(stream, handler)
    finally:
        handler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
