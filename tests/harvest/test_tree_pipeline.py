"""The tree register pipeline (extract → transform → package and validate)
and the runner, against sources served on loopback, faults included."""
import copy
import csv
import hashlib
import io
import json
import os
import subprocess

import pytest
import yaml

from harvesters import runner

from .conftest import sample

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(config, out, names=("jena",)):
    return {r["source"]: r for r in runner.run(list(names), config, str(out))}


def test_both_cities_become_valid_packages(sources, tmp_path):
    routes, base, config = sources
    results = run(config, tmp_path, ("jena", "leipzig"))
    assert {n: r["status"] for n, r in results.items()} == {"jena": "ok", "leipzig": "ok"}
    jena = tmp_path / "jena" / "current"
    descriptor = json.loads((jena / "datapackage.json").read_text())
    table = descriptor["resources"][0]
    assert table["rows"] == 3000
    assert table["hash"] == "sha256:" + hashlib.sha256((jena / "baeume.csv").read_bytes()).hexdigest()
    with open(jena / "baeume.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = rows[0]
    assert first["id"] == "jena:10001" and first["genus"] == "Tilia" and first["species"] == "platyphyllos"
    assert first["height_m"] == "3.4" and 11.4 < float(first["longitude"]) < 11.8
    geo = json.loads((jena / "baeume.geojson").read_text())
    assert len(geo["features"]) == 3000
    # About 1 % of Jena's heights are ranges like "10-15": counted, their middle taken.
    assert 10 <= results["jena"]["warnings"]["height_m: range, middle taken"] <= 60
    leipzig = list(csv.DictReader(open(tmp_path / "leipzig" / "current" / "baeume.csv", encoding="utf-8")))
    assert leipzig[0]["trunk_circumference_cm"]  # from the trunk diameter
    assert 12.2 < float(leipzig[0]["longitude"]) < 12.6


def _fault(sources, tmp_path, mutate):
    routes, base, config = sources
    assert run(config, tmp_path)["jena"]["status"] == "ok"
    good = (tmp_path / "jena" / "current" / "baeume.csv").read_bytes()
    config = copy.deepcopy(config)
    mutate(routes, base, config)
    result = run(config, tmp_path)["jena"]
    assert result["status"] in ("failed", "invalid")
    assert (tmp_path / "jena" / "current" / "baeume.csv").read_bytes() == good  # last good kept
    return result


def test_source_down(sources, tmp_path):
    def down(routes, base, config):
        config["jena"]["url"] = "http://127.0.0.1:9/jena.csv"
    result = _fault(sources, tmp_path, down)
    assert result["message"].startswith("jena: cannot connect")


def test_source_too_slow(sources, tmp_path):
    def slow(routes, base, config):
        routes["/slow.csv"] = (b"x", "text/csv", 1.5)
        config["jena"]["url"] = base + "/slow.csv"
    result = _fault(sources, tmp_path, slow)
    assert "did not answer within 1 s" in result["message"]


def test_html_instead_of_csv(sources, tmp_path):
    def html(routes, base, config):
        routes["/jena.csv"] = (b"<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>", "text/html", 0)
    result = _fault(sources, tmp_path, html)
    assert result["message"] == f"jena: {sources[1]}/jena.csv returned an HTML page instead of CSV"


def test_renamed_column(sources, tmp_path):
    def renamed(routes, base, config):
        routes["/jena.csv"] = (sample("jena_baumkataster.csv").replace(b"baumhoehe", b"hoehe_m", 1), "text/csv", 0)
    result = _fault(sources, tmp_path, renamed)
    assert "columns baumhoehe are missing" in result["message"] and "renamed" in result["message"]


def _leipzig_rows(routes, transform):
    """The Leipzig sample with its planting-year column rewritten row by row."""
    rows = list(csv.reader(sample("leipzig_baeume.csv").decode().splitlines()))
    year = rows[0].index("pflanzjahr")
    for number, row in enumerate(rows[1:]):
        row[year] = transform(number, row[year])
    out = "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in rows) + "\n"
    routes["/leipzig.csv"] = (out.encode(), "text/csv", 0)


def _published_years(out):
    with open(out / "leipzig" / "current" / "baeume.csv", encoding="utf-8") as f:
        return [r["planting_year"] for r in csv.DictReader(f)]


def test_planting_dates_and_approximate_years_give_the_year(sources, tmp_path):
    routes, _, config = sources
    original = []
    forms = [lambda y: f"01.06.{y}", lambda y: f"{y}-04-15", lambda y: f"ca. {y}", lambda y: y]

    def rewrite(number, value):
        original.append(value)
        return forms[number % len(forms)](value) if value else value
    _leipzig_rows(routes, rewrite)
    result = run(config, tmp_path, ("leipzig",))["leipzig"]
    assert result["status"] == "ok", result
    assert _published_years(tmp_path) == original
    assert not any("not a year" in k for k in result["warnings"]), result["warnings"]


def test_a_column_unreadable_in_most_rows_fails_the_run_and_keeps_the_last_good(sources, tmp_path):
    routes, _, config = sources
    assert run(config, tmp_path, ("leipzig",))["leipzig"]["status"] == "ok"
    good = _published_years(tmp_path)
    _leipzig_rows(routes, lambda number, value: f"Frühjahr {value}" if value else value)
    result = run(config, tmp_path, ("leipzig",))["leipzig"]
    assert result["status"] == "failed", result
    assert "column pflanzjahr (planting_year) is unreadable in" in result["message"]
    assert "'Frühjahr 1998'" in result["message"] and result["message"].startswith("leipzig:")
    assert _published_years(tmp_path) == good
    # A few typing errors are counted, not fatal.
    _leipzig_rows(routes, lambda number, value: "19x8" if number == 0 else value)
    result = run(config, tmp_path, ("leipzig",))["leipzig"]
    assert result["status"] == "ok" and result["warnings"]["planting_year: not a year"] == 1, result


def _published(out, source="leipzig"):
    with open(out / source / "current" / "baeume.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_one_column_with_both_names_and_a_cultivar_column(sources, tmp_path):
    routes, _, config = sources
    assert run(config, tmp_path / "before", ("leipzig",))["leipzig"]["status"] == "ok"
    before = _published(tmp_path / "before")
    rows = list(csv.reader(sample("leipzig_baeume.csv").decode().splitlines()))
    header = rows[0]
    wiss, deutsch = header.index("ga_lang_wiss"), header.index("ga_lang_deutsch")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c for i, c in enumerate(header) if i not in (wiss, deutsch)] + ["baumart", "sorte"])
    for number, row in enumerate(rows[1:]):
        combined = f"{row[wiss]}, {row[deutsch]}" if row[wiss] else ""
        writer.writerow([c for i, c in enumerate(row) if i not in (wiss, deutsch)]
                        + [combined, "'Globosum'" if number == 0 else ""])
    routes["/leipzig.csv"] = (out.getvalue().encode(), "text/csv", 0)
    combined = copy.deepcopy(config)
    combined["leipzig"]["columns"].update(botanical_name="baumart", german_name="baumart", cultivar="sorte")
    # Without saying where to split, the entry is refused before any work.
    with pytest.raises(runner.ConfigError, match="set name_separator"):
        run(combined, tmp_path / "after", ("leipzig",))
    combined["leipzig"]["name_separator"] = ","
    result = run(combined, tmp_path / "after", ("leipzig",))["leipzig"]
    assert result["status"] == "ok", result
    after = _published(tmp_path / "after")
    for key in ("botanical_name", "german_name", "genus", "species"):
        assert [r[key] for r in after] == [r[key] for r in before], key
    assert after[0]["cultivar"] == "Globosum" and [r["cultivar"] for r in after[1:]] == [r["cultivar"] for r in before[1:]]


