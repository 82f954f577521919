"""A steward's "run now" is not queued behind the portal's other jobs: the
worker as bin/run and docker/ start it serves the run-now queue
(ckanext.jena.harvest.queue) before the default queue, where every new
resource's validation and link check wait (~150 of them after populating)."""
import os
import re
import subprocess

import yaml

from ckan.lib import jobs

from ..portal_process import ROOT, TEST_INI, ckan


def declared_queue():
    with open(os.path.join(ROOT, "ckanext-jena", "ckanext", "jena", "config_declaration.yaml"), encoding="utf-8") as f:
        options = [o for g in yaml.safe_load(f)["groups"] for o in g["options"]]
    return next(o["default"] for o in options if o["key"] == "ckanext.jena.harvest.queue")


def worker_queues(path, pattern):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return re.search(pattern, f.read()).group(1).split()


def test_the_portal_worker_takes_a_waiting_run_now_before_the_default_queue(tmp_path):
    queue = declared_queue()
    queues = worker_queues("bin/run", r'"\$INI" jobs worker ([a-z_ ]+) &')
    assert queues == worker_queues("docker/entrypoint.sh", r'"\$INI" jobs worker ([a-z_ ]+) ;;') == [queue, "default"]
    for name in queues:
        jobs.get_queue(name).empty()
    done = tmp_path / "done"
    for number in range(3):  # the backlog, queued first
        jobs.enqueue(os.system, [f"echo default-{number} >> {done}"], queue="default")
    jobs.enqueue(os.system, [f"echo run-now >> {done}"], queue=queue)
    result = subprocess.run(ckan(TEST_INI, "jobs", "worker", "--burst", *queues), cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert done.read_text().split() == ["run-now", "default-0", "default-1", "default-2"]
