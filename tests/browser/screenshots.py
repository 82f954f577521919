"""Screenshots of the main pages into docs/screenshots/ (not part of the
suite: run `bin/test tests/browser/screenshots.py`, with JENA_SHOTS=before
or after naming the files)."""
import os
import subprocess

from .portal import ROOT

SUFFIX = os.environ.get("JENA_SHOTS", "after")
OUT = os.path.join(ROOT, "docs", "screenshots")


def _save(page, name, full=True):
    path = os.path.join(OUT, f"{name}-{SUFFIX}.png")
    page.screenshot(path=path, full_page=full)
    _shrink(path)
    # Small files for the repository (pngquant/optipng where installed).
    for tool in (["pngquant", "--force", "--skip-if-larger", "--ext", ".png", "64"], ["optipng", "-quiet", "-o2"]):
        try:
            subprocess.run([*tool, path], check=False, capture_output=True)
        except FileNotFoundError:
            pass
    return path


def _shrink(path, limit=1600):
    """Long pages at half size (still readable), so each file stays small."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        if im.height <= limit:
            return
        small = im.convert("RGB").resize((im.width // 2, im.height // 2), Image.LANCZOS)
    small.save(path, optimize=True)


def test_screenshots(page, portal):
    os.makedirs(OUT, exist_ok=True)
    pkg = portal.data["harvested"]
    csv = next(r for r in pkg["resources"] if r["name"] == "baeume.csv")
    page.set_viewport_size({"width": 1280, "height": 900})
    for name, path in (("home", "/"), ("search", "/dataset/?q=B%C3%A4ume"),
                       ("dataset", f"/dataset/{pkg['name']}"),
                       ("resource", f"/dataset/{pkg['name']}/resource/{csv['id']}")):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        _save(page, name)
    page.goto("/user/login")
    page.fill("#field-login", portal.data["steward"]["name"])
    page.fill("#field-password", portal.data["steward"]["password"])
    page.locator("form:has(#field-login) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.goto("/dataset/new")
    page.wait_for_load_state("networkidle")
    _save(page, "new-dataset")
