"""Generate a sensor.community-shaped feed for Jena (the bundled sample).

    python harvesters/samples/sensors/generate.py

Records as the API sends them (numbers as strings, "YYYY-MM-DD HH:MM:SS" in
UTC, pressure in Pa): six outdoor devices in Jena, each an SDS011 (P1/P2)
and a BME280 (temperature/humidity/pressure), every 15 minutes for 26 hours
ending 2026-07-01 02:00 UTC; plus what the real feed has: one device a heat
hotspot (+2.5 K: a courtyard in the city centre), one BME280 stuck, one
temperature spike, a humid morning at one device (PM unreliable), one indoor
device, one device outside Jena.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
END = dt.datetime(2026, 7, 1, 2, 0)
DEVICES = [  # location id, lat, lon, note
    (10101, 50.9280, 11.5890, "hotspot"), (10102, 50.9400, 11.6000, ""), (10103, 50.9050, 11.5700, "stuck"),
    (10104, 50.8820, 11.6050, "humid"), (10105, 50.9600, 11.6200, "spike"), (10106, 50.9150, 11.5450, ""),
    (10107, 50.9300, 11.5800, "indoor"), (10108, 51.3400, 12.3700, "elsewhere"),
]


def feed(end: dt.datetime = END, hours: int = 26, step_min: int = 15, seed: int = 7745) -> list[dict]:
    rng = random.Random(seed)
    out = []
    steps = hours * 60 // step_min
    for k, (loc, lat, lon, note) in enumerate(DEVICES):
        for i in range(steps):
            t = end - dt.timedelta(minutes=step_min * (steps - i)) + dt.timedelta(seconds=rng.randint(0, 40))
            local_hour = (t.hour + 2) % 24  # CEST
            temp = 19 + 7 * math.sin((local_hour - 9) / 24 * 2 * math.pi) + rng.gauss(0, 0.2) + 0.1 * k
            temp += 2.5 if note == "hotspot" else 0
            if note == "stuck":
                temp = 21.3
            if note == "spike" and i == steps // 2:
                temp += 14
            hum = 55 - 12 * math.sin((local_hour - 9) / 24 * 2 * math.pi) + rng.gauss(0, 1)
            if note == "humid" and 3 <= local_hour <= 8:
                hum = 92 + rng.gauss(0, 1)
            pm10 = max(0.5, 14 + rng.gauss(0, 3) + (10 if hum > 85 else 0))
            pm25 = max(0.3, pm10 * 0.6 + rng.gauss(0, 1))
            stamp = t.strftime("%Y-%m-%d %H:%M:%S")
            location = {"id": loc, "latitude": f"{lat:.3f}", "longitude": f"{lon:.3f}", "altitude": "160.0",
                        "country": "DE", "exact_location": 0, "indoor": 1 if note == "indoor" else 0}
            out.append({"id": 900000000 + len(out), "sampling_rate": None, "timestamp": stamp, "location": location,
                        "sensor": {"id": 60000 + 2 * k, "pin": "1", "sensor_type": {"id": 14, "name": "SDS011",
                                                                                  "manufacturer": "Nova Fitness"}},
                        "sensordatavalues": [{"id": 1, "value": f"{pm10:.2f}", "value_type": "P1"},
                                             {"id": 2, "value": f"{pm25:.2f}", "value_type": "P2"}]})
            out.append({"id": 900000000 + len(out), "sampling_rate": None, "timestamp": stamp, "location": location,
                        "sensor": {"id": 60001 + 2 * k, "pin": "11", "sensor_type": {"id": 17, "name": "BME280",
                                                                                   "manufacturer": "Bosch"}},
                        "sensordatavalues": [{"id": 3, "value": f"{temp:.2f}", "value_type": "temperature"},
                                             {"id": 4, "value": f"{hum:.2f}", "value_type": "humidity"},
                                             {"id": 5, "value": f"{100 * (1006 + rng.gauss(0, 0.5)):.2f}",
                                              "value_type": "pressure"}]})
    return out


def main() -> None:
    with open(os.path.join(HERE, "sensor_community_jena.json"), "w", encoding="utf-8") as f:
        json.dump(feed(), f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
