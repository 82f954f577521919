"""A tree register's file as a table of text columns, whatever its format:
CSV (columnar.read_text_table), XLSX (openpyxl) or GeoJSON (the point's
coordinates become the columns GEOMETRY_X / GEOMETRY_Y, so the crosswalk
reads them like any register's x and y columns)."""
from __future__ import annotations

import io
import json

import polars as pl

GEOMETRY_X, GEOMETRY_Y = "__geometry_x", "__geometry_y"


class FormatError(ValueError):
    pass


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))  # spreadsheets store ids and years as floats: 1998.0 is "1998"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")  # a date cell: ISO, which parse_year reads
    text = str(value)
    return text if text.strip() else None


def _frame(header: list, rows: list[list]) -> pl.DataFrame:
    names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    columns = {name: [(_cell(r[i]) if i < len(r) else None) for r in rows] for i, name in enumerate(names)}
    return pl.DataFrame(columns, schema={name: pl.String for name in names})


def read_xlsx(data: bytes, sheet: str | None = None) -> pl.DataFrame:
    """The first (or the named) sheet; its first row is the header."""
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:
        raise FormatError(f"not an XLSX workbook ({type(e).__name__}: {str(e)[:120]})")
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
    except KeyError:
        raise FormatError(f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    if not rows:
        raise FormatError("the sheet is empty")
    return _frame(rows[0], rows[1:])


def read_geojson(data: bytes) -> pl.DataFrame:
    """Point features: their properties as columns and the point's x and y."""
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise FormatError(f"not JSON ({e})")
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise FormatError("not a GeoJSON FeatureCollection (no features list)")
    said = doc.get("properties") if isinstance(doc.get("properties"), dict) else {}
    if said.get("exceededTransferLimit") or doc.get("exceededTransferLimit"):
        # an ArcGIS answer holding one page of the layer; its URL is no layer query that could be paged
        raise FormatError("the answer says it holds only part of the data (exceededTransferLimit); "
                          "give the layer's …/FeatureServer/<id>/query URL so that it can be read page by page")
    names: dict[str, None] = {}
    for f in features:
        names.update(dict.fromkeys((f.get("properties") or {}) if isinstance(f, dict) else {}))
    header = list(names) + [GEOMETRY_X, GEOMETRY_Y]
    rows, not_points = [], 0
    for f in features:
        props = (f.get("properties") or {}) if isinstance(f, dict) else {}
        geometry = (f.get("geometry") or {}) if isinstance(f, dict) else {}
        coords = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        if geometry.get("type") == "MultiPoint" and geometry.get("coordinates"):
            coords = geometry["coordinates"][0]
        if not (isinstance(coords, list) and len(coords) >= 2):
            coords, not_points = [None, None], not_points + 1
        rows.append([props.get(n) for n in names] + [coords[0], coords[1]])
    return _frame(header, rows)


def read_points(records) -> pl.DataFrame:
    """(properties, x, y) records (a WFS layer's features, read page by page
    by the harvester) as the same table read_geojson makes: the properties as
    text columns, the point's x and y as GEOMETRY_X / GEOMETRY_Y."""
    records = list(records)
    names: dict[str, None] = {}
    for props, _, _ in records:
        names.update(dict.fromkeys(props))
    header = list(names) + [GEOMETRY_X, GEOMETRY_Y]
    return _frame(header, [[props.get(n) for n in names] + [x, y] for props, x, y in records])