def test_lengths_with_units_in_the_cells(sources, tmp_path):
    routes, _, config = sources
    assert run(config, tmp_path / "before", ("leipzig",))["leipzig"]["status"] == "ok"
    before = _published(tmp_path / "before")
    rows = list(csv.reader(sample("leipzig_baeume.csv").decode().splitlines()))
    height, crown, trunk = (rows[0].index(c) for c in ("baumhoehe", "kr_durchm", "st_durchm"))
    for number, row in enumerate(rows[1:]):
        if row[height]:
            row[height] = f"{row[height]} m" if number % 2 else f"{round(float(row[height]) * 100)} cm"
        if row[crown]:
            row[crown] = row[crown].replace(".", ",") + " m"
        if row[trunk]:
            row[trunk] = f"{row[trunk]} cm"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    routes["/leipzig.csv"] = (out.getvalue().encode(), "text/csv", 0)
    result = run(config, tmp_path / "after", ("leipzig",))["leipzig"]
    assert result["status"] == "ok" and not any("not a number" in k for k in result["warnings"]), result
    after = _published(tmp_path / "after")
    for key in ("height_m", "crown_diameter_m", "trunk_circumference_cm"):
        assert [float(r[key] or "nan") for r in after] == pytest.approx(
            [float(r[key] or "nan") for r in before], nan_ok=True), key


