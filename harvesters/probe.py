"""`jena-harvest probe URL|FILE`: read a tree register and propose its
crosswalk entry for sources.yaml, with what the probe is unsure of.

A steward edits and commits the entry; the probe only reads. It guesses
from the file itself: encoding, delimiter and decimal style from the bytes,
the CRS from the file's metadata where there is some (a GeoJSON `crs`
member, a .prj beside a file) and otherwise from the coordinates' value
ranges, and each of our fields from a column's heading (German and English)
and its values (botanical binomials, years and dates, lengths in m or cm).
Keys as the tree_register kind reads them (harvesters/kinds/tree_register.py).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
import statistics
from dataclasses import dataclass, field
from typing import Iterable, Optional

import yaml

from etl.numbers import parse_measure, parse_year

from .fetch import SourceError, download

SAMPLE_ROWS = 5000           # enough to judge a column; a register can have a million
DELIMITERS = (";", ",", "\t", "|")

# Value ranges that tell coordinate systems apart (Germany and a margin).
LON, LAT = (5.5, 15.5), (47.0, 55.5)
EASTING, NORTHING = (250_000, 950_000), (5_200_000, 6_150_000)
GK_RIGHT = (2_250_000, 5_800_000)            # Gauss-Krüger: the zone is the first digit
ZONE_PREFIXED = {32: "EPSG:4647", 33: "EPSG:5650"}  # ETRS89 / UTM with the zone before the easting
GK_EPSG = {2: "EPSG:31466", 3: "EPSG:31467", 4: "EPSG:31468", 5: "EPSG:31469"}

_BINOMIAL = re.compile(r"^[A-Z][a-z]+(?: (?:x|×))? [a-z][a-z-]+(?:\s.*)?$")
_GERMAN = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:[- ][A-ZÄÖÜa-zäöüß][a-zäöüß]+)*$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_UNIT_CELL = re.compile(r"^[\d.,\s–-]+(?:bis\s*[\d.,]+\s*)?(mm|cm|dm|m)\.?$", re.IGNORECASE)
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_POINT_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_DATE = re.compile(r"^(?:\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?)$")
# "50.93, 11.59": decimal points on both sides (684394,20 is one number with a decimal comma)
_LATLON = re.compile(r"^\s*(-?\d+\.\d+)\s*[,;]\s*(-?\d+\.\d+)\s*$")
_WKT = re.compile(r"^\s*POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.IGNORECASE)

# Headings per field, on the normalised heading (lower case, umlauts as ae/oe/ue,
# other signs as "_"). Content checks come on top; these only propose.
HEADINGS = {
    "source_id": r"^(baum_?(nr|nummer|id)|baumnummer|baumid|gisid|uuid|id|objectid|fid|kennzeich\w*|baum_nr_?)$|"
                 r"baum_?nr|baumnummer",
    "botanical_name": r"botan|wiss|latein|^ga_lang$|(^|_)lat$|artlat|scientific|art_bot|name_lat|_la$",
    "german_name": r"deutsch|dtsch|(^|_)dt$|deut|german|common|^baumart$|^art$",
    "cultivar": r"sorte|cultivar|variet",
    "planting_year": r"pflanz|planted|plant_?(year|date)",
    "height_m": r"hoehe|^h_?he$|height|^hhe$",
    "crown_diameter_m": r"kron|crown|kr_durchm",
    "trunk_circumference_cm": r"umfang|umfg|circumf|st_umf",
    "trunk_diameter_cm": r"stamm_?durchm|st_durchm|stammdurchm|dbh|diamet|^stamm_?(von|bis)$",
    "vitality": r"vital|zustand|condition|health",
    "district": r"^(ot|ortsteil|stadtteil|bezirk|stadtbezirk|district|quartier|gemarkung)$|ortsteil|stadtteil",
    "felling_date": r"gefaellt|faell|felled|felling",
    "status": r"^(status|bestand_?status|baumstatus|zustand_?art)$",
    "x": r"^(x|rechts?wert|easting|east|lon|lng|longitude|laenge)$|x_?koord|koordinaten?_x|rechtswert|^x_",
    "y": r"^(y|hoch_?wert|northing|north|lat|latitude|breite)$|y_?koord|koordinaten?_y|hochwert|^y_",
}
NUMERIC_FIELDS = ("height_m", "crown_diameter_m", "trunk_circumference_cm", "trunk_diameter_cm")
# Plausible medians per length field in its own unit (m, m, cm, cm): outside, the other unit.
PLAUSIBLE = {"height_m": (1, 45), "crown_diameter_m": (0.5, 30), "trunk_circumference_cm": (10, 700),
             "trunk_diameter_cm": (3, 250)}


def normalise(heading: str) -> str:
    text = heading.strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", text)).strip("_")


@dataclass
class Column:
    """What the probe saw in one column (its filled values as text)."""
    name: str
    values: list[str]

    def __post_init__(self):
        self.heading = normalise(self.name)
        self.filled = [v.strip() for v in self.values if v is not None and v.strip() != ""]
        numbers = [parse_measure(v, "m") for v in self.filled if _NUMBER.match(v) or _UNIT_CELL.match(v)]
        self.numbers = [n for n in numbers if n is not None]

    def share(self, test) -> float:
        return sum(1 for v in self.filled if test(v)) / len(self.filled) if self.filled else 0.0

    @property
    def numeric(self) -> float:
        return len(self.numbers) / len(self.filled) if self.filled else 0.0

    def within(self, low: float, high: float) -> float:
        return sum(1 for n in self.numbers if low <= n <= high) / len(self.filled) if self.filled else 0.0

    def heading_is(self, field: str) -> bool:
        return bool(re.search(HEADINGS[field], self.heading))


@dataclass
class Proposal:
    name: str
    entry: dict
    notes: list[str] = field(default_factory=list)     # what was found
    unsure: list[str] = field(default_factory=list)    # what a steward must check
    unmapped: list[str] = field(default_factory=list)  # columns no field took

    def render(self) -> str:
        """The entry as YAML under its name, the report as comments above it."""
        lines = [f"# jena-harvest probe: proposed entry for sources.yaml (under trees:)"]
        lines += [f"# {n}" for n in self.notes]
        lines += [f"# UNSURE: {u}" for u in self.unsure]
        if self.unmapped:
            lines.append(f"# not mapped: {', '.join(self.unmapped)}")
        body = yaml.safe_dump({self.name: self.entry}, allow_unicode=True, sort_keys=False, width=120)
        return "\n".join(lines) + "\n" + body


# --- reading -----------------------------------------------------------------

def _read(target: str, config: Optional[dict]) -> tuple[bytes, str]:
    """(bytes, url-or-path). A URL through the guarded client, like a harvest."""
    if re.match(r"^https?://", target):
        return download("probe", target, "data", config=config, timeout=60, attempts=2), target
    with open(target, "rb") as f:
        return f.read(), target


def _format(data: bytes, target: str) -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    head = data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") or target.lower().endswith((".geojson", ".json")):
        return "geojson"
    return "csv"


def _encoding(data: bytes) -> str:
    """UTF-8 if all of the file is (checked in slices: a copy as text would be
    twice the file), else Windows-1252 (ISO-8859-1 reads German letters the same)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start:start + (1 << 20)])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _head(data: bytes, size: int = 8 << 20) -> bytes:
    """The file's first lines, up to `size` bytes (more than SAMPLE_ROWS rows of any register)."""
    if len(data) <= size:
        return data
    return data[:data.rfind(b"\n", 0, size) + 1]


