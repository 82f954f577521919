"""Generate Jena-shaped product budget files (the bundled sample, and large ones for the bench).

    python harvesters/samples/budget/generate.py

Two budgets as cities export them (shapes of the files in okfde/offenerhaushalt-daten,
e.g. Wesel's hhplan2017.csv): semicolons, Windows-1252, German amounts with dot thousands
and decimal comma, income negative, product codes like 1.100.01.01.01.

- haushalt_2023.csv: `Profitcenter;Objektnr.;Bezeichnung;Kostenart;Kostenart Beschreibung;
  Ist 2021;Plan 2022;Plan 2023;VE 2024;Plan 2024;Plan 2025;Plan 2026`, a row per product area
  (its sub-total) before the area's lines, a closing "Summe Ergebnishaushalt" row;
- haushalt_2025.csv: the columns renamed (`Produkt;Produktbezeichnung;Konto;Kontobezeichnung;
  Ergebnis 2023;Ansatz 2024;Ansatz 2025;Plan 2026;Plan 2027;Plan 2028`), a product's sub-total
  row (no account) after its lines, a product renamed, a closing "Gesamtsumme".

So 2024–2026 are in both (the newer budget wins) and the result of 2022 is in neither
(a missing year: the 2023 budget was drawn up before 2022 closed, and there is no 2024 budget).
"""
from __future__ import annotations

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
AREAS = {"1": "Zentrale Verwaltung", "2": "Schule und Kultur", "3": "Soziales und Jugend",
         "4": "Gesundheit und Sport", "5": "Gestaltung der Umwelt", "6": "Zentrale Finanzleistungen"}
PRODUCTS = [  # code, name, accounts (account, base amount in euros; income negative)
    ("1.100.01.01.01", "Politische Gremien", [("48111000", -21_000), ("50120000", 410_000), ("54310000", 38_000)]),
    ("1.100.01.01.02", "Verwaltungsführung", [("50120000", 2_150_000), ("54310000", 96_000), ("57110000", 31_000)]),
    ("1.110.01.01.01", "Personalservice", [("44610000", -12_500), ("50120000", 3_480_000), ("54310000", 120_000)]),
    ("2.210.01.01.01", "Grundschulen", [("41410000", -1_850_000), ("52110000", 2_900_000), ("57110000", 1_750_000),
                                       ("78310000", 4_200_000)]),
    ("2.250.01.01.01", "Städtische Museen", [("43210000", -310_000), ("50120000", 1_960_000),
                                            ("52110000", 420_000)]),
    ("2.260.01.01.01", "Musik- und Kunstschule", [("43210000", -640_000), ("50120000", 2_240_000)]),
    ("3.310.01.01.01", "Grundsicherung für Arbeitsuchende", [("41410000", -18_400_000),
                                                           ("53310000", 27_900_000)]),
    ("3.360.01.01.01", "Kindertagesstätten", [("41410000", -22_700_000), ("43210000", -6_100_000),
                                             ("53310000", 41_300_000)]),
    ("4.424.01.01.01", "Sportstätten", [("43210000", -480_000), ("52110000", 1_320_000), ("57110000", 910_000)]),
    ("5.541.01.01.01", "Gemeindestraßen", [("41410000", -2_600_000), ("52110000", 5_400_000),
                                          ("57110000", 6_800_000), ("78310000", 9_100_000)]),
    ("5.551.01.01.01", "Öffentliches Grün", [("52110000", 2_750_000), ("54310000", 160_000)]),
    ("6.611.01.01.01", "Steuern und allgemeine Zuweisungen", [("40130000", -61_000_000),
                                                              ("40210000", -54_500_000),
                                                              ("41410000", -48_200_000)]),
]
ACCOUNTS = {"40130000": "Gewerbesteuer", "40210000": "Gemeindeanteil an der Einkommensteuer",
            "41410000": "Zuweisungen und Zuschüsse für laufende Zwecke vom Land",
            "43210000": "Benutzungsgebühren und ähnliche Entgelte",
            "44610000": "Sonstige privatrechtliche Leistungsentgelte",
            "48111000": "Kostenerstattungen", "50120000": "Vergütungen der tariflich Beschäftigten",
            "52110000": "Unterhaltung der Grundstücke und baulichen Anlagen", "53310000": "Sozialleistungen",
            "54310000": "Geschäftsaufwendungen", "57110000": "Abschreibungen auf Sachanlagen",
            "78310000": "Auszahlungen für den Erwerb von Vermögensgegenständen"}
RENAMED = {"2.260.01.01.01": "Musik- und Kunstschule Jena"}  # the 2025 budget's name
FIRST = [("Ist", 2021), ("Plan", 2022), ("Plan", 2023), ("VE", 2024), ("Plan", 2024), ("Plan", 2025),
         ("Plan", 2026)]
