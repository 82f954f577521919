"""Generate the GIS sample layers served by the test MapServer (EPSG:25832).

    python harvesters/samples/gis/generate.py

Shaped like a city's GIS: districts (polygons), playgrounds and bus stops
(points), cycle routes (lines), green spaces (polygons, three of them with
broken geometry as digitised data has: a bow tie, a self-touching ring, a
spike), and an internal layer the harvester must leave out. Coordinates in
EPSG:25832 around Jena (E 676,000–688,000, N 5,637,000–5,651,000);
GeoJSON files with the old-style "crs" member so that MapServer/OGR know it.
"""
from __future__ import annotations

import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
DISTRICTS = ["Zentrum", "Nord", "West", "Ost", "Süd", "Wenigenjena", "Löbstedt", "Zwätzen",
             "Kunitz", "Lobeda-West", "Lobeda-Ost", "Winzerla", "Göschwitz", "Burgau",
             "Ammerbach", "Lichtenhain", "Wöllnitz", "Drackendorf", "Cospeda", "Closewitz"]
STREETS = ["Löbdergraben", "Holzmarkt", "Paradiesbahnhof", "Stadtzentrum", "Ernst-Abbe-Platz",
           "Westbahnhof", "Magdelstieg", "Nordplatz", "Zwätzen Kirche", "Burgaupark",
           "Lobeda-West Zentrum", "Göschwitz Bahnhof", "Winzerla Anger", "Carl-Zeiss-Platz",
           "Teichgraben", "Universitätsklinikum", "Ziegenhainer Straße", "Mühlenstraße"]
W, S, E, N = 676_000, 5_637_000, 688_000, 5_651_000


def _write(name: str, features: list[dict]) -> None:
    with open(os.path.join(HERE, f"{name}.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "name": name, "crs": CRS, "features": features},
                  f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def _ring(cx: float, cy: float, r: float, n: int, rng: random.Random) -> list[list[float]]:
    pts = [[round(cx + r * rng.uniform(0.7, 1.0) * math.cos(2 * math.pi * k / n), 2),
            round(cy + r * rng.uniform(0.7, 1.0) * math.sin(2 * math.pi * k / n), 2)] for k in range(n)]
    return pts + [pts[0]]


def districts() -> list[dict]:
    out, cols = [], 5
    w, h = (E - W) / cols, (N - S) / 4
    for i, name in enumerate(DISTRICTS):
        x0, y0 = W + (i % cols) * w, S + (i // cols) * h
        ring = [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]]
        out.append({"type": "Feature", "id": i + 1, "properties": {
            "nummer": i + 1, "name": name, "flaeche_ha": round(w * h / 10_000, 1),
            "einwohner": 1500 + (i * 2713) % 14000},
            "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return out


def points(kind: str, count: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(count):
        x, y = round(rng.uniform(W + 500, E - 500), 2), round(rng.uniform(S + 500, N - 500), 2)
        if kind == "spielplaetze":
            props = {"nummer": i + 1, "name": f"Spielplatz {rng.choice(STREETS)} {i + 1}",
                     "spielgeraete": rng.randint(2, 14),
                     "altersgruppe": rng.choice(["0-6 Jahre", "6-12 Jahre", "alle", "12-16 Jahre"]),
                     "baujahr": rng.randint(1975, 2025)}
        else:
            props = {"nummer": i + 1, "name": f"{rng.choice(STREETS)}" + ("" if i < len(STREETS) else f" {i}"),
                     "linien": ",".join(sorted(rng.sample(["1", "2", "3", "4", "5", "10", "12", "13", "15", "16"], 2))),
                     "barrierefrei": rng.choice(["ja", "nein", "teilweise"])}
        out.append({"type": "Feature", "id": i + 1, "properties": props,
                    "geometry": {"type": "Point", "coordinates": [x, y]}})
    return out


def routes(rng: random.Random) -> list[dict]:
    out = []
    for i in range(40):
        x, y = rng.uniform(W + 1000, E - 1000), rng.uniform(S + 1000, N - 1000)
        line = []
        for _ in range(rng.randint(3, 12)):
            line.append([round(x, 2), round(y, 2)])
            x += rng.uniform(-400, 400)
            y += rng.uniform(-400, 400)
        length = sum(math.dist(a, b) for a, b in zip(line, line[1:]))
        out.append({"type": "Feature", "id": i + 1, "properties": {
            "nummer": i + 1, "name": f"Radroute {i + 1}", "belag": rng.choice(["Asphalt", "Pflaster", "wassergebunden"]),
            "laenge_m": round(length, 1)}, "geometry": {"type": "LineString", "coordinates": line}})
    return out


def green(rng: random.Random) -> list[dict]:
    out = []
    for i in range(30):
        cx, cy = rng.uniform(W + 800, E - 800), rng.uniform(S + 800, N - 800)
        ring = _ring(cx, cy, rng.uniform(60, 300), rng.randint(5, 10), rng)
        if i == 3:  # bow tie: the ring crosses itself
            ring = [[cx - 100, cy - 100], [cx + 100, cy + 100], [cx + 100, cy - 100], [cx - 100, cy + 100], [cx - 100, cy - 100]]
        elif i == 11:  # the ring touches itself in a point
            ring = [[cx, cy], [cx + 200, cy], [cx + 200, cy + 200], [cx + 100, cy], [cx, cy + 200], [cx, cy]]
        elif i == 19:  # a spike: a zero-width tail
            ring = [[cx, cy], [cx + 150, cy], [cx + 150, cy + 150], [cx + 150, cy + 400], [cx + 150, cy + 150], [cx, cy + 150], [cx, cy]]
        out.append({"type": "Feature", "id": i + 1, "properties": {
            "nummer": i + 1, "name": f"Grünanlage {i + 1}", "art": rng.choice(["Park", "Friedhof", "Kleingarten", "Wiese"])},
            "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return out


def main() -> None:
    rng = random.Random(7750)  # Jena's postcode prefix: the samples are reproducible
    _write("stadtteile", districts())
    _write("spielplaetze", points("spielplaetze", 120, rng))
    _write("haltestellen", points("haltestellen", 300, rng))
    _write("radwege", routes(rng))
    _write("gruenflaechen", green(rng))
    _write("intern_leitungen", routes(rng)[:5])


if __name__ == "__main__":
    main()
