"""Load test of the portal's web server: gunicorn (ckanext.jena.wsgi, the
production server of bin/run and docker/) against `ckan run` (Werkzeug's
development server, what bin/run used before: the named baseline).

N concurrent clients (threads, each with its own keep-alive connection) run
the same mix of the portal's main pages and API calls for a fixed time
against each server in turn: home page, /dataset search pages, a dataset
page, package_search (text, facets), package_show and datastore_search.
Printed per server and endpoint: requests, requests/s, p50/p95/p99 and
errors; then the ratio of requests/s gunicorn / ckan run.

    .venv/bin/python bench/load_bench.py [--clients 20] [--seconds 60] [--workers N]
    .venv/bin/python bench/load_bench.py --smoke      # seconds: it still runs

It runs on the TEST database (test.ini with bin/test-db's environment) and
first makes what it reads there, once: an organisation `lastprobe` with
--datasets datasets and a DataStore table (kept for later runs). Both
servers start on loopback (ports 5109 and 5110, --port-base), one at a
time, so they do not share the cores.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
WORDS = ("Baum Straße Verkehr Haltestelle Schule Kita Umwelt Luft Lärm Wasser Saale Park "
         "Friedhof Haushalt Wahl Energie Radweg Kultur Museum Klima Sensor Stadtteil").split()
SMOKE = {"clients": 4, "seconds": 5, "datasets": 20, "workers": 2}


def seed(ini: str, datasets: int) -> dict:
    """The org, datasets and DataStore table the load reads; made once."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        ctx = lambda: {"ignore_auth": True, "user": site_user["name"]}  # noqa: E731
        found = tk.get_action("package_search")(ctx(), {"fq": "organization:lastprobe", "rows": 0})
        if found["count"] < datasets:
            try:
                org = tk.get_action("organization_show")(ctx(), {"id": "lastprobe"})
            except tk.ObjectNotFound:
                org = tk.get_action("organization_create")(ctx(), {
                    "name": "lastprobe", "title": "Lastprobe",
                    "contributor_id": "http://dcat-ap.de/def/contributors/stadtJena"})
            rng = random.Random(16)
            for i in range(found["count"], datasets):
                words = rng.sample(WORDS, 4)
                tk.get_action("package_create")(ctx(), {
                    "name": f"lastprobe-{i:04d}", "owner_org": org["id"],
                    "title": f"{words[0]} und {words[1]} in Jena {2000 + i % 25}",
                    "notes": " ".join(rng.choice(WORDS) for _ in range(40)),
                    "license_id": "dl-by-de/2.0",
                    "tags": [{"name": w} for w in rng.sample(WORDS, 3)],
                    "resources": [{"url": f"http://daten.example.org/{i}.csv", "format": "CSV"}],
                })
        first = tk.get_action("package_show")(ctx(), {"id": "lastprobe-0000"})
        resource = first["resources"][0]
        try:
            tk.get_action("datastore_search")(ctx(), {"resource_id": resource["id"], "limit": 0})
        except tk.ObjectNotFound:
            rng = random.Random(4)
            tk.get_action("datastore_create")(ctx(), {
                "resource_id": resource["id"], "force": True,
                "fields": [{"id": "art", "type": "text"}, {"id": "stadtteil", "type": "text"},
                           {"id": "hoehe", "type": "numeric"}],
                "records": [{"art": rng.choice(["Linde", "Ahorn", "Eiche", "Birke"]),
                             "stadtteil": rng.choice(["Lobeda", "Winzerla", "Zentrum", "Ost"]),
                             "hoehe": round(rng.uniform(2, 30), 1)} for _ in range(2000)],
            })
        return {"dataset": first["name"], "resource": resource["id"]}


def endpoints(target: dict) -> list[tuple[str, str]]:
    facets = json.dumps(["organization", "tags", "res_format", "license_id"])
    return [
        ("home", "/"),
        ("/dataset", "/dataset/"),
        ("/dataset?q", "/dataset/?q=" + urllib.parse.quote("Straße")),
        ("dataset page", f"/dataset/{target['dataset']}"),
        ("package_search", "/api/3/action/package_search?q=Baum&rows=10&facet.field="
         + urllib.parse.quote(facets)),
        ("package_show", f"/api/3/action/package_show?id={target['dataset']}"),
        ("datastore_search", f"/api/3/action/datastore_search?resource_id={target['resource']}"
         "&q=Linde&limit=20"),
    ]