SECOND = [("Ergebnis", 2023), ("Ansatz", 2024), ("Ansatz", 2025), ("Plan", 2026), ("Plan", 2027), ("Plan", 2028)]


def german(value: float) -> str:
    """1234567.891 → "1.234.567,89"."""
    return f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def amount(base: float, year: int, label: str, rng: random.Random, budget: int) -> float:
    if label == "VE":
        return base * 0.1 if base > 0 and rng.random() < 0.3 else 0.0
    growth = 1.025 ** (year - 2021) * (1.01 if budget == 2025 else 1.0)
    noise = rng.uniform(0.93, 1.05) if label in ("Ist", "Ergebnis") else 1.0
    return round(base * growth * noise, 2)


def _lines(budget: int, columns: list[tuple[str, int]], seed: int) -> dict[str, list[tuple[str, list[float]]]]:
    rng = random.Random(seed)
    out: dict[str, list[tuple[str, list[float]]]] = {}
    for code, _, accounts in PRODUCTS:
        out[code] = [(account, [amount(base, year, label, rng, budget) for label, year in columns])
                     for account, base in accounts]
    return out


def _sum(rows: list[list[float]], width: int) -> list[float]:
    return [round(sum(r[i] for r in rows), 2) for i in range(width)]


def first_budget(seed: int = 2023) -> str:
    header = ["Profitcenter", "Objektnr.", "Bezeichnung", "Kostenart", "Kostenart Beschreibung"] + \
             [f"{label} {year}" for label, year in FIRST]
    lines = _lines(2023, FIRST, seed)
    out = [";".join(header)]
    every = []
    for area, area_name in AREAS.items():
        codes = [c for c, _, _ in PRODUCTS if c.split(".")[0] == area]
        area_rows = [values for c in codes for _, values in lines[c]]
        out.append(";".join(["", area, area_name, "", ""] + [german(v) for v in _sum(area_rows, len(FIRST))]))
        for code in codes:
            name = next(n for c, n, _ in PRODUCTS if c == code)
            centre = code.replace(".", "")[-5:]
            for account, values in lines[code]:
                out.append(";".join([centre, code, name, account, ACCOUNTS[account]] + [german(v) for v in values]))
                if account[0] in "45":
                    every.append(values)
    out.append(";".join(["", "", "Summe Ergebnishaushalt", "", ""] + [german(v) for v in _sum(every, len(FIRST))]))
    return "\r\n".join(out) + "\r\n"


def second_budget(seed: int = 2025) -> str:
    header = ["Produkt", "Produktbezeichnung", "Konto", "Kontobezeichnung"] + \
             [f"{label} {year}" for label, year in SECOND]
    lines = _lines(2025, SECOND, seed)
    out = [";".join(header)]
    every = []
    for code, name, _ in PRODUCTS:
        name = RENAMED.get(code, name)
        for account, values in lines[code]:
            cells = [german(v) if v else "" for v in values]  # this export leaves zero cells empty
            out.append(";".join([code, name, account, ACCOUNTS[account]] + cells))
            every.append(values)
        out.append(";".join([code, name, "", ""] + [german(v) for v in _sum([v for _, v in lines[code]], len(SECOND))]))
    out.append(";".join(["", "Gesamtsumme", "", ""] + [german(v) for v in _sum(every, len(SECOND))]))
    return "\r\n".join(out) + "\r\n"


def large_budget(years: int = 50, products: int = 5000, accounts: int = 4, seed: int = 50) -> str:
    """A wide file for the bench: `products` products × `accounts` accounts, an Ist and a
    Plan column for each of `years` years, in nine product areas."""
    rng = random.Random(seed)
    first = 2026 - years
    columns = [f"{label} {year}" for year in range(first, first + years) for label in ("Ist", "Plan")]
    out = [";".join(["Objektnr.", "Bezeichnung", "Kostenart", "Kostenart Beschreibung"] + columns)]
    accounts_list = sorted(ACCOUNTS)
    per_area = max(1, products // 9)
    for p in range(products):
        area = str(1 + p // per_area)
        code = f"{area}.{100 + p % 97}.{p % 89:02d}.{p // 89 % 100:02d}.{p:05d}"
        for a in range(accounts):
            account = accounts_list[(p + a) % len(accounts_list)]
            base = rng.uniform(1_000, 2_000_000) * (-1 if account[0] in "46" else 1)
            cells = [german(base * (1 + rng.uniform(-0.05, 0.05))) for _ in columns]
            out.append(";".join([code, f"Produkt {p}", account, ACCOUNTS[account]] + cells))
    return "\n".join(out) + "\n"


def main() -> None:
    for name, text in (("haushalt_2023.csv", first_budget()), ("haushalt_2025.csv", second_budget())):
        with open(os.path.join(HERE, name), "w", encoding="cp1252", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    main()