def _delimiter(text: str) -> str:
    """The candidate that splits the first lines into the same number (> 1) of fields."""
    lines = text[:200_000].splitlines()[:50]  # a register can be 130 MB: only its head
    best, score = ",", (0.0, 0)
    for d in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=d, quotechar='"') if r]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        candidate = (widths.count(mode) / len(widths) if mode > 1 else 0.0, mode)
        if candidate > score:
            best, score = d, candidate
    return best


def _cell(value) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _table_csv(text: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, quotechar='"')
    header = next(reader)
    rows = [row for _, row in zip(range(SAMPLE_ROWS), reader)]
    return header, rows


def _table_xlsx(data: bytes) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_cell(v) or "" for v in next(rows)]
    return header, [[_cell(v) for v in row] for _, row in zip(range(SAMPLE_ROWS), rows)]


def _first_position(geometry: Optional[dict]) -> Optional[tuple[float, float]]:
    coords = (geometry or {}).get("coordinates")
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]  # MultiPoint and others: the first position
    if isinstance(coords, list) and len(coords) >= 2:
        return float(coords[0]), float(coords[1])
    return None


def _table_geojson(data: bytes) -> tuple[list[str], list[list[str]], list[tuple[float, float]], Optional[str]]:
    doc = json.loads(data.decode("utf-8-sig"))
    features = doc.get("features") or []
    header: list[str] = []
    for f in features[:SAMPLE_ROWS]:
        for key in (f.get("properties") or {}):
            if key not in header:
                header.append(key)
    rows = [[_cell((f.get("properties") or {}).get(k)) for k in header] for f in features[:SAMPLE_ROWS]]
    positions = [p for p in (_first_position(f.get("geometry")) for f in features[:SAMPLE_ROWS]) if p]
    crs = ((doc.get("crs") or {}).get("properties") or {}).get("name")
    return header, rows, positions, crs


