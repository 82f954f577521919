"""Crosswalk options and plausibility of the tree_register kind (issue 20),
on the Leipzig sample and the city samples, served on loopback."""
import copy
import csv
import io
import json
import os

import pytest
import yaml
from ckan.lib.uploader import get_resource_uploader
from ckan.tests import helpers

from harvesters import runner

from .conftest import SAMPLES, sample


def run(config, out, name="leipzig"):
    return runner.run([name], config, str(out))[0]


def _rows():
    return list(csv.reader(sample("leipzig_baeume.csv").decode().splitlines()))


def _serve(routes, rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    routes["/leipzig.csv"] = (out.getvalue().encode(), "text/csv", 0)


def _published(out, source="leipzig"):
    with open(out / source / "current" / "baeume.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _records(out):
    return [json.loads(line) for line in open(out / "runs.jsonl", encoding="utf-8")]


def test_a_few_percent_unreadable_publishes_with_a_warning_never_a_silent_ok(sources, tmp_path):
    routes, _, config = sources
    rows = _rows()
    year = rows[0].index("pflanzjahr")
    filled = [r for r in rows[1:] if r[year]]
    for row in filled[: len(filled) // 10]:  # 10 %: above warn (2 %), below fail (50 %)
        row[year] = "Frühjahr"
    _serve(routes, rows)
    result = run(config, tmp_path)
    assert result["status"] == "warning", result
    assert "column pflanzjahr (planting_year) is unreadable in" in result["message"]
    assert result["notices"] and "'Frühjahr'" in result["notices"][0]
    assert _records(tmp_path)[-1]["status"] == "warning"
    assert len(_published(tmp_path)) == len(rows) - 1  # published, every tree
    # A stricter entry fails the same file; the published package stays.
    strict = copy.deepcopy(config)
    strict["leipzig"]["plausibility"] = {"fail_unreadable": 0.05}
    before = (tmp_path / "leipzig" / "current" / "baeume.csv").read_bytes()
    result = run(strict, tmp_path)
    assert result["status"] == "failed" and "Not published" in result["message"], result
    assert (tmp_path / "leipzig" / "current" / "baeume.csv").read_bytes() == before


def test_a_clean_file_is_ok_without_notices(sources, tmp_path):
    routes, _, config = sources
    result = run(config, tmp_path)
    assert result["status"] == "ok" and "notices" not in result, result


def test_a_few_trees_outside_the_extent_are_left_unlocated_with_a_warning(sources, tmp_path):
    routes, _, config = sources
    rows = _rows()
    x = rows[0].index(config["leipzig"]["columns"]["x"])
    moved = 0
    for row in rows[1:6]:  # 5 of 200: above 0.1 %, below 5 %
        if row[x]:
            row[x] = str(float(row[x].replace(",", ".")) + 200000)  # 200 km east
            moved += 1
    _serve(routes, rows)
    result = run(config, tmp_path)
    assert result["status"] == "warning", result
    assert f"{moved} of" in result["message"] and "outside the extent" in result["message"]
    published = _published(tmp_path)
    assert moved == 5 and [r["longitude"] for r in published[:5]] == [""] * 5
    assert all(r["longitude"] for r in published[5:])


def test_bare_numbers_in_centimetres_and_zero_as_unknown(sources, tmp_path):
    routes, _, config = sources
    assert run(config, tmp_path / "before")["status"] == "ok"
    before = _published(tmp_path / "before")
    rows = _rows()
    height = rows[0].index(config["leipzig"]["columns"]["height_m"])
    crown = rows[0].index(config["leipzig"]["columns"]["crown_diameter_m"])
    for number, row in enumerate(rows[1:]):
        if row[height]:
            row[height] = str(round(float(row[height]) * 100))  # cm, no unit in the cell
        if number < 5:
            row[crown] = "0"
    _serve(routes, rows)
    entry = copy.deepcopy(config)
    entry["leipzig"].update(units={"height_m": "cm"}, zero_is_unknown=["crown_diameter_m"])
    result = run(entry, tmp_path / "after")
    assert result["status"] == "ok", result
    after = _published(tmp_path / "after")
    assert [round(float(r["height_m"]), 1) if r["height_m"] else None for r in after] == \
        [round(float(r["height_m"]), 1) if r["height_m"] else None for r in before]
    assert [r["crown_diameter_m"] for r in after[:5]] == [""] * 5
    assert result["warnings"]["crown_diameter_m: 0 read as unknown"] == 5


def test_unknown_german_names_stay_german_and_are_counted(loopback, tmp_path):
    routes, base = loopback
    text = sample("registers/koeln.csv").decode()
    lines = text.splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",Nirgendbaum"
    routes["/koeln.csv"] = (("\n".join(lines) + "\n").encode(), "text/csv", 0)
    entry = yaml.safe_load(open(os.path.join(os.path.dirname(SAMPLES), "registers.yaml"), encoding="utf-8"))["trees"]["koeln"]
    entry.update(url=base + "/koeln.csv", timeout=5, attempts=1)
    result = run({"koeln": entry}, tmp_path, "koeln")
    assert result["status"] == "ok", result
    assert result["warnings"]["german_name: not in the species lookup, no botanical name"] == 1
    published = _published(tmp_path, "koeln")
    assert published[0]["german_name"] == "Nirgendbaum" and not published[0]["botanical_name"]
    assert published[1]["genus"] == "Fraxinus"


def test_a_broken_spreadsheet_or_geojson_fails_with_the_source_named(loopback, tmp_path):
    routes, base = loopback
    routes["/t.xlsx"] = (b"PK\x03\x04 not really a workbook", "application/octet-stream", 0)
    routes["/t.geojson"] = (b'{"type": "Feature"}', "application/geo+json", 0)
    common = dict(kind="tree_register", organization="stadt-jena", crs="EPSG:4326",
                  columns={"source_id": "id"}, timeout=5, attempts=1)
    xlsx = run({"x": dict(common, url=base + "/t.xlsx", format="xlsx", columns={"source_id": "id", "x": "a", "y": "b"})},
               tmp_path, "x")
    assert xlsx["status"] == "failed" and xlsx["message"].startswith(f"x: {base}/t.xlsx: not an XLSX workbook"), xlsx
    geo = run({"g": dict(common, url=base + "/t.geojson", format="geojson")}, tmp_path, "g")
    assert geo["status"] == "failed" and "not a GeoJSON FeatureCollection" in geo["message"], geo


def _one_column_positions(rows, published, form):
    """The Leipzig rows with x and y replaced by one column of WGS 84 positions in `form`."""
    x, y = rows[0].index("x"), rows[0].index("y")
    out = [[c for i, c in enumerate(rows[0]) if i not in (x, y)] + ["lage"]]
    for row, tree in zip(rows[1:], published):
        lon, lat = tree["longitude"], tree["latitude"]
        comma = lat.replace(".", ","), lon.replace(".", ",")
        cell = {"latlon": f"{lat}, {lon}", "lonlat": f"{lon}; {lat}", "wkt": f"POINT ({lon} {lat})",
                # decimal commas, as German spreadsheets write them
                "latlon-semicolon": f"{comma[0]}; {comma[1]}", "latlon-space": f"{comma[0]} {comma[1]}",
                "lonlat-comma": f"{comma[1]}, {comma[0]}"}[form]
        out.append([c for i, c in enumerate(row) if i not in (x, y)] + [cell if lon else ""])
    return out


def test_one_coordinates_column_lat_lon_or_wkt_gives_the_same_positions(sources, tmp_path):
    routes, _, config = sources
    assert run(config, tmp_path / "xy")["status"] == "ok"
    before = _published(tmp_path / "xy")
    for form in ("latlon", "lonlat", "latlon-semicolon", "latlon-space", "lonlat-comma", "wkt"):  # wkt last: used below
        rows = _one_column_positions(_rows(), before, form)
        _serve(routes, rows)
        entry = copy.deepcopy(config)
        columns = entry["leipzig"]["columns"]
        del columns["x"], columns["y"]
        entry["leipzig"].update(crs="EPSG:4326", coordinates_form=form.split("-")[0],
                                columns=dict(columns, coordinates="lage"))
        result = run(entry, tmp_path / form)
        assert result["status"] == "ok", (form, result)
        after = _published(tmp_path / form)
        assert [(r["longitude"], r["latitude"]) for r in after] == \
            [(r["longitude"], r["latitude"]) for r in before], form
    # A few unreadable cells: counted like x and y, and a warning; those trees unlocated.
    rows = _one_column_positions(_rows(), before, "wkt")
    for row in rows[1:11]:
        row[-1] = "irgendwo am Markt"
    _serve(routes, rows)
    result = run(entry, tmp_path / "bad")
    assert result["status"] == "warning", result
    assert result["warnings"]["coordinates: not a number"] == 10
    assert "column lage (coordinates) is unreadable in 10 of" in result["message"]
    assert [r["longitude"] for r in _published(tmp_path / "bad")[:10]] == [""] * 10


def test_two_digit_planting_years_follow_the_pivot(sources, tmp_path):
    routes, _, config = sources
    rows = _rows()
    year = rows[0].index("pflanzjahr")
    rows[1][year], rows[2][year], rows[3][year] = "98", "01.06.25", "31"
    _serve(routes, rows)
    result = run(config, tmp_path / "default")
    assert result["status"] == "ok", result
    assert [r["planting_year"] for r in _published(tmp_path / "default")[:3]] == ["1998", "2025", "1931"]
    entry = copy.deepcopy(config)
    entry["leipzig"]["year_pivot"] = 20
    assert run(entry, tmp_path / "pivot")["status"] == "ok"
    assert [r["planting_year"] for r in _published(tmp_path / "pivot")[:3]] == ["1998", "1925", "1931"]


def test_the_trunk_height_is_stated_in_the_table_schema(sources, tmp_path):
    routes, _, config = sources
    entry = copy.deepcopy(config)
    entry["leipzig"]["trunk_measured_at_m"] = 1.3
    assert run(entry, tmp_path)["status"] == "ok"
    with open(tmp_path / "leipzig" / "current" / "datapackage.json", encoding="utf-8") as f:
        package = json.load(f)
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "baeume" for f in r["schema"]["fields"]}
    assert fields["trunk_circumference_cm"]["description"].endswith("in metres above ground: 1.3 m")


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_status_and_felling_date_are_published_and_carried_into_the_changes_table(sources, tmp_path,
                                                                                   harvester_portal):
    routes, _, config = sources
    ckan = harvester_portal("stadt-leipzig-beispiel")[0]
    rows = [r + [""] * 2 for r in _rows()]
    rows[0][-2:] = ["zustand", "faelldatum"]
    rows[1][-2:] = ["Neupflanzung geplant", ""]
    _serve(routes, rows)
    entry = copy.deepcopy(config)
    entry["leipzig"].update(status_values={"felled": ["gefällt"], "planned": ["Neupflanzung geplant"]})
    entry["leipzig"]["columns"].update(status="zustand", felling_date="faelldatum")
    first = runner.run(["leipzig"], entry, str(tmp_path), ckan)[0]
    assert first["status"] == "ok", first
    published = _published(tmp_path)
    assert published[0]["status"] == "planned" and published[1]["status"] == ""
    # Next run: the second tree felled on 14.03.2026.
    rows[2][-2:] = ["Gefällt", "14.03.2026"]
    _serve(routes, rows)
    second = runner.run(["leipzig"], entry, str(tmp_path), ckan)[0]
    assert second["status"] == "ok", second
    tree = f"leipzig:{rows[2][0]}"
    assert [(r["status"], r["felling_date"]) for r in _published(tmp_path) if r["id"] == tree] == \
        [("felled", "2026-03-14")]
    pkg = helpers.call_action("package_show", id="baumkataster-leipzig")
    resource = next(r for r in pkg["resources"] if r["name"] == "aenderungen.csv")
    with open(get_resource_uploader(resource).get_path(resource["id"]), encoding="utf-8") as f:
        changes = list(csv.DictReader(f))
    assert [(c["change"], c["id"], c["fields"], c["status"], c["felling_date"]) for c in changes] == \
        [("geändert", tree, "status felling_date", "felled", "2026-03-14")]
    # A value the entry does not map: counted, the cell left empty (not published as an unknown code).
    rows[3][-2] = "abgängig"
    _serve(routes, rows)
    third = runner.run(["leipzig"], entry, str(tmp_path), ckan)[0]
    assert third["warnings"]["status: unknown value"] == 1, third
    assert _published(tmp_path)[2]["status"] == ""
