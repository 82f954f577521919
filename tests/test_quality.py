"""The metadata quality score: hand-computed datasets, the link check job
through the real queue, facets, sorting, the summary, the pages."""
import http.server
import re

import pytest

from ckan.lib.jobs import Worker
from ckan.tests import factories, helpers

from ckanext.jena.quality.mqa import INDICATORS, MAX_POINTS, rating_for

from .loopback import serving
from .portal_process import free_port

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index", "clean_queues", "with_test_worker")
# The data providers of these tests are loopback servers, which the portal
# reaches only when the operator allows them (ckan_config marks of the test
# itself: a module-level mark would be applied after, and win over, them).
allow_loopback = pytest.mark.ckan_config("ckanext.jena.outbound.allow", "127.0.0.1")


# What the data provider's server was asked, and answers that tests change.
REQUESTS: list = []
STATUS: dict = {}


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self, body: bool):
        REQUESTS.append((self.command, self.path))
        name = self.path.split("?")[0]
        status = STATUS.get(name, 200 if self.path.startswith("/ok") else 404)
        self.send_response(status)
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
    """A data provider's web server on loopback: /ok… answers 200, paths in
    STATUS what they say, the rest 404."""
    with serving(_Handler) as base:
        yield base


@pytest.fixture(autouse=True)
def fresh_server_state():
    REQUESTS.clear()
    STATUS.clear()


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


@allow_loopback
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


def test_a_dataset_is_assessed_once_per_change_and_each_change_counts(admin, monkeypatch):
    """CKAN indexes a new dataset twice in the commit that creates it; the
    second index call reuses the first assessment. A later edit is a new
    assessment with what it changed."""
    from ckanext.jena.quality import score
    calls = []
    assess = score.assess_dataset
    monkeypatch.setattr(score, "assess_dataset", lambda pkg: calls.append(pkg["name"]) or assess(pkg))
    org = factories.Organization(user=admin)
    make(admin, org, "einmal", resources=[{"url": "http://daten.example.org/a.csv", "format": "CSV"}])
    assert calls == ["einmal"]
    first = quality("einmal")
    assert points(first)["keywords"] == 0
    found = helpers.call_action("package_search", q="name:einmal", fl="quality_score")
    assert found["results"][0]["quality_score"] == first["score"]

    helpers.call_action("package_patch", {"user": admin["name"]}, id="einmal", tag_string="Bäume")
    assert calls == ["einmal", "einmal"]
    second = quality("einmal")
    assert points(second)["keywords"] == 30 and second["score"] > first["score"]
    found = helpers.call_action("package_search", q="name:einmal", fl="quality_score")
    assert found["results"][0]["quality_score"] == second["score"]


@allow_loopback
def test_excellent_dataset(admin, web):
    org = factories.Organization(user=admin)
    excellent(admin, org, web)
    run_jobs()
    result = quality("vorbildlich")
    assert (result["score"], result["rating"]) == (405, "excellent")


@allow_loopback
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


@allow_loopback
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


@allow_loopback
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


def links(name):
    return {link["url"]: link for link in quality(name)["links"]}


def test_internal_addresses_are_refused_and_look_alike_whether_they_answer_or_not(app, admin, web):
    """Issue 12, finding 3: without the operator's allow-list the check asks
    no internal address, and a steward cannot tell one that answers from
    one that does not."""
    org = factories.Organization(user=admin)
    answering, silent = f"{web}/ok.csv", f"http://127.0.0.1:{free_port()}/ok.csv"
    private = "http://10.255.255.1/daten.csv"
    make(admin, org, "intern", resources=[{"url": u, "format": "CSV"} for u in (answering, silent, private)])
    run_jobs()
    assert REQUESTS == []  # nothing reached the server
    shown = links("intern")
    assert {u: (shown[u]["state"], shown[u]["status"]) for u in shown} == {
        answering: ("refused", None), silent: ("refused", None), private: ("refused", None)}
    assert points(quality("intern"))["access_url_reachable"] == 0
    html = app.get("/dataset/intern").body
    assert html.count("nicht geprüft: Adresse nicht zugelassen") == 3


