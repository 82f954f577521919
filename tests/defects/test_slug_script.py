"""Issue 13: the browser's slug preview makes German names ("Straßenbäume"
→ strassenbaeume). CKAN's own slugify (jquery.url-helpers.js) and our
override (assets/form/slug-de.js) run in Node, as the page loads them."""
import json
import os
import shutil
import subprocess

import pytest

import ckan
import ckanext.jena

CKAN_JS = os.path.join(os.path.dirname(ckan.__file__), "public", "base", "javascript", "plugins",
                       "jquery.url-helpers.js")
OURS = os.path.join(os.path.dirname(ckanext.jena.__file__), "assets", "form", "slug-de.js")
NODE = shutil.which("node") or shutil.which("nodejs")

RUN = """
const vm = require('vm'), fs = require('fs');
const page = {jQuery: {}, encodeURIComponent: encodeURIComponent};
page.window = page;
for (const file of process.argv.slice(1, -1)) vm.runInNewContext(fs.readFileSync(file, 'utf8'), page);
const titles = JSON.parse(process.argv[process.argv.length - 1]);
console.log(JSON.stringify(titles.map(t => page.jQuery.url.slugify(t, true))));
"""


def slugs(files, titles):
    out = subprocess.run([NODE, "-e", RUN, *files, json.dumps(titles)], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return json.loads(out)


TITLES = ["Straßenbäume", "Grünflächen", "Öffentliche Toiletten", "Café am Markt"]


@pytest.mark.skipif(NODE is None, reason="needs Node.js (Debian package nodejs)")
def test_the_slug_preview_transliterates_german():
    # What CKAN alone makes of them (the defect), and what the form makes now.
    assert slugs([CKAN_JS], TITLES[:2]) == ["strabenbaume", "grunflachen"]
    assert slugs([CKAN_JS, OURS], TITLES) == ["strassenbaeume", "gruenflaechen",
                                             "oeffentliche-toiletten", "cafe-am-markt"]


@pytest.mark.skipif(NODE is None, reason="needs Node.js (Debian package nodejs)")
def test_browser_and_server_make_the_same_name():
    from ckanext.jena.names import name_from_title
    assert slugs([CKAN_JS, OURS], TITLES) == [name_from_title(t) for t in TITLES]

