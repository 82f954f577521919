"""A source's output folder: builds, the `current`/`previous` swap, recovery,
and state files written so that a crash never leaves half a file.

    OUT/SOURCE/build-VERSION-xxxx/   one package each (a fresh folder per run)
    OUT/SOURCE/current -> build-…    the last good package (a symlink)
    OUT/SOURCE/previous -> build-…   the one before it
    OUT/SOURCE/published -> build-…  the last package the portal received completely
    OUT/SOURCE/failed/               the last invalid package, with its report

A swap replaces symlinks with os.replace (rename(2) is atomic), so at every
instant `current` names a complete, valid package; a run killed at any step
leaves at worst an unreferenced build folder, which `recover` removes at the
start of the next run. Folders of the older layout (`current` as a real
folder) are moved under a build name first.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from typing import Any, Optional

from etl.files import write_atomic

from .faults import crash_point

log = logging.getLogger(__name__)
CURRENT, PREVIOUS, PUBLISHED, FAILED = "current", "previous", "published", "failed"
LEGACY = {CURRENT: "build-legacy-current", PREVIOUS: "build-legacy-previous"}


def atomic_write(path: str, data: bytes | str) -> None:
    """Write `path` whole or not at all (etl.files)."""
    write_atomic(path, data)


def write_json(path: str, data: Any) -> None:
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1))


def new_build(base: str, version: str) -> str:
    """A fresh, empty folder for this run's package (unique even for two runs in one second)."""
    os.makedirs(base, exist_ok=True)
    return tempfile.mkdtemp(prefix=f"build-{version}-", dir=base)


def package(base: str, which: str = CURRENT) -> Optional[str]:
    """The folder `current` (or `previous`) names, or None."""
    path = os.path.join(base, which)
    return os.path.realpath(path) if os.path.isdir(path) else None


def _link(base: str, name: str, target: str) -> None:
    tmp = os.path.join(base, name + ".tmp")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(os.path.basename(target), tmp)  # relative: the folder may be moved as a whole
    os.replace(tmp, os.path.join(base, name))


def swap(base: str, build: str) -> None:
    """Make `build` the current package and the current one the previous."""
    old = package(base, CURRENT)
    if old:
        _link(base, PREVIOUS, old)
    crash_point("swap")  # between the two halves: `current` is still the old package
    _link(base, CURRENT, build)
    _drop_unreferenced(base, keep=build)


def mark_published(base: str) -> None:
    """The current package is what the portal now holds (the baseline of the next changes)."""
    _link(base, PUBLISHED, package(base, CURRENT))
    _drop_unreferenced(base)


def keep_failed(base: str, build: str) -> str:
    """Keep an invalid package as `failed` (replacing the one before) for its report."""
    failed = os.path.join(base, FAILED)
    shutil.rmtree(failed, ignore_errors=True)
    os.rename(build, failed)
    return failed


def discard(build: str) -> None:
    shutil.rmtree(build, ignore_errors=True)


def _drop_unreferenced(base: str, keep: Optional[str] = None) -> None:
    referenced = {package(base, name) for name in (CURRENT, PREVIOUS, PUBLISHED)} | {keep and os.path.realpath(keep)}
    for name in os.listdir(base):
        path = os.path.join(base, name)
        if name.startswith("build-") and os.path.realpath(path) not in referenced and not os.path.islink(path):
            log.info("removing %s (a build no link names: an interrupted run or an old previous)", path)
            shutil.rmtree(path, ignore_errors=True)


def recover(base: str) -> list[str]:
    """Bring the folder of a source back to a consistent state after a crash;
    returns what was done (for the log). Runs at the start of every run, under
    the lock."""
    if not os.path.isdir(base):
        return []
    done = []
    for name in (CURRENT, PREVIOUS, PUBLISHED):
        tmp = os.path.join(base, name + ".tmp")
        if os.path.lexists(tmp):
            os.unlink(tmp)
            done.append(f"removed the half-made link {name}.tmp")
    for name in (CURRENT, PREVIOUS):
        path, legacy = os.path.join(base, name), os.path.join(base, LEGACY[name])
        if os.path.isdir(path) and not os.path.islink(path):  # the layout before the links
            shutil.rmtree(legacy, ignore_errors=True)
            os.rename(path, legacy)
            done.append(f"moved the folder {name} to {LEGACY[name]}")
        if not os.path.lexists(path) and os.path.isdir(legacy):  # also: a crash right after that move
            _link(base, name, legacy)
            done.append(f"{name} -> {LEGACY[name]}")
    for name in (CURRENT, PREVIOUS, PUBLISHED):
        path = os.path.join(base, name)
        if os.path.islink(path) and not os.path.isdir(path):
            os.unlink(path)
            done.append(f"removed the dangling link {name}")
    if package(base, CURRENT) is None and package(base, PREVIOUS):
        _link(base, CURRENT, package(base, PREVIOUS))
        done.append("current was missing: the previous package is current again")
    before = set(os.listdir(base))
    _drop_unreferenced(base)
    done += [f"removed the unfinished or stale {n}" for n in sorted(before - set(os.listdir(base)))]
    for entry in done:
        log.warning("%s: %s", base, entry)
    return done