@allow_loopback
def test_an_allowed_service_without_head_is_checked_with_a_one_byte_get(admin, loopback):
    routes, base = loopback  # tests/loopback.py answers GET only (HEAD: 501)
    routes["/daten.csv"] = (b"a,b\n1,2\n", "text/csv")
    org = factories.Organization(user=admin)
    make(admin, org, "ohne-head", resources=[{"url": f"{base}/daten.csv", "format": "CSV"}])
    run_jobs()
    assert links("ohne-head")[f"{base}/daten.csv"]["state"] == "reachable"
    assert points(quality("ohne-head"))["access_url_reachable"] == 50


def test_portal_uploads_count_as_reachable_at_once_and_whatever_the_visibility(admin, create_with_upload):
    """Issues 13 and 23: the portal's own files are judged from the stored
    file, without a request (a private dataset's file answers 403 to an
    anonymous check) and without waiting for the job."""
    org = factories.Organization(user=admin)
    make(admin, org, "hochgeladen", private=True)
    create_with_upload(b"a;b\n1;2\n", "baeume.csv", package_id="hochgeladen", format="CSV",
                       context={"user": admin["name"]})
    result = points(quality("hochgeladen"))
    assert (result["access_url_reachable"], result["download_url_reachable"]) == (50, 30)
    assert [link["state"] for link in quality("hochgeladen")["links"]] == ["stored"]
    helpers.call_action("package_patch", {"user": admin["name"]}, id="hochgeladen", private=False)
    run_jobs()
    result = points(quality("hochgeladen"))
    assert (result["access_url_reachable"], result["download_url_reachable"]) == (50, 30)
    assert REQUESTS == []


@allow_loopback
def test_a_change_of_visibility_checks_the_links_at_once(admin, web):
    org = factories.Organization(user=admin)
    STATUS["/geschuetzt.csv"] = 403  # e.g. a portal that hides it from anonymous users
    make(admin, org, "erst-privat", private=True, resources=[{"url": f"{web}/geschuetzt.csv", "format": "CSV"}])
    run_jobs()
    assert points(quality("erst-privat"))["access_url_reachable"] == 0
    STATUS["/geschuetzt.csv"] = 200
    helpers.call_action("package_patch", {"user": admin["name"]}, id="erst-privat", private=False)
    run_jobs()  # within url_recheck_hours, checked again all the same
    assert points(quality("erst-privat"))["access_url_reachable"] == 50
    assert links("erst-privat")[f"{web}/geschuetzt.csv"]["state"] == "reachable"


@allow_loopback
def test_a_new_resource_url_is_checked_at_once(admin, web):
    org = factories.Organization(user=admin)
    STATUS["/neu.csv"] = 404
    make(admin, org, "erster", resources=[{"url": f"{web}/neu.csv", "format": "CSV"}])
    make(admin, org, "zweiter", resources=[{"url": f"{web}/ok.csv", "format": "CSV"}])
    run_jobs()
    assert points(quality("erster"))["access_url_reachable"] == 0
    STATUS["/neu.csv"] = 200  # the provider fixed it; a steward links it in another dataset
    helpers.call_action("resource_create", {"user": admin["name"]}, package_id="zweiter",
                        url=f"{web}/neu.csv", format="CSV")
    run_jobs()
    assert points(quality("zweiter"))["access_url_reachable"] == 50
    assert links("zweiter")[f"{web}/neu.csv"]["state"] == "reachable"
    # The routine check after every save does not ask a fresh URL again.
    asked = len(REQUESTS)
    helpers.call_action("package_patch", {"user": admin["name"]}, id="zweiter", notes="Neu")
    run_jobs()
    assert len(REQUESTS) == asked


def csrf_field(html):
    """The hidden CSRF field of the page's form: {name: token}."""
    name, value = re.search(r'<input type="hidden" name="([^"]*csrf_token)" value="([^"]+)"', html).groups()
    return {name: value}


