"""What a file may not make the validator do: unpack without bound, or name
another file.

XLSX and ODS are zip archives, and their parsers unpack them: an XLSX of
150 KB can unpack to 500 MB. The central directory declares each member's
unpacked size, and Python's zipfile never returns more than that, so the
declared sizes bound what a parser gets; they are read here before any
parser is, together with the ratio of unpacked size to file size.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from typing import Any, Optional

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int = 200 << 20  # all members of an archive together
    max_ratio: int = 100                 # unpacked / packed; real spreadsheets stay far below
    ratio_floor: int = 10 << 20          # small archives may be as repetitive as they like
    max_members: int = 10_000
    memory_bytes: int = 1536 << 20       # address space of a process reading a whole-file format
    deadline: Optional[float] = None     # seconds a whole-file read may take


class Refused(Exception):
    """The file is refused before it is read; reason is a stable code."""

    def __init__(self, reason: str, message: str, **params: Any):
        super().__init__(message)
        self.reason, self.message, self.params = reason, message, params


def check_archive(path: str, limits: Limits) -> None:
    """Refuse a zip whose central directory promises too much."""
    with open(path, "rb") as f:
        if f.read(4) != ZIP_MAGIC:
            return
    try:
        with zipfile.ZipFile(path) as archive:  # reads the central directory only
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise Refused("archive-broken", f"the zip archive cannot be read: {e}")
    if len(members) > limits.max_members:
        raise Refused("archive-members", f"the archive has {len(members)} members", members=len(members),
                      limit=limits.max_members)
    unpacked = sum(m.file_size for m in members)
    mb = lambda n: max(1, round(n / (1 << 20)))  # noqa: E731
    if unpacked > limits.max_unpacked_bytes:
        raise Refused("archive-too-large", f"the archive unpacks to {mb(unpacked)} MB "
                      f"(limit {mb(limits.max_unpacked_bytes)} MB)", mb=mb(unpacked),
                      limit_mb=mb(limits.max_unpacked_bytes))
    # Against the file's size, not the members' compressed sizes: members
    # that share their compressed bytes (overlapping entries) count once.
    packed = max(os.path.getsize(path), 1)
    if unpacked > limits.ratio_floor and unpacked > limits.max_ratio * packed:
        raise Refused("archive-ratio", f"the archive unpacks {unpacked // packed} times its size",
                      ratio=unpacked // packed, limit=limits.max_ratio)


def safe_member(directory: str, relative: Any) -> str:
    """The path of a package file named in its descriptor: relative, inside
    `directory`, no link out of it."""
    if not isinstance(relative, str) or not relative or os.path.isabs(relative) or "\\" in relative \
            or ":" in relative.split("/", 1)[0]:
        raise Refused("path-refused", f"the descriptor names a path outside the package: {relative!r}")
    root = os.path.realpath(directory)
    full = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, full]) != root:
        raise Refused("path-refused", f"the descriptor names a path outside the package: {relative!r}")
    return full
