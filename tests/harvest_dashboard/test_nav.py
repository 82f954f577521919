"""The header's menu leads stewards and sysadmins to /ernte ("Ernte",
English "Harvests"); visitors and members, who would only be refused
there, do not see the link."""
import re

import pytest

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")

LINK = re.compile(r'<a href="/ernte"[^>]*>\s*Ernte\s*</a>')


def menu_of(app, user=None, path="/dataset/"):
    environ = {"REMOTE_USER": user["name"]} if user else {}
    page = app.get(path, extra_environ=environ).body
    return page.split('class="navigation"', 1)[-1] if 'class="navigation"' in page else page


def test_a_steward_sees_the_link_and_a_visitor_does_not(people, app):
    # stadt-jena has sources in the bundled sources.yaml: its editor stewards them.
    assert LINK.search(menu_of(app, people.steward))
    assert LINK.search(menu_of(app, people.admin))
    assert not LINK.search(menu_of(app))
    assert "/ernte" not in menu_of(app)
    # A member of the organisation may not see its harvests: no link either.
    assert not LINK.search(menu_of(app, people.member))


def test_the_english_menu_says_harvests(people, app):
    page = app.get("/en/dataset/", extra_environ={"REMOTE_USER": people.steward["name"]}).body
    assert re.search(r'<a href="/en/ernte"[^>]*>\s*Harvests\s*</a>', page)
