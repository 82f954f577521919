"""Harvest downloads go through the outbound guard: sources on internal
addresses only when the operator allow-listed them, bounded bodies, safe XML,
next-page links that cannot lead elsewhere."""
import gzip

import pytest

from harvesters import fetch, ogc
from harvesters.fetch import SourceError


@pytest.mark.outbound_strict
def test_a_source_inside_the_network_needs_the_operators_allow_list(loopback):
    routes, base = loopback
    routes["/register.csv"] = (b"a;b\n1;2\n", "text/csv")
    with pytest.raises(SourceError) as e:
        fetch.get("jena", base + "/register.csv", "csv", {"attempts": 1})
    assert str(e.value).startswith("jena: refused") and "loopback" in str(e.value)
    assert fetch.get("jena", base + "/register.csv", "csv", {"network_allow": ["127.0.0.1"]}) == b"a;b\n1;2\n"


@pytest.mark.outbound_strict
def test_the_environment_allow_list_is_the_operators_too(loopback, monkeypatch):
    routes, base = loopback
    routes["/feed.json"] = (b"[]", "application/json")
    monkeypatch.setenv("JENA_OUTBOUND_ALLOW", "10.0.0.0/8, 127.0.0.1")
    assert fetch.get_json("feed", base + "/feed.json", {}) == []


def test_a_compressed_body_is_capped_after_decoding(loopback):
    routes, base = loopback
    routes["/big.csv"] = (gzip.compress(b"x;y\n" + b"1;2\n" * 2_000_000), "text/csv", 0, 200,
                          {"Content-Encoding": "gzip"})
    with pytest.raises(SourceError) as e:
        fetch.get("jena", base + "/big.csv", "csv", {"max_bytes": 1_000_000, "attempts": 3})
    assert "jena:" in str(e.value) and "larger than the limit" in str(e.value)


def test_a_redirect_into_the_network_is_refused(loopback):
    routes, base = loopback
    routes["/moved"] = (b"", "text/plain", 0, 302, {"Location": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(SourceError) as e:
        fetch.get("jena", base + "/moved", "csv", {"attempts": 1})
    assert "link-local" in str(e.value)


@pytest.mark.parametrize("following,problem", [
    ("file:///etc/passwd", "not an http(s) URL"),
    ("http://elsewhere.example/next", "another host"),
    ("http://127.0.0.1:1/Observations?$skip=100", "another host"),
])
def test_next_page_links_stay_on_the_source(following, problem):
    with pytest.raises(SourceError) as e:
        fetch.next_page("sta", "http://127.0.0.1:8080/v1.1/Observations", following, set())
    assert problem in str(e.value) and str(e.value).startswith("sta:")


def test_next_page_loops_and_endless_paging_stop():
    seen = set()
    first = "http://sta.example/v1.1/Observations"
    second = fetch.next_page("sta", first, first + "?$skip=100", seen)
    with pytest.raises(SourceError, match="already followed"):
        fetch.next_page("sta", second, first, seen)
    seen = set()
    url = first
    with pytest.raises(SourceError, match="more than 3 pages"):
        for k in range(10):
            url = fetch.next_page("sta", url, f"{first}?$skip={k * 100 + 100}", seen, limit=3)
    assert fetch.next_page("sta", first, None, set()) is None


def test_capabilities_with_entity_declarations_are_refused(loopback):
    routes, base = loopback
    routes["/ows*"] = (b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b'<WFS_Capabilities version="2.0.0">&x;</WFS_Capabilities>', "text/xml")
    with pytest.raises(SourceError) as e:
        ogc.WFS("geo", base + "/ows", {"attempts": 1})
    assert "entities" in str(e.value) and "root:" not in str(e.value)
