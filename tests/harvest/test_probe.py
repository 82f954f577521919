"""`jena-harvest probe`: for every sample register in the repo it proposes
the entry that harvests it (compared field by field with sources.yaml and
registers.yaml), and says what it is unsure of."""
import glob
import os
import warnings

import pytest
import yaml
from pyproj import CRS

from harvesters import cli, kinds, probe, runner
from harvesters.fetch import SourceError

from .conftest import SAMPLES, sample

ROOT = os.path.dirname(SAMPLES)
REGISTERS = yaml.safe_load(open(os.path.join(ROOT, "registers.yaml"), encoding="utf-8"))["trees"]
SOURCES = yaml.safe_load(open(os.path.join(ROOT, "sources.yaml"), encoding="utf-8"))["trees"]
# The demo dataset's file (harvesters/demo.py): Jena's columns, no entry of its own.
DEMO = {"format": "csv", "delimiter": ";", "encoding": "utf-8", "crs": "EPSG:3044", "extent": SOURCES["jena"]["extent"],
        "columns": {"source_id": "baumnummer", "botanical_name": "ga_lang", "height_m": "baumhoehe",
                    "trunk_circumference_cm": "st_umfang", "vitality": "vitalitaet", "x": "rechtswert", "y": "hochwert"}}
# Leipzig's eastings fit UTM zone 32 and 33: the steward says where the city is.
NEAR = {"leipzig": (12.37, 51.34)}
# Keys the probe decides from the file; the rest (title, organisation, licence) is the steward's.
# Fields of ArcGIS date columns: epoch milliseconds in a downloaded file, which
# only the layer query's reader turns into dates (harvesters/kinds/tree_arcgis.py).
READ_AS_DATES_BY_THE_QUERY = {"chemnitz": {"planting_year"}}
DECIDED = ("format", "delimiter", "encoding", "name_separator", "name_order", "units", "zero_is_unknown",
           "coordinates_form", "columns")


def registers():
    """(name, file, expected entry) for every sample register in the repo."""
    out = [("jena", "jena_baumkataster.csv", SOURCES["jena"]), ("leipzig", "leipzig_baeume.csv", SOURCES["leipzig"]),
           ("demo", "baeume-demo.csv", DEMO)]
    for name, entry in REGISTERS.items():
        if entry.get("format") == "wfs":
            continue  # a service, not a file the probe reads (test_city_registers harvests its sample layer)
        files = glob.glob(os.path.join(SAMPLES, "registers", f"{name}.*"))
        assert len(files) == 1, f"registers.yaml: {name} needs one sample, found {files}"
        if name in READ_AS_DATES_BY_THE_QUERY:
            entry = dict(entry, columns={k: v for k, v in entry["columns"].items()
                                         if k not in READ_AS_DATES_BY_THE_QUERY[name]})
        out.append((name, os.path.relpath(files[0], SAMPLES), entry))
    return out


def test_every_sample_register_is_covered():
    files = {f for _, f, _ in registers()}
    on_disk = {os.path.relpath(p, SAMPLES) for p in glob.glob(os.path.join(SAMPLES, "*.csv"))
               + glob.glob(os.path.join(SAMPLES, "registers", "*.*")) if not p.endswith(".py")}
    assert files == on_disk
    assert len(REGISTERS) >= 10


def _projection(code):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PROJ.4 strings lose some detail; the same projection is what counts here
        return CRS(code).to_proj4()


def assert_proposes(proposal, expected):
    entry = proposal.entry
    for key in DECIDED:
        if key in ("delimiter", "encoding") and expected.get("format", "csv") != "csv":
            continue
        want = expected.get(key, {"format": "csv", "delimiter": ",", "encoding": "utf-8"}.get(key))
        assert entry.get(key) == want, (key, entry.get(key), want, proposal.render())
    # The same projection: EPSG:3044 is 25832 with its axes named the other way round (we pass x and y).
    assert _projection(entry["crs"]) == _projection(expected["crs"]), (entry["crs"], expected["crs"])
    west, south, east, north = entry["extent"]
    ew, es, ee, en = expected["extent"]
    assert ew <= west < east <= ee and es <= south < north <= en, (entry["extent"], expected["extent"])


@pytest.mark.parametrize("name,file,expected", registers(), ids=[r[0] for r in registers()])
def test_the_probe_proposes_the_entry_of_every_sample(name, file, expected):
    proposal = probe.probe(os.path.join(SAMPLES, file), name=name, near=NEAR.get(name))
    assert_proposes(proposal, expected)
    assert proposal.name == name and proposal.entry["kind"] == "tree_register"
    # The kind takes the proposal as it stands, once the organisation is set.
    kinds.configure(name, dict(proposal.entry, organization="stadt-x"))