@allow_loopback
@pytest.mark.ckan_config("WTF_CSRF_ENABLED", True)
def test_steward_checks_the_links_again_with_the_button(app, admin, web):
    org = factories.Organization(user=admin)
    steward, outsider = factories.User(), factories.User()
    helpers.call_action("organization_member_create", id=org["id"], username=steward["name"], role="editor")
    STATUS["/kaputt.csv"] = 500
    make(admin, org, "knopf", resources=[{"url": f"{web}/kaputt.csv", "format": "CSV"}])
    run_jobs()
    assert points(quality("knopf"))["access_url_reachable"] == 0
    STATUS["/kaputt.csv"] = 200

    browser = app.test_client()  # keeps the session cookie the CSRF token belongs to
    html = browser.get("/dataset/knopf", extra_environ={"REMOTE_USER": steward["name"]}).body
    assert "Links erneut prüfen" in html
    url = "/dataset/knopf/links-pruefen"
    # Without the form's CSRF token: refused, nothing queued.
    browser.post(url, extra_environ={"REMOTE_USER": steward["name"]}, status=400)
    run_jobs()
    assert points(quality("knopf"))["access_url_reachable"] == 0

    response = browser.post(url, data=csrf_field(html),
                        extra_environ={"REMOTE_USER": steward["name"]}, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dataset/knopf#metadata-quality")
    run_jobs()
    assert links("knopf")[f"{web}/kaputt.csv"]["state"] == "reachable"
    assert points(quality("knopf"))["access_url_reachable"] == 50

    # Someone who may not edit the dataset sees no button and may not press it.
    browser = app.test_client()
    html = browser.get("/dataset/knopf", extra_environ={"REMOTE_USER": outsider["name"]}).body
    assert "Links erneut prüfen" not in html
    browser.post(url, data=csrf_field(html),
             extra_environ={"REMOTE_USER": outsider["name"]}, status=403)


def test_quality_score_is_a_number_for_api_users(app, admin):
    org = factories.Organization(user=admin)
    make(admin, org, "mager")
    result = app.get("/api/3/action/package_search", query_string={"fl": "name,quality_score"}).json
    assert result["result"]["results"] == [{"name": "mager", "quality_score": 75}]


@allow_loopback
def test_services_and_previews_are_judged_as_what_they_are(admin, web):
    """Issue 13: the harvester's WFS/WMS links and preview image of a GIS
    layer must not lower its score: a service has no download URL or byte
    size, a preview is documentation, not a distribution."""
    org = factories.Organization(user=admin)
    data = [{"name": name, "url": f"{web}/ok-{name}", "download_url": f"{web}/ok-{name}",
             "format": fmt, "mimetype": mt, "size": 100}
            for name, fmt, mt in (("baeume.csv", "CSV", "text/csv"),
                                  ("baeume.geojson", "GEOJSON", "application/geo+json"))]
    extras = [
        {"name": "WFS-Dienst", "url": f"{web}/ok-wfs?SERVICE=WFS&REQUEST=GetCapabilities",
         "format": "WFS_SRVC", "mimetype": "application/xml"},
        {"name": "Karte (WMS)", "url": f"{web}/ok-wms?SERVICE=WMS&REQUEST=GetMap",
         "format": "WMS_SRVC", "mimetype": "image/png"},
        {"name": "WMS-Dienst", "url": f"{web}/ok-wms?SERVICE=WMS&REQUEST=GetCapabilities",
         "format": "WMS_SRVC", "mimetype": "application/xml"},
        {"name": "vorschau.png", "url": f"{web}/ok-vorschau.png", "download_url": f"{web}/ok-vorschau.png",
         "format": "PNG", "mimetype": "image/png", "size": 5000, "resource_type": "documentation"}]
    make(admin, org, "nur-daten", resources=data)
    make(admin, org, "mit-diensten", resources=data + extras)
    run_jobs()
    alone, with_services = points(quality("nur-daten")), points(quality("mit-diensten"))
    assert with_services == alone
    assert {k: with_services[k] for k in ("download_url", "download_url_reachable", "machine_readable",
                                          "non_proprietary", "byte_size", "access_url_reachable")} == {
        "download_url": 20, "download_url_reachable": 30, "machine_readable": 20,
        "non_proprietary": 20, "byte_size": 5, "access_url_reachable": 50}
    # The services' URLs are checked, the preview's (documentation) is not.
    asked = {path for _, path in REQUESTS}
    assert "/ok-wfs?SERVICE=WFS&REQUEST=GetCapabilities" in asked and "/ok-vorschau.png" not in asked


def test_indicator_texts_come_from_the_catalogue_in_both_languages(app, admin):
    org = factories.Organization(user=admin)
    make(admin, org, "mager")
    hint = {i["id"]: i["hint"] for i in quality("mager")["indicators"]}["keywords"]
    assert hint == {"de": "Tragen Sie Schlagwörter ein, unter denen der Datensatz gesucht wird.",
                    "en": "Add keywords people would search for."}
    assert "Add keywords people would search for." in app.get("/en/dataset/mager").body
