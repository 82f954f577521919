"""The one outbound HTTP client: every request the platform makes to a URL
it was given (harvest sources, resource links, validation downloads) goes
through `Client`.

Why a guard: URLs come from stewards and from sources' answers (redirects,
next-page links), so a request must never reach the machine itself or the
city's internal network unless an operator allow-listed that target.

- http and https only; at most `Limits.max_redirects` redirects, each hop
  checked like the first.
- The address is checked on the socket that is actually connected (its peer
  address), so no DNS trick (rebinding between a check and the connect, odd
  spellings such as 0x7f.1 or ::ffff:127.0.0.1) gets past it. Refused:
  loopback, private, link-local, shared (CGNAT), multicast, unspecified,
  reserved and documentation ranges, IPv6 site-local and unique-local, and
  IPv4 addresses embedded in IPv6 (mapped, NAT64, 6to4, Teredo).
- A byte cap on the body after content decoding (a small gzip body cannot
  become gigabytes), and a deadline for the whole request: a server that
  sends one byte a second is cut off when the deadline passes.
- No proxies or .netrc from the environment; headers such as Authorization
  are dropped when a redirect leaves the origin they were meant for.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Iterable, Optional, Union

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

USER_AGENT = "jena-open-data/0.1 (+https://opendata.jena.de)"
REDIRECTS = {301, 302, 303, 307, 308}
# Headers that belong to one origin and must not follow a redirect elsewhere.
ORIGIN_BOUND = {"authorization", "cookie", "proxy-authorization", "x-ckan-api-key"}
_IPV4_EXTRA = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32")]
_IPV6_EXTRA = [ipaddress.ip_network(n) for n in ("fc00::/7", "fec0::/10", "2001:db8::/32", "100::/64")]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """A request was refused or failed before a usable answer arrived.

    `reason` is one of scheme, refused, too_large, deadline, timeout, connect,
    redirects, protocol; `url` is the URL of the hop concerned."""

    def __init__(self, message: str, url: str, reason: str, status: Optional[int] = None):
        super().__init__(message)
        # status: the HTTP status of the answer when one arrived (a body over the cap)
        self.url, self.reason, self.status = url, reason, status


class Refused(OutboundError):
    """The target is not allowed (scheme, or an address inside the network)."""


class TooLarge(OutboundError):
    """The body is larger than the byte cap (counted after decoding)."""


class DeadlineExceeded(OutboundError):
    """The whole request took longer than its deadline."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 100 << 20
    deadline: float = 60.0          # seconds for the whole request, redirects included
    connect_timeout: float = 10.0
    read_timeout: float = 30.0      # seconds without a byte
    max_redirects: int = 5


@dataclass
class Response:
    status: int
    headers: requests.structures.CaseInsensitiveDict
    url: str
    content: Optional[bytes]
    size: int
    redirects: list[str] = field(default_factory=list)


