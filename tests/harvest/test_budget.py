"""The budget harvester (kind budget) against product budget CSVs served on
loopback, shaped like the cities' exports (semicolons, German amounts, income
negative, totals and sub-total rows, columns renamed from one budget to the
next, a missing year): the Fiscal Data Package, its overview and chart, the
portal's verdict, an unchanged run, and the faults every harvester handles."""
import copy
import hashlib
import json
import re
import time

import polars as pl
import pytest

from ckan.lib.jobs import Worker
from ckan.tests import helpers

from etl import budget, package
from harvesters import runner
from harvesters.kinds import ConfigError, configure
from harvesters.samples.budget.generate import first_budget, second_budget

SOURCE, DATASET = "stadt-jena", "haushalt-stadt-jena"


def csv(text, encoding="cp1252"):
    return (text.encode(encoding), "text/csv; charset=windows-1252")


@pytest.fixture
def source(loopback):
    routes, base = loopback
    routes.clear()
    routes["/haushalt_2023.csv"] = csv(first_budget())
    routes["/haushalt_2025.csv"] = csv(second_budget())
    config = copy.deepcopy(runner.load_config()[SOURCE])
    config.update(urls=[base + "/haushalt_2023.csv", base + "/haushalt_2025.csv"], timeout=1, attempts=2,
                  backoff=0.01)
    return routes, base, config


def harvest(config, out, ckan=None):
    return runner.run([SOURCE], {SOURCE: config}, str(out), ckan)[0]


def table(out, name):
    return pl.read_csv(out / SOURCE / "current" / name, infer_schema_length=None)


def source_total(text, label, column):
    """A totals row of the source file, as the file writes it (income negative)."""
    frame = pl.read_csv(text.encode(), separator=";", infer_schema=False)
    row = frame.filter(pl.col(label).fill_null("").str.contains(r"^(Summe|Gesamt)"))
    value = row[column][0]
    return float(value.replace(".", "").replace(",", "."))


