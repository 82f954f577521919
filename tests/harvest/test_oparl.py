"""The OParl harvester against a council information system on loopback,
shaped like OParl 1.0/1.1 and the vendors' quirks (SOURCES.md): tables,
decisions read from result texts, personal data, increments and deletions,
quirks repaired and counted, faults that keep the last good package, and
publishing into the test CKAN, whose own validation finds every table valid."""
import copy
import csv
import datetime as dt
import hashlib
import json
import time

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import helpers

from etl.oparl import parse_result
from harvesters import runner
from harvesters.samples.oparl.generate import Server, council

from ..loopback import serve

SOURCE, UNIT = "ratsinfo-jena", "ratsinfo-jena-jena"
PRIVATE = ["Rainer Privatmann", "Ute Verwaltung", "Max Muster", "@", "+49", "Geboren", "verheiratet"]


@pytest.fixture
def oparl(loopback):
    routes, base = loopback
    routes.clear()
    data = council(base + "/oparl/v1")
    server = Server(data, page_size=10)
    routes["/oparl/*"] = server
    config = {"kind": "oparl", "url": base + "/oparl/v1/system", "organization": "stadt-jena", "timeout": 2,
              "attempts": 2, "backoff": 0.01}
    return routes, base, data, server, config


def harvest(config, out, ckan=None):
    entries = runner.run([SOURCE], {SOURCE: config}, str(out), ckan)
    return next((e for e in entries if e["source"] == UNIT), entries[0])