def test_duplicate_ids_make_the_package_invalid(sources, tmp_path):
    def duplicate(routes, base, config):
        data = sample("jena_baumkataster.csv").replace(b"\r\n10002;", b"\r\n10001;", 1)
        routes["/jena.csv"] = (data, "text/csv", 0)
    result = _fault(sources, tmp_path, duplicate)
    assert result["status"] == "invalid" and "jena: the package is invalid" in result["message"]
    report = json.loads((tmp_path / "jena" / "failed" / "validation-report.json").read_text())
    assert {e["type"] for e in report["errors"]} >= {"primary-key"}


def test_out_of_range_coordinates(sources, tmp_path):
    def wrong_crs(routes, base, config):
        config["jena"]["crs"] = "EPSG:31468"  # the numbers are UTM, read as Gauss-Krüger
    result = _fault(sources, tmp_path, wrong_crs)
    # Every tree outside the source's extent: a wrong crs, failed before packaging (plausibility).
    assert result["status"] == "failed", result
    assert result["message"].startswith("jena: 3000 of 3000 trees lie outside the extent"), result["message"]


def test_wrong_encoding(sources, tmp_path):
    def encoding(routes, base, config):
        config["jena"]["encoding"] = "utf-8"  # the file is Windows-1252
    result = _fault(sources, tmp_path, encoding)
    assert "jena: the file is not utf-8" in result["message"]


def test_a_failing_source_does_not_stop_the_others(sources, tmp_path):
    routes, base, config = sources
    config["jena"]["url"] = "http://127.0.0.1:9/jena.csv"
    results = run(config, tmp_path, ("jena", "leipzig"))
    assert results["jena"]["status"] == "failed" and results["leipzig"]["status"] == "ok"
    records = [json.loads(line) for line in open(tmp_path / "runs.jsonl")]
    assert [r["source"] for r in records] == ["jena", "leipzig"]


def test_one_run_at_a_time(sources, tmp_path):
    import fcntl
    routes, base, config = sources
    os.makedirs(tmp_path, exist_ok=True)
    with open(tmp_path / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(runner.Locked):
            run(config, tmp_path)


def test_cli_exit_codes(sources, tmp_path):
    routes, base, config = sources
    cli = os.path.join(ROOT, ".venv", "bin", "jena-harvest")
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"trees": {"jena": config["jena"]}}))
    assert subprocess.run([cli, "--config", str(good), "run", "--all", "--out", str(tmp_path / "o")],
                          capture_output=True).returncode == 0
    bad = copy.deepcopy(config["jena"])
    bad["url"] = "http://127.0.0.1:9/x.csv"
    failing = tmp_path / "failing.yaml"
    failing.write_text(yaml.safe_dump({"trees": {"jena": bad}}))
    done = subprocess.run([cli, "--config", str(failing), "run", "jena", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "jena: failed: jena: cannot connect" in done.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("trees: {jena: {kind: tree_register}}")
    done = subprocess.run([cli, "--config", str(broken), "run", "jena"], capture_output=True, text=True)
    assert done.returncode == 2 and "url is missing" in done.stderr
