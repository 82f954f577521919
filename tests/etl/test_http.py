"""The one outbound client: what stewards and sources may make the platform
fetch. Loopback servers play the internal service and the hostile source;
refused targets are refused before any packet is sent, so the private and
link-local cases need no server."""
import gzip
import http.server
import time

import pytest

from etl.http import Client, Limits, OutboundError, Refused, TooLarge, DeadlineExceeded, blocked_reason

from ..loopback import serving


@pytest.fixture(scope="module")
def server():
    """(base URL, port, log of requests with their headers)."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, dict(self.headers)))
            port = self.server.server_address[1]
            if self.path.startswith("/to/"):
                self.send_response(302)
                self.send_header("Location", self.path[len("/to/"):].replace("PORT", str(port)))
                self.end_headers()
                return
            if self.path == "/loop":
                self.send_response(301)
                self.send_header("Location", "/loop")
                self.end_headers()
                return
            if self.path == "/bomb":
                body = gzip.compress(b"0" * 30_000_000)
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
                return
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args):
            pass

    with serving(Handler) as base:
        yield base, int(base.rsplit(":", 1)[1]), seen


FAST = Limits(deadline=5, connect_timeout=2, read_timeout=2)


@pytest.mark.parametrize("spelling", ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "127.1",
                                      "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_in_every_spelling(server, spelling):
    base, port, seen = server
    before = len(seen)
    with pytest.raises(Refused) as e:
        Client().get(f"http://{spelling}:{port}/secret", limits=FAST)
    assert e.value.reason == "refused" and "loopback" in str(e.value)
    assert len(seen) == before  # the server never saw the request


@pytest.mark.parametrize("url,kind", [
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://10.1.2.3/", "private"), ("http://192.168.0.1/", "private"), ("http://172.16.5.4/", "private"),
    ("http://100.64.0.1/", "not globally routable"), ("http://0.0.0.0/", "unspecified"),
    ("http://[fd00::1]/", "private"), ("http://[fe80::1]/", "link-local"), ("http://224.0.0.1/", "multicast"),
    ("http://[64:ff9b::a00:1]/", "private"), ("http://[2002:c0a8:101::1]/", "private"),
])
def test_internal_ranges_are_refused(url, kind):
    with pytest.raises(Refused) as e:
        Client().get(url, limits=FAST)
    assert kind in str(e.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/",
                                 "dict://127.0.0.1:11211/"])
def test_only_http_and_https(url):
    with pytest.raises(Refused) as e:
        Client().get(url, limits=FAST)
    assert e.value.reason == "scheme"


def test_public_addresses_are_not_blocked():
    assert blocked_reason("8.8.8.8") is None and blocked_reason("2a00:1450:4001::1") is None


def test_allow_list_opens_exactly_what_it_names(server):
    base, port, _ = server
    assert Client(allow=[f"127.0.0.1:{port}"]).get(base + "/x", limits=FAST).content == b"hello"
    assert Client(allow=["127.0.0.0/8"]).get(base + "/x", limits=FAST).status == 200
    assert Client(allow=["localhost"]).get(f"http://localhost:{port}/x", limits=FAST).status == 200
    with pytest.raises(Refused):  # another port of the same host is not named
        Client(allow=[f"127.0.0.1:{port + 1 if port < 65535 else port - 1}"]).get(base + "/x", limits=FAST)


def test_every_redirect_hop_is_checked(server):
    base, port, seen = server
    allowed = Client(allow=[f"127.0.0.1:{port}"])
    assert allowed.get(base + "/to/http://127.0.0.1:PORT/x", limits=FAST).content == b"hello"
    for target in ("http://169.254.169.254/latest/", "http://10.0.0.5/", "file:///etc/passwd",
                   "http://localhost:1/"):
        with pytest.raises(Refused):
            allowed.get(base + "/to/" + target, limits=FAST)


def test_redirect_loops_end(server):
    base, port, _ = server
    with pytest.raises(OutboundError) as e:
        Client(allow=[f"127.0.0.1:{port}"]).get(base + "/loop", limits=FAST)
    assert e.value.reason == "redirects"


def test_credentials_do_not_follow_a_redirect_to_another_origin(server):
    base, port, seen = server
    client = Client(allow=["127.0.0.1", "localhost"])
    client.get(base + f"/to/http://localhost:{port}/landing", headers={"Authorization": "secret-token"},
               limits=FAST)
    landing = [h for p, h in seen if p == "/landing"][-1]
    assert "Authorization" not in landing
    client.get(base + "/to/http://127.0.0.1:PORT/same", headers={"Authorization": "secret-token"}, limits=FAST)
    assert [h for p, h in seen if p == "/same"][-1]["Authorization"] == "secret-token"


def test_byte_cap_counts_the_decompressed_body(server):
    base, port, _ = server
    with pytest.raises(TooLarge) as e:
        Client(allow=["127.0.0.1"]).get(base + "/bomb", limits=Limits(max_bytes=5_000_000, deadline=20))
    assert "after decompression" in str(e.value) and e.value.status == 200


def test_a_trickling_server_is_cut_at_the_deadline(server):
    base, port, _ = server
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        Client(allow=["127.0.0.1"]).get(base + "/trickle", limits=Limits(deadline=1.0, read_timeout=5))
    # 1,000 bytes at 20 a second would take 50 s; the deadline ends it (generous bound).
    assert time.monotonic() - started < 20


def test_body_can_stream_to_a_file(server, tmp_path):
    base, port, _ = server
    resp = Client(allow=["127.0.0.1"]).get(base + "/x", stream_to=str(tmp_path / "f"), limits=FAST)
    assert resp.content is None and resp.size == 5 and (tmp_path / "f").read_bytes() == b"hello"
