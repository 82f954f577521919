"""The shared ETL steps on values as German registers write them."""
from collections import Counter

import pytest

from etl.botany import BotanicalName, split_name
from etl.numbers import parse_number
from etl.reproject import to_lonlat


@pytest.mark.parametrize("text,expected", [
    ("12,5", 12.5), ("12.5", 12.5), ("1.234,5", 1234.5), ("120", 120.0), ("-3,25", -3.25),
    ("10-15", 12.5), ("10 – 15", 12.5), ("", None), ("k.A.", None), (None, None), (7, 7.0),
])
def test_numbers(text, expected):
    assert parse_number(text) == expected


def test_unreadable_numbers_are_counted_not_zero():
    warnings = Counter()
    assert parse_number("zwölf", warnings, "baumhoehe") is None
    assert parse_number("10-15", warnings, "baumhoehe") == 12.5
    assert warnings == Counter({"baumhoehe: not a number": 1, "baumhoehe: range, middle taken": 1})


@pytest.mark.parametrize("name,expected", [
    ("Tilia cordata 'Greenspire'", BotanicalName("Tilia", "cordata", "Greenspire")),
    ("TILIA CORDATA", BotanicalName("Tilia", "cordata", None)),
    ("Platanus x hispanica", BotanicalName("Platanus", "× hispanica", None)),
    ("Acer spec.", BotanicalName("Acer", None, None)),
    ("Quercus", BotanicalName("Quercus", None, None)),
    ("Carpinus betulus Fastigiata", BotanicalName("Carpinus", "betulus", "Fastigiata")),
    ("", BotanicalName(None, None, None)),
])
def test_botanical_names(name, expected):
    assert split_name(name) == expected


def test_reprojection_of_jena_from_etrs_tm32_and_gauss_krueger():
    # Jena's market square (50.9283 N, 11.5886 E) in ETRS89/UTM 32N and Gauss-Krüger zone 4,
    # given as easting, northing whatever the EPSG axis order (EPSG:3044 is northing first).
    for crs, east, north in (("EPSG:25832", 681908.16, 5645042.87), ("EPSG:3044", 681908.16, 5645042.87),
                             ("EPSG:31468", 4471181.75, 5643747.36)):
        lon, lat = to_lonlat(crs, [east], [north])
        assert abs(lon[0] - 11.5886) < 1e-4 and abs(lat[0] - 50.9283) < 1e-4, crs


def test_missing_coordinates_stay_missing():
    lon, lat = to_lonlat("EPSG:3044", [None], [5647300.0])
    assert lon[0] != lon[0]  # NaN
