"""Another organisation's editor must not take over a source of this one by
reporting runs under it: neither see its runs nor hide it from its stewards."""
import pytest
from ckan.tests import helpers

import ckan.plugins as p

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def as_user(user, action, **data):
    return helpers.call_action(action, {"user": user["name"], "ignore_auth": False}, **data)


def test_a_run_reported_into_another_organisations_source_is_refused(people):
    # The real harvester's record of stadt-jena's source "jena".
    people.portal.action.jena_harvest_run_create(
        id="real", source="jena", kind="tree_register", organization="stadt-jena",
        started="2026-12-01T03:30:00+00:00", finished="2026-12-01T03:31:00+00:00", status="ok", rows=3000,
        message="Baumkataster intern")
    # Leipzig's editor may report runs of its own organisation, so they name
    # Jena's source with their own organisation, dated later so it is "last".
    with pytest.raises(p.toolkit.ValidationError) as refused:
        as_user(people.other_steward, "jena_harvest_run_create", id="hostile", source="jena",
                kind="tree_register", organization="stadt-leipzig-beispiel",
                started="2030-01-01T00:00:00+00:00", finished="2030-01-01T00:01:00+00:00", status="ok")
    assert "organization" in refused.value.error_dict
    # So Jena's source stays Jena's: its steward sees it, Leipzig's do not.
    assert "jena" in {s["source"] for s in as_user(people.steward, "jena_harvest_source_list")}
    with pytest.raises(p.toolkit.NotAuthorized):
        as_user(people.other_steward, "jena_harvest_source_show", source="jena")


def test_a_source_page_lists_only_its_organisations_runs(people):
    # A source no sources.yaml names: whoever reported last owns its page,
    # and must see only runs of their own organisation on it.
    people.portal.action.jena_harvest_run_create(
        id="old", source="altes-register", kind="tree_register", organization="stadt-jena",
        started="2026-12-01T03:30:00+00:00", finished="2026-12-01T03:31:00+00:00", status="failed",
        message="Passwort des Dienstes abgelaufen")
    as_user(people.other_steward, "jena_harvest_run_create", id="newer", source="altes-register",
            kind="tree_register", organization="stadt-leipzig-beispiel",
            started="2030-01-01T00:00:00+00:00", finished="2030-01-01T00:01:00+00:00", status="ok")
    shown = as_user(people.other_steward, "jena_harvest_source_show", source="altes-register")
    assert [r["id"] for r in shown["runs"]["results"]] == ["newer"] and shown["runs"]["count"] == 1
    assert len(shown["trend"]) == 1
