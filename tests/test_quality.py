"""The metadata quality score: hand-computed datasets, the link check job
through the real queue, facets, sorting, the summary, the pages."""
import http.server
import re
import threading

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import factories, helpers

from ckanext.jena.quality.mqa import INDICATORS, MAX_POINTS, rating_for

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self, body: bool):
        ok = self.path.startswith("/ok")
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web():
    """A data provider's web server on loopback: /ok… answers 200, the rest 404."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def admin():
    return factories.Sysadmin()


def make(admin, org, name, **fields):
    data = {"name": name, "title": name.title(), "notes": "Beschreibung", "owner_org": org["id"]}
    data.update(fields)
    return helpers.call_action("package_create", {"user": admin["name"]}, **data)


def full(admin, org, web, name="voll"):
    return make(admin, org, name, tag_string="Bäume", theme=["ENVI"],
                temporal_coverage=[{"start": "2023-01-01"}],
                contact=[{"name": "Team", "email": "team@jena.example"}],
                resources=[
                    {"url": f"{web}/ok.csv", "download_url": f"{web}/ok.csv", "format": "CSV",
                     "mimetype": "text/csv", "size": 1234, "rights": "dl-de/by-2.0: Stadt Jena"},
                    {"url": f"{web}/missing.pdf", "format": "PDF", "mimetype": "application/pdf"}])


def excellent(admin, org, web, name="vorbildlich"):
    res = [{"url": f"{web}/ok-{i}.{fmt.lower()}", "download_url": f"{web}/ok-{i}.{fmt.lower()}",
            "format": fmt, "mimetype": mt, "size": 10, "rights": "Stadt Jena"}
           for i, (fmt, mt) in enumerate([("CSV", "text/csv"), ("GeoJSON", "application/geo+json")])]
    return make(admin, org, name, tag_string="Bäume", theme=["ENVI"],
                temporal_coverage=[{"start": "2023-01-01", "end": "2023-12-31"}],
                contact=[{"name": "Team", "email": "team@jena.example"}], resources=res)


def run_jobs():
    Worker().work(burst=True)


def quality(name):
    return helpers.call_action("jena_quality_show", id=name)


def points(result):
    return {i["id"]: i["points"] for i in result["indicators"]}


def test_indicators_add_up_to_the_mqa_total():
    assert MAX_POINTS == 405 == sum(i.points for i in INDICATORS)
    dims = {}
    for i in INDICATORS:
        dims[i.dimension] = dims.get(i.dimension, 0) + i.points
    assert dims == {"findability": 100, "accessibility": 100, "interoperability": 110,
                    "reusability": 75, "contextuality": 20}


@pytest.mark.parametrize("score,rating", [(405, "excellent"), (351, "excellent"), (350, "good"),
                                          (221, "good"), (220, "sufficient"), (121, "sufficient"),
                                          (120, "bad"), (0, "bad")])
def test_rating_bands(score, rating):
    assert rating_for(score) == rating


def test_score_of_a_full_dataset_by_hand_before_and_after_the_link_check(admin, web):
    org = factories.Organization(user=admin)
    full(admin, org, web)
    before = quality("voll")
    expected = {
        "keywords": 30, "categories": 30, "spatial": 20, "temporal": 20,
        "access_url_reachable": 0, "download_url": 10, "download_url_reachable": 0,
        "format": 20, "media_type": 10, "format_vocabulary": 10, "non_proprietary": 20,
        "machine_readable": 10, "dcat_ap": 30,
        "license": 20, "license_vocabulary": 10, "access_rights": 10, "access_rights_vocabulary": 5,
        "contact_point": 20, "publisher": 10,
        "rights": 2.5, "byte_size": 2.5, "issued": 5, "modified": 5}
    assert points(before) == expected
    assert (before["score"], before["rating"]) == (300, "good")

    run_jobs()  # the link check: ok.csv answers 200, missing.pdf 404
    after = quality("voll")
    expected.update(access_url_reachable=25, download_url_reachable=15)
    assert points(after) == expected
    assert (after["score"], after["rating"]) == (340, "good")
    assert after["dimensions"]["accessibility"] == {"points": 50, "max": 100}


def test_score_of_a_minimal_dataset_by_hand(admin):
    org = factories.Organization(user=admin)
    make(admin, org, "mager")
    result = quality("mager")
    met = {i["id"] for i in result["indicators"] if i["met"]}
    assert met == {"spatial", "dcat_ap", "access_rights", "access_rights_vocabulary", "publisher"}
    assert (result["score"], result["rating"]) == (75, "bad")
    hints = {i["id"]: i["hint"]["de"] for i in result["indicators"] if not i["met"]}
    assert hints["keywords"].startswith("Tragen Sie Schlagwörter ein")


def test_excellent_dataset(admin, web):
    org = factories.Organization(user=admin)
    excellent(admin, org, web)
    run_jobs()
    result = quality("vorbildlich")
    assert (result["score"], result["rating"]) == (405, "excellent")


def test_facet_and_sort_by_quality(admin, web):
    org = factories.Organization(user=admin)
    make(admin, org, "mager")
    full(admin, org, web)
    excellent(admin, org, web)
    run_jobs()
    result = helpers.call_action("package_search", q="*:*", sort="quality_score desc",
                                 **{"facet.field": '["quality_rating"]'})
    assert [r["name"] for r in result["results"]] == ["vorbildlich", "voll", "mager"]
    assert result["facets"]["quality_rating"] == {"excellent": 1, "good": 1, "bad": 1}
    labels = {i["name"]: i["display_name"] for i in result["search_facets"]["quality_rating"]["items"]}
    assert labels["excellent"] in ("Excellent", "Exzellent")
    good = helpers.call_action("package_search", fq="quality_rating:good")
    assert [r["name"] for r in good["results"]] == ["voll"]


def test_summary_over_several_organisations(admin, web):
    stadt = factories.Organization(user=admin, name="stadt", title="Stadt Jena")
    werke = factories.Organization(user=admin, name="werke", title="Stadtwerke")
    make(admin, stadt, "mager")
    full(admin, stadt, web)
    excellent(admin, werke, web)
    make(admin, werke, "privat", private=True)  # not in the public summary
    run_jobs()
    summary = helpers.call_action("jena_quality_summary")
    assert summary["datasets"] == 3
    assert summary["ratings"] == {"excellent": 1, "good": 1, "sufficient": 0, "bad": 1}
    assert summary["average_score"] == round((75 + 340 + 405) / 3, 1)
    by_org = {o["name"]: o for o in summary["organizations"]}
    assert by_org["stadt"]["datasets"] == 2 and by_org["stadt"]["average"] == 207.5
    assert by_org["werke"]["ratings"]["excellent"] == 1
    assert summary["dimensions"]["findability"]["max"] == 100
    assert list(summary["dimensions"]) == ["findability", "accessibility", "interoperability",
                                           "reusability", "contextuality"]


def test_dataset_page_shows_score_and_what_to_fix(app, admin):
    org = factories.Organization(user=admin)
    make(admin, org, "mager")
    html = app.get("/dataset/mager").body
    assert "Metadatenqualität" in html and "Mangelhaft" in html
    assert "75 von 405 Punkten" in html
    assert "Tragen Sie Schlagwörter ein" in html
    assert 'data-indicator="categories"' in html


def test_edit_form_shows_what_to_fix(app, admin):
    org = factories.Organization(user=admin)
    make(admin, org, "mager")
    token = helpers.call_action("api_token_create", {"user": admin["name"]}, user=admin["name"],
                                name="t")["token"]
    html = app.get("/dataset/edit/mager", headers={"Authorization": token}).body
    assert "75 von 405 Punkten" in html and "Wählen Sie mindestens eine Kategorie" in html


def test_quality_page_without_javascript(app, admin, web):
    org = factories.Organization(user=admin, title="Stadt Jena")
    make(admin, org, "mager")
    excellent(admin, org, web)
    run_jobs()
    html = app.get("/qualitaet").body
    assert "Metadatenqualität" in html and "Stadt Jena" in html
    assert re.search(r'class="jena-bar jena-rating-excellent" style="width: 50%', html)
    assert "<script" not in html.split('<div class="col-md-12">')[1].split("</article>")[0]


def test_quality_of_a_private_dataset_is_private(admin):
    org = factories.Organization(user=admin)
    make(admin, org, "geheim", private=True)
    outsider = factories.User()
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("jena_quality_show", {"user": outsider["name"], "ignore_auth": False},
                            id="geheim")


def test_link_check_never_runs_in_the_request(admin, web):
    org = factories.Organization(user=admin)
    full(admin, org, web)
    # Saved and scored without waiting for the web server: nothing checked yet.
    assert points(quality("voll"))["access_url_reachable"] == 0
