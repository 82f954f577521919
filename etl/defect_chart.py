"""The small chart of a defect-report evaluation (a PNG for the dataset page).

matplotlib's object API (Figure + the Agg canvas): no pyplot state, no GUI
backend in the harvester's process. The same data gives the same bytes (no
software or date in the PNG's metadata), so an unchanged source uploads no
new chart.
"""
from __future__ import annotations

import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MONTHS = 12
CATEGORIES = 8
REPORTED, CLOSED, P90 = "#2b6cb0", "#38a169", "#a0aec0"


def render(requests: pl.DataFrame, path: str, title: str) -> None:
    """Left: reports per month (last 12 months of the data) and how many of
    them are closed; right: median and 90th percentile of days to close for
    the most reported categories."""
    fig = Figure(figsize=(10, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    months, categories = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    fig.suptitle(title, fontsize=11)

    per_month = requests.group_by("month").agg(pl.len().alias("reported"),
                                               (pl.col("status") == "closed").sum().alias("closed")) \
        .sort("month").tail(MONTHS)
    x = list(range(per_month.height))
    months.bar([i - 0.2 for i in x], per_month["reported"].to_list(), width=0.4, color=REPORTED, label="gemeldet")
    months.bar([i + 0.2 for i in x], per_month["closed"].to_list(), width=0.4, color=CLOSED, label="erledigt")
    months.set_xticks(x, [f"{m[5:]}/{m[2:4]}" for m in per_month["month"].to_list()], rotation=45, fontsize=8)
    months.set_title("Meldungen je Monat", fontsize=10)
    months.legend(fontsize=8, frameon=False)
    months.spines[["top", "right"]].set_visible(False)

    per_category = requests.group_by("service_name").agg(
        pl.len().alias("n"), pl.col("days_to_close").median().alias("median"),
        pl.col("days_to_close").quantile(0.9, interpolation="linear").alias("p90")) \
        .sort(["n", "service_name"], descending=[True, False]).head(CATEGORIES).reverse()
    y = list(range(per_category.height))
    categories.barh(y, per_category["p90"].fill_null(0).to_list(), color=P90, height=0.6, label="90 % erledigt in")
    categories.barh(y, per_category["median"].fill_null(0).to_list(), color=CLOSED, height=0.6,
                    label="Hälfte erledigt in (Median)")
    categories.set_yticks(y, per_category["service_name"].to_list(), fontsize=8)
    categories.set_xlabel("Tage bis zur Erledigung", fontsize=8)
    categories.set_title("Bearbeitungsdauer je Kategorie", fontsize=10)
    categories.legend(fontsize=8, frameon=False, loc="best")
    categories.spines[["top", "right"]].set_visible(False)

    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
