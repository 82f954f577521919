"""The pages and API calls that search feeds, with only PostgreSQL behind them."""
import json
import re

import pytest

from .catalogue import PUBLIC_ACTIVE


def test_dataset_page_lists_facets_and_results(app, catalogue):
    html = app.get("/dataset/").body
    assert f"{len(PUBLIC_ACTIVE)} Datensätze gefunden" in html
    for facet in ("Organisationen", "Gruppen", "Tags", "Formate", "Lizenzen"):
        assert facet in html
    assert "Friedrich-Schiller-Universität" in html


def test_dataset_page_free_text_and_facet_filter(app, catalogue):
    html = app.get("/dataset/", params={"q": "Bäume"}).body
    assert "4 Datensätze gefunden" in html
    html = app.get("/dataset/", params={"q": "Bäume", "tags": "Umwelt"}).body
    assert "1 Datensatz gefunden" in html and "Baumkataster Jena" in html


def test_dataset_page_sorts(app, catalogue):
    html = app.get("/dataset/", params={"organization": "uni", "sort": "title_string desc"}).body
    titles = re.findall(r'<a href="/dataset/([a-z0-9-]+)" title=', html)
    assert titles[:2] == ["wetter", "english-dataset"]


def test_dataset_page_bad_query_shows_an_error_not_a_crash(app, catalogue):
    response = app.get("/dataset/", params={"q": "title:(Baum"}, status=200)
    assert re.search(r"<h1>\s*Error\s*</h1>", response.body)  # CKAN's own error heading
    assert "Baumkataster Jena" not in response.body


def test_organization_and_group_pages_count_datasets(app, catalogue):
    html = app.get("/organization/").body
    assert re.search(r"23\s+Datensätze", html)
    html = app.get("/group/umwelt").body
    assert "12 Datensätze gefunden" in html


def test_api_search_error_is_a_409_with_the_reason(app, catalogue):
    response = app.get("/api/3/action/package_search", params={"q": "title:baum~2"}, status=409)
    assert response.json["success"] is False
    assert "fuzzy queries" in response.json["error"]["message"]


def test_api_bbox(app, catalogue):
    response = app.get("/api/3/action/package_search", params={"ext_bbox": "13.0,52.3,13.8,52.7"})
    assert [r["name"] for r in response.json["result"]["results"]] == ["forschung"]


def test_api_organization_list_counts(app, catalogue):
    response = app.get("/api/3/action/organization_list", params={"all_fields": "true"})
    counts = {o["name"]: o["package_count"] for o in response.json["result"]}
    assert counts == {"stadt-jena": 23, "stadtwerke": 8, "uni": 6}


def test_api_tag_autocomplete(app, catalogue):
    response = app.get("/api/3/action/tag_autocomplete", params={"q": "Bä"})
    assert response.json["result"] == ["Bäume"]


@pytest.mark.parametrize("q", ["\\", "\"", "'", "name:\"'; --\"", "*:* OR 1=1", "%", "_", "{!lucene}x"])
def test_api_odd_input_gives_results_or_a_clean_error(app, catalogue, q):
    response = app.get("/api/3/action/package_search", params={"q": q}, expect_errors=True)
    assert response.status_code in (200, 409), response.body
    assert response.json["success"] is (response.status_code == 200)


# Every bad search parameter the backend sees is a 409 whose message names the
# parameter (issue 12: `mm=abc` was a 500).
BAD_PARAMETERS = [
    ({"q": "Baum", "mm": "abc"}, "mm"),
    ({"q": "Baum", "mm": "2<"}, "mm"),
    ({"q": "Baum", "mm": "3<x%"}, "mm"),
    ({"q": "Baum", "tie": "stark"}, "tie"),
    ({"q": "Baum", "qf": "title^hoch"}, "qf"),
    ({"q": "Baum", "defType": "surround"}, "defType"),
    ({"q": "*:*", "facet": "vielleicht"}, "facet"),
    ({"q": "*:*", "start": "99999999999999999999"}, "start"),
    ({"q": "*:*", "rows": "viele"}, "rows"),
    ({"q": "*:*", "facet.limit": "alle"}, "facet.limit"),
    ({"q": "*:*", "facet.mincount": "-1"}, "facet.mincount"),
    ({"q": "*:*", "sort": "name"}, "sort"),
    ({"q": "*:*", "sort": "name seitwärts"}, "sort"),
    ({"q": "*:*", "sort": "tags asc"}, "sort"),
    ({"q": "title:(Baum"}, "'q'"),
    ({"fq": "title:(Baum"}, "'fq'"),
    ({"fq": "tags:Bäume", "fq_list": ["title:(Baum"]}, "'fq'"),
    ({"q": "Baum\x00"}, "'q'"),
    ({"fq": "tags:B\x00"}, "'fq'"),
    ({"q": "metadata_created:[NOW+100000YEARS TO *]"}, "'q'"),
    ({"q": "metadata_created:[9999-12-31T23:59:59Z+1DAY TO *]"}, "'q'"),
    ({"q": "metadata_modified:[NOW/FORTNIGHT TO *]"}, "'q'"),
    ({"q": "views_total:[eins TO 5]"}, "'q'"),
    ({"ext_bbox": "1,2,3"}, "ext_bbox"),
]


@pytest.mark.parametrize("params,named", BAD_PARAMETERS,
                         ids=[f"{k}={v!r}" for p, _ in BAD_PARAMETERS for k, v in list(p.items())[-1:]])
def test_api_bad_parameter_is_a_409_naming_it(app, catalogue, params, named):
    response = app.post("/api/3/action/package_search", json=params, expect_errors=True)
    assert response.status_code == 409, response.body[:300]
    assert response.json["success"] is False
    assert named.strip("'") in json.dumps(response.json["error"]), response.json["error"]
    if named.startswith("'"):
        assert named in response.json["error"]["message"], response.json["error"]
