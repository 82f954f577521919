"""Table-driven search cases against the catalogue in catalogue.py.

Each expectation is what Solr with CKAN's schema would return: a set where
the order is not part of the question, a list where the query sorts, a
count where listing every name adds nothing, or an error for what the
backend must refuse cleanly. Free text uses German stemming after unaccent
(our documented choice instead of Solr's English analyser).
"""
import pytest

from ckan.lib.search.common import SearchError
from ckan.tests import helpers

from .catalogue import PUBLIC_ACTIVE

ALL = len(PUBLIC_ACTIVE)
UMWELT = {"baumkataster", "baumpflanzungen-2023", "baumfaellungen", "luftqualitaet", "laerm",
          "forschung", "gruenflaechen", "gewaesser", "trinkwasser", "wetter", "hitzeinseln",
          "english-dataset"}
VERKEHR = {"strassenverzeichnis", "haltestellen", "fahrplan", "radwege", "parkplaetze",
           "ladestationen", "strassenbahn"}
BILDUNG = {"schulen", "kitas", "bibliotheken", "studierende", "spielplaetze", "museen"}
STADTWERKE = {"haltestellen", "fahrplan", "parkplaetze", "gewaesser", "trinkwasser", "energie",
              "ladestationen", "strassenbahn"}
CC_BY = STADTWERKE | {"bibliotheken", "studierende", "forschung", "wetter", "hitzeinseln",
                      "english-dataset"}
TWO_RESOURCES = {"baumkataster", "baumfaellungen", "haltestellen", "radwege", "laerm", "schulen",
                 "wahlen", "haushalt", "spielplaetze", "gruenflaechen", "ladestationen",
                 "veranstaltungen"}


class Error(str):
    """Expect a clean search error whose message contains this text."""