def rows(out, name):
    with open(out / UNIT / "current" / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def by_id(table, key="id"):
    return {r[key]: r for r in table}


def now():
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("text, expected", [
    ("einstimmig beschlossen", ("angenommen", True, None, None, None)),
    ("mehrheitlich angenommen (12 Ja, 5 Nein, 2 Enthaltungen)", ("angenommen", False, 12, 5, 2)),
    ("Ja: 20 Nein: 18 Enthaltungen: 1 – angenommen", ("angenommen", False, 20, 18, 1)),
    ("Beschlossen mit 30:12:3 Stimmen", ("angenommen", False, 30, 12, 3)),
    ("mit 25 Ja-Stimmen, 10 Gegenstimmen und 3 Stimmenthaltungen beschlossen", ("angenommen", False, 25, 10, 3)),
    ("nicht beschlossen", ("abgelehnt", None, None, None, None)),
    ("abgelehnt bei 2 Enthaltungen", ("abgelehnt", None, None, None, 2)),
    ("ohne Gegenstimme beschlossen bei einer Enthaltung", ("angenommen", True, None, 0, 1)),
    ("vertagt", ("vertagt", None, None, None, None)),
    ("Kenntnisnahme", ("zur Kenntnis genommen", None, None, None, None)),
    ("in den Finanzausschuss verwiesen", ("verwiesen", None, None, None, None)),
    ("zurückgezogen", ("zurückgezogen", None, None, None, None)),
    ("siehe Niederschrift", None),
    ("Antrag auf Vertagung abgelehnt, Vorlage beschlossen", None),  # two decisions: not guessed
])
def test_result_texts_read_as_decisions(text, expected):
    found = parse_result(text)
    keys = ("decision", "unanimous", "votes_for", "votes_against", "abstentions")
    assert (tuple(found[k] for k in keys) if found else None) == expected


def test_a_council_becomes_valid_tables(oparl, tmp_path):
    routes, base, data, server, config = oparl
    result = harvest(config, tmp_path)
    assert result["status"] == "ok" and result["valid"], result["message"]
    w = result["warnings"]
    assert w["full_walk"] == 1
    items = by_id(rows(tmp_path, "tagesordnungspunkte.csv"))
    # listed (OParl 1.1) and embedded in their meetings: each agenda item once
    assert len(items) == 8 * 6 and w["objects_AgendaItem"] == 48
    assert len(rows(tmp_path, "sitzungen.csv")) == 8 and len(rows(tmp_path, "vorlagen.csv")) == 24
    # every list paged along links.next, with the limit asked for
    assert server.requests["/body/1/agendaItem"] == 5 and server.requests["/body/1/paper"] == 3

    votes = by_id(rows(tmp_path, "abstimmungen.csv"), "agenda_item_id")
    second = votes[f"{base}/oparl/v1/body/1/agendaitem/2"]
    assert second["result"] == "mehrheitlich angenommen (12 Ja, 5 Nein, 2 Enthaltungen)"
    assert (second["decision"], second["unanimous"], second["votes_for"], second["votes_against"],
            second["abstentions"]) == ("angenommen", "false", "12", "5", "2")
    assert second["paper_reference"] == "0002/26" and second["meeting_date"] == "2026-01-22"
    unreadable = [i for i in items.values() if i["result"] == "siehe Niederschrift"]
    assert unreadable and all(i["decision"] == "" and i["id"] not in votes for i in unreadable)
    assert w["results_unreadable"] == len(unreadable)
    assert {v["decision"] for v in votes.values()} >= {"angenommen", "abgelehnt", "vertagt", "zur Kenntnis genommen",
                                                        "zurückgezogen", "verwiesen"}

    # personal data: elected members' names only, nothing else about anybody
    current = tmp_path / UNIT / "current"
    published = "".join((current / f).read_text() for f in
                        ("sitzungen.csv", "tagesordnungspunkte.csv", "vorlagen.csv", "beratungen.csv", "gremien.csv",
                         "mitgliedschaften.csv", "abstimmungen.csv"))
    assert [p for p in PRIVATE if p in published] == []
    members = rows(tmp_path, "mitgliedschaften.csv")
    assert len(members) == 16 * 3 and {m["person_name"] for m in members} >= {"Anna Ahlers", "Paul Pohl"}
    assert w["memberships_withheld"] == 1  # the member of staff's
    papers = by_id(rows(tmp_path, "vorlagen.csv"), "reference")
    assert papers["0003/26"]["paper_type"] == "Einwohnerantrag" and papers["0003/26"]["originator_persons"] == ""
    assert papers["0001/26"]["originator_persons"] == "Bernd Brunn"
    assert w["originator_persons_withheld"] == 1
    # the resident's name is out of the title of the motion and of the agenda items that treat it
    assert papers["0003/26"]["name"] == "Einwohnerantrag von [Name entfernt]: Bebauungsplan Am Steiger"
    treated = [i for i in items.values() if i["paper_reference"] == "0003/26"]
    assert treated and all("[Name entfernt]" in i["name"] for i in treated)
    assert w["names_redacted"] == 1 + len(treated)
    hidden = [i for i in items.values() if i["public"] == "false"]
    assert len(hidden) == 8 and all(i["name"] == "" and i["number"] == "N 1" for i in hidden)
    plan = json.loads((current / "publish.json").read_text())
    assert plan["dataset"]["political_geocoding_uri"].endswith("/16053000")
    assert plan["dataset"]["license_id"] == "dl-by-de/2.0"


def test_increments_and_deletions(oparl, tmp_path):
    routes, base, data, server, config = oparl
    assert harvest(config, tmp_path)["status"] == "ok"
    before = by_id(rows(tmp_path, "tagesordnungspunkte.csv"))
    b = base + "/oparl/v1/body/1"
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)).isoformat()
    paper = data.touch(data.find("paper", f"{b}/paper/2"), later)
    paper["name"] = "Beschlussvorlage: Haushaltssatzung 2027 (geänderte Fassung)"
    data.delete("meeting", f"{b}/meeting/8", later)             # a tombstone (deleted: true)
    for item in [i for i in data.lists["agendaItem"] if i["meeting"] == f"{b}/meeting/8"]:
        data.lists["agendaItem"].remove(item)
    person = data.touch(data.find("person", f"{b}/person/1"), later)
    dropped = person["membership"].pop()                        # gone from the parent sent again
    data.lists["membership"].remove(dropped)
    server.requests.clear()
    server.log.clear()

    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    w = result["warnings"]
    assert w["full_walk"] == 0
    assert all("modified_since=" in path for path in server.log if "/body/1/" in path)
    assert server.requests["/body/1/agendaItem"] == 1  # nothing new there: one short page
    after = by_id(rows(tmp_path, "tagesordnungspunkte.csv"))
    gone = {i for i, r in before.items() if r["meeting_id"] == f"{b}/meeting/8"}
    assert len(gone) == 6 and set(after) == set(before) - gone
    assert {r["id"] for r in rows(tmp_path, "sitzungen.csv")} == {f"{b}/meeting/{n}" for n in range(1, 8)}
    assert by_id(rows(tmp_path, "vorlagen.csv"))[f"{b}/paper/2"]["name"].endswith("(geänderte Fassung)")
    assert dropped["id"] not in by_id(rows(tmp_path, "mitgliedschaften.csv"))
    assert w["objects_deleted"] == 1 + 6 + 1
    for item_id in set(after) - {i for i, r in after.items() if r["paper_id"] == f"{b}/paper/2"}:
        assert after[item_id] == before[item_id]   # everything else as it was

    # a full walk after full_after_days finds what vanished without a trace
    data.lists["paper"] = [p for p in data.lists["paper"] if p["id"] != f"{b}/paper/24"]
    config["full_after_days"] = 0
    full = harvest(config, tmp_path)
    assert full["status"] == "ok" and full["warnings"]["full_walk"] == 1
    assert f"{b}/paper/24" not in by_id(rows(tmp_path, "vorlagen.csv"))


