"""Files a hostile steward or source publishes, validated by the real job
queue: nothing in a file may make the worker read another file or URL, and
a small archive may not unpack without bound (issue 12, finding 1 and the
XLSX finding)."""
import io
import json
import os
import resource as rusage
import time
import zipfile

import openpyxl
import pytest

from ckan.lib.jobs import Worker
from ckan.tests import helpers

from etl.validation import Limits, check_file

from ..publishing import create_dataset, link_file

pytestmark = [pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker"),
              pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")]

SECRET = "GEHEIM-7f3a;kennwort;s3cr3t\n"  # what no report may ever show


@pytest.fixture
def dataset(admin, org):
    return create_dataset(admin, org, "angriff", "Angriff", "Feindliche Dateien")


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "geheim.csv"
    path.write_text("wert;art;inhalt\n" + SECRET * 3, encoding="utf-8")
    return str(path)


@pytest.fixture
def tripwire(loopback):
    """Routes on the data provider that no validation may fetch: path → hits."""
    routes, base = loopback
    hits: dict = {}

    def trap(name):
        def answer(path):
            hits[name] = hits.get(name, 0) + 1
            return (SECRET.encode(), "text/csv")
        return answer
    for name in ("secret.csv", "schema.json", "dialect.json", "profile.json", "data.csv"):
        routes[f"/trap/{name}"] = trap(name)
    return base + "/trap/", hits


def publish(admin, dataset, loopback, name, body, fmt, ctype="application/json"):
    return link_file(admin, dataset, loopback, f"/{name}", body, ctype, format=fmt, name=name)


def show(res):
    return helpers.call_action("resource_validation_show", resource_id=res["id"])


def descriptors(secret, trap):
    """Descriptor-shaped JSON: each names a local file or a URL to follow."""
    schema = {"fields": [{"name": "wert", "type": "string"}]}
    return {
        "resource-path": {"path": "/etc/passwd", "format": "csv", "schema": schema},
        "resource-secret": {"name": "r", "path": secret, "format": "csv", "encoding": "utf-8", "schema": schema},
        "resource-relative": {"name": "r", "path": "../../../../../../" + secret.lstrip("/"), "format": "csv"},
        "resource-url": {"name": "r", "path": trap + "secret.csv", "format": "csv"},
        "resource-data-and-schema-url": {"name": "r", "data": [["wert"], ["1"]], "schema": trap + "schema.json",
                                         "dialect": trap + "dialect.json"},
        "ref-trick": {"$ref": secret, "$schema": trap + "schema.json", "profile": trap + "profile.json"},
        "package-local": {"name": "p", "resources": [{"name": "r", "path": secret, "format": "csv",
                                                      "schema": schema}]},
        "package-urls": {"name": "p", "profile": trap + "profile.json", "resources": [
            {"name": "r", "path": "x.csv", "schema": trap + "schema.json", "dialect": trap + "dialect.json",
             "profile": trap + "profile.json"},
            {"name": "s", "path": trap + "data.csv", "format": "csv", "schema": schema}]},
    }


@pytest.mark.parametrize("case", list(descriptors("/s", "t")))
def test_a_json_descriptor_never_makes_the_job_read_a_file_or_url(admin, dataset, loopback, secret_file,
                                                                  tripwire, case, app):
    trap, hits = tripwire
    body = json.dumps(descriptors(secret_file, trap)[case])
    res = publish(admin, dataset, loopback, f"{case}.json", body, "JSON")
    Worker().work(burst=True)
    result = show(res)
    shown = json.dumps(result, ensure_ascii=False)
    page = app.get(f"/dataset/angriff/resource/{res['id']}/validation").body
    for text in (shown, page):
        assert "GEHEIM" not in text and "kennwort" not in text
        assert "root:x" not in text and "/bin/" not in text and "nologin" not in text
    assert hits == {}, f"the job fetched {hits}"
    # A package descriptor is checked (and is invalid: it names what is not
    # followed); any other object is refused as no table. Never a crash.
    if case.startswith("package"):
        assert result["status"] == "invalid" and result["schema_origin"] == "profile"
    else:
        assert result["status"] == "error" and result["reason"] == "json-object"
        assert "ist ein Objekt, keine Tabelle" in page


def test_a_csv_named_like_a_descriptor_is_read_as_csv(admin, dataset, loopback, secret_file):
    # frictionless takes "*.resource.json" for a descriptor whatever the format says
    body = json.dumps({"path": secret_file, "format": "csv", "encoding": "utf-8"})
    res = publish(admin, dataset, loopback, "tabelle.resource.json", body, "CSV", ctype="text/csv")
    Worker().work(burst=True)
    shown = json.dumps(show(res), ensure_ascii=False)
    assert "GEHEIM" not in shown and "kennwort" not in shown


def test_a_json_table_is_validated_as_rows(admin, dataset, loopback):
    rows = [{"baumnummer": i, "gattung": "Tilia", "hoehe": 10 + i} for i in range(1, 21)]
    rows[6]["hoehe"] = "zwölf"
    res = publish(admin, dataset, loopback, "baeume.json", json.dumps(rows), "JSON")
    Worker().work(burst=True)
    result = show(res)
    assert result["row_count"] == 20 and result["schema_origin"] == "inferred"
    assert {f["name"] for f in result["inferred_schema"]["fields"]} == {"baumnummer", "gattung", "hoehe"}


def zip_bomb(unpacked_mb=500, pad_kb=145, method=zipfile.ZIP_BZIP2):
    """A real XLSX (openpyxl's) whose sheet is padded with white space inside
    <sheetData> to `unpacked_mb`, plus an incompressible picture so that the
    file is as large as the one of the issue (150 KB for 500 MB)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["baumnummer", "hoehe"])
    sheet.append([1, 12.5])
    buf = io.BytesIO()
    book.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            member = zipfile.ZipInfo(info.filename)
            member.compress_type = method
            with dst.open(member, "w", force_zip64=True) as f:
                f.write(head)
                pad = b" " * (1 << 20)
                for _ in range(unpacked_mb):
                    f.write(pad)
                f.write(b"</sheetData>" + tail)
        if pad_kb:
            dst.writestr(zipfile.ZipInfo("xl/media/image1.png"), os.urandom(pad_kb << 10))
    return out.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(admin, dataset, create_with_upload, app):
    bomb = zip_bomb()
    assert 140_000 < len(bomb) < 160_000  # 150 KB …
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:  # … that unpacks to 500 MB
        assert sum(i.file_size for i in z.infolist()) > 500 << 20
    res = create_with_upload(bomb, "baeume.xlsx", package_id=dataset["id"], format="XLSX",
                             context={"user": admin["name"]})
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    Worker().work(burst=True)
    assert time.monotonic() - started < 20
    assert rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss - peak < 100 << 10  # KB: nothing was unpacked here
    result = show(res)
    assert result["status"] == "error" and result["reason"] == "archive-too-large"
    assert result["params"] == {"mb": 500, "limit_mb": 200}
    page = app.get(f"/dataset/angriff/resource/{res['id']}/validation").body
    assert "würde entpackt 500 MB groß" in page


def test_a_small_but_highly_compressed_archive_is_refused(tmp_path):
    # 50 MB of sheet in ~50 KB (deflate, as Excel writes): under the size
    # limit, but a thousand times its size.
    path = tmp_path / "dicht.xlsx"
    path.write_bytes(zip_bomb(unpacked_mb=50, pad_kb=0, method=zipfile.ZIP_DEFLATED))
    report = check_file(str(path), "xlsx")
    assert report.status == "error" and report.reason == "archive-ratio" and report.params["ratio"] > 500


def test_a_spreadsheet_is_read_in_a_child_with_bounded_memory(tmp_path):
    # Limits raised so that the bomb reaches the parser: the child runs out of
    # its address space (or time), this process does not, and the report says so.
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(zip_bomb(unpacked_mb=300, pad_kb=0))
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
    report = check_file(str(path), "xlsx", limits=Limits(max_unpacked_bytes=1 << 40, max_ratio=1 << 40,
                                                        memory_bytes=400 << 20, deadline=60))
    assert report.status == "error" and report.reason == "memory"  # unbounded, it took ~1 GB
    assert rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss - peak < 50 << 10


def test_a_steward_table_schema_that_is_a_path_is_not_read(admin, dataset, loopback, secret_file):
    # The form's validator refuses such a value; a schema stored earlier, or
    # set past it, still reaches the job as data, never as a path.
    res = publish(admin, dataset, loopback, "a.csv", "wert;art;inhalt\n1;2;3\n", "CSV", ctype="text/csv")
    import ckan.model as model
    from ckan.lib.search import rebuild
    stored = model.Resource.get(res["id"])
    stored.extras = dict(stored.extras, table_schema=json.dumps(secret_file))
    model.Session.commit()
    rebuild(dataset["id"])
    helpers.call_action("resource_validation_run", {"user": admin["name"]}, resource_id=res["id"])
    Worker().work(burst=True)
    result = show(res)
    assert result["status"] == "error" and result["reason"] == "schema-refused"
    assert "GEHEIM" not in json.dumps(result)