CASES = [
    # --- everything, empty queries ------------------------------------
    ("match-all", {"q": "*:*"}, ALL),
    ("empty-q", {"q": ""}, ALL),
    ("no-q", {}, ALL),
    ("rows-0-counts", {"q": "*:*", "rows": 0}, ALL),
    # --- free text (dismax), German stemming and folding ---------------
    ("plural-finds-singular", {"q": "Bäume"},
     {"baumkataster", "baumpflanzungen-2023", "baumfaellungen", "baum-des-jahres"}),
    ("singular-finds-plural", {"q": "Baum"},
     {"baumkataster", "baumpflanzungen-2023", "baumfaellungen", "baum-des-jahres"}),
    ("inflected-title", {"q": "Baumkatasters"}, {"baumkataster"}),
    ("sz-transliterated", {"q": "Strasse"}, {"strassenverzeichnis"}),
    ("sz-typed", {"q": "Straße"}, {"strassenverzeichnis"}),
    ("umlaut-typed", {"q": "ÖPNV"}, {"haltestellen", "fahrplan", "strassenbahn"}),
    ("umlaut-folded", {"q": "OPNV"}, {"haltestellen", "fahrplan", "strassenbahn"}),
    ("lowercase-group-word", {"q": "umwelt"}, UMWELT),
    ("two-terms-all-required", {"q": "Klima Sensoren"}, {"wetter"}),
    ("three-terms-mm-2", {"q": "Klima Sensoren Hitze"}, {"wetter", "hitzeinseln"}),
    ("prohibited-term", {"q": "Bäume -Fällungen"},
     {"baumkataster", "baumpflanzungen-2023", "baum-des-jahres"}),
    ("required-term", {"q": "+Wasser Saale"}, {"gewaesser"}),
    ("phrase", {"q": '"Stadtratswahl 2024"'}, {"wahlen"}),
    # Solr's positionIncrementGap: a phrase within one value, not across
    # two (here two tags of baumkataster, next to each other in the vector).
    ("phrase-in-a-value", {"q": '"Baumpflanzungen 2023"'}, {"baumpflanzungen-2023"}),
    ("phrase-not-across-values", {"q": '"Bäume Stadtgrün"'}, set()),
    ("english-word", {"q": "trees"}, {"english-dataset"}),
    ("title-ranks-first", {"q": "Bäume", "sort": "score desc", "rows": 1}, ["baum-des-jahres"]),
    ("free-text-and-facet", {"q": "Verkehr", "fq": "organization:stadtwerke"},
     {"haltestellen", "fahrplan", "parkplaetze", "ladestationen", "strassenbahn"}),
    ("unbalanced-free-text", {"q": 'Baum"'},
     {"baumkataster", "baumpflanzungen-2023", "baumfaellungen", "baum-des-jahres"}),
    # --- fielded (lucene) ------------------------------------------
    ("tag-exact", {"fq": "tags:Verkehr"},
     {"strassenverzeichnis", "haltestellen", "radwege", "parkplaetze", "ladestationen"}),
    ("tag-quoted", {"fq": 'tags:"Verkehr"'},
     {"strassenverzeichnis", "haltestellen", "radwege", "parkplaetze", "ladestationen"}),
    ("tag-no-dataset-has", {"fq": 'tags:"Gibt es nicht"'}, set()),
    ("not-tag-no-dataset-has", {"q": "-tags:Gibtsnicht"}, ALL),
    ("tag-or-tag-no-dataset-has", {"q": "tags:Gibtsnicht OR tags:Kinder"},
     {"kitas", "spielplaetze"}),
    ("string-case-sensitive", {"q": "tags:verkehr"}, set()),
    ("field-names-case-sensitive", {"q": "GROUPS:umwelt"}, set()),
    ("organization", {"fq": "organization:stadtwerke"}, STADTWERKE),
    ("res-format", {"fq": "res_format:GeoJSON"},
     {"baumkataster", "radwege", "schulen", "friedhoefe", "spielplaetze", "gruenflaechen",
      "strassenbahn"}),
    ("and", {"q": "res_format:CSV AND organization:uni"},
     {"bibliotheken", "wetter", "english-dataset"}),
    ("and-not", {"q": "groups:umwelt AND NOT tags:Bäume"},
     UMWELT - {"baumkataster", "baumpflanzungen-2023", "baumfaellungen"}),
    ("or", {"q": "groups:verkehr OR groups:bildung"}, VERKEHR | BILDUNG),
    ("plus-minus", {"q": "+license_id:cc-by -organization:uni"}, STADTWERKE),
    ("hyphenated-value", {"q": "license_id:dl-de-zero-2.0"},
     {"baumfaellungen", "strassenverzeichnis", "wahlen", "haushalt", "veranstaltungen"}),
    ("implicit-and", {"q": "tags:Kinder tags:Freizeit"}, {"spielplaetze"}),
    ("grouping", {"q": "(tags:Kinder OR tags:Kultur) AND groups:bildung"},
     {"kitas", "spielplaetze", "museen"}),
    ("field-group", {"q": "tags:(Kinder OR Kultur)"},
     {"kitas", "spielplaetze", "denkmal", "museen", "veranstaltungen"}),
    ("pure-negative", {"q": "-tags:Verkehr"}, ALL - 5),
    ("fq-list", {"fq_list": ["tags:Bildung", "organization:uni"]}, {"bibliotheken", "studierende"}),
    ("string-field-exact", {"q": "title_string:Haushaltsplan"}, {"haushalt"}),
    ("extra-as-text", {"q": "extras_quelle:Umweltamt"}, {"luftqualitaet", "laerm"}),
    ("extra-as-string", {"q": 'quelle:"Umweltamt Jena"'}, {"luftqualitaet", "laerm"}),
    ("extra-string-partial-no-match", {"q": "quelle:Umweltamt"}, set()),
    ("text-general-field", {"q": "maintainer:Müller"}, {"luftqualitaet", "laerm"}),
    ("multi-text-field", {"q": "res_name:Messwerte"}, {"luftqualitaet"}),
    ("text-field", {"q": "title:Straßenverzeichnis"}, {"strassenverzeichnis"}),
    ("notes-field", {"q": "notes:Feinstaub"}, {"luftqualitaet"}),
    ("catch-all-field", {"q": "text:Saale"}, {"gewaesser"}),
    ("escaped-phrase", {"q": 'notes:"\\"Anführungszeichen\\""'}, {"injection"}),
    # --- wildcards ---------------------------------------------------
    ("string-prefix", {"q": "tags:Bä*"}, {"baumkataster", "baumpflanzungen-2023", "baumfaellungen"}),
    ("string-leading", {"q": "tags:*grün"}, {"baumkataster", "gruenflaechen"}),
    ("string-single-char", {"q": "tags:Kult?r"}, {"denkmal", "museen", "veranstaltungen"}),
    ("name-prefix", {"q": "name:baum*"},
     {"baumkataster", "baumpflanzungen-2023", "baumfaellungen", "baum-des-jahres"}),
    ("text-prefix", {"q": "title:Baum*"},
     {"baumkataster", "baumpflanzungen-2023", "baumfaellungen", "baum-des-jahres"}),
    ("text-infix", {"q": "title:*kataster*"}, {"baumkataster"}),
    ("field-exists", {"q": "views_total:*"}, {"baumkataster", "haltestellen", "schulen", "kitas", "wetter"}),
    # --- ranges -------------------------------------------------------
    ("date-until-now", {"q": "metadata_created:[* TO NOW]"}, ALL),
    ("date-future", {"q": "metadata_created:[NOW+1DAY TO *]"}, set()),
    ("date-math-day", {"q": "metadata_modified:[NOW/DAY-1DAY TO NOW/DAY+1DAY]"}, ALL),
    ("dynamic-date-year", {"q": "issued_date:[2023-01-01T00:00:00Z TO 2023-12-31T23:59:59Z]"},
     {"baumpflanzungen-2023", "luftqualitaet"}),
    ("date-exclusive-low", {"q": "issued_date:{2023-05-01T00:00:00Z TO *]"}, {"luftqualitaet", "wahlen"}),
    ("date-relative", {"q": "issued_date:[NOW-100YEARS TO NOW]"},
     {"baumpflanzungen-2023", "luftqualitaet", "bevoelkerung", "wahlen"}),
    ("number-range", {"q": "views_total:[100 TO 500]"}, {"haltestellen", "schulen", "kitas"}),
    ("number-exclusive", {"q": "views_total:{100 TO 500}"}, {"haltestellen"}),
    ("number-exact", {"q": "views_total:1200"}, {"baumkataster"}),
    ("string-range", {"q": "num_resources:[2 TO 3]"}, TWO_RESOURCES),
    ("zero-resources", {"q": "num_resources:0"}, {"leerer-datensatz"}),
    # --- sorting and paging ------------------------------------------
    ("sort-title", {"fq": "organization:uni", "sort": "title_string asc"},
     ["bibliotheken", "forschung", "hitzeinseln", "studierende", "english-dataset", "wetter"]),
    ("sort-title-desc", {"fq": "organization:uni", "sort": "title_string desc"},
     ["wetter", "english-dataset", "studierende", "hitzeinseln", "forschung", "bibliotheken"]),
    ("sort-code-points", {"q": "name:(aemter OR kleinschreibung OR baumkataster)", "sort": "title_string asc"},
     ["baumkataster", "kleinschreibung", "aemter"]),
    ("sort-name", {"fq": "organization:stadtwerke", "sort": "name asc"},
     ["energie", "fahrplan", "gewaesser", "haltestellen", "ladestationen", "parkplaetze",
      "strassenbahn", "trinkwasser"]),
    ("sort-created", {"fq": "groups:verkehr", "sort": "metadata_created asc"},
     ["strassenverzeichnis", "haltestellen", "fahrplan", "radwege", "parkplaetze", "ladestationen",
      "strassenbahn"]),
    ("sort-modified-desc", {"fq": "groups:verkehr", "sort": "metadata_modified desc"},
     ["strassenbahn", "ladestationen", "parkplaetze", "radwege", "fahrplan", "haltestellen",
      "strassenverzeichnis"]),
    # Without text every score is equal: the portal's default sort is then
    # the next key's order.
    ("sort-score-without-text", {"fq": "groups:verkehr", "sort": "score desc, metadata_modified desc"},
     ["strassenbahn", "ladestationen", "parkplaetze", "radwege", "fahrplan", "haltestellen",
      "strassenverzeichnis"]),
    ("sort-number-then-name", {"q": "views_total:*", "sort": "views_total desc, name asc"},
     ["baumkataster", "kitas", "haltestellen", "schulen", "wetter"]),
    ("page-1", {"q": "*:*", "sort": "name asc", "rows": 3},
     sorted(PUBLIC_ACTIVE)[:3]),
    ("page-last", {"q": "*:*", "sort": "name asc", "rows": 5, "start": ALL - 2},
     sorted(PUBLIC_ACTIVE)[-2:]),
    ("page-beyond", {"q": "*:*", "sort": "name asc", "rows": 5, "start": 500}, []),
    # --- spatial (ext_bbox) ------------------------------------------
    ("bbox-east-jena", {"ext_bbox": "11.63,50.91,11.66,50.96"},
     {"baumkataster", "forschung", "strassenbahn"}),
    ("bbox-repaired-geometry", {"ext_bbox": "11.595,50.915,11.605,50.925"},
     {"baumkataster", "forschung", "friedhoefe"}),
    ("bbox-berlin", {"ext_bbox": "13.0,52.3,13.8,52.7"}, {"forschung"}),
    ("bbox-with-text", {"ext_bbox": "11.5,50.8,11.7,51.0", "q": "Schulen"}, {"schulen"}),
    # --- states -------------------------------------------------------
    ("private-hidden-by-default", {"q": "Bauplanung"}, set()),
    ("include-private", {"include_private": True}, ALL + 2),
    ("include-drafts", {"include_drafts": True}, ALL + 1),
    ("include-deleted", {"include_deleted": True}, ALL + 1),
    ("deleted-found", {"include_deleted": True, "q": "name:geloescht"}, {"geloescht"}),
    # --- injection attempts and refused queries -----------------------
    ("sql-in-free-text", {"q": "'; DROP TABLE jena_search_doc; --"}, {"injection"}),
    ("sql-in-field", {"q": "name:\"x' OR '1'='1\""}, set()),
    ("backslashes", {"q": "name:\\\\\\\\"}, set()),
    ("unbalanced-fielded", {"q": "title:(Baum"}, Error("cannot parse query")),
    ("fuzzy", {"q": "title:baum~2"}, Error("fuzzy")),
    ("proximity", {"q": 'title:"Baum Jahres"~3'}, Error("proximity")),
    ("regex", {"q": "tags:/B.*/"}, Error("regular expression")),
    ("nested-fields", {"q": "foo:bar:baz"}, Error("nested field")),
    ("sort-multivalued", {"sort": "tags asc"}, Error("multivalued")),
    ("sort-text", {"sort": "title asc"}, Error("title_string")),
    ("sort-garbage", {"sort": "name; DROP TABLE x"}, Error("sort")),
    ("bad-date", {"q": "metadata_created:[yesterday TO NOW]"}, Error("not a date")),
    ("bad-number", {"q": "views_total:[a TO 5]"}, Error("not a number")),
    ("bad-bbox", {"ext_bbox": "a,b"}, Error("ext_bbox")),
    ("bbox-out-of-range", {"ext_bbox": "200,0,210,10"}, Error("ext_bbox")),
    ("too-many-clauses", {"q": " OR ".join(f"tags:t{i}" for i in range(600))}, Error("too many clauses")),
]