@pytest.mark.parametrize("vendor, expected", [
    ("sternberg", {"lists_missing": 1, "lists_error_802": 1, "missing_type": 18, "body_not_listed": 1,
                   "file_url_double_slash": 48, "ags_leading_zero": 1}),
    ("allris", {"http_retries": 8, "auxiliary_file_object": 24, "na_values": 24}),
    ("somacos", {"http_retries": 8}),
])
def test_vendor_quirks_are_repaired_and_counted(oparl, tmp_path, vendor, expected):
    routes, base, data, server, config = oparl
    server.vendor = vendor
    result = harvest(config, tmp_path)
    assert result["status"] == "ok" and result["valid"], result["message"]
    w = result["warnings"]
    assert {k: w.get(k, 0) for k in expected} == expected
    plan = json.loads((tmp_path / UNIT / "current" / "publish.json").read_text())
    assert "Eigenheiten der Quelle ausgeglichen" in plan["note"]
    assert len(rows(tmp_path, "tagesordnungspunkte.csv")) == 48
    papers = rows(tmp_path, "vorlagen.csv")
    if vendor == "sternberg":
        assert plan["dataset"]["political_geocoding_uri"].endswith("/05315000")
        assert all("//" not in p["main_file_url"].partition("://")[2] for p in papers)
        assert len(rows(tmp_path, "mitgliedschaften.csv")) == 48  # persons without type still read
    if vendor == "allris":
        assert w["control_characters"] >= 1
        assert {r["location"] for r in rows(tmp_path, "sitzungen.csv")} == {"Rathaus, Plenar saal, Markt 1, Jena"}
        assert all(p["date"] == "" and p["files"] == "2" for p in papers)
    if vendor == "somacos":  # unencoded "+01:00" in next links of an incremental walk
        later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)).isoformat()
        for p in data.lists["paper"]:
            data.touch(p, later)
        server.log.clear()
        second = harvest(config, tmp_path)
        assert second["status"] == "ok" and second["warnings"].get("next_link_unencoded") == 2, second
        pages = [p for p in server.log if "/body/1/paper" in p]
        assert len(pages) == 3 and all("%2B" in p for p in pages)


