"""Generate the sample tree registers the tests and the demo harvest use.

Shaped like the real sources (see shared SOURCES.md): Jena's CSV with
semicolons, decimal commas, Windows-1252, EPSG:3044 coordinates, empty
strings for unknown and the odd height range "10-15"; a Leipzig-shaped CSV
in EPSG:25833 with trunk diameters. Deterministic (fixed seed).

    .venv/bin/python harvesters/samples/generate.py [--jena 3000] [--out DIR]
"""
from __future__ import annotations

import argparse
import itertools
import os
import random

from pyproj import Transformer

# Real genus/species of German street trees with their German names and shares.
SPECIES = [
    ("Tilia cordata", "Winter-Linde", 14), ("Tilia platyphyllos", "Sommer-Linde", 6),
    ("Tilia x euchlora", "Krim-Linde", 5), ("Acer platanoides", "Spitz-Ahorn", 12),
    ("Acer pseudoplatanus", "Berg-Ahorn", 8), ("Acer campestre 'Elsrijk'", "Feld-Ahorn", 5),
    ("Quercus robur", "Stiel-Eiche", 6), ("Aesculus hippocastanum", "Gewöhnliche Rosskastanie", 6),
    ("Platanus x hispanica", "Ahornblättrige Platane", 5), ("Betula pendula", "Hänge-Birke", 5),
    ("Fraxinus excelsior", "Gemeine Esche", 4), ("Carpinus betulus 'Fastigiata'", "Säulen-Hainbuche", 6),
    ("Robinia pseudoacacia", "Robinie", 4), ("Sorbus aucuparia", "Eberesche", 3),
    ("Prunus avium", "Vogel-Kirsche", 3), ("Pyrus calleryana 'Chanticleer'", "Chinesische Wildbirne", 4),
    ("Fagus sylvatica", "Rotbuche", 2), ("Ginkgo biloba", "Ginkgo", 2),
]
JENA_DISTRICTS = ["Zentrum", "Nord", "West", "Ost", "Lobeda", "Winzerla", "Göschwitz", "Wenigenjena",
                  "Jena-Süd", "Zwätzen", "Löbstedt", "Burgau"]
LEIPZIG_DISTRICTS = ["Zentrum", "Südvorstadt", "Connewitz", "Plagwitz", "Gohlis-Süd", "Reudnitz-Thonberg"]


def tree(rng: random.Random):
    name, german, _ = rng.choices(SPECIES, weights=[s[2] for s in SPECIES])[0]
    age = max(2, int(rng.gammavariate(2.2, 18)))
    year = min(2024, 2025 - age)
    height = min(38.0, 2 + age * rng.uniform(0.25, 0.45))
    circumference = min(560, int(age * rng.uniform(3.0, 5.5)))
    crown = min(22.0, height * rng.uniform(0.35, 0.7))
    return name, german, year, height, circumference, crown


def planted(count: int, rng: random.Random, crs: str, lon: tuple[float, float], lat: tuple[float, float]):
    """(number, tree, x, y) for trees 1..count: what tree() says and where it
    stands in `crs`. Lazy, so the caller's own draws for a tree come before the next one's."""
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    for number in range(1, count + 1):
        data = tree(rng)
        x, y = to_crs.transform(rng.uniform(*lon), rng.uniform(*lat))
        yield number, data, x, y


def de(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


JENA_HEADER = ["baumnummer", "ga_lang", "ga_lang_deutsch", "pflanzjahr", "baumhoehe", "st_umfang", "kr_durchm",
               "vitalitaet", "ortsteil", "rechtswert", "hochwert"]
LEIPZIG_HEADER = ["baumnummer", "gattung", "ga_lang_wiss", "ga_lang_deutsch", "pflanzjahr", "baumhoehe",
                  "kr_durchm", "st_durchm", "ot", "x", "y"]


def register(path: str, encoding: str, delimiter: str, line_end: str, header: list[str], rows) -> None:
    """A register as its city writes it: no quoting but what a row's cells bring."""
    with open(path, "w", encoding=encoding, newline="") as f:
        for row in itertools.chain([header], rows):  # streamed: the bench writes a million
            f.write(delimiter.join(row) + line_end)


def jena_rows(count: int, rng: random.Random):
    for number, (name, german, year, height, circ, crown), east, north in planted(
            count, rng, "EPSG:3044", (11.52, 11.66), (50.87, 50.98)):
        height_text = de(height)
        if rng.random() < 0.01:
            low = int(height // 5 * 5)
            height_text = f"{low}-{low + 5}"
        yield [str(10000 + number), name, german,
               "" if rng.random() < 0.08 else str(year), height_text,
               "" if rng.random() < 0.03 else str(circ), de(crown),
               rng.choice(["vital", "leicht geschädigt", "geschädigt", "stark geschädigt"]),
               rng.choice(JENA_DISTRICTS), de(east, 2), de(north, 2)]


def leipzig_rows(count: int, rng: random.Random):
    for number, (name, german, year, height, circ, crown), x, y in planted(
            count, rng, "EPSG:25833", (12.30, 12.45), (51.30, 51.37)):
        yield [f"L-{number:05d}", name.split()[0], f'"{name}"', german, str(year),
               f"{height:.1f}", f"{crown:.1f}", f"{circ / 3.14159:.0f}",
               rng.choice(LEIPZIG_DISTRICTS), f"{x:.2f}", f"{y:.2f}"]


def jena(path: str, count: int, rng: random.Random) -> None:
    register(path, "cp1252", ";", "\r\n", JENA_HEADER, jena_rows(count, rng))


def leipzig(path: str, count: int, rng: random.Random) -> None:
    register(path, "utf-8", ",", "\n", LEIPZIG_HEADER, leipzig_rows(count, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jena", type=int, default=3000)
    parser.add_argument("--leipzig", type=int, default=200)
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    rng = random.Random(16053)
    jena(os.path.join(args.out, "jena_baumkataster.csv"), args.jena, rng)
    leipzig(os.path.join(args.out, "leipzig_baeume.csv"), args.leipzig, rng)


if __name__ == "__main__":
    main()
