"""The dataset form in sections (issue 23): what is required on top, the
optional fields in closed <details> sections listed in the schema, a section
with an error or a steward's value open by itself."""
import html
import re

import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

SECTIONS = ["agents", "dcat", "space_time", "quality", "more"]


@pytest.fixture
def auth(token):
    return {"Authorization": token}


@pytest.fixture
def org(admin):
    return factories.Organization(user=admin, name="stadt-jena")


def sections(text):
    """{section name: (open?, the field ids inside)} of the dataset form."""
    found = {}
    for match in re.finditer(r'<details class="jena-form-section" id="section-(\w+)"( open)?>(.*?)</details>',
                             text, re.S):
        found[match.group(1)] = (bool(match.group(2)), re.findall(r'id="(field-[\w-]+)"', match.group(3)))
    return found


def form_top(text):
    """The form before its first section."""
    form = text[text.index('id="dataset-edit"'):]
    return form[:form.index('<details class="jena-form-section"')]


def test_new_form_has_required_fields_on_top_and_closed_sections(app, auth, org):
    text = app.get("/dataset/new", headers=auth).body
    found = sections(text)
    assert list(found) == SECTIONS
    assert not any(is_open for is_open, _ in found.values())  # the defaults are nobody's values
    top = form_top(text)
    for required in ("field-title", "field-name", "field-notes", "field-organizations"):
        assert f'id="{required}"' in top, required
    inside = [f for _, fields in found.values() for f in fields]
    assert {"field-issued", "field-language", "field-spatial", "field-provenance",
            "field-contact-0-email", "field-maintainer_email"} <= set(inside)
    assert not {"field-title", "field-notes", "field-name"} & set(inside)
    summaries = re.findall(r'<summary class="jena-form-section-title">(.*?)</summary>', text, re.S)
    assert [html.unescape(re.sub(r"<small.*", "", s)).strip() for s in summaries] == [
        "Kontakt und Verantwortliche", "DCAT-AP.de-Angaben", "Räumlich und zeitlich", "Qualität und Herkunft",
        "Weitere Angaben"]


def test_a_section_with_an_error_opens_by_itself(app, auth, org):
    response = app.post("/dataset/new", headers=auth, data={
        "title": "Straßenbäume", "name": "strassenbaeume", "notes": "Alle Bäume", "owner_org": org["id"],
        "issued": "kein Datum", "save": ""})
    found = sections(response.body)
    assert found["dcat"][0] is True  # issued is in DCAT-AP.de-Angaben
    assert [name for name, (is_open, _) in found.items() if is_open] == ["dcat"]
    assert "kein Datum" in response.body  # the steward's input is kept


def test_a_section_with_a_stewards_value_opens_on_edit(app, auth, org, admin):
    helpers.call_action("package_create", {"user": admin["name"]}, name="baeume", title="Bäume", notes="Bäume",
                        owner_org=org["id"], provenance="Aus dem Baumkataster des KSJ")
    found = sections(app.get("/dataset/edit/baeume", headers=auth).body)
    assert found["quality"][0] is True
    assert found["space_time"][0] is False  # Jena's default extent and geocoding are no value of the steward's


def test_sections_in_english(app, auth, org):
    text = html.unescape(app.get("/en/dataset/new", headers=auth).body)
    assert "DCAT-AP.de details" in text and "Quality and provenance" in text
    assert "Qualität und Herkunft" not in text
