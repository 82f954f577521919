"""A tree register published with a warning (plausibility, issue 20) shows
it on its dataset in the real test CKAN: state `warning`, the finding in the
message, the German label on the dataset page; the next clean run clears it."""
import pytest

from ckan.tests import helpers

from harvesters import runner

from .conftest import sample

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


def _with_unreadable_heights(share):
    """Jena's sample with `share` of its heights unreadable ("hoch")."""
    lines = sample("jena_baumkataster.csv").decode("cp1252").split("\r\n")
    header = lines[0].split(";")
    height = header.index("baumhoehe")
    body = [line for line in lines[1:] if line]
    for number in range(int(len(body) * share)):
        cells = body[number].split(";")
        cells[height] = "hoch"
        body[number] = ";".join(cells)
    return ("\r\n".join([lines[0], *body]) + "\r\n").encode("cp1252")


def test_a_warning_reaches_the_dataset_and_a_clean_run_clears_it(sources, tmp_path, harvester_ckan, app):
    routes, base, config = sources
    routes["/jena.csv"] = (_with_unreadable_heights(0.1), "text/csv; charset=windows-1252", 0)
    result = runner.run(["jena"], config, str(tmp_path), harvester_ckan)[0]
    assert result["status"] == "warning", result
    pkg = helpers.call_action("package_show", id="baumkataster-jena")
    assert pkg["harvest_status"] == "warning"
    assert "Warnung: column baumhoehe (height_m) is unreadable in 300 of" in pkg["harvest_message"]
    page = app.get("/dataset/baumkataster-jena").body
    assert "mit Warnung veröffentlicht" in page and ">warning<" not in page
    routes["/jena.csv"] = (sample("jena_baumkataster.csv"), "text/csv; charset=windows-1252", 0)
    assert runner.run(["jena"], config, str(tmp_path), harvester_ckan)[0]["status"] == "ok"
    pkg = helpers.call_action("package_show", id="baumkataster-jena")
    assert pkg["harvest_status"] == "ok" and "Warnung" not in pkg["harvest_message"]
