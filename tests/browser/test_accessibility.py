"""Accessibility of the main pages (issue 13: WCAG 2.1 AA): axe-core in
Chromium finds no critical or serious violation; the counts per page are
printed at the end of the run (and kept in var/test-artifacts/browser/
axe-summary.txt). Keyboard: the skip link comes first, the search form is
reachable and usable by Tab."""
import json
import os
import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .portal import ARTIFACTS
from .seed import harvest_validated

AXE = os.path.join(os.path.dirname(__file__), "node_modules", "axe-core", "axe.min.js")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pages(portal):
    pkg = portal.data["harvested"]
    csv = next(r for r in pkg["resources"] if r["name"] == "baeume.csv")
    return {"home": "/", "search": "/dataset/?q=B%C3%A4ume", "dataset": f"/dataset/{pkg['name']}",
            "resource": f"/dataset/{pkg['name']}/resource/{csv['id']}",
            "report": f"/dataset/{pkg['name']}/resource/{csv['id']}/validation",
            "qualitaet": "/qualitaet", "login": "/user/login"}


def axe(page, incomplete=None):
    """axe-core's violations of WCAG 2.1 A/AA on the page as loaded, its
    frames included (the previews are iframes). What axe could not decide
    (e.g. contrast over a background image) goes to `incomplete`."""
    if not os.path.exists(AXE):
        pytest.fail(f"{AXE} is missing: bin/setup installs it (npm ci in tests/browser)")
    for frame in page.frames:  # axe checks a frame only where it runs too
        frame.add_script_tag(path=AXE)
    found = page.evaluate("""async (tags) => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        const brief = list => list.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                             targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        return {violations: brief(r.violations), incomplete: brief(r.incomplete)};
    }""", WCAG_AA)
    if incomplete is not None:
        incomplete.extend(found["incomplete"])
    return found["violations"]


# Pages that show verdicts come last: the workers judge the harvest meanwhile.
@pytest.mark.parametrize("name", ["home", "search", "login", "qualitaet", "dataset", "resource", "report"])
def test_no_critical_or_serious_violations(page, portal, name):
    if name in ("dataset", "resource", "report"):
        harvest_validated(portal)
    response = page.goto(pages(portal)[name])
    assert response.ok, f"{name}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    if name == "resource":
        with_table_preview(page)
    undecided = []
    violations = axe(page, undecided)
    counts = {impact: sum(v["nodes"] for v in violations if v["impact"] == impact)
              for impact in ("critical", "serious", "moderate", "minor")}
    # The summary is printed at the end of the run by tests/conftest.py, from
    # this file: the test may have run in another pytest-xdist worker.
    summary = {"counts": counts, "rules": {v["id"]: v["nodes"] for v in violations},
               "review": {v["id"]: v["nodes"] for v in undecided}}
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, f"axe-{name}.json"), "w", encoding="utf-8") as f:
        json.dump({"page": name, "summary": summary, "violations": violations, "incomplete": undecided},
                  f, indent=1, ensure_ascii=False)
    bad = [v for v in violations if v["impact"] in ("critical", "serious")]
    assert not bad, f"{name}: " + "; ".join(f"{v['impact']} {v['id']} ×{v['nodes']} ({v['help']}: "
                                           f"{', '.join(v['targets'])})" for v in bad)


def with_table_preview(page, seconds=120):
    """The resource page once its table preview (DataTables over the DataStore,
    in an iframe) is drawn with its column filters: axe must judge it too. The
    view appears when the DataStore load, a job after validation, is done."""
    deadline = time.monotonic() + seconds
    while True:
        for frame in page.frames[1:]:
            try:
                frame.wait_for_selector("input.fhead", timeout=5000)
                page.wait_for_timeout(500)  # DataTables' last redraws
                return
            except PlaywrightTimeout:
                pass
        if time.monotonic() > deadline:
            pytest.fail("the resource page shows no table preview: was the file loaded into the DataStore?")
        page.wait_for_timeout(2000)
        page.reload()
        page.wait_for_load_state("networkidle")


def focused(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), href: e.getAttribute('href'), name: e.getAttribute('name'),
                text: (e.innerText || '').trim(), inContent: !!e.closest('#content, main')}; }""")


def test_the_skip_link_comes_first_and_skips(page, portal):
    page.goto("/dataset/")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["tag"] == "a" and first["href"] == "#content", f"first Tab stop: {first}"
    skip = page.locator(":focus")
    expect(skip).to_be_visible()  # visible while focused, not only for screen readers
    box = skip.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 8 and box["y"] >= 0, f"skip link not shown: {box}"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))
    page.keyboard.press("Tab")
    assert focused(page)["inContent"], f"after the skip link, Tab went to {focused(page)}"


def test_the_search_form_is_reachable_by_tab(page, portal):
    page.goto("/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused(page)["name"] == "q":
            break
    else:
        pytest.fail("no search field within 40 Tab stops from the top of the home page")
    page.keyboard.type("Bäume")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=B%C3%A4ume"))
    expect(page.locator("ul.dataset-list li.dataset-item").first).to_be_visible()


def test_axe_finds_what_it_must(page, portal):
    """The check itself can fail: an unlabelled image and field, pale text
    (exactly white on white axe only lists as undecided: 1:1)."""
    page.goto("/")
    page.set_content('<html lang="de"><head><title>Probe</title></head><body><main><img src="x.png">'
                     '<input type="text"><p style="color:#bbb;background:#fff">Validierung: gültig</p>'
                     '</main></body></html>')
    found = {v["id"]: v["impact"] for v in axe(page)}
    assert found.get("image-alt") == "critical" and "label" in found, found
    assert found.get("color-contrast") == "serious", found