def start(kind: str, port: int, ini: str, workers: int | None, log: str) -> subprocess.Popen:
    env = {**os.environ, "CKAN_SITE_URL": f"http://127.0.0.1:{port}", "CKAN_INI": ini}
    if kind == "gunicorn":
        if workers:
            env["JENA_WEB_WORKERS"] = str(workers)
        args = [os.path.join(VENV_BIN, "gunicorn"), "-c", "python:ckanext.jena.gunicorn_conf",
                "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
                "ckanext.jena.wsgi:application"]
    else:
        args = [os.path.join(VENV_BIN, "ckan"), "-c", ini, "run", "-H", "127.0.0.1", "-p", str(port),
                "--disable-reloader"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=5).raise_for_status()
            return proc
        except requests.RequestException:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    stop(proc)
    sys.exit(f"{kind} did not start: see {log}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def load(base: str, mix: list[tuple[str, str]], clients: int, seconds: float) -> tuple[dict, float]:
    """Each client cycles through the mix from its own starting point."""
    results = {name: {"times": [], "errors": 0, "why": {}} for name, _ in mix}
    lock = threading.Lock()
    start_at = time.monotonic() + 0.5
    stop_at = start_at + seconds

    def client(n: int) -> None:
        session = requests.Session()
        i = n
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < stop_at:
            name, path = mix[i % len(mix)]
            i += 1
            t = time.perf_counter()
            try:
                r = session.get(base + path, timeout=60)
                ok, why = r.status_code == 200, f"HTTP {r.status_code}"
            except requests.RequestException as e:
                ok, why = False, type(e).__name__
            took = time.perf_counter() - t
            with lock:
                results[name]["times"].append(took)
                if not ok:
                    results[name]["errors"] += 1
                    results[name]["why"][why] = results[name]["why"].get(why, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - start_at


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def report(kind: str, results: dict, elapsed: float) -> float:
    print(f"\n{kind}: {elapsed:.1f} s")
    print(f"  {'endpoint':<18} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}")
    everything = []
    errors = 0
    for name, r in results.items():
        t = r["times"]
        everything += t
        errors += r["errors"]
        if t:
            print(f"  {name:<18} {len(t):>8} {len(t) / elapsed:>7.1f} {pct(t, 50) * 1000:>8.0f} "
                  f"{pct(t, 95) * 1000:>8.0f} {pct(t, 99) * 1000:>8.0f} {r['errors']:>6}")
    rate = len(everything) / elapsed
    if everything:
        print(f"  {'all':<18} {len(everything):>8} {rate:>7.1f} {pct(everything, 50) * 1000:>8.0f} "
              f"{pct(everything, 95) * 1000:>8.0f} {pct(everything, 99) * 1000:>8.0f} {errors:>6}"
              f"   (mean {statistics.mean(everything) * 1000:.0f} ms)")
    for name, r in results.items():
        if r["why"]:
            print(f"  errors of {name}: " + ", ".join(f"{why} × {n}" for why, n in sorted(r["why"].items())))
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn_conf.py's, 2 x cores + 1)")
    parser.add_argument("--port-base", type=int, default=5109)
    parser.add_argument("--ini", default=os.path.join(ROOT, "test.ini"))
    parser.add_argument("--only", choices=["gunicorn", "ckan-run"])
    parser.add_argument("--smoke", action="store_true",
                        help=f"{SMOKE['clients']} clients for {SMOKE['seconds']} s: shows the bench still works")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.seconds, args.datasets = SMOKE["clients"], SMOKE["seconds"], SMOKE["datasets"]
        args.workers = args.workers or SMOKE["workers"]  # starts faster
    target = seed(args.ini, args.datasets)
    mix = endpoints(target)
    print(f"{args.clients} clients, {args.seconds:g} s per server, mix: {', '.join(n for n, _ in mix)}")
    rates = {}
    kinds = [k for k in ("ckan-run", "gunicorn") if args.only in (None, k)]
    for offset, kind in enumerate(kinds):
        port = args.port_base + offset
        proc = start(kind, port, args.ini, args.workers, f"/tmp/load_bench_{kind}.log")
        try:
            base = f"http://127.0.0.1:{port}"
            # A short untimed round first, concurrent so that it reaches every
            # worker: start-up work (templates, first connections) is not counted.
            load(base, mix, args.clients, min(10.0, args.seconds))
            results, elapsed = load(base, mix, args.clients, args.seconds)
        finally:
            stop(proc)
        rates[kind] = report(kind, results, elapsed)
    if len(rates) == 2 and rates["ckan-run"]:
        print(f"\nratio gunicorn / ckan run: {rates['gunicorn'] / rates['ckan-run']:.2f}x requests/s")


if __name__ == "__main__":
    main()