def test_without_a_place_the_utm_zone_is_reported_as_unsure():
    proposal = probe.probe(os.path.join(SAMPLES, "leipzig_baeume.csv"))
    assert proposal.entry["crs"] == "EPSG:25832"
    assert any("UTM zone" in u and "EPSG:25833" in u for u in proposal.unsure), proposal.unsure
    # Jena's eastings (above 500 km) can only be zone 32: nothing to ask.
    jena = probe.probe(os.path.join(SAMPLES, "jena_baumkataster.csv"))
    assert not any("UTM zone" in u for u in jena.unsure)


def test_the_printed_entry_harvests_as_it_stands(tmp_path, capsys):
    """What `jena-harvest probe FILE` prints is YAML a steward can paste:
    with only the organisation filled in, it harvests Jena's sample."""
    assert cli.main(["probe", os.path.join(SAMPLES, "jena_baumkataster.csv"), "--name", "jena"]) == 0
    printed = capsys.readouterr().out
    assert "# UNSURE: licence" in printed and "# not mapped" not in printed
    entry = yaml.safe_load(printed)["jena"]
    entry["organization"] = "stadt-jena"
    result = runner.run(["jena"], {"jena": entry}, str(tmp_path))[0]
    assert result["status"] == "ok", result
    assert not any("not a number" in k or "not a year" in k for k in result["warnings"]), result["warnings"]


def test_a_url_is_read_through_the_guarded_client(loopback):
    routes, base = loopback
    routes["/baeume.csv"] = (sample("jena_baumkataster.csv"), "text/csv", 0)
    proposal = probe.probe(base + "/baeume.csv", name="jena")
    assert_proposes(proposal, SOURCES["jena"])
    assert proposal.entry["url"] == base + "/baeume.csv"
    routes["/baeume.csv"] = (b"<!DOCTYPE html><html><body>Wartung</body></html>", "text/html", 0)
    with pytest.raises(SourceError, match="returned an HTML page"):
        probe.probe(base + "/baeume.csv")


@pytest.mark.outbound_strict
def test_a_url_inside_the_network_is_refused(loopback, capsys):
    routes, base = loopback
    routes["/baeume.csv"] = (sample("jena_baumkataster.csv"), "text/csv", 0)
    assert cli.main(["probe", base + "/baeume.csv"]) == 1
    err = capsys.readouterr().err
    assert "probe failed" in err and "127.0.0.1" in err


def _csv(tmp_path, text, name="register.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_coordinates_in_other_forms_and_systems(tmp_path):
    names = "Tilia cordata;Winter-Linde"
    cases = {
        # one "lat, lon" column
        "latlon": ("nr;art;deutsch;lage\n1;" + names + ';"50.9301, 11.5890"\n2;' + names + ';"50.9402, 11.6012"\n',
                   {"coordinates": "lage"}, {"coordinates_form": "latlon", "crs": "EPSG:4326"}),
        # WKT points
        "wkt": ("nr;art;deutsch;geom\n1;" + names + ";POINT(11.589 50.930)\n2;" + names + ";POINT(11.601 50.940)\n",
                {"coordinates": "geom"}, {"coordinates_form": "wkt", "crs": "EPSG:4326"}),
        # latitude in the column called x: the values decide
        "swapped": ("nr;art;deutsch;x;y\n1;" + names + ";50,9301;11,5890\n2;" + names + ";50,9402;11,6012\n",
                    {"x": "y", "y": "x"}, {"crs": "EPSG:4326"}),
        # UTM with the zone before the easting
        "zone": ("nr;art;deutsch;ost;nord\n1;" + names + ";32681191,48;5640655,28\n2;" + names + ";32680976,32;5641100,68\n",
                 {"x": "ost", "y": "nord"}, {"crs": "EPSG:4647"}),
        # Gauss-Krüger zone 4 (first digit of the right value)
        "gk4": ("nr;art;deutsch;rw;hw\n1;" + names + ";4479012,1;5643210,5\n2;" + names + ";4479112,9;5643301,2\n",
                {"x": "rw", "y": "hw"}, {"crs": "EPSG:31468"}),
    }
    for label, (text, columns, expected) in cases.items():
        proposal = probe.probe(_csv(tmp_path, text), name=label)
        entry = proposal.entry
        for key, value in columns.items():
            assert entry["columns"].get(key) == value, (label, entry["columns"])
        for key, value in expected.items():
            assert entry[key] == value, (label, key, entry)
        assert entry["columns"]["botanical_name"] == "art" and entry["columns"]["german_name"] == "deutsch", label
        assert 11.4 < entry["extent"][0] < entry["extent"][2] < 11.8, (label, entry["extent"])
    gk = probe.probe(_csv(tmp_path, cases["gk4"][0]))
    assert any("Pulkovo" in u for u in gk.unsure), gk.unsure


def test_metadata_beats_value_ranges(tmp_path):
    """A .prj beside the file, or a GeoJSON crs member, names the CRS."""
    text = "nr;art;x;y\n1;Tilia cordata;318728,76;5693893,91\n2;Acer platanoides;322118,71;5688182,69\n"
    path = _csv(tmp_path, text, "leipzig.csv")
    (tmp_path / "leipzig.prj").write_text(CRS("EPSG:25833").to_wkt("WKT1_ESRI"))
    proposal = probe.probe(path)
    assert proposal.entry["crs"] == "EPSG:25833", proposal.render()
    assert 12.2 < proposal.entry["extent"][0] < proposal.entry["extent"][2] < 12.6
    geojson = tmp_path / "hamburg.geojson"
    geojson.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
                       '"urn:ogc:def:crs:EPSG::25832"}}, "features": [{"type": "Feature", "properties": '
                       '{"baumid": 1, "art_latein": "Tilia cordata", "art_deutsch": "Winter-Linde", "pflanzjahr": 1985}, '
                       '"geometry": {"type": "MultiPoint", "coordinates": [[565000.1, 5933000.2]]}}]}')
    proposal = probe.probe(str(geojson))
    assert proposal.entry["crs"] == "EPSG:25832"
    assert proposal.entry["columns"] == {"botanical_name": "art_latein", "german_name": "art_deutsch",
                                         "planting_year": "pflanzjahr", "source_id": "baumid"}
    assert 9.9 < proposal.entry["extent"][0] < proposal.entry["extent"][2] < 10.1