def test_the_sample_budgets_become_a_fiscal_data_package(source, tmp_path):
    routes, base, config = source
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    w = result["warnings"]
    assert w["missing_years"] == {"result": [2022]}             # no budget file carries the result of 2022
    assert w["year columns superseded by a newer file"] == 3     # Plan 2024–2026 of the 2023 budget
    assert w["columns neither plan nor result, skipped"] == 1    # VE 2024
    assert w["totals rows dropped"] == 2 and w["sub-total rows dropped"] == 6 + 12
    assert "totals not matching their lines" not in w

    long = table(tmp_path, "haushalt.csv")
    assert set(long["direction"]) == {"revenue", "expenditure"} and set(long["phase"]) == {"plan", "result"}
    assert sorted(set(long["fiscal_year"])) == [2021, 2022, 2023, 2024, 2025, 2026, 2027, 2028]
    assert long.filter(pl.col("product_code").str.count_matches(r"\.") < 4).is_empty()  # no sub-total is a row
    tax = long.filter((pl.col("account_code") == 40130000) & (pl.col("phase") == "plan")
                      & (pl.col("fiscal_year") == 2024)).row(0, named=True)
    # Income: written -62.xxx.xxx,xx in the source, a positive revenue here, from the newer budget.
    assert tax["direction"] == "revenue" and tax["amount"] > 60_000_000
    assert tax["source_column"] == "haushalt_2025.csv: Ansatz 2024" and tax["product_area_title"] == \
        "Zentrale Finanzleistungen"
    music = long.filter(pl.col("product_code") == "2.260.01.01.01")
    assert set(music["product_title"]) == {"Musik- und Kunstschule Jena"}  # the newest budget's name

    # Nothing counted twice: the Ergebnishaushalt of the 2023 plan equals the file's own total row,
    # and every line of the 2025 budget's Ansatz 2024 equals its Gesamtsumme.
    signed = pl.when(pl.col("direction") == "revenue").then(-pl.col("amount")).otherwise(pl.col("amount"))
    plan_2023 = long.filter((pl.col("phase") == "plan") & (pl.col("fiscal_year") == 2023)
                            & (pl.col("statement") == "ergebnis"))
    assert plan_2023.select(signed.sum()).item() == pytest.approx(
        source_total(first_budget(), "Bezeichnung", "Plan 2023"), abs=0.05)
    plan_2024 = long.filter((pl.col("phase") == "plan") & (pl.col("fiscal_year") == 2024))
    assert plan_2024.select(signed.sum()).item() == pytest.approx(
        source_total(second_budget(), "Produktbezeichnung", "Ansatz 2024"), abs=0.05)

    overview = table(tmp_path, "uebersicht-produktbereiche.csv")
    area = overview.filter((pl.col("product_area") == 3) & (pl.col("fiscal_year") == 2023)
                           & (pl.col("phase") == "plan")).row(0, named=True)
    rows = long.filter((pl.col("product_area") == 3) & (pl.col("fiscal_year") == 2023) & (pl.col("phase") == "plan"))
    assert area["expenditure"] == pytest.approx(rows.filter(pl.col("direction") == "expenditure")["amount"].sum())
    assert area["balance"] == pytest.approx(area["revenue"] - area["expenditure"])
    assert area["product_area_title"] == "Soziales und Jugend"   # from the 2023 budget's area rows
    assert overview.filter((pl.col("phase") == "result") & (pl.col("fiscal_year") == 2022)).is_empty()
    # Investments (Finanzhaushalt, class 7) are in the long table but not in the overview's expenditure.
    schools = overview.filter((pl.col("product_area") == 2) & (pl.col("fiscal_year") == 2025)
                              & (pl.col("phase") == "plan"))["expenditure"][0]
    school_lines = long.filter((pl.col("product_area") == 2) & (pl.col("fiscal_year") == 2025)
                               & (pl.col("phase") == "plan") & (pl.col("direction") == "expenditure"))
    assert schools == pytest.approx(school_lines.filter(pl.col("statement") == "ergebnis")["amount"].sum())
    assert school_lines.filter(pl.col("statement") == "finanz").height == 1   # the schools' building works

    current = tmp_path / SOURCE / "current"
    assert (current / "uebersicht-produktbereiche.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    descriptor = json.loads((current / "datapackage.json").read_text())
    model = descriptor["model"]
    assert model["measures"]["amount"]["currency"] == "EUR"
    assert {"date", "functional-classification", "chart-of-accounts", "direction", "phase"} <= set(model["dimensions"])
    resource = next(r for r in descriptor["resources"] if r["name"] == "haushalt")
    assert budget.check_model(model, resource["schema"]) == []
    assert descriptor["fiscalPeriod"] == {"start": "2021-01-01", "end": "2028-12-31"}
    assert descriptor["profiles"] == {"fiscal": "*", "tabular": "*"}
    from etl.validation.descriptor import check_package
    assert check_package(descriptor).to_dict()["valid"]   # the portal's check of a datapackage.json


def test_the_model_check_finds_what_does_not_hold():
    schema = package.table_schema("budget")
    model = budget.fiscal_model("haushalt", "EUR")
    model["measures"]["amount"]["source"] = "betrag"
    model["dimensions"]["functional-classification"]["attributes"]["group"]["parent"] = "bereich"
    model["measures"]["amount"]["currency"] = "Euro"
    problems = budget.check_model(model, schema)
    assert len(problems) == 3 and "no field 'betrag'" in problems[0] and "ISO 4217" in problems[1]
    assert "parent 'bereich' is no attribute" in problems[2]


SMALL = """Produkt;Bezeichnung;Konto;Kontobezeichnung;Plan 2025;Ist 2024
1;Innere Verwaltung;;;300,00;0
1.100;Gremien;;;300,00;0
1.100.01;Rat;40000000;Erträge;-100,00;
1.100.01;Rat;50000000;Aufwand;400,00;1.000,50
;Summe Personal;;;999,00;0
9.900.01;Sonderposten;99999999;Unbekanntes Konto;-50,00;
;Summe Haushalt;;;250,00;1.000,50
"""


def test_totals_are_dropped_checked_and_never_counted(source, tmp_path):
    routes, base, config = source
    routes["/klein.csv"] = csv(SMALL)
    config.update(urls=[base + "/klein.csv"], product_areas={"9": "Sonstiges"})
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    w = result["warnings"]
    # "1" and "1.100" sum the Rat's lines (300); "Summe Personal" and the closing row are totals.
    assert w["sub-total rows dropped"] == 2 and w["totals rows dropped"] == 2
    assert "totals not matching their lines" not in w
    long = table(tmp_path, "haushalt.csv")
    assert long.height == 4 and long.filter(pl.col("fiscal_year") == 2025)["amount"].sum() == pytest.approx(550)
    other = long.filter(pl.col("product_code") == "9.900.01").row(0, named=True)
    assert other["direction"] == "revenue" and other["amount"] == 50   # class 9 says no direction: the sign does
    assert other["statement"] == "intern" and other["product_area_title"] == "Sonstiges"
    assert w["direction from the sign (no account of class 4 to 7)"] == 1
    overview = table(tmp_path, "uebersicht-produktbereiche.csv")
    assert set(overview["product_area"]) == {1}   # internal allocations are no money of the overview
    area = overview.filter((pl.col("product_area") == 1) & (pl.col("fiscal_year") == 2025)).row(0, named=True)
    assert (area["revenue"], area["expenditure"], area["balance"]) == (100, 400, -300)
    assert area["product_area_title"] == "Innere Verwaltung"

    # A sub-total that does not match its lines is reported with where it is, not corrected.
    routes["/klein.csv"] = csv(SMALL.replace("1.100;Gremien;;;300,00", "1.100;Gremien;;;310,00"))
    again = harvest(config, tmp_path / "again")
    assert again["status"] == "ok" and again["warnings"]["totals not matching their lines"] == 1
    assert again["warnings"]["examples"]["totals"] == ["klein.csv: Plan 2025 1.100: 310.00 ≠ 300.00"]
    assert table(tmp_path / "again", "haushalt.csv").filter(pl.col("fiscal_year") == 2025)["amount"].sum() == \
        pytest.approx(550)


def test_lines_of_an_object_number_belong_to_their_profit_centres_product(source, tmp_path):
    """Wesel's export: depreciation lines under the asset's number ("A010102"), not the product's."""
    routes, base, config = source
    routes["/wesel.csv"] = csv("Profitcenter;Objektnr.;Bezeichnung;Kostenart;Kostenart Beschreibung;Plan 2017\n"
                               "10102;1.100.01.01.02;Verwaltungsführung;50120000;Vergütungen;600.000,00\n"
                               "10102;A010102;Afa Verwaltungsführung;57116000;Abschreibungen auf Fahrzeuge;12.000,00\n"
                               "10102;A010102;Afa Verwaltungsführung;50120000;Vergütungen;1.000,00\n"
                               "99999;A999999;Afa ohne Produkt;57116000;Abschreibungen;5,00\n"
                               # an investment measure above its part, with money of its own: no sub-total
                               "90101;7.110001.700.200;Fährkopf;78520000;Tiefbau;100,00\n"
                               "90101;7.110001.700.200.01;Fährkopf, Teil 1;78520000;Tiefbau;40,00\n"
                               # one that is the sum of its parts: a sub-total
                               "90101;7.110002.700;Bahnhof;78520000;Tiefbau;70,00\n"
                               "90101;7.110002.700.01;Bahnhof, Vorplatz;78520000;Tiefbau;70,00\n")
    config.update(urls=[base + "/wesel.csv"])
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    w = result["warnings"]
    assert w["lines booked to their profit centre's product"] == 3 - 1
    assert w["lines without a readable product code, skipped"] == 1 and w["examples"]["product_code"] == ["A999999"]
    assert w["lines of the same product and account added up"] == 1
    assert w["rows above others kept as lines (they do not add up to them)"] == 1
    assert w["sub-total rows dropped"] == 1 and "totals not matching their lines" not in w
    long = table(tmp_path, "haushalt.csv")
    administration = long.filter(pl.col("product_area") == 1)
    assert dict(zip(administration["account_code"], administration["amount"])) == {50120000: 601_000,
                                                                                   57116000: 12_000}
    assert set(administration["product_title"]) == {"Verwaltungsführung"}   # the product's name, not the asset's
    works = long.filter(pl.col("product_area") == 7)
    assert dict(zip(works["product_code"], works["amount"])) == {
        "7.110001.700.200": 100, "7.110001.700.200.01": 40, "7.110002.700.01": 70}


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_source_that_is_down_broken_or_changed_loses_nothing(source, tmp_path):
    routes, base, config = source
    assert harvest(config, tmp_path)["status"] == "ok"
    current = tmp_path / SOURCE / "current"
    kept = {p.name: _digest(p) for p in current.iterdir() if p.is_file()}
    good = routes["/haushalt_2025.csv"]
    # 1.234,56 → 1,234.56: an export that switched to English notation
    english = re.sub(r"-?\d{1,3}(?:\.\d{3})*,\d{2}",
                     lambda m: m.group(0).replace(".", "#").replace(",", ".").replace("#", ","), second_budget())
    for route, expected in [
        (None, "answered HTTP 404"),
        ((b"<!DOCTYPE html><html><body>Wartung</body></html>", "text/html"), "returned an HTML page instead of CSV"),
        ((bytes(range(256)) * 4, "text/csv"), "is not cp1252"),
        (csv(second_budget().replace(";", "\t")), "has no budget table"),
        (csv(second_budget().replace("Produkt;", "Produktschlüssel;", 1)), "no column for product"),
        (csv(second_budget().replace("Ansatz 2024", "Wert A").replace("Ansatz 2025", "Wert B")
             .replace("Plan 202", "Wert 202").replace("Ergebnis 2023", "Wert C")), "no column for year columns"),
        (csv(english), "amounts are unreadable"),
        (routes["/haushalt_2023.csv"], "is the same file as"),   # the server answers every budget alike
    ]:
        routes.pop("/haushalt_2025.csv", None)
        if route:
            routes["/haushalt_2025.csv"] = route
        result = harvest(config, tmp_path)
        assert result["status"] == "failed" and expected in result["message"], (expected, result["message"])
        assert result["message"].startswith(f"{SOURCE}: ")
        assert {p.name: _digest(p) for p in current.iterdir() if p.is_file()} == kept
    routes["/haushalt_2025.csv"] = good
    assert harvest(config, tmp_path)["status"] == "ok"


def test_http_429_waits_as_retry_after_says(source, tmp_path):
    routes, base, config = source
    calls, answer = [], routes["/haushalt_2023.csv"]

    def limited(path):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return (b"Too Many Requests", "text/plain", 0, 429, {"Retry-After": "1"})
        return answer
    routes["/haushalt_2023.csv"] = limited
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95  # as told, not the 0.01 s backoff


def test_configuration_is_checked_before_any_work():
    entry = dict(runner.load_config()[SOURCE])
    with pytest.raises(ConfigError, match="either url or urls"):
        configure(SOURCE, dict(entry, url="file:samples/budget/haushalt_2025.csv"))
    with pytest.raises(ConfigError, match="'soll' is neither plan nor result"):
        configure(SOURCE, dict(entry, phases={"Soll": "soll"}))
    with pytest.raises(ConfigError, match="unknown key totalz"):
        configure(SOURCE, dict(entry, totalz=["Summe"]))


@pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")
def test_published_valid_in_the_portal_and_an_unchanged_run_writes_nothing(source, tmp_path, harvester_portal,
                                                                            app):
    routes, base, config = source
    ckan, _ = harvester_portal("stadt-jena")
    first = harvest(config, tmp_path, ckan)
    assert first["status"] == "ok", first["message"]
    pkg = helpers.call_action("package_show", id=DATASET)
    assert {r["name"] for r in pkg["resources"]} == {
        "haushalt.csv", "uebersicht-produktbereiche.csv", "uebersicht-produktbereiche.png", "datapackage.json"}
    assert pkg["harvest_message"].startswith("Erstveröffentlichung.") and "Fehlende Jahre: Ergebnis 2022" in \
        pkg["harvest_message"]
    assert "Ergebnis 2022" in pkg["known_limitations"] and pkg["frequency"].endswith("/ANNUAL")
    Worker().work(burst=True)  # the portal validates each table against the schema it was published with
    tables = [r for r in pkg["resources"] if r["format"] in ("CSV", "JSON")]
    reports = {r["name"]: helpers.call_action("resource_validation_show", resource_id=r["id"]) for r in tables}
    assert {n: r["status"] for n, r in reports.items()} == {n: "valid" for n in reports}, \
        {n: (r["status"], r.get("reason"), r["errors"][:3]) for n, r in reports.items()}
    assert reports["haushalt.csv"]["schema_origin"] == "resource"
    assert helpers.call_action("package_show", id=DATASET)["validation_status"] == "valid"
    table_res = next(r for r in pkg["resources"] if r["name"] == "haushalt.csv")
    assert "Validierung: gültig" in " ".join(app.get(f"/dataset/{DATASET}/resource/{table_res['id']}").body.split())
    # and both tables are queryable in the DataStore with the schema's types
    loads = {r["name"]: helpers.call_action("jena_datastore_status", resource_id=r["id"])
             for r in pkg["resources"] if r["format"] == "CSV"}
    assert {n: s["status"] for n, s in loads.items()} == {n: "loaded" for n in loads}, loads
    assert loads["haushalt.csv"]["rows"] == first["rows"]
    chart = next(r for r in pkg["resources"] if r["format"] == "PNG")
    assert chart["resource_type"] == "documentation"
    page = app.get(f"/dataset/{DATASET}").body  # the chart on the dataset page, described
    assert f'<img src="{chart["url"]}" alt="{chart["description"]}"' in page and "Abbildungen" in page

    second = harvest(config, tmp_path, ckan)
    assert second["status"] == "ok" and second["published"]["changed"] is False

    # The source goes wrong: the dataset says so, its published files stay as they were.
    routes["/haushalt_2025.csv"] = csv(second_budget().replace("Konto;", "Sachkontonummer;", 1))
    failed = harvest(config, tmp_path, ckan)
    assert failed["status"] == "failed" and "no column for account" in failed["message"]
    after = helpers.call_action("package_show", id=DATASET)
    assert after["harvest_status"] == "failed"
    def files(p):
        return {r["name"]: (r.get("hash"), r.get("last_modified")) for r in p["resources"]}
    assert files(after) == files(pkg)