def blocked_reason(address: str) -> Optional[str]:
    """Why `address` (an IP address) is not a public target, or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = blocked_reason(str(embedded))
            return f"{inner} (inside {ip})" if inner else None
    for test, name in (("is_loopback", "loopback"), ("is_link_local", "link-local"),
                       ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                       ("is_private", "private"), ("is_reserved", "reserved")):
        if getattr(ip, test):
            return name
    extra = _IPV4_EXTRA if ip.version == 4 else _IPV6_EXTRA
    if any(ip in net for net in extra) or not ip.is_global:
        return "not globally routable"
    return None


@dataclass(frozen=True)
class _Entry:
    host: Optional[str] = None
    network: Optional[Union[ipaddress.IPv4Network, ipaddress.IPv6Network]] = None
    port: Optional[int] = None


def parse_allow(entries: Iterable[str]) -> list[_Entry]:
    """Allow-list entries: `host`, `host:port`, `10.1.0.0/16`, `10.1.2.3:8080`,
    `[fd00::1]:443`. A host name allows whatever it resolves to (the operator
    trusts that name); an address or network allows exactly that."""
    out = []
    for raw in entries:
        text = (raw or "").strip()
        if not text:
            continue
        port = None
        if text.startswith("["):
            inside, _, rest = text[1:].partition("]")
            text, port = inside, (int(rest[1:]) if rest.startswith(":") else None)
        elif text.count(":") == 1:
            text, _, p = text.partition(":")
            port = int(p)
        try:
            out.append(_Entry(network=ipaddress.ip_network(text, strict=False), port=port))
        except ValueError:
            out.append(_Entry(host=text.lower().rstrip("."), port=port))
    return out


class _Guard:
    """What one request may connect to, and the sockets it opened (so the
    deadline can cut them)."""

    def __init__(self, allow: list[_Entry], deadline_at: float):
        self.allow, self.deadline_at = allow, deadline_at
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.lock = threading.Lock()

    def permits(self, host: str, port: int, peer: str) -> Optional[str]:
        """None if allowed, else why not."""
        host = (host or "").lower().strip("[]").rstrip(".")
        for e in self.allow:
            if e.port is not None and e.port != port:
                continue
            if e.host is not None and e.host == host:
                return None
            if e.network is not None:
                try:
                    ip = ipaddress.ip_address(peer.split("%", 1)[0])
                    if ip.version == 6 and ip.ipv4_mapped:
                        ip = ip.ipv4_mapped
                    if ip in e.network:
                        return None
                except ValueError:
                    pass
        return blocked_reason(peer)

    def cut(self) -> None:
        with self.lock:
            self.expired = True
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


_current = threading.local()


def _connect(conn) -> socket.socket:
    """urllib3's _new_conn with the guard: resolve, refuse every address that is
    not allowed before a packet is sent, connect to a checked address only
    (so the name cannot resolve differently between check and connect)."""
    guard: Optional[_Guard] = getattr(_current, "guard", None)
    where = f"{conn.host}:{conn.port}"
    if guard is None:  # these classes are only mounted by Client; fail closed
        raise Refused("refused: no outbound guard is active", where, "refused")
    try:
        infos = socket.getaddrinfo(conn._dns_host, conn.port, 0, socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise NameResolutionError(conn.host, conn, e) from e
    refused, error = [], None
    for family, kind, proto, _, address in infos:
        why = guard.permits(conn.host, conn.port, address[0])
        if why:
            refused.append(f"{address[0]} ({why})")
            continue
        sock = socket.socket(family, kind, proto)
        try:
            for option in conn.socket_options or []:
                sock.setsockopt(*option)
            if isinstance(conn.timeout, (int, float)):
                sock.settimeout(conn.timeout)
            if conn.source_address:
                sock.bind(conn.source_address)
            with guard.lock:
                if guard.expired:
                    raise DeadlineExceeded("the deadline passed while connecting", where, "deadline")
                guard.sockets.append(sock)
            sock.connect(address)
            return sock
        except socket.timeout as e:
            sock.close()
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out") from e
        except OSError as e:
            sock.close()
            error = e
    if refused and error is None:
        raise Refused(f"refused: {conn.host} resolves to {', '.join(refused)}; such addresses are not "
                      "allowed for outbound requests", where, "refused")
    raise NewConnectionError(conn, f"Failed to establish a new connection: {error}")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _connect(self)


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        return _connect(self)


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the scheme's default port filled in."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return parts.scheme, (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)


class Client:
    """Outbound HTTP with the guard. One per configuration; cheap to make."""

    def __init__(self, allow: Iterable[str] = (), user_agent: str = USER_AGENT,
                 limits: Optional[Limits] = None):
        self.allow = parse_allow(allow)
        self.user_agent = user_agent
        self.limits = limits or Limits()

    def get(self, url: str, headers: Optional[dict] = None, limits: Optional[Limits] = None,
            stream_to: Optional[str] = None) -> Response:
        return self.request("GET", url, headers, limits, stream_to)

    def head(self, url: str, headers: Optional[dict] = None, limits: Optional[Limits] = None) -> Response:
        return self.request("HEAD", url, headers, limits)

    def request(self, method: str, url: str, headers: Optional[dict] = None, limits: Optional[Limits] = None,
                stream_to: Optional[str] = None) -> Response:
        limits = limits or self.limits
        guard = _Guard(self.allow, time.monotonic() + limits.deadline)
        timer = threading.Timer(limits.deadline, guard.cut)
        timer.daemon = True
        previous = getattr(_current, "guard", None)
        _current.guard = guard
        session = requests.Session()
        session.trust_env = False  # no proxies, no .netrc: the peer must be the target
        adapter = _GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        timer.start()
        try:
            return self._follow(session, guard, method, url, dict(headers or {}), limits, stream_to)
        except OutboundError:
            raise
        except Exception as e:
            if guard.expired:
                raise DeadlineExceeded(f"{url} did not finish within {limits.deadline:g} s", url, "deadline")
            raise _translate(e, url, limits) from None
        finally:
            timer.cancel()
            _current.guard = previous
            session.close()

    def _follow(self, session, guard, method, url, headers, limits, stream_to) -> Response:
        hops: list[str] = []
        first = url
        while True:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            if scheme not in ("http", "https"):
                raise Refused(f"refused: {url!r} is not an http(s) URL", url, "scheme")
            sent = {k: v for k, v in headers.items()
                    if k.lower() not in ORIGIN_BOUND or same_origin(url, first)}
            sent.setdefault("User-Agent", self.user_agent)
            left = guard.deadline_at - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(f"{first} did not finish within {limits.deadline:g} s", url, "deadline")
            resp = session.request(method, url, headers=sent, stream=True, allow_redirects=False,
                                   timeout=(min(limits.connect_timeout, left), min(limits.read_timeout, left)))
            if resp.status_code in REDIRECTS and resp.headers.get("Location"):
                resp.close()
                if len(hops) >= limits.max_redirects:
                    raise OutboundError(f"{first}: more than {limits.max_redirects} redirects", url, "redirects")
                hops.append(url)
                url = urllib.parse.urljoin(url, resp.headers["Location"])
                if resp.status_code == 303 and method != "HEAD":
                    method = "GET"
                continue
            try:
                content, size = self._body(resp, url, guard, limits, stream_to, method)
            finally:
                resp.close()
            return Response(resp.status_code, resp.headers, url, content, size, hops)

    @staticmethod
    def _body(resp, url, guard, limits, stream_to, method):
        if method == "HEAD":
            return b"", 0
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and not resp.headers.get("Content-Encoding") \
                and int(declared) > limits.max_bytes:
            raise TooLarge(f"{url} is {int(declared):,} bytes, more than the limit of {limits.max_bytes:,}",
                           url, "too_large", resp.status_code)
        size, chunks = 0, []
        out = open(stream_to, "wb") if stream_to else None
        try:
            # iter_content decodes gzip/deflate/br in bounded steps (urllib3 ≥ 2.6),
            # so the cap counts what the body becomes, not what travelled.
            for chunk in resp.iter_content(1 << 16):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise TooLarge(f"{url} is larger than the limit of {limits.max_bytes:,} bytes "
                                   "(after decompression)", url, "too_large", resp.status_code)
                if guard.expired:
                    raise DeadlineExceeded(f"{url} did not finish within {limits.deadline:g} s", url, "deadline")
                if out:
                    out.write(chunk)
                else:
                    chunks.append(chunk)
        finally:
            if out:
                out.close()
        if guard.expired:
            raise DeadlineExceeded(f"{url} did not finish within {limits.deadline:g} s", url, "deadline")
        return (None if stream_to else b"".join(chunks)), size


def _translate(e: Exception, url: str, limits: Limits) -> OutboundError:
    """requests/urllib3 exceptions as OutboundError with a reason."""
    seen, cause = set(), e
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, OutboundError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    if isinstance(e, requests.ConnectTimeout):
        return OutboundError(f"{url} did not accept a connection within {limits.connect_timeout:g} s", url, "timeout")
    if isinstance(e, requests.ReadTimeout):
        return OutboundError(f"{url} sent nothing for {limits.read_timeout:g} s", url, "timeout")
    if isinstance(e, requests.ConnectionError):
        return OutboundError(f"cannot connect to {url} ({_short(e)})", url, "connect")
    if isinstance(e, (requests.exceptions.ContentDecodingError, requests.exceptions.ChunkedEncodingError)):
        return OutboundError(f"{url} sent a broken body ({type(e).__name__})", url, "protocol")
    if isinstance(e, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                      requests.exceptions.InvalidSchema, ValueError)):
        return Refused(f"refused: {url!r} is not a usable URL ({_short(e)})", url, "scheme")
    return OutboundError(f"{url}: {type(e).__name__}: {_short(e)}", url, "protocol")


def _short(e: Exception) -> str:
    text = str(e)
    for marker in ("Failed to resolve", "Connection refused", "Name or service not known",
                   "No route to host", "Network is unreachable", "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return type(e).__name__
