"""Generate the small sample registers of harvesters/registers.yaml: one per
city, shaped like that city's published download (header, encoding,
delimiter, decimal style, CRS, value quirks) as far as public material shows
it (OpenTrees' source lists, ../shared/SOURCES.md; each entry in
registers.yaml says what is unverified). Deterministic (fixed seed).

    .venv/bin/python harvesters/samples/registers/make.py [--rows 40]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from generate import de, planted, register  # noqa: E402  (the trees the other samples draw)


def _csv(name, encoding, delimiter, header, rows):
    register(os.path.join(HERE, name), encoding, delimiter, "\r\n" if delimiter == ";" else "\n", header, rows)


def _geojson(name, features):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, indent=None)
        f.write("\n")


def _point(lon, lat, props):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}}


def frankfurt(n, rng):
    # Botanical and German name in one column ("Acer platanoides, Spitz-Ahorn"),
    # shapefile-truncated headers, decimal commas, EPSG:3044 easting/northing.
    rows = []
    for number, (name, german, year, height, circ, crown), e, no in planted(n, rng, "EPSG:25832", (8.55, 8.75), (50.05, 50.18)):
        rows.append([str(900000 + number), f'"{name}, {german}"', str(year), de(crown, 0 if rng.random() < .5 else 1),
                     de(no, 1), de(e, 3)])
    _csv("frankfurt.csv", "utf-8", ";", ["Baumnummer", "Gattung_Ar", "Pflanzjahr", "Kronendurc", "HOCHWERT", "RECHTSWERT"], rows)


def gelsenkirchen(n, rng):
    rows = []
    for number, (name, german, year, height, circ, crown), e, no in planted(n, rng, "EPSG:25832", (7.02, 7.15), (51.50, 51.60)):
        rows.append([str(40000 + number), name, "" if rng.random() < .1 else str(year), de(height), de(crown), de(e, 2), de(no, 2)])
    _csv("gelsenkirchen.csv", "utf-8", ";", ["BAUMID", "BAUMART", "PFLANZJAHR", "HOEHE", "KRONENDURCHMESSER", "X", "Y"], rows)


KOELN_GERMAN = {"Robinia pseudoacacia": "Scheinakazie"}


def koeln(n, rng):
    # German names only (DeutscherN), genus and epithet apart, trunk diameter
    # as a range STAMMVON/STAMMBIS (cm; VON 0 for one stem), height header
    # mangled to H_HE, Sorte mostly empty, whole-metre EPSG:25832 coordinates.
    rows = []
    for number, (name, german, year, height, circ, crown), e, no in planted(n, rng, "EPSG:25832", (6.88, 7.05), (50.88, 51.0)):
        genus, _, rest = name.partition(" ")
        epithet, _, cultivar = rest.partition(" ")
        diameter = round(circ / 3.14159 / 10) * 10
        rows.append([str(400 + number), str(rng.choice([6, 6, 7])), str(rng.randint(1, 9)), f"{number}{rng.choice('PABM')}",
                     f"{e:.0f}", f"{no:.0f}", "", rng.choice(["Ecke Falckensteinstr.", "Aachener Str.", "Rheinufer"]),
                     "0.0", f"{diameter:.1f}", f"{round(crown):.1f}", f"{round(height):.1f}", f"{2025 - year:.1f}",
                     genus, "" if rng.random() < .2 else epithet, cultivar.strip("'"),
                     KOELN_GERMAN.get(name, german)])
    _csv("koeln.csv", "utf-8", ",", ["PFLEGEOBJE", "Objekttyp", "Bezirk", "Baum-Nr.", "X_Koordina", "Y_Koordina", "HausNr",
                                     "Lagebezeic", "STAMMVON", "STAMMBIS", "KRONE", "H_HE", "AlterSchätzung", "Gattung", "Art",
                                     "Sorte", "DeutscherN"], rows)


def ulm(n, rng):
    # An Excel workbook, Gauss-Krüger zone 3 (EPSG:31467), numbers as numeric cells.
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = "Baumkataster"
    sheet.append(["Baumnummer", "Baumart_botanisch", "Baumart", "Baumhöhe_(aktuell)", "Kronendurchm_(aktuell)",
                  "Stammdurchm_(aktuell)", "Vitalitaetsstatus_(aktuell)", "Pflanzjahr_geschaetzt", "Standortermittlung_am",
                  "Koordinaten_X_Y", "Koordinate_Y"])
    for number, (name, german, year, height, circ, crown), r, h in planted(n, rng, "EPSG:31467", (9.93, 10.03), (48.37, 48.43)):
        sheet.append([f"U{number:04d}", name, german, round(height, 1), round(crown, 1), round(circ / 3.14159),
                      rng.choice(["vital", "leicht geschädigt", "geschädigt"]), year,
                      dt.datetime(2018, rng.randint(1, 8), rng.randint(1, 28)), round(r, 2), round(h, 2)])
    book.save(os.path.join(HERE, "ulm.xlsx"))


def wesel(n, rng):
    features = []
    for number, (name, german, year, height, circ, crown), lon, lat in planted(n, rng, "EPSG:4326", (6.58, 6.68), (51.63, 51.69)):
        features.append(_point(lon, lat, {"ID": 7000 + number, "GA_LANG": f"{name}, {german}", "KR_DURCHM": round(crown),
                                          "ST_UMFANG": circ, "BAUMHOEHE": round(height)}))
    _geojson("wesel.geojson", features)


def bonn(n, rng):
    features = []
    for number, (name, german, year, height, circ, crown), lon, lat in planted(n, rng, "EPSG:4326", (7.05, 7.17), (50.68, 50.77)):
        features.append(_point(lon, lat, {"baum_id": 210000 + number, "lateinischer_name": name, "deutscher_name": german,
                                          "alter": 2025 - year}))
    _geojson("bonn.geojson", features)


def rostock(n, rng):
    features = []
    for number, (name, german, year, height, circ, crown), lon, lat in planted(n, rng, "EPSG:4326", (12.05, 12.17), (54.06, 54.11)):
        genus = name.split()[0]
        features.append(_point(lon, lat, {
            "uuid": "%08x-%04x-4%03x-a%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                    rng.getrandbits(12), rng.getrandbits(48)),
            "gattung_botanisch": genus, "gattung_deutsch": german.split("-")[-1],
            "art_botanisch": name, "art_deutsch": german,
            "hoehe": round(height, 1), "kronendurchmesser": round(crown, 1), "stammdurchmesser": round(circ / 3.14159),
            "allebaum": rng.random() < .3}))
    _geojson("rostock.geojson", features)


def konstanz(n, rng):
    features = []
    for number, (name, german, year, height, circ, crown), lon, lat in planted(n, rng, "EPSG:4326", (9.13, 9.20), (47.65, 47.70)):
        features.append(_point(lon, lat, {"OBJECTID": number, "baumId": 30000 + number, "Name_lat": name, "Name_dt": german,
                                          "hoeheM": round(height, 1), "kronendurchmesserM": round(crown, 1),
                                          "stammumfangCM": circ}))
    _geojson("konstanz.geojson", features)


def karlsruhe(n, rng):
    features = []
    for number, (name, german, *_), lon, lat in planted(n, rng, "EPSG:4326", (8.33, 8.47), (48.98, 49.04)):
        features.append(_point(lon, lat, {"OBJECTID": 150000 + number, "ARTDEUT": german, "ARTLAT": name}))
    _geojson("karlsruhe.geojson", features)


def chemnitz(n, rng):
    # "Acer platanoides, Spitz-Ahorn" in BaumArt; PflanzDatu is an ArcGIS date
    # field: milliseconds since 1970 in GeoJSON.
    features = []
    for number, (name, german, year, *_), lon, lat in planted(n, rng, "EPSG:4326", (12.85, 13.0), (50.78, 50.87)):
        planted_ms = int(dt.datetime(year, 4, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)
        features.append(_point(lon, lat, {"OBJECTID": number, "BaumNummer": f"{rng.randint(1, 999)}-{number}",
                                          "BaumArt": f"{name}, {german}", "PflanzDatu": planted_ms}))
    _geojson("chemnitz.geojson", features)


CITIES = [frankfurt, gelsenkirchen, koeln, ulm, wesel, bonn, rostock, konstanz, karlsruhe, chemnitz]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    args = parser.parse_args()
    for city in CITIES:
        city(args.rows, random.Random(city.__name__))


if __name__ == "__main__":
    main()
