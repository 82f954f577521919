"""Generate a Mängelmelder for Jena as an Open311 GeoReport v2 server
answers (the bundled sample, the tests' and the bench's server).

    python harvesters/samples/open311/generate.py

services.json and requests.json shaped like Mark-a-Spot's JSON, with what
real servers send: ids as strings and as numbers, lat/long as numbers and as
strings, times with an offset, with Z and milliseconds or without a zone,
"Closed" in capitals, a report without a position as 0/0 (Mark-a-Spot) or
without lat/long (address only), one outside the city; and what citizens
write (descriptions naming people and licence plates, photo URLs,
addresses), which the harvester must not publish. Positions in the
districts of the GIS sample (harvesters/samples/gis/stadtteile.geojson).

`answer()` is a server's GET requests: start_date/end_date, the cap
(1,000), newest first, optionally `page`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import urllib.parse
from typing import Optional
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

HERE = os.path.dirname(os.path.abspath(__file__))
BERLIN = ZoneInfo("Europe/Berlin")
END = dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc)
# code, name, group, share of reports, median days to close
SERVICES = [
    ("STR", "Straßenschaden", "Straße und Verkehr", 0.22, 9.0),
    ("BEL", "Straßenbeleuchtung defekt", "Straße und Verkehr", 0.18, 4.0),
    ("MUE", "Illegale Müllablagerung", "Sauberkeit", 0.2, 2.0),
    ("GRA", "Graffiti", "Sauberkeit", 0.08, 14.0),
    ("GRN", "Grünanlagen und Spielplätze", "Grün", 0.12, 7.0),
    ("BAU", "Baum und Grünschnitt", "Grün", 0.08, 12.0),
    ("AMP", "Ampel gestört", "Straße und Verkehr", 0.05, 1.0),
    ("GUL", "Gully verstopft", "Wasser", 0.07, 5.0),
]
AGENCIES = {"Straße und Verkehr": "Fachdienst Mobilität", "Sauberkeit": "Kommunalservice Jena",
            "Grün": "Kommunalservice Jena", "Wasser": "Stadtwerke Jena"}
STREETS = ["Löbdergraben", "Holzmarkt", "Johannisstraße", "Westbahnhofstraße", "Magdelstieg", "Dornburger Straße",
           "Karl-Liebknecht-Straße", "Kahlaische Straße", "Erlanger Allee", "Camburger Straße"]
NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer"]
# EPSG:25832 extent of the sample districts (harvesters/samples/gis/generate.py)
W, S, E, N = 676_000, 5_637_000, 688_000, 5_651_000


def services() -> list[dict]:
    return [{"service_code": code, "service_name": name, "description": f"Meldungen zu: {name}", "metadata": False,
             "type": "realtime", "keywords": group.lower().replace(" und ", ", "), "group": group}
            for code, name, group, _, _ in SERVICES]


def _positions(count: int, rng: random.Random) -> list[tuple[float, float]]:
    from pyproj import Transformer
    to_wgs84 = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    xs = [rng.uniform(W + 50, E - 50) for _ in range(count)]
    ys = [rng.uniform(S + 50, N - 50) for _ in range(count)]
    lon, lat = to_wgs84.transform(xs, ys)
    return list(zip(lon, lat))


def _time(when: dt.datetime, style: int) -> str:
    if style == 0:
        return when.astimezone(BERLIN).isoformat(timespec="seconds")           # 2026-03-01T10:15:00+01:00
    if style == 1:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"  # …09:15:00.123Z
    return when.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M:%S")               # local, no zone


def requests(count: int = 1000, end: dt.datetime = END, days: int = 365, seed: int = 311,
             quirks: bool = True) -> list[dict]:
    """`count` reports spread over `days` before `end`, newest last."""
    rng = random.Random(seed)
    weights = [s[3] for s in SERVICES]
    positions = _positions(count, rng)
    now = end
    out = []
    for i in range(count):
        code, name, group, _, median = rng.choices(SERVICES, weights)[0]
        requested = end - dt.timedelta(seconds=rng.randint(0, days * 86400))
        requested = requested.replace(microsecond=rng.randint(0, 999) * 1000)
        duration = dt.timedelta(days=median * rng.lognormvariate(0, 0.8))
        closed = requested + duration < now and rng.random() < 0.95
        updated = requested + duration if closed else requested + dt.timedelta(hours=rng.randint(1, 48))
        updated = min(updated, now)
        lon, lat = positions[i]
        street = rng.choice(STREETS)
        number = rng.randint(1, 80)
        style = rng.randrange(3) if quirks else 0
        record = {
            "service_request_id": str(20000 + i) if not quirks or i % 7 else 20000 + i,
            "status": ("Closed" if quirks and i % 11 == 0 else "closed") if closed else "open",
            "status_notes": f"Erledigt durch Kolonne 3, Ansprechpartner Herr {rng.choice(NAMES)}" if closed else "",
            "service_name": name, "service_code": code,
            "description": (f"Vor {street} {number} seit Tagen. Das Auto J-{chr(65 + i % 26)}B {100 + i % 900} "
                            f"parkt immer da, Nachbarin Frau {rng.choice(NAMES)} hat es auch gesehen."),
            "agency_responsible": AGENCIES[group], "service_notice": "",
            "requested_datetime": _time(requested, style),
            "updated_datetime": _time(updated, style),
            "expected_datetime": _time(requested + dt.timedelta(days=median * 2), style),
            "address": f"{street} {number}, 07743 Jena", "address_id": f"A{number:04d}", "zipcode": "07743",
            "lat": round(lat, 6), "long": round(lon, 6),
            "media_url": f"https://maengelmelder.jena.example/media/{20000 + i}.jpg" if i % 3 == 0 else "",
        }
        if quirks:
            if i % 5 == 0:
                record["lat"], record["long"] = str(record["lat"]), str(record["long"])
            if i % 97 == 0:
                record["lat"], record["long"] = 0, 0          # Mark-a-Spot: no position
            elif i % 89 == 0:
                del record["lat"], record["long"]              # address only
            elif i % 211 == 0:
                record["lat"], record["long"] = 50.98, 11.33  # Weimar: outside the districts
        out.append(record)
    out.sort(key=lambda r: _utc(r["requested_datetime"]))
    return out


def _utc(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return (value if value.tzinfo else value.replace(tzinfo=BERLIN)).astimezone(dt.timezone.utc)


def answer(records: list[dict], query: str, cap: int = 1000, paging: bool = False,
           page_size: Optional[int] = None) -> list[dict]:
    """What a GeoReport v2 server answers to GET requests?QUERY: the
    requests between start_date and end_date (inclusive; default the last
    90 days), newest first, at most `cap` (or pages of `page_size`)."""
    params = dict(urllib.parse.parse_qsl(query))
    if "service_request_id" in params:
        wanted = set(params["service_request_id"].split(","))
        return [r for r in records if str(r["service_request_id"]) in wanted]
    end = _utc(params["end_date"]) if "end_date" in params else END
    start = _utc(params["start_date"]) if "start_date" in params else end - dt.timedelta(days=90)
    found = [r for r in records if start <= _utc(r["requested_datetime"]) <= end]
    found.sort(key=lambda r: _utc(r["requested_datetime"]), reverse=True)
    if paging and "page" in params:
        size = page_size or cap
        page = int(params["page"])
        return found[(page - 1) * size:page * size]
    return found[:cap]


def to_xml(items: list[dict], what: str = "requests") -> bytes:
    """The same list as GeoReport v2 XML."""
    root, item = ("service_requests", "request") if what == "requests" else ("services", "service")
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f"<{root}>"]
    for record in items:
        lines.append(f"<{item}>" + "".join(
            f"<{k}>{escape(str(v).lower() if isinstance(v, bool) else str(v))}</{k}>" for k, v in record.items())
            + f"</{item}>")
    lines.append(f"</{root}>")
    return "\n".join(lines).encode("utf-8")


def main() -> None:
    for name, data in (("services.json", services()), ("requests.json", requests())):
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:  # one item a line: small diffs
            f.write("[\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in data) + "\n]\n")


if __name__ == "__main__":
    main()