def _meetings_page(data, next_link, moving=False):
    """A page of meetings naming `next_link`; `moving`: other meetings on each call."""
    calls = []

    def answer():
        start = 3 * len(calls) if moving else 0
        calls.append(1)
        return (json.dumps({"data": data.lists["meeting"][start:start + 3], "links": {"next": next_link}}).encode(),
                "application/json")
    return answer


def test_faults_fail_clearly_and_keep_the_last_good_package(oparl, tmp_path):
    routes, base, data, server, config = oparl
    assert harvest(config, tmp_path)["status"] == "ok"
    current = tmp_path / UNIT / "current"
    kept = digests(current.resolve())
    meetings = "/oparl/v1/body/1/meeting"
    with serve({}) as elsewhere:
        faults = [
            ("/oparl/v1/system", None, "answered HTTP 404"),
            ("/oparl/v1/system", (b"<!DOCTYPE html><html>Wartung</html>", "text/html"),
             "returned an HTML page instead of JSON"),
            (meetings, (b'{"data": [{"id": "x", ', "application/json"), "did not return valid JSON"),
            (meetings, (b"slow down", "text/plain", 0, 429, {"Retry-After": "0"}), "answered HTTP 429"),
            (meetings, (b"", "application/json", 0, 503), "answered HTTP 503"),
            (meetings, _meetings_page(data, base + meetings + "?page=2x"), "repeats objects already listed"),
            (meetings, _meetings_page(data, base + meetings + "?page=2", moving=True), "already followed (a loop)"),
            (meetings, _meetings_page(data, elsewhere + meetings + "?page=2"), "for another host; not followed"),
            (meetings, (json.dumps({"items": data.lists["meeting"]}).encode(), "application/json"),
             'no "data" list; renamed fields?'),
            (meetings, (json.dumps({"data": [{"@id": m["id"]} for m in data.lists["meeting"]]}).encode(),
                        "application/json"), "has no id (renamed fields?)"),
            ("/oparl/v1/system", (json.dumps({"id": "s", "bodies": "b"}).encode(), "application/json"),
             'is not an OParl System object (no "body" list)'),
        ]
        for path, answer, expected in faults:
            def faulty(raw, path=path, answer=answer):
                if raw.split("?")[0] != path:
                    return server(raw)
                return answer() if callable(answer) else answer
            routes["/oparl/*"] = faulty
            entries = runner.run([SOURCE], {SOURCE: config}, str(tmp_path))
            assert [e["status"] for e in entries] == ["failed"], (expected, entries)
            message = entries[0]["message"]
            assert message.startswith(SOURCE) and expected in message, (expected, message)
            assert digests(current.resolve()) == kept, expected
    routes["/oparl/*"] = server
    config["max_pages"] = 2
    result = harvest(dict(config, full_after_days=0), tmp_path)
    assert result["status"] == "failed" and "more than 2 pages" in result["message"]
    assert digests(current.resolve()) == kept


def test_http_429_waits_as_retry_after_says(oparl, tmp_path):
    routes, base, data, server, config = oparl
    calls = []

    def limited(raw):
        if raw.startswith("/oparl/v1/system"):
            calls.append(time.monotonic())
            if len(calls) == 1:
                return (b"Too Many Requests", "text/plain", 0, 429, {"Retry-After": "1"})
        return server(raw)
    routes["/oparl/*"] = limited
    result = harvest(config, tmp_path)
    assert result["status"] == "ok", result["message"]
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95


@pytest.mark.parametrize("licence, expected", [
    ("https://creativecommons.org/licenses/by/4.0/deed.de", "cc-by/4.0"),
    ("https://www.govdata.de/dl-de/zero-2-0", "dl-zero-de/2.0"),
    ("https://ratsinfo.jena.example/nutzungsbedingungen", "notspecified"),
])
def test_the_bodys_licence_url_becomes_the_datasets_licence(oparl, tmp_path, licence, expected):
    routes, base, data, server, config = oparl
    data.body["license"] = licence
    assert harvest(config, tmp_path)["status"] == "ok"
    dataset = json.loads((tmp_path / UNIT / "current" / "publish.json").read_text())["dataset"]
    assert dataset["license_id"] == expected
    assert ("keine erkennbare Lizenz" in dataset["known_limitations"]) == (expected == "notspecified")


