"""Hourly and daily sensor aggregates (etl/sensors.py) on readings made by
hand: figures, flags, local days at the clock changes, hotspots."""
import datetime as dt

import polars as pl
import pytest

from etl import sensors

UTC = dt.timezone.utc


def readings(rows):
    return pl.DataFrame([{"station_id": s, "location_id": loc, "source": "t", "sensor_type": "BME280",
                          "phenomenon": p, "value": v, "time": t, "latitude": 50.93, "longitude": 11.59}
                         for s, loc, p, v, t in rows], schema=sensors.READINGS)


def series(station, phenomenon, values, start, step_min=10, loc="L1"):
    return [(station, loc, phenomenon, v, start + dt.timedelta(minutes=step_min * i)) for i, v in enumerate(values)]


def hourly(rows, now=None):
    return sensors.hourly(sensors.clean(readings(rows), now))


T0 = dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_hour_figures_and_coverage():
    rows = series("s1", "temperature", [20.0, 21.0, 22.0, 23.0, 24.0, 25.0], T0)      # 6 of 6 (10 min)
    rows += series("s1", "temperature", [20.0, 22.0, 24.0], T0 + dt.timedelta(hours=1), step_min=10)  # 3 of 6
    h = hourly(rows)
    first, second = h.row(0, named=True), h.row(1, named=True)
    assert (first["mean"], first["min"], first["max"], first["count"], first["coverage_pct"]) == (22.5, 20, 25, 6, 100)
    assert (second["count"], second["coverage_pct"], second["flags"]) == (3, 50.0, "low_coverage")
    assert h["unit"].to_list() == ["°C", "°C"]
    day = sensors.daily(h).row(0, named=True)  # weighted by readings: (6 × 22.5 + 3 × 22) / 9
    assert (day["mean"], day["count"], day["hours"], day["min"], day["max"]) == (22.333, 9, 2, 20, 25)


def test_out_of_range_and_spikes_are_left_out_and_flagged():
    values = [20.0, 20.5, 35.0, 21.0, 21.5, 22.0]     # 35: 14 K above both neighbours
    rows = series("s1", "temperature", values, T0) + series("s2", "humidity", [50, 120, 51, 52, 53, 54], T0)
    h = {r["station_id"]: r for r in hourly(rows).iter_rows(named=True)}
    assert h["s1"]["count"] == 5 and h["s1"]["max"] == 22.0 and h["s1"]["flags"] == "spike"
    assert h["s2"]["count"] == 5 and h["s2"]["max"] == 54 and "range" in h["s2"]["flags"]


def test_a_steady_rise_is_no_spike():
    rows = series("s1", "temperature", [10.0, 16.0, 22.0, 28.0, 34.0, 40.0], T0)
    assert hourly(rows)["flags"].to_list() == [""]


def test_stuck_values_and_pm_at_high_humidity():
    rows = series("s1", "temperature", [21.3] * 6, T0)
    rows += series("pm", "pm10", [12, 13, 14, 12, 13, 15], T0, loc="L2")
    rows += series("hum", "humidity", [90, 92, 91, 93, 94, 92], T0, loc="L2")  # same device, other sensor
    h = {r["station_id"]: r["flags"] for r in hourly(rows).iter_rows(named=True)}
    assert h == {"s1": "stuck", "pm": "pm_humidity", "hum": ""}


def test_duplicates_and_future_readings_are_dropped():
    rows = series("s1", "temperature", [20.0, 21.0, 22.0], T0)
    rows += rows[:2]                                                   # sent twice
    rows += [("s1", "L1", "temperature", 30.0, T0 + dt.timedelta(days=2))]   # a clock two days ahead
    h = hourly(rows, now=T0 + dt.timedelta(hours=1))
    assert h["count"].to_list() == [3]


@pytest.mark.parametrize("day, hours, first_local", [
    (dt.date(2026, 3, 29), 23, "2026-03-29T00:00:00+01:00"),   # spring forward
    (dt.date(2026, 10, 25), 25, "2026-10-25T00:00:00+02:00"),  # fall back
    (dt.date(2026, 7, 1), 24, "2026-07-01T00:00:00+02:00"),
])
def test_local_days_at_the_clock_changes(day, hours, first_local):
    start = dt.datetime.fromisoformat(first_local).astimezone(UTC)
    rows = series("s1", "temperature", [15.0 + (i % 3) for i in range(hours * 6)], start)
    h = sensors.local_hours(hourly(rows))
    assert h.height == hours and h["hour_start_local"][0] == first_local
    assert h["date"].unique().to_list() == [day]
    d = sensors.daily(hourly(rows)).row(0, named=True)
    assert (d["date"], d["hours"], d["day_hours"], d["coverage_pct"], d["count"]) == (day, hours, hours, 100.0, hours * 6)
    if hours == 25:  # 02:00–03:00 happens twice: two distinct UTC hours, both in the day
        assert h.filter(h["hour_start_local"].str.starts_with("2026-10-25T02:"))["hour_start_local"].to_list() == [
            "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00"]


