"""Benchmark of resource validation (jena_validation) on a 1,000,000-row CSV.

    .venv/bin/python bench/validation_bench.py [--rows 1000000]

Generates a tree-register-shaped CSV (semicolons, decimal commas, umlauts,
0.1 % bad heights), then validates it, each run in its own process so that
peak memory (max RSS, children included) is measured alone:
  ours        etl.validation.check_file, the core the portal's job and the
              harvesters share (encoding/dialect sniffing, German decimal
              inference, capped report), on one core
  ours/parts  the same in parts on every core (what the job does from 64 MB)
  baseline    plain `frictionless validate` (CLI) on the same file
and prints seconds, rows/s, peak memory and the ratios. Goal: peak < 500 MB.
"""
from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time

import options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
GENERA = ["Tilia cordata", "Acer platanoides", "Quercus robur", "Aesculus hippocastanum",
          "Betula pendula", "Fraxinus excelsior", "Platanus × hispanica", "Robinia pseudoacacia"]


def generate(path: str, rows: int) -> None:
    rng = random.Random(16053)
    with open(path, "w", encoding="utf-8") as f:
        f.write("baumnummer;gattung_art;höhe_m;stammumfang_cm;vitalität;pflanzjahr\n")
        for i in range(1, rows + 1):
            height = "unbekannt" if rng.random() < 0.001 else f"{rng.uniform(3, 30):.1f}".replace(".", ",")
            f.write(f"{i};{rng.choice(GENERA)};{height};{rng.randint(30, 400)};"
                    f"{rng.choice(['gut', 'mittel', 'schlecht'])};{rng.randint(1900, 2024)}\n")


def measure(cmd: list[str]) -> tuple[float, float, str]:
    """Seconds and peak RSS (MB) of a child process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("warning: peak RSS of this child not above an earlier one", file=sys.stderr)
    return seconds, peak / 1024, out.stdout[-300:] + out.stderr[-300:]


OURS = """
import json, sys
from etl.validation import check_file
r = check_file(sys.argv[1], "csv", None, max_errors=1000, workers=int(sys.argv[2])).to_dict()
out = {k: r.get(k) for k in ("status", "row_count", "error_count", "truncated")}
print(json.dumps(dict(out, part_peaks_mb=[p["peak_mb"] for p in r["parts"]])))
"""


def main() -> None:
    args = options.parse(__doc__, {"rows": 20_000}, "20,000 rows: it still runs", rows=1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "baeume.csv")
        generate(path, args.rows)
        size_mb = os.path.getsize(path) / 1e6
        # Each measured in a fresh process: ru_maxrss of children is a maximum.
        env_path = os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))
        os.environ["PYTHONPATH"] = env_path
        ours = measure([sys.executable, "-c", OURS, path, "1"])
        cores = min(os.cpu_count() or 1, 8)
        parts = measure([sys.executable, "-c", OURS, path, str(cores)])
        base = measure([os.path.join(VENV_BIN, "frictionless"), "validate", "--trusted", path])
    print(f"\nvalidation of {args.rows:,} rows ({size_mb:.0f} MB CSV; ';', decimal commas, umlauts), "
          f"{os.cpu_count()}-core machine")
    print(f"  {'':34} {'seconds':>8} {'rows/s':>10} {'peak MB':>8}")
    for name, (sec, peak, _) in (("ours, one core", ours), (f"ours, {cores} parts", parts),
                                 ("baseline: frictionless validate", base)):
        print(f"  {name:34} {sec:8.1f} {args.rows / sec:10,.0f} {peak:8.0f}")
    print(f"  time ratio ours/baseline {ours[0] / base[0]:.2f}, in parts {parts[0] / base[0]:.2f} "
          f"(goal <= 0.20, issue 19); "
          f"peak memory goal < 500 MB: {'met' if max(ours[1], parts[1]) < 500 else 'NOT met'}")
    print(f"  ours: {ours[2].strip().splitlines()[-1]}")
    print(f"  parts: {parts[2].strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
