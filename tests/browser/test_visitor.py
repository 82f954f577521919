"""A visitor in Chromium (issue 13): searches "Bäume", narrows the results
by a facet and by the map, opens the harvested tree register and sees its
extent on a map, a preview of the table and the green validation badge."""
import re

from playwright.sync_api import expect

from .seed import ELSEWHERE, HARVESTED, harvest_validated

RESULTS = "ul.dataset-list li.dataset-item"


def search_trees(page):
    page.goto("/")
    box = page.locator("form input[name=q]").first
    box.fill("Bäume")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/dataset/?\?q=B%C3%A4ume"))
    return page.locator(RESULTS)


def resource(portal, name):
    return next(r for r in portal.data["harvested"]["resources"] if r["name"] == name)


def test_search_then_filter_by_a_facet(page, portal):
    results = search_trees(page)
    expect(results).to_have_count(2)
    expect(page.locator(RESULTS, has_text="Straßenbäume Leipzig")).to_have_count(1)
    # The organisation facet, as a visitor clicks it in the sidebar.
    page.locator("a[href*='organization=stadt-jena']").first.click()
    expect(page).to_have_url(re.compile(r"organization=stadt-jena"))
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Baumkataster Jena")


def test_search_then_filter_by_the_map(page, portal):
    results = search_trees(page)
    expect(results).to_have_count(2)
    # ckanext-spatial's widget: the pencil opens a map (it opens on Jena), a
    # rectangle is drawn by dragging, "Apply" submits the box as ext_bbox.
    page.locator("#dataset-map .leaflet-control-custom-button").click()
    draw = page.locator("#draw-map-container")
    expect(draw).to_be_visible()
    # Bootstrap's fade-in ends before a drag lands where it is aimed.
    page.wait_for_function("() => { const m = document.querySelector('.modal.show');"
                           " return m && getComputedStyle(m).opacity === '1'; }")
    box = draw.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.8, steps=8)
    page.mouse.up()
    apply = page.locator(".modal .apply")
    expect(apply).not_to_have_class(re.compile(r"\bdisabled\b"))
    apply.click()
    expect(page).to_have_url(re.compile(r"ext_bbox=11\.\d+%2C50\.\d+|ext_bbox=11\.\d+,50\.\d+"))
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Baumkataster Jena")
    expect(page.locator(RESULTS, has_text="Leipzig")).to_have_count(0)


def test_the_harvested_dataset_shows_its_extent_on_a_map(page, portal):
    harvest_validated(portal)
    results = search_trees(page)
    results.filter(has_text="Baumkataster Jena").locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/dataset/{HARVESTED}$"))
    # The extent is drawn as a vector layer even without reachable tiles.
    expect(page.locator("#dataset-map-container")).to_be_visible()
    expect(page.locator("#dataset-map-container path.leaflet-interactive").first).to_be_visible()
    expect(page.get_by_text("Nicht prüfbar", exact=False)).to_have_count(0)


def test_the_harvested_table_shows_a_preview_and_the_green_badge(page, portal):
    harvest_validated(portal)
    csv = resource(portal, "baeume.csv")
    # The DataStore loads the table after validation: the preview needs it.
    portal.wait_for(lambda: portal.action("datastore_search", resource_id=csv["id"], limit=1)["total"] > 0,
                    what="the tree table in the DataStore")
    page.goto(f"/dataset/{HARVESTED}")
    page.locator(f"a[href*='/resource/{csv['id']}']").first.click()
    badge = page.locator(".jena-validation-badge a")
    expect(badge).to_contain_text("gültig")
    expect(badge).not_to_contain_text("nicht prüfbar")
    preview = page.frame_locator("iframe.resource-view, .resource-view iframe, iframe[src*='/view/']").first
    # The datatables view of the loaded table (#dtprv; DataTables clones its
    # header into a second table): the genus column and rows of trees.
    expect(preview.locator("th", has_text="genus").first).to_be_visible(timeout=30000)
    expect(preview.locator("#dtprv tbody tr").nth(1)).to_be_visible(timeout=30000)


def test_the_valid_badge_is_green_and_readable(page, portal):
    harvest_validated(portal)
    csv = resource(portal, "baeume.csv")
    page.goto(f"/dataset/{HARVESTED}/resource/{csv['id']}")
    badge = page.locator(".jena-validation-badge a")
    expect(badge).to_contain_text("gültig")
    colours = badge.evaluate("""el => { const s = getComputedStyle(el);
        return [s.color, s.backgroundColor]; }""")
    fg, bg = (tuple(int(x) for x in re.findall(r"\d+", c)[:3]) for c in colours)
    assert bg[1] > bg[0] + 40 and bg[1] > bg[2] + 20, f"the valid badge is not green: background {bg}"
    assert contrast(fg, bg) >= 4.5, f"contrast {contrast(fg, bg):.2f}:1 below WCAG AA ({fg} on {bg})"


def test_the_geojson_shows_a_map_preview(page, portal):
    geojson = resource(portal, "baeume.geojson")
    page.goto(f"/dataset/{HARVESTED}/resource/{geojson['id']}")
    preview = page.frame_locator(".resource-view iframe, iframe[src*='/view/']").first
    expect(preview.locator(".leaflet-container")).to_be_visible(timeout=30000)
    expect(preview.locator(".leaflet-container path, .leaflet-marker-icon, .leaflet-container circle").first) \
        .to_be_attached(timeout=30000)


def test_the_other_dataset_is_found_elsewhere(page, portal):
    """The control of the map test: Leipzig's dataset is a search hit outside Jena."""
    page.goto("/dataset/?q=B%C3%A4ume&ext_bbox=12.2,51.2,12.6,51.5")
    expect(page.locator(RESULTS)).to_have_count(1)
    expect(page.locator(RESULTS).first).to_contain_text("Leipzig")
    expect(page.locator(f"a[href$='/dataset/{ELSEWHERE}']").first).to_be_visible()


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg):
    """WCAG 2.1 contrast ratio of two sRGB colours."""
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