def test_a_body_that_leaves_the_system_is_withdrawn(oparl, tmp_path):
    routes, base, data, server, config = oparl
    assert harvest(config, tmp_path)["status"] == "ok"
    data.body["shortName"], data.body["name"] = "Saale-Holzland", "Landkreis Saale-Holzland"  # another body now
    entries = {e["source"]: e for e in runner.run([SOURCE], {SOURCE: config}, str(tmp_path))}
    assert entries[f"{SOURCE}-saale-holzland"]["status"] == "ok"
    assert entries[UNIT]["status"] == "withdrawn" and "zurückgezogen" in entries[UNIT]["message"]
    assert (tmp_path / UNIT / "current" / "vorlagen.csv").exists()  # its last good package stays


def test_the_bundled_sample_is_a_stored_walk(tmp_path):
    """The sources.yaml entry `make up` publishes: the sample read from its files, no server."""
    config = copy.deepcopy(runner.load_config()[SOURCE])
    result = harvest(config, tmp_path)
    assert result["status"] == "ok" and result["valid"], result["message"]
    assert len(rows(tmp_path, "tagesordnungspunkte.csv")) == 48


@pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")
def test_published_valid_in_the_portal_and_an_unchanged_run_writes_nothing(oparl, tmp_path, harvester_portal, app):
    routes, base, data, server, config = oparl
    ckan, _ = harvester_portal("stadt-jena")
    first = harvest(config, tmp_path, ckan)
    assert first["status"] == "ok", first["message"]
    pkg = helpers.call_action("package_show", id=UNIT)
    names = {r["name"] for r in pkg["resources"]}
    assert names == {"sitzungen.csv", "tagesordnungspunkte.csv", "vorlagen.csv", "beratungen.csv", "gremien.csv",
                     "mitgliedschaften.csv", "abstimmungen.csv", "datapackage.json"}
    assert pkg["harvest_message"].startswith("Erstveröffentlichung.")
    assert pkg["organization"]["name"] == "stadt-jena" and pkg["license_id"] == "dl-by-de/2.0"
    Worker().work(burst=True)  # the portal's own validation, as `ckan jobs worker` runs it
    reports = {r["name"]: helpers.call_action("resource_validation_show", resource_id=r["id"])
               for r in pkg["resources"]}
    assert {n: r["status"] for n, r in reports.items()} == {n: "valid" for n in names}, \
        {n: (r["status"], r.get("reason"), r["errors"][:2]) for n, r in reports.items()}
    assert reports["abstimmungen.csv"]["schema_origin"] == "resource"
    votes = next(r for r in pkg["resources"] if r["name"] == "abstimmungen.csv")
    page = app.get(f"/dataset/{UNIT}/resource/{votes['id']}").body
    assert "Validierung: gültig" in " ".join(page.split())
    # and queryable as an API: the votes table in the DataStore with the types of its schema
    loaded = helpers.call_action("jena_datastore_status", resource_id=votes["id"])
    assert loaded["status"] == "loaded" and loaded["rows"] == len(rows(tmp_path, "abstimmungen.csv")), loaded
    found = helpers.call_action("datastore_search", resource_id=votes["id"], filters={"votes_for": 12})
    assert [(r["decision"], r["votes_against"], r["abstentions"]) for r in found["records"]] == \
        [("angenommen", 5, 2)] * found["total"] and found["total"] >= 1
    activities = helpers.call_action("package_activity_list", id=pkg["id"])

    server.log.clear()
    second = harvest(config, tmp_path, ckan)
    assert second["status"] == "ok" and second["published"]["changed"] is False, second
    assert any("modified_since=" in p for p in server.log)
    assert len(helpers.call_action("package_activity_list", id=pkg["id"])) == len(activities)
