"""A steward in Chromium (issue 13): logs in, creates a dataset through the
web form with a German CSV upload (cp1252, `;`, decimal commas), sees
format and size filled, the quality checklist, the validation report in
German, uploads a corrected file and sees the verdict turn, and the score
rise once the checklist's next item is done."""
import re
import secrets

import pytest
from playwright.sync_api import expect

HEADER = "Baumnummer;Gattung;Art;Höhe (m);Stammumfang (cm);Pflanzjahr;Stadtteil\r\n"
ROWS = ("1001;Tilia;Winterlinde;12,5;180,0;1985;Zentrum\r\n"
        "1002;Acer;Spitzahorn;9,75;120,5;1992;Lobeda\r\n"
        "1003;Quercus;Stieleiche;18,2;240,0;1960;Wenigenjena\r\n")
# Row 5 of the file is empty (";;;;;;", as a spreadsheet exports a blank
# line): an error a steward makes and fixes by uploading the corrected file.
BROKEN = (HEADER + ROWS + ";;;;;;\r\n" + "1004;Betula;Hängebirke;7,3;95,0;2001;Winzerla\r\n").encode("cp1252")
# A row with a cell more than the header (a stray ";" in a street name).
RAGGED = (HEADER + ROWS + "1004;Betula;Hängebirke;7,3;95,0;2001;Winzerla;Schloßgasse\r\n").encode("cp1252")
FIXED = (HEADER + ROWS + "1004;Betula;Hängebirke;7,3;95,0;2001;Winzerla\r\n").encode("cp1252")


def log_in(page, portal):
    steward = portal.data["steward"]
    page.goto("/user/login")
    page.fill("#field-login", steward["name"])
    page.fill("#field-password", steward["password"])
    page.locator("form:has(#field-login) button[type=submit]").click()
    # "authed" as a class of its own: \b would also match the anonymous visitor's "not-authed"
    expect(page.locator(".account").first).to_have_class(re.compile(r"(^|\s)authed(\s|$)"))


def wait_for_module(page, name):
    """CKAN starts its JavaScript modules after loading its translations."""
    page.wait_for_function("(name) => !!(window.ckan && ckan.module && ckan.module.instances[name])", arg=name)


def choose_file(page, path, content, tmp_path):
    """Upload as a person does: the "Hochladen" button opens the file chooser."""
    file = tmp_path / path
    file.write_bytes(content)
    button = page.locator("#resource-upload-button")
    with page.expect_file_chooser() as chooser:
        if button.is_visible():
            button.click()
        else:  # an upload being replaced: its file field is shown
            page.locator("#field-resource-upload").click()
    chooser.value.set_files(str(file))


def create_dataset(page, portal, tmp_path, title, content=BROKEN):
    """The two steps of CKAN's form; returns (dataset name, resource id).
    The title gets a suffix of its own: a rerun must not meet its own name."""
    title = f"{title} {secrets.token_hex(2)}"
    log_in(page, portal)
    page.goto("/dataset/new")
    page.fill("#field-title", title)
    page.fill("#field-notes", "Neu gepflanzte Bäume im Stadtgebiet, erfasst vom Fachdienst.")
    page.locator("form button[name=save]").last.click()
    expect(page).to_have_url(re.compile(r"/dataset/[^/]+/resource/new"))
    name = re.search(r"/dataset/([^/]+)/resource/new", page.url).group(1)
    wait_for_module(page, "resource-upload-field")  # it fills the name from the file's
    choose_file(page, "pflanzungen.csv", content, tmp_path)
    expect(page.locator("#field-name")).to_have_value("pflanzungen.csv")
    page.locator("button[name=save][value=go-metadata]").click()
    expect(page).to_have_url(re.compile(rf"/dataset/{name}$"))
    pkg = portal.action("package_show", id=name)
    assert len(pkg["resources"]) == 1, pkg["resources"]
    return name, pkg["resources"][0]["id"]


def info_value(page, label):
    """The value beside a label in the resource page's additional info."""
    row = page.locator("table tr", has=page.locator("th", has_text=re.compile(label)))
    expect(row.first).to_be_visible()
    return row.first.locator("td").inner_text().strip()


def score(page):
    """The score the steward reads: "12,5 von 405 Punkten" (or a decimal point)."""
    text = page.locator("#metadata-quality h2 small").inner_text()
    m = re.search(r"(\d+(?:[.,]\d+)?)\s+von\s+\d+", text)
    assert m, f"no score in {text!r}"
    return float(m.group(1).replace(",", "."))