def test_units_zeros_dates_and_german_names_only(tmp_path):
    rows = ["baumnr;baumart;pflanzdatum;hoehe;krone;stammumfang;status;gefaellt_am;rechtswert;hochwert"]
    for i in range(60):
        rows.append(f"{i};{'Winter-Linde' if i % 2 else 'Spitz-Ahorn'};01.06.{1950 + i};{800 + i * 10};"
                    f"{0 if i % 10 == 0 else 5 + i % 7};{1.2 + i / 100:.2f};{'gefällt' if i % 20 == 0 else 'Bestand'};"
                    f"{'12.03.2024' if i % 20 == 0 else ''};{680000 + i},5;{5640000 + i},5")
    proposal = probe.probe(_csv(tmp_path, "\n".join(rows) + "\n", encoding="cp1252"))
    entry = proposal.entry
    assert entry["columns"] == {"german_name": "baumart", "planting_year": "pflanzdatum", "height_m": "hoehe",
                                "crown_diameter_m": "krone", "trunk_circumference_cm": "stammumfang",
                                "source_id": "baumnr", "x": "rechtswert", "y": "hochwert", "status": "status",
                                "felling_date": "gefaellt_am"}
    # heights in cm, trunks in m, crowns with 0 for unknown
    assert entry["units"] == {"height_m": "cm", "trunk": "m"}
    assert entry["zero_is_unknown"] == ["crown_diameter_m"]
    assert entry["encoding"] == "cp1252"  # "gefällt" in Windows-1252
    assert entry["status_values"] == {"felled": [], "planned": [], "replaced": []}
    assert any("'Bestand', 'gefällt'" in u for u in proposal.unsure), proposal.unsure
    assert any("planting dates" in n for n in proposal.notes)
    assert any("lookup" in n for n in proposal.notes)


def test_a_file_that_is_no_register_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no table found"):
        probe.probe(_csv(tmp_path, "nur eine Zeile ohne Trennzeichen\n"))
    assert cli.main(["probe", str(tmp_path / "missing.csv")]) == 1


def test_units_in_the_cells_need_no_units_key(tmp_path):
    rows = ["id;art;hoehe;stammumfang;x;y"]
    for i in range(20):
        height = f"{800 + i * 10} cm" if i % 2 else f"{12 + i % 5} m"
        rows.append(f"{i};Tilia cordata;{height};{120 + i} cm;{680000 + i},5;{5640000 + i},5")
    proposal = probe.probe(_csv(tmp_path, "\n".join(rows) + "\n"))
    assert proposal.entry["columns"]["height_m"] == "hoehe"
    assert proposal.entry["columns"]["trunk_circumference_cm"] == "stammumfang"
    assert "units" not in proposal.entry, proposal.render()
    assert any("stammumfang: units in the cells" in n for n in proposal.notes), proposal.notes
