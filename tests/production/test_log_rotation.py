"""The services' logs on one machine rotate by size (bin/run pipes each
service's output through ckanext.jena.logpipe)."""
import os
import signal
import subprocess
import sys

PIPE = [sys.executable, "-m", "ckanext.jena.logpipe"]


def _run(path, data: bytes, *args):
    return subprocess.run(PIPE + list(args) + [str(path)], input=data, timeout=60, check=True)


def test_a_log_past_its_size_is_rotated_and_only_the_newest_files_are_kept(tmp_path):
    log = tmp_path / "ckan.log"
    lines = [f"line {i:06d} äöü %s %(x)s\n" for i in range(20_000)]
    _run(log, "".join(lines).encode(), "--max-bytes", "50000", "--keep", "3")
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["ckan.log", "ckan.log.1", "ckan.log.2", "ckan.log.3"]
    for p in tmp_path.iterdir():
        assert p.stat().st_size <= 50_000 + len(lines[0].encode())
    # the newest lines in the live file, nothing garbled, the oldest dropped
    assert log.read_text(encoding="utf-8").splitlines()[-1] == lines[-1].rstrip("\n")
    kept = "".join((tmp_path / n).read_text(encoding="utf-8") for n in reversed(files[1:])) + log.read_text()
    assert kept.endswith("".join(lines[-100:]))
    assert lines[0] not in kept


def test_the_previous_start_s_log_is_kept_as_dot_one(tmp_path):
    log = tmp_path / "worker.log"
    _run(log, b"first start\n")
    _run(log, b"second start\n")
    assert log.read_text() == "second start\n"
    assert (tmp_path / "worker.log.1").read_text() == "first start\n"


def test_stopping_the_process_group_keeps_the_service_s_last_lines(tmp_path):
    """SIGTERM reaches the whole group; the writer waits for the service's last words."""
    log = tmp_path / "svc.log"
    script = ("import signal, sys, time\n"
              "def bye(*a):\n    print('shutting down cleanly', flush=True); sys.exit(0)\n"
              "signal.signal(signal.SIGTERM, bye)\nprint('started', flush=True)\ntime.sleep(60)\n")
    shell = f"{sys.executable} -c \"{script}\" 2>&1 | {' '.join(PIPE)} {log}"
    proc = subprocess.Popen(["/bin/sh", "-c", shell], start_new_session=True)
    for _ in range(100):
        if log.exists() and "started" in log.read_text():
            break
        subprocess.run(["sleep", "0.1"])
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    assert log.read_text().splitlines() == ["started", "shutting down cleanly"]