def test_steward_publishes_a_german_csv_and_fixes_its_error(page, portal, tmp_path):
    name, res_id = create_dataset(page, portal, tmp_path, "Baumpflanzungen 2026")

    # Format, media type and size of the web-form upload (issue 13: "Format: unbekannt").
    page.goto(f"/dataset/{name}/resource/{res_id}")
    assert info_value(page, "^Format") == "CSV"
    assert re.search(r"\d", info_value(page, "Größe")), "no size on the resource page"
    assert "unbekannt" not in page.locator("#content").inner_text()

    # The checklist: what is missing, but not what the upload filled in.
    page.goto(f"/dataset/{name}")
    checklist = page.locator("#metadata-quality")
    expect(checklist).to_be_visible()
    expect(checklist.locator(".jena-quality-missing li").first).to_be_visible()
    for indicator in ("format", "media_type", "byte_size"):
        expect(checklist.locator(f"li[data-indicator={indicator}]")).to_have_count(0)

    # The verdict and the report, in German.
    assert portal.wait_validated(res_id)["status"] == "invalid"
    page.goto(f"/dataset/{name}/resource/{res_id}")
    badge = page.locator(".jena-validation-badge a")
    expect(badge).to_contain_text("ungültig")
    badge.click()
    expect(page).to_have_url(re.compile(rf"/resource/{res_id}/validation"))
    content = page.locator("#content")
    row = content.locator("tr", has=page.locator("td", has_text=re.compile(r"leer")))
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("5")  # the row of the file, under the heading "Zeile"
    expect(content.locator("th", has_text="Zeile").first).to_be_visible()
    text = content.inner_text()
    for english in ("Row at position", "Blank Row", "blank-row", "completely blank", "is blank"):
        assert english not in text, f"English frictionless text on a German page: {english!r}"
    # The inferred schema, in German, with the columns of the file and its decimal commas.
    schema = content.locator("table", has_text="Baumnummer")
    expect(schema).to_contain_text("Ganzzahl")
    expect(schema.locator("tr", has_text="Höhe (m)")).to_contain_text("Dezimalzahl")
    expect(schema.locator("tr", has_text="Höhe (m)")).to_contain_text("Dezimalkomma")
    expect(content.locator("details summary").first).to_be_visible()  # the JSON behind a toggle

    # The corrected file, through the resource's edit form.
    page.goto(f"/dataset/{name}/resource/{res_id}/edit")
    wait_for_module(page, "resource-upload-field")
    page.locator(".btn-remove-url:visible").first.click()  # "Upload entfernen": then a new file
    choose_file(page, "pflanzungen.csv", FIXED, tmp_path)
    page.locator("form button[name=save]").last.click()
    expect(page).to_have_url(re.compile(rf"/dataset/{name}/resource/{res_id}$"))
    assert portal.wait_validated(res_id)["status"] == "valid"
    page.reload()
    expect(page.locator(".jena-validation-badge a")).to_contain_text("gültig")
    expect(page.locator(".jena-validation-badge a")).not_to_contain_text("ungültig")

    # The checklist names what else is missing: the steward adds a contact.
    # (Scores are read once the background checks of the change are done.)
    portal.wait_settled(name)
    page.goto(f"/dataset/{name}")
    before = score(page)
    expect(page.locator("#metadata-quality li[data-indicator=contact_point]")).to_have_count(1)
    page.goto(f"/dataset/edit/{name}")
    contact = page.locator("#field-contact-0-name")
    if not contact.is_visible():
        page.locator("summary", has_text="Kontakt").first.click()
    contact.fill("Fachdienst Umweltschutz")
    page.locator("form button[name=save]").last.click()
    expect(page).to_have_url(re.compile(rf"/dataset/{name}$"))
    portal.wait_settled(name)
    page.reload()
    after = score(page)
    assert after > before, f"score did not rise: {before} → {after}"
    expect(page.locator("#metadata-quality li[data-indicator=contact_point]")).to_have_count(0)


def test_a_row_with_a_cell_too_many_is_an_error(page, portal, tmp_path):
    name, res_id = create_dataset(page, portal, tmp_path, "Baumpflanzungen Zwätzen", content=RAGGED)
    report = portal.wait_validated(res_id)
    assert report["status"] == "invalid", (report["status"], report.get("inferred_schema"))
    page.goto(f"/dataset/{name}/resource/{res_id}")
    expect(page.locator(".jena-validation-badge a")).to_contain_text("ungültig")
