"""Coordinates to WGS 84 longitude/latitude with pyproj, whole columns at once.

Axis order is explicit: we always pass easting (x) and northing (y), whatever
order the EPSG definition gives (EPSG:3044 lists northing first, EPSG:4326
latitude first), and always get longitude, latitude back.
"""
from __future__ import annotations

import functools
from typing import Sequence

import numpy as np
from pyproj import Transformer


@functools.lru_cache(maxsize=16)
def _transformer(source_crs: str) -> Transformer:
    return Transformer.from_crs(source_crs, "EPSG:4326", always_xy=True)


def to_lonlat(source_crs: str, x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """x = easting (or longitude), y = northing (or latitude); None → NaN."""
    xs = np.asarray([np.nan if v is None else v for v in x], dtype="float64")
    ys = np.asarray([np.nan if v is None else v for v in y], dtype="float64")
    if source_crs.upper() in ("EPSG:4326", "WGS84"):
        return xs, ys
    lon, lat = _transformer(source_crs).transform(xs, ys)
    return np.asarray(lon), np.asarray(lat)


def crs_code(name: str) -> str:
    """"EPSG:25832" for any spelling OGC services use (EPSG:25832,
    urn:ogc:def:crs:EPSG::25832, http://www.opengis.net/def/crs/EPSG/0/25832);
    CRS:84 and its URN/URI forms → "OGC:CRS84" (longitude first)."""
    text = name.strip()
    if "crs84" in text.lower().replace(":", "").replace("/", ""):
        return "OGC:CRS84"
    digits = text.rstrip("/").replace("::", ":").rpartition(":")[2].rpartition("/")[2]
    if not digits.isdigit():
        raise ValueError(f"unknown coordinate reference system {name!r}")
    try:
        _transformer(f"EPSG:{digits}")  # cached: the transformation is needed anyway
    except Exception:  # pyproj's CRSError
        raise ValueError(f"unknown coordinate reference system {name!r} (not in the EPSG register)")
    return f"EPSG:{digits}"


@functools.lru_cache(maxsize=32)
def authority_yx(code: str) -> bool:
    """Does the CRS's own definition list northing/latitude first? (EPSG:4326,
    EPSG:3044, EPSG:31468: yes; EPSG:25832: no.)"""
    from pyproj import CRS
    axes = CRS.from_user_input(code).axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


def transformer(code: str) -> Transformer:
    """x/y (easting, northing / longitude, latitude) → longitude, latitude."""
    return _transformer(code)