def _crs_from_name(name: str) -> Optional[str]:
    """EPSG code from a GeoJSON crs name or a .prj's text (via pyproj)."""
    m = re.search(r"EPSG:+(\d+)", name)
    if m:
        return f"EPSG:{m.group(1)}"
    if "CRS84" in name:
        return "EPSG:4326"
    try:
        from pyproj import CRS
        found = CRS.from_user_input(name).to_epsg(min_confidence=60)
        return f"EPSG:{found}" if found else None
    except Exception:
        return None


# --- coordinates -------------------------------------------------------------

def _range_kind(values: list[float]) -> Optional[str]:
    if not values:
        return None
    inside = lambda r: sum(1 for v in values if r[0] <= v <= r[1]) / len(values) >= 0.95  # noqa: E731
    if inside(LON) and not inside(LAT):
        return "lon"
    if inside(LAT):
        return "lat"
    if inside(EASTING):
        return "easting"
    if inside(NORTHING):
        return "northing"
    if all(32_000_000 < v < 34_000_000 for v in values):
        return "zone_easting"
    if inside(GK_RIGHT):
        return "gk_right"
    return None


def _crs_of(xkind: str, xs: list[float], near: Optional[tuple[float, float]], unsure: list[str]) -> tuple[str, str]:
    """(CRS, how it was found) for x values of a kind (northings/latitudes are alike)."""
    if xkind == "lon":
        return "EPSG:4326", "longitude and latitude (WGS 84)"
    if xkind == "zone_easting":
        zone = int(statistics.median(xs) // 1_000_000)
        return ZONE_PREFIXED.get(zone, f"EPSG:{zone}"), f"UTM zone {zone} with the zone before the easting"
    if xkind == "gk_right":
        zone = int(statistics.median(xs) // 1_000_000)
        if zone >= 4:
            unsure.append(f"Gauss-Krüger zone {zone}: DHDN ({GK_EPSG.get(zone)}) assumed; registers of the "
                          f"former GDR may use Pulkovo 42/83 (e.g. EPSG:{2164 + zone}), some 100 m apart")
        return GK_EPSG.get(zone, f"EPSG:3146{zone + 4}"), f"Gauss-Krüger zone {zone} (first digit of the right value)"
    # Plain UTM eastings: above 500 km only zone 32 stays in Germany; below, zone 32
    # (west of 9° E) and zone 33 (east of 12° E) both do.
    if statistics.median(xs) >= 500_000:
        return "EPSG:25832", "UTM zone 32 (easting above 500 km: zone 33 would lie east of Germany)"
    if near is not None:
        zone = 33 if near[0] >= 12.0 else 32
        return f"EPSG:258{zone}", f"UTM zone {zone} (from the place given with --near)"
    unsure.append("UTM zone: eastings below 500 km fit zone 32 (west of 9° E) and zone 33 (east of 12° E); "
                  "zone 32 assumed: for a city east of 12° E use EPSG:25833 (or probe again with --near LON,LAT)")
    return "EPSG:25832", "UTM zone 32 assumed (see UNSURE)"


def _extent(crs: str, xs: list[float], ys: list[float]) -> Optional[list[float]]:
    from etl.reproject import to_lonlat
    import numpy as np
    lon, lat = to_lonlat(crs, np.array(xs, dtype=float), np.array(ys, dtype=float))
    ok = ~(np.isnan(lon) | np.isnan(lat))
    if not ok.any():
        return None
    pad = 0.02
    out = [float(np.floor((lon[ok].min() - pad) * 100) / 100), float(np.floor((lat[ok].min() - pad) * 100) / 100),
           float(np.ceil((lon[ok].max() + pad) * 100) / 100), float(np.ceil((lat[ok].max() + pad) * 100) / 100)]
    return [round(v, 2) for v in out]


# --- matching columns --------------------------------------------------------

def _names_share(column: Column) -> dict[str, float]:
    def combined(v):
        a, sep, b = v.partition(",")
        return bool(sep) and ((bool(_BINOMIAL.match(a.strip())) and bool(_GERMAN.match(b.strip())))
                              or (bool(_GERMAN.match(a.strip())) and bool(_BINOMIAL.match(b.strip()))))
    return {"botanical": column.share(lambda v: bool(_BINOMIAL.match(v)) and "," not in v),
            "german": column.share(lambda v: bool(_GERMAN.match(v)) and not _BINOMIAL.match(v)),
            "combined": column.share(combined),
            "botanical_first": column.share(lambda v: bool(_BINOMIAL.match(v.partition(",")[0].strip())))}


def _pick(candidates: Iterable[Column], taken: set) -> Optional[Column]:
    for c in candidates:
        if c.name not in taken:
            return c
    return None


def match(columns: list[Column], positions: bool, near, entry: dict, notes: list, unsure: list) -> dict:
    """Our field -> source column, plus the entry's keys the columns imply."""
    out: dict[str, str] = {}
    taken: set = set()

    def take(field_name, column):
        if column is not None:
            out[field_name] = column.name
            taken.add(column.name)

    textual = [c for c in columns if c.filled and c.numeric < 0.5]
    shares = {c.name: _names_share(c) for c in textual}
    # Names: a column both botanical and German, else a botanical one and a German one.
    combined = [c for c in textual if shares[c.name]["combined"] >= 0.6]
    if combined:
        c = combined[0]
        take("botanical_name", c)
        out["german_name"] = c.name
        entry["name_separator"] = ","
        entry["name_order"] = "botanical_german" if shares[c.name]["botanical_first"] >= 0.5 else "german_botanical"
    else:
        botanical = sorted((c for c in textual if shares[c.name]["botanical"] >= 0.5),
                           key=lambda c: (-c.heading_is("botanical_name"), -shares[c.name]["botanical"]))
        take("botanical_name", _pick(botanical, taken))
        # A genus column (Gattung: "Acer", "Ahorn") is no German species name.
        german = sorted((c for c in textual if shares[c.name]["german"] >= 0.6 and c.heading_is("german_name")
                         and "gattung" not in c.heading and c.name not in taken),
                        key=lambda c: (-shares[c.name]["german"], len(c.heading)))
        take("german_name", _pick(german, taken))
        if "german_name" in out and "botanical_name" not in out:
            notes.append(f"German names only ({out['german_name']}): the botanical ones come from the shipped lookup")

    by_heading = lambda f: [c for c in columns if c.filled and c.name not in taken and c.heading_is(f)]  # noqa: E731
    take("cultivar", _pick((c for c in by_heading("cultivar") if c.numeric < 0.5), taken))
    for c in [c for c in columns if c.name not in taken and c.heading_is("cultivar") and not c.filled]:
        take("cultivar", c)  # an empty cultivar column is still the register's cultivar column
        break

    # Planting: years or dates, by heading.
    for c in by_heading("planting_year"):
        years = c.share(lambda v: parse_year(v) is not None)
        if years >= 0.8:
            take("planting_year", c)
            if c.share(lambda v: bool(_DATE.match(v))) > 0.2:
                notes.append(f"{c.name}: planting dates; the year is taken")
            break
        unsure.append(f"{c.name} looks like the planting column but only {years:.0%} of its values read as years")
    for c in by_heading("felling_date"):
        if c.share(lambda v: bool(_DATE.match(v))) >= 0.8:
            take("felling_date", c)
            break

    # A status column: its values must be sorted into felled/planned/replaced by hand.
    for c in by_heading("status"):
        if c.numeric < 0.5 and len(set(c.filled)) <= 12:
            take("status", c)
            values = sorted(set(c.filled))
            entry["status_values"] = {"felled": [], "planned": [], "replaced": []}
            unsure.append(f"{c.name}: status values {', '.join(map(repr, values))}: "
                          "sort them into status_values (felled, planned, replaced)")
            break

    # Lengths, by heading, checked against plausible values; a unit from the values.
    units = {}
    for f in NUMERIC_FIELDS:
        found = [c for c in by_heading(f) if c.numeric >= 0.8]
        if f == "trunk_diameter_cm" and len(found) > 1:
            # A multi-stem range (STAMMVON/STAMMBIS): the largest diameter
            found.sort(key=lambda c: -statistics.median(c.numbers))
            unsure.append(f"{', '.join(c.name for c in found)}: a range of trunk diameters; the largest "
                          f"({found[0].name}) is taken")
        c = _pick(found, taken)
        if c is None:
            continue
        if f.startswith("trunk") and "trunk_circumference_cm" in out:
            continue
        take(f, c)
        low, high = PLAUSIBLE[f]
        own = "m" if f.endswith("_m") else "cm"
        # A unit in the cell ("80 cm") wins over `units:`: judge the values in the field's unit.
        values = [n for n in (parse_measure(v, own) for v in c.filled) if n is not None]
        median = statistics.median(values)
        with_unit = c.share(lambda v: bool(_UNIT_CELL.match(v)))
        if with_unit >= 0.5:
            notes.append(f"{c.name}: units in the cells ({with_unit:.0%}), converted to {own}")
        elif not low <= median <= high:
            other = "cm" if own == "m" else "m"
            factor = 100 if other == "cm" else 0.01
            if PLAUSIBLE[f][0] <= median / factor <= PLAUSIBLE[f][1]:
                units["trunk" if f.startswith("trunk") else f] = other
                notes.append(f"{c.name}: values in {other} (median {median:g})")
            else:
                unsure.append(f"{c.name} ({f}): median {median:g} is implausible in {own} and in {other}")
        zeros = sum(1 for n in c.numbers if n == 0) / len(c.filled)
        if zeros >= 0.02 and f in ("height_m", "crown_diameter_m"):
            entry.setdefault("zero_is_unknown", []).append(f)
            notes.append(f"{c.name}: {zeros:.0%} zeros, read as unknown")
    if units:
        entry["units"] = units

    take("vitality", _pick((c for c in by_heading("vitality") if c.numeric < 0.5), taken))
    take("district", _pick(by_heading("district"), taken))

    # The id: the column a heading names, unique in the sample.
    ids = [c for c in by_heading("source_id") if len(set(c.filled)) == len(c.filled) == len(c.values)]
    ids.sort(key=lambda c: (not re.search(r"baum", c.heading), c.heading in ("objectid", "fid")))
    take("source_id", _pick(ids, taken))
    if "source_id" not in out:
        unsure.append("no column with a unique tree id found: set columns.source_id by hand")

    if not positions:
        _coordinates(columns, taken, near, out, entry, notes, unsure)
    return out


def _coordinates(columns, taken, near, out, entry, notes, unsure) -> None:
    free = [c for c in columns if c.name not in taken and c.filled]
    single = [c for c in free if c.share(lambda v: bool(_WKT.match(v))) >= 0.9]
    if single:
        out["coordinates"] = single[0].name
        entry["coordinates_form"] = "wkt"
        pairs = [tuple(map(float, _WKT.match(v).groups())) for v in single[0].filled]
        xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    else:
        pairs_col = [c for c in free if c.share(lambda v: bool(_LATLON.match(v))) >= 0.9]
        if pairs_col:
            c = pairs_col[0]
            pairs = [tuple(map(float, _LATLON.match(v).groups())) for v in c.filled]
            a, b = [p[0] for p in pairs], [p[1] for p in pairs]
            latlon = _range_kind(a) == "lat"
            out["coordinates"] = c.name
            entry["coordinates_form"] = "latlon" if latlon else "lonlat"
            xs, ys = (b, a) if latlon else (a, b)
        else:
            kinds = {c.name: _range_kind(c.numbers) for c in free if c.numeric >= 0.9}
            xcands = [c for c in free if kinds.get(c.name) in ("lon", "easting", "zone_easting", "gk_right")]
            ycands = [c for c in free if kinds.get(c.name) in ("lat", "northing")]
            # GK right values of zone 5 overlap northings: headings decide then.
            xcands.sort(key=lambda c: (not c.heading_is("x"), c.heading_is("y")))
            ycands.sort(key=lambda c: (not c.heading_is("y"), c.heading_is("x")))
            x = _pick(xcands, set())
            y = _pick([c for c in ycands if c is not x], set())
            if x is None or y is None:
                unsure.append("no coordinate columns found (x/y, lon/lat, \"lat, lon\" or WKT): set them by hand")
                return
            out["x"], out["y"] = x.name, y.name
            if kinds[x.name] == "lon" and (x.heading_is("y") or y.heading_is("x")):
                notes.append(f"{x.name} holds longitudes and {y.name} latitudes, whatever the headings say")
            xs, ys = x.numbers, y.numbers
            if len(xs) != len(ys):
                unsure.append("x and y are not filled in the same rows")
                n = min(len(xs), len(ys))
                xs, ys = xs[:n], ys[:n]
    xkind = _range_kind(xs) or "unknown"
    if xkind == "unknown":
        unsure.append(f"coordinates in no known range (x {min(xs):g}–{max(xs):g}): set crs by hand")
        return
    crs, how = _crs_of(xkind, xs, near, unsure)
    entry["crs"] = crs
    entry["_xy"] = (xs, ys)
    notes.append(f"CRS {crs}: {how}, x {min(xs):.6g}–{max(xs):.6g}, y {min(ys):.6g}–{max(ys):.6g}")


# --- the probe ---------------------------------------------------------------

def probe(target: str, name: Optional[str] = None, near: Optional[tuple[float, float]] = None,
          config: Optional[dict] = None) -> Proposal:
    """A register at `target` (file path or http(s) URL) → its proposed entry."""
    data, where = _read(target, config)
    name = name or re.sub(r"[^a-z0-9]+", "-", os.path.splitext(os.path.basename(where.split("?")[0]))[0].lower()).strip("-") \
        or "neues-baumkataster"
    notes: list[str] = []
    unsure: list[str] = []
    fmt = _format(data, where)
    entry: dict = {"title": f"Baumkataster {name.replace('-', ' ').title()}", "kind": "tree_register",
                   "url": where if re.match(r"^https?://", where) else f"file:{os.path.abspath(where)}",
                   "organization": "CHANGE-ME", "format": fmt}
    positions: list = []
    file_crs = None
    try:
        if fmt == "csv":
            encoding = _encoding(data)
            text = _head(data).decode(encoding)
            delimiter = _delimiter(text)
            entry["delimiter"], entry["encoding"] = delimiter, encoding
            header, rows = _table_csv(text, delimiter)
        elif fmt == "xlsx":
            header, rows = _table_xlsx(data)
        else:
            header, rows, positions, named = _table_geojson(data)
            file_crs = _crs_from_name(named) if named else None
    except (ValueError, KeyError, StopIteration, UnicodeDecodeError) as e:
        raise SourceError(f"probe: {where}: not a readable register ({type(e).__name__}: {str(e)[:200]})")
    if not header or len(header) < 2:
        raise SourceError(f"probe: {where}: no table found (header {header!r})")
    columns = [Column(h, [r[i] if i < len(r) else None for r in rows]) for i, h in enumerate(header)]
    notes.append(f"{where}: {fmt.upper()}, {len(rows)} rows read{' (a sample)' if len(rows) == SAMPLE_ROWS else ''}, "
                 f"{len(header)} columns" + (f", {entry['encoding']}, delimiter {entry['delimiter']!r}" if fmt == "csv" else ""))
    if fmt == "csv":
        commas = sum(c.share(lambda v: bool(_COMMA_DECIMAL.match(v))) for c in columns)
        points = sum(c.share(lambda v: bool(_POINT_DECIMAL.match(v))) for c in columns)
        if commas or points:
            notes.append(f"decimal {'commas' if commas > points else 'points'}" +
                         (" (both occur)" if commas and points else ""))
    if fmt == "csv" and not re.match(r"^https?://", where):
        prj = os.path.splitext(where)[0] + ".prj"
        if os.path.exists(prj):
            with open(prj, encoding="utf-8", errors="replace") as f:
                file_crs = _crs_from_name(f.read())

    columns_map = match(columns, bool(positions), near, entry, notes, unsure)
    xy = entry.pop("_xy", None)
    if positions:
        xs, ys = [p[0] for p in positions], [p[1] for p in positions]
        xkind = _range_kind(xs)
        if file_crs:
            entry["crs"] = file_crs
            notes.append(f"CRS {file_crs}: from the file's crs member")
        elif xkind == "lat" and _range_kind(ys) == "lon":
            entry["crs"] = "EPSG:4326"
            unsure.append("the geometry's positions are [latitude, longitude], not GeoJSON's [lon, lat]")
            xs, ys = ys, xs
        elif xkind in (None, "lon"):
            entry["crs"] = "EPSG:4326"
            notes.append("CRS EPSG:4326: GeoJSON without a crs member (RFC 7946)")
        else:
            crs, how = _crs_of(xkind, xs, near, unsure)
            entry["crs"] = crs
            unsure.append(f"GeoJSON without a crs member but projected positions: {crs} ({how})")
        xy = (xs, ys)
    elif file_crs and entry.get("crs") and file_crs != entry["crs"]:
        unsure.append(f"the .prj says {file_crs}, the values suggest {entry['crs']}: the .prj is taken")
        entry["crs"] = file_crs
    if xy and entry.get("crs"):
        extent = _extent(entry["crs"], *xy)
        if extent:
            entry["extent"] = extent
    entry["licence"] = "dl-by-de/2.0"
    unsure.append("licence and attribution are not in the file: dl-by-de/2.0 proposed, check the portal's page")
    entry["columns"] = columns_map
    order = ["title", "kind", "url", "organization", "licence", "format", "delimiter", "encoding", "crs", "extent",
             "name_separator", "name_order", "units", "zero_is_unknown", "coordinates_form", "status_values", "columns"]
    entry = {k: entry[k] for k in order if k in entry}
    unmapped = [h for h in header if h not in columns_map.values()]
    return Proposal(name, entry, notes, unsure, unmapped)


def parse_near(text: Optional[str]) -> Optional[tuple[float, float]]:
    if not text:
        return None
    lon, _, lat = text.partition(",")
    return float(lon), float(lat)
