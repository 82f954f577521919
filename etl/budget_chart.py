"""The budget overview as a bar chart (PNG) for the dataset page: revenue and
expenditure per product area in one fiscal year.

matplotlib's object API (Figure on the Agg canvas: no pyplot state, no GUI
backend). The PNG carries no software version or date, so the same overview
gives the same bytes and an unchanged budget uploads nothing.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

PHASE_LABELS = {"plan": "Plan", "result": "Ergebnis"}


def chosen_year(overview: pl.DataFrame, year: Optional[int] = None,
                today: Optional[dt.date] = None) -> Optional[tuple[int, str]]:
    """The year and phase shown: `year`'s plan if given; else the plan of this
    year or the latest year before it (later years are the medium-term financial
    plan), the first planned year if all lie ahead, and with no plan the latest result."""
    plans = sorted(set(overview.filter(pl.col("phase") == "plan")["fiscal_year"].to_list()))
    if year is not None:
        return (year, "plan") if year in plans else None
    if plans:
        this = (today or dt.date.today()).year
        past = [y for y in plans if y <= this]
        return (past[-1] if past else plans[0]), "plan"
    results = overview.filter(pl.col("phase") == "result")["fiscal_year"]
    return (int(results.max()), "result") if results.len() else None


def render(overview: pl.DataFrame, title: str, path: str, year: Optional[int] = None) -> Optional[tuple[int, str]]:
    """Writes the chart to `path`; returns the (year, phase) shown, None when there is nothing to show."""
    chosen = chosen_year(overview, year)
    if chosen is None:
        return None
    year, phase = chosen
    rows = overview.filter((pl.col("fiscal_year") == year) & (pl.col("phase") == phase)).reverse()
    labels = [f"{a} {t}"[:42] for a, t in zip(rows["product_area"], rows["product_area_title"])]
    positions = list(range(rows.height))
    figure = Figure(figsize=(9, 1.2 + 0.55 * rows.height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    height = 0.4
    axes.barh([p + height / 2 for p in positions], (rows["expenditure"] / 1e6).to_list(), height,
              label="Aufwendungen", color="#b3261e")
    axes.barh([p - height / 2 for p in positions], (rows["revenue"] / 1e6).to_list(), height,
              label="Erträge", color="#1f6f43")
    axes.set_yticks(positions, labels)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.1f}".replace(",", " ").replace(".", ",")))
    axes.set_xlabel("Mio. Euro")
    axes.set_title(f"{title}: {PHASE_LABELS[phase]} {year} je Produktbereich", fontsize=11, loc="left",
                   pad=24)
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False)
    axes.grid(axis="x", color="#dddddd")
    axes.set_axisbelow(True)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": None})
    return chosen