def test_hotspots_use_the_network_median_of_good_stations():
    day = dt.datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 1 July, 00:00 local
    rows = []
    for k, offset in enumerate([0.0, 0.2, -0.3, 2.4, 0.1]):
        rows += series(f"s{k}", "temperature", [20.0 + offset + 0.1 * (i % 3) for i in range(144)],
                       day, loc=f"L{k}")
    # one more station whose temperature sensor is stuck: not in the median
    rows += series("stuck", "temperature", [35.0] * 144, day, loc="L9")
    days = sensors.daily(hourly(rows))
    hot = sensors.hotspots(days, threshold_k=1.5)
    assert hot["station_id"].to_list()[0] == "s3" and hot["hotspot"].to_list() == [True, False, False, False, False]
    top = hot.row(0, named=True)
    assert top["network_median"] == pytest.approx(20.2, abs=1e-3)  # means 20.1 + offsets; median offset 0.1
    assert top["anomaly_k"] == pytest.approx(2.3, abs=0.01) and top["stations"] == 5


def test_stations_record_first_and_last_seen_and_moves():
    rows = series("bus", "temperature", [20.0] * 6, T0)
    frame = readings(rows).with_columns(latitude=pl.Series([50.90, 50.90, 50.92, 50.92, 50.95, 50.95]))
    s = sensors.stations(frame).row(0, named=True)
    assert s["positions"] == 3 and s["latitude"] == 50.95
    assert s["first_seen"] == T0 and s["last_seen"] == T0 + dt.timedelta(minutes=50)


def test_of_two_readings_at_one_time_the_first_received_counts():
    rows = series("s1", "temperature", [20.0, 21.0, 22.0], T0)
    rows.insert(1, ("s1", "L1", "temperature", 24.0, T0 + dt.timedelta(minutes=10)))  # same time as 21.0, sent before
    h = hourly(rows).row(0, named=True)
    assert (h["count"], h["min"], h["max"], h["mean"]) == (3, 20.0, 24.0, 22.0)


def mixed_network():
    """Several stations, phenomena and hours, a spike, an out-of-range value,
    duplicates, stations whose ids sort differently as text and as numbers."""
    rows = []
    for k, station in enumerate(["s10", "s9", "s1", "a"]):
        temps = [18.0 + k + 0.2 * (i % 5) for i in range(18)]
        temps[7] += 12.0                                            # spike
        rows += series(station, "temperature", temps, T0 + dt.timedelta(minutes=k), loc=f"L{k}")
        hums = [60.0 + i for i in range(18)]
        hums[3] = 140.0                                             # out of range
        rows += series(station, "humidity", hums, T0 + dt.timedelta(minutes=k), loc=f"L{k}")
        rows += series(station, "pm10", [80.0 - i for i in range(18)], T0, loc=f"L{k}")
    return rows + rows[5:9]                                          # sent twice


def test_readings_in_any_order_give_the_same_hours():
    rows = mixed_network()
    ordered = hourly(rows)
    assert ordered.height == 4 * 3 * 3 and ordered["station_id"].unique().sort().to_list() == ["a", "s1", "s10", "s9"]
    assert "spike" in ordered.filter(phenomenon="temperature")["flags"].str.join(" ").item()
    shuffled = sensors.hourly(sensors.clean(readings(rows).sample(fraction=1.0, shuffle=True, seed=3)))
    assert shuffled.equals(ordered)


def test_readings_over_too_long_a_span_for_one_key_sort_by_two(monkeypatch):
    rows = mixed_network()
    packed = hourly(rows)
    monkeypatch.setattr(sensors, "_KEY_BITS", 0)    # as if series and time did not fit into 64 bits
    assert hourly(rows).equals(packed)


def test_readings_without_sensor_or_time_are_left_out():
    rows = series("s1", "temperature", [20.0, 21.0, 22.0], T0)
    frame = pl.concat([readings(rows), readings([(None, "L1", "temperature", 40.0, T0)]),
                       readings([("s1", "L1", "temperature", 40.0, None)])])
    h = sensors.hourly(sensors.clean(frame))
    assert h["station_id"].to_list() == ["s1"] and h["count"].to_list() == [3] and h["max"].to_list() == [22.0]


def test_no_readings_give_no_hours_with_the_table_columns():
    h = hourly([])
    assert h.is_empty() and h.columns[:6] == ["station_id", "location_id", "source", "phenomenon", "unit",
                                              "hour_start_utc"]


def test_figures_are_rounded_half_away_from_zero():
    # 9 readings 153 s apart: coverage 9 × 153 / 3600 = 38.25 % → 38.3 (half to even would say 38.2)
    rows = [("s1", "L1", "temperature", 20.0 + i % 2, T0 + dt.timedelta(seconds=153 * i)) for i in range(9)]
    assert hourly(rows)["coverage_pct"].to_list() == [38.3]