def _names(result):
    return [r["name"] for r in result["results"]]


@pytest.mark.parametrize("params,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_query(catalogue, params, expected):
    context = {"user": catalogue["admin"]["name"], "ignore_auth": False}
    params = dict(params)
    params.setdefault("rows", 1000)
    if isinstance(expected, Error):
        with pytest.raises(SearchError) as err:
            helpers.call_action("package_search", context, **params)
        assert expected in str(err.value)
        return
    result = helpers.call_action("package_search", context, **params)
    names = _names(result)
    if isinstance(expected, int):
        assert result["count"] == expected
        assert len(names) == min(expected, params["rows"])
    elif isinstance(expected, set):
        assert set(names) == expected
        assert result["count"] == len(expected)
    else:
        assert names == expected


def test_case_table_is_large_enough():
    assert len(CASES) >= 60


@pytest.mark.parametrize("user,expected_private", [
    ("admin", {"private-planung", "private-uni"}),
    ("editor", {"private-planung"}),
    ("uni_member", {"private-uni"}),
    ("outsider", set()),
    (None, set()),
])
def test_private_datasets_only_for_members(catalogue, user, expected_private):
    name = catalogue[user]["name"] if user else ""
    result = helpers.call_action("package_search", {"user": name, "ignore_auth": False},
                                 include_private=True, rows=1000)
    names = set(_names(result))
    assert names - set(PUBLIC_ACTIVE) == expected_private
    assert set(PUBLIC_ACTIVE) <= names


def test_drafts_only_for_their_organisation(catalogue):
    def drafts(user):
        result = helpers.call_action("package_search", {"user": user, "ignore_auth": False},
                                     include_drafts=True, q="name:entwurf-baeume")
        return _names(result)
    assert drafts(catalogue["editor"]["name"]) == ["entwurf-baeume"]
    assert drafts(catalogue["outsider"]["name"]) == []


def test_facets_counted_and_limited(catalogue):
    result = helpers.call_action("package_search", {"user": catalogue["admin"]["name"]},
                                 fq="groups:umwelt", **{"facet.field": '["tags"]', "facet.limit": 3})
    assert result["facets"]["tags"] == {"Bäume": 3, "Klima": 3, "Umwelt": 3}


def test_facet_mincount(catalogue):
    result = helpers.call_action("package_search", {"user": catalogue["admin"]["name"]},
                                 fq="groups:umwelt",
                                 **{"facet.field": '["tags"]', "facet.limit": -1, "facet.mincount": 2})
    assert result["facets"]["tags"] == {"Bäume": 3, "Klima": 3, "Umwelt": 3,
                                        "Sensoren": 2, "Stadtgrün": 2, "Wasser": 2}


def test_organization_facet_over_everything(catalogue):
    result = helpers.call_action("package_search", {"user": catalogue["admin"]["name"]},
                                 **{"facet.field": '["organization", "license_id"]'})
    assert result["facets"]["organization"] == {"stadt-jena": 23, "stadtwerke": 8, "uni": 6}
    assert result["facets"]["license_id"]["cc-by"] == len(CC_BY)
    titles = {i["name"]: i["display_name"] for i in result["search_facets"]["organization"]["items"]}
    assert titles["uni"] == "Friedrich-Schiller-Universität"


def test_field_list_returns_only_those_fields(catalogue):
    result = helpers.call_action("package_search", {"user": catalogue["admin"]["name"]},
                                 q="name:baumkataster", fl=["name", "title"])
    assert result["results"] == [{"name": "baumkataster", "title": "Baumkataster Jena"}]


def test_validated_data_dict_is_the_package_show_dict(catalogue):
    shown = helpers.call_action("package_show", id="baumkataster")
    found = helpers.call_action("package_search", {"user": catalogue["admin"]["name"]},
                                q="name:baumkataster")["results"][0]
    assert found["id"] == shown["id"]
    assert found["tags"] == shown["tags"]
    assert [r["format"] for r in found["resources"]] == ["CSV", "GeoJSON"]


def test_search_by_id(catalogue):
    pkg_id = catalogue["ids"]["baumkataster"]
    result = helpers.call_action("package_search", q=f'id:"{pkg_id}"')
    assert _names(result) == ["baumkataster"]


def test_injection_left_the_index_intact(catalogue):
    helpers.call_action("package_search", q="'; DROP TABLE jena_search_doc; --")
    helpers.call_action("package_search", q="name:\"'); DELETE FROM jena_search_doc; --\"")
    assert helpers.call_action("package_search", q="*:*")["count"] == ALL


def test_package_autocomplete_uses_ngrams(catalogue):
    result = helpers.call_action("package_autocomplete", q="pflanz")
    assert [r["name"] for r in result] == ["baumpflanzungen-2023"]


@pytest.mark.ckan_config("ckan.search.rows_max", "5")
def test_rows_are_capped_at_the_configured_maximum(catalogue):
    result = helpers.call_action("package_search", q="*:*", rows=100)
    assert len(result["results"]) == 5
    assert result["count"] == ALL
