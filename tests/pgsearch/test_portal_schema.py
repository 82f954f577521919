"""Search with the portal's plugins (test.ini: our scheming schema, quality,
validation): vocabulary values stored as URIs are filterable (issue 23)."""
import pytest

from ckan.tests import factories, helpers

EU = "http://publications.europa.eu/resource/authority/data-theme/"

pytestmark = [pytest.mark.portal_plugins, pytest.mark.usefixtures("clean_db", "clean_index")]


@pytest.fixture
def create():
    org = factories.Organization(contributor_id="http://dcat-ap.de/def/contributors/stadtJena")
    admin = factories.Sysadmin()

    def make(name, **fields):
        data = {"name": name, "title": name.title(), "notes": "Daten der Stadt Jena.",
                "owner_org": org["id"], **fields}
        return helpers.call_action("package_create", {"user": admin["name"]}, **data)
    return make


def names(**params):
    return sorted(r["name"] for r in helpers.call_action("package_search", **params)["results"])


def test_theme_filter_by_uri(create):
    create("baeume", theme=["ENVI", "AGRI"])
    create("busse", theme=["TRAN"])
    assert names(fq=f'theme:"{EU}ENVI"') == ["baeume"]
    assert names(fq=f'theme:"{EU}TRAN"') == ["busse"]
    assert names(fq=f'theme:("{EU}ENVI" OR "{EU}TRAN")') == ["baeume", "busse"]
    # The short code is the end of the URI (theme is an exact string field,
    # as in Solr: theme:ENVI alone matches no URI).
    assert names(fq="theme:*\\/ENVI") == ["baeume"]


def test_theme_facet_counts_each_theme(create):
    create("baeume", theme=["ENVI", "AGRI"])
    create("wald", theme=["ENVI"])
    result = helpers.call_action("package_search", **{"facet.field": '["theme"]'})
    assert result["facets"]["theme"] == {f"{EU}ENVI": 2, f"{EU}AGRI": 1}
