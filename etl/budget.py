"""Municipal product budgets (Produkthaushalt) as cities export them, in long format.

A city's file is wide: one row per product and account (Kostenart), one
column per phase and year ("Ist 2015", "Plan 2017", "Ansatz 2024"), amounts
in German notation ("-1.234.567,89"), income written negative. Here each
file becomes one row per product, account, year and phase, with the budget
direction (revenue/expenditure) and the phase (plan/result) as columns and
the amount positive in its direction. What the files add on top of the
figures is taken out so that nothing is counted twice:

- totals rows ("Summe …", "Gesamt …", a row without a product code) and
  sub-total rows (a product code that is a prefix of other rows' codes, a
  product's row without an account) are dropped and checked against the sum
  of the rows below them (a difference is counted, never corrected; a row with
  an account of its own that does not add up to the rows below is no sub-total
  but a line, kept);
- a year that several files carry (the "Plan 2018" of the 2017 and the 2018
  budget) is taken from the newest file only, as a whole column;
- commitment appropriations ("VE 2018") are neither plan nor result: skipped.

Whole columns in polars (as etl/columnar.py): a wide file of 20,000 lines
and 100 year columns is two million long rows.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

import polars as pl

CODE = re.compile(r"^\d+(\.\d+)*$")
# German amounts: grouped with dots ("1.234.567,89") or plain ("1234,5", "-22"); a dot decimal
# ("12.5") is no German amount and counts as unreadable, so an export that switched notation fails.
AMOUNT = r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
# Kommunaler Kontenrahmen: the account's class says the direction and the statement.
ACCOUNT_CLASSES = {"4": ("revenue", "ergebnis"), "5": ("expenditure", "ergebnis"),
                   "6": ("revenue", "finanz"), "7": ("expenditure", "finanz"),
                   # Kosten- und Leistungsrechnung: internal allocations, imputed interest (direction by sign)
                   "9": (None, "intern")}
LONG = ["product_code", "product_area", "product_area_title", "product_group", "product", "product_title",
        "account_code", "account_title", "statement", "direction", "phase", "fiscal_year", "amount",
        "source_column"]
OVERVIEW = ["product_area", "product_area_title", "fiscal_year", "phase", "revenue", "expenditure", "balance"]
TOLERANCE = 1.0  # euros: sub-totals are rounded in some exports


class BudgetError(ValueError):
    """The file cannot be read as a budget (the message names the file and the problem)."""


@dataclass(frozen=True)
class Layout:
    """Which column of a file plays which role, and its year columns."""
    product: str
    product_title: Optional[str]
    account: str
    account_title: Optional[str]
    years: list[tuple[str, str, int]]     # (column, phase, year)
    ignored: list[str] = field(default_factory=list)
    centre: Optional[str] = None          # the profit centre, where the file has one


def _first(header: list[str], names: Iterable[str]) -> Optional[str]:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def layout(file: str, header: list[str], roles: dict[str, list[str]], phases: dict[str, str],
           ignore: list[str]) -> Layout:
    """The roles of a file's columns, found by the names each role may have
    (a city renames "Kostenart" to "Konto" from one year to the next)."""
    found = {role: _first(header, names) for role, names in roles.items()}
    missing = [role for role in ("product", "account") if not found[role]]
    labels = "|".join(re.escape(k) for k in sorted(list(phases) + list(ignore), key=len, reverse=True))
    year_column = re.compile(rf"^\s*(?:({labels})\.?\s*(\d{{4}})|(\d{{4}})\s*({labels})\.?)\s*$", re.IGNORECASE)
    years, ignored = [], []
    lower = {k.lower(): v for k, v in phases.items()}
    skip = {k.lower() for k in ignore}
    for column in header:
        m = year_column.match(column)
        if not m:
            continue
        label, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if label.lower() in skip:
            ignored.append(column)
        else:
            years.append((column, lower[label.lower()], int(year)))
    if missing or not years:
        wanted = [f"{role} ({' / '.join(roles[role])})" for role in missing]
        if not years:
            wanted.append(f"year columns ({' / '.join(sorted(phases))} YYYY)")
        raise BudgetError(f"{file}: no column for {', '.join(wanted)} (it has: {', '.join(header)}); "
                          "was a column renamed?")
    return Layout(found["product"], found.get("product_title"), found["account"], found.get("account_title"),
                  years, ignored, found.get("centre"))


def _text(name: Optional[str]) -> pl.Expr:
    return pl.col(name).str.strip_chars().fill_null("") if name else pl.lit("")


def amounts(column: pl.Expr) -> pl.Expr:
    """German amounts as floats, vectorised (a budget has millions of cells); an
    unreadable cell is null. Spaces, non-breaking spaces and a € sign are dropped."""
    text = column.str.replace_all(r"[\s\u00a0€]", "")
    return (pl.when(text.str.contains(AMOUNT))
            .then(text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
                  .cast(pl.Float64, strict=False))
            .otherwise(None))


def _ancestors(codes: pl.Series) -> set[str]:
    """Every code that is a proper prefix (by segments) of another code."""
    out: set[str] = set()
    for code in codes.unique().to_list():
        parts = code.split(".")
        out.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return out


def _booked_to_centre(base: pl.DataFrame, warnings: Counter) -> pl.DataFrame:
    """Lines whose object number is no product code (an asset's depreciation "A010102",
    an internal allocation) belong to the product of their profit centre, as the file's
    own product lines pair them; their object's name is not the product's."""
    products = (base.filter((pl.col("kind") == "line") & (pl.col("centre") != ""))
                .group_by("centre").agg(pl.col("product_code").min().alias("centre_product")))
    out = base.join(products, on="centre", how="left")
    moved = (pl.col("kind") == "invalid") & pl.col("centre_product").is_not_null()
    count = out.filter(moved).height
    if count:
        warnings["lines booked to their profit centre's product"] += count
    return out.with_columns(
        product_code=pl.when(moved).then(pl.col("centre_product")).otherwise(pl.col("product_code")),
        product_title=pl.when(moved).then(pl.lit("")).otherwise(pl.col("product_title")),
        kind=pl.when(moved).then(pl.lit("line")).otherwise(pl.col("kind"))).drop("centre_product")


def read_file(file: str, frame: pl.DataFrame, lay: Layout, order: int, markers: list[str],
              warnings: Counter) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """One wide file → (its detail rows in long format, its totals and sub-totals in
    long format, the names of its lines' products and accounts)."""
    marker = re.compile(rf"(?i)^\s*({'|'.join(re.escape(m) for m in markers)})\b")  # "Summe", not "Summen…"
    base = frame.select(
        _text(lay.product).alias("product_code"), _text(lay.product_title).alias("product_title"),
        _text(lay.account).alias("account_code"), _text(lay.account_title).alias("account_title"),
        _text(lay.centre).alias("centre"), *[pl.col(c) for c, _, _ in lay.years])
    marked = (pl.col("product_code").str.contains(marker.pattern)
              | pl.col("product_title").str.contains(marker.pattern)
              | pl.col("account_code").str.contains(marker.pattern)
              | pl.col("account_title").str.contains(marker.pattern))
    valid = pl.col("product_code").str.contains(CODE.pattern)
    base = base.with_columns(
        kind=pl.when(marked | (pl.col("product_code") == "")).then(pl.lit("total"))
        .when(~valid).then(pl.lit("invalid")).otherwise(pl.lit("line")))
    if lay.centre:
        base = _booked_to_centre(base, warnings)
    invalid = base.filter(pl.col("kind") == "invalid")
    if invalid.height:
        warnings["lines without a readable product code, skipped"] += invalid.height
        sample = invalid["product_code"].head(3).to_list()
        warnings.setdefault("examples", {})["product_code"] = sample
    lines = base.filter(pl.col("kind") == "line")
    # A code above other codes, or a product's line without an account beside its accounts, sums them.
    above = _ancestors(lines["product_code"])
    with_accounts = set(lines.filter(pl.col("account_code") != "")["product_code"].unique().to_list())
    lines = lines.with_columns(kind=pl.when(pl.col("product_code").is_in(list(above))
                                            | ((pl.col("account_code") == "")
                                               & pl.col("product_code").is_in(list(with_accounts))))
                               .then(pl.lit("subtotal")).otherwise(pl.lit("line")))
    sums = pl.concat([base.filter(pl.col("kind") == "total"), lines.filter(pl.col("kind") == "subtotal")])
    lines = lines.filter(pl.col("kind") == "line")
    # A line without an account that sums nothing cannot be told from a total of another
    # shape: left out and counted (the account is part of every figure's key).
    unaccounted = lines.filter(pl.col("account_code") == "")
    if unaccounted.height:
        warnings["lines without an account, skipped"] += unaccounted.height
        warnings.setdefault("examples", {})["account"] = unaccounted["product_code"].head(3).to_list()
        lines = lines.filter(pl.col("account_code") != "")
    years = pl.DataFrame({"column": [c for c, _, _ in lay.years], "phase": [p for _, p, _ in lay.years],
                          "fiscal_year": [y for _, _, y in lay.years]},
                         schema={"column": pl.String, "phase": pl.String, "fiscal_year": pl.Int32})

    def long(rows: pl.DataFrame, index: list[str]) -> pl.DataFrame:
        out = rows.unpivot(on=[c for c, _, _ in lay.years], index=index, variable_name="column", value_name="raw")
        out = out.with_columns(value=amounts(pl.col("raw")))
        return out.join(years, on="column", how="left").with_columns(
            file_order=pl.lit(order, pl.Int32), source_column=pl.lit(f"{file}: ") + pl.col("column"))
    detail = long(lines, ["product_code", "account_code"])  # names once per line, not per year (names below)
    filled = detail.filter(pl.col("raw").is_not_null() & (pl.col("raw").str.strip_chars() != ""))
    bad = filled.filter(pl.col("value").is_null())
    warnings["amounts read"] += filled.height
    if bad.height:
        warnings["amounts unreadable"] += bad.height
        warnings.setdefault("examples", {})["amount"] = bad["raw"].head(3).to_list()
    warnings["totals rows dropped"] += base.filter(pl.col("kind") == "total").height
    warnings["sub-total rows dropped"] += sums.height - base.filter(pl.col("kind") == "total").height
    names = lines.select("product_code", "product_title", "account_code", "account_title",
                         file_order=pl.lit(order, pl.Int32))
    totals = long(sums, ["product_code", "product_title", "account_code", "account_title", "kind"])
    return detail.drop("raw"), totals.drop("raw"), names


def _prefix(depth: int) -> pl.Expr:
    return pl.col("product_code").str.split(".").list.head(depth).list.join(".").alias("prefix")


def _differing(details: pl.DataFrame, sums: pl.DataFrame) -> pl.DataFrame:
    """The sums rows (per column) with a product code that differ from the sum of the
    lines below them in the same file and column (signed as the file writes them), by
    account where the row has one. Code-less totals ("Summe Erträge") sum what their
    label says and are not checked."""
    sums = sums.filter(pl.col("value").is_not_null() & (pl.col("value") != 0) & (pl.col("product_code") != "")
                       & pl.col("product_code").str.contains(CODE.pattern))
    if sums.is_empty():
        return sums.with_columns(below=pl.lit(None, pl.Float64))
    lines = details.filter(pl.col("value").is_not_null())
    differing = []
    for (depth, by_account), group in sums.with_columns(
            depth=pl.col("product_code").str.count_matches(r"\.") + 1,
            by_account=pl.col("account_code") != "").group_by("depth", "by_account"):
        keys = ["file_order", "column", "prefix"] + (["account_code"] if by_account else [])
        below = lines.with_columns(_prefix(depth)).group_by(keys).agg(below=pl.col("value").sum())
        checked = group.with_columns(prefix=pl.col("product_code")).join(below, on=keys, how="left")
        differing.append(checked.filter((pl.col("value") - pl.col("below").fill_null(0)).abs() > TOLERANCE)
                         .drop("prefix", "depth", "by_account"))
    return pl.concat(differing)


def settle_sums(details: pl.DataFrame, sums: pl.DataFrame, names: pl.DataFrame,
                warnings: Counter) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each sub-total against the lines below it. A row above others that has an
    account of its own and does not add up to theirs is no sub-total but a line of
    its own (Wesel's investment measures: 7.130004.700.400 above 7.130004.700.400.01):
    kept and counted. Any other difference (a sub-total without an account) is
    counted with examples, never corrected. Returns the details and names with the kept rows."""
    found = _differing(details, sums)
    key = ["file_order", "product_code", "account_code"]
    own = found.filter((pl.col("kind") == "subtotal") & (pl.col("account_code") != "")).select(key).unique()
    if own.height:
        rows = sums.join(own, on=key, how="semi")
        warnings["rows above others kept as lines (they do not add up to them)"] += own.height
        warnings["sub-total rows dropped"] -= own.height
        details = pl.concat([details, rows.select(details.columns)])
        names = pl.concat([names, rows.select(names.columns).unique(key)])
    rest = found.join(own, on=key, how="anti")
    if rest.height:
        warnings["totals not matching their lines"] += rest.height
        warnings.setdefault("examples", {})["totals"] = [
            f"{r['source_column']} {r['product_code']}: {r['value']:.2f} ≠ {r['below'] or 0:.2f}"
            for r in rest.sort("file_order", "product_code", "column").head(3).iter_rows(named=True)]
    return details, names


def newest_per_year(details: pl.DataFrame, warnings: Counter) -> pl.DataFrame:
    """Each (phase, year) from the newest file that has figures for it (a whole
    column, never rows mixed from two budgets)."""
    present = details.filter(pl.col("value").is_not_null() & (pl.col("value") != 0))
    newest = present.group_by("phase", "fiscal_year").agg(pl.col("file_order").max())
    columns = present.select("phase", "fiscal_year", "file_order").unique()
    superseded = columns.height - newest.height
    if not superseded:
        return present
    warnings["year columns superseded by a newer file"] += superseded
    return present.join(newest, on=["phase", "fiscal_year", "file_order"], how="semi")


def missing_years(frame: pl.DataFrame) -> dict[str, list[int]]:
    """Per phase, the years between its first and last that have no figures."""
    out = {}
    for phase, years in frame.group_by("phase").agg(pl.col("fiscal_year").unique()).iter_rows():
        have = set(years)
        gap = [y for y in range(min(have), max(have) + 1) if y not in have]
        if gap:
            out[phase] = gap
    return dict(sorted(out.items()))


def to_long(details: pl.DataFrame, names: pl.DataFrame, area_titles: dict[str, str],
            warnings: Counter) -> pl.DataFrame:
    """The detail rows as the published table: hierarchy, direction, positive amounts.
    What depends on the product or the account alone is worked out once per code and joined."""
    frame = newest_per_year(details, warnings)
    # Several lines of one product and account (two cost centres) are one figure.
    key = ["product_code", "account_code", "fiscal_year", "phase"]
    if names.select("file_order", "product_code", "account_code").is_duplicated().any():  # else none to add
        counted = frame.height
        frame = frame.group_by(key).agg(pl.col("value").sum(), pl.col("source_column").first())
        if frame.height < counted:
            warnings["lines of the same product and account added up"] += counted - frame.height
    # The newest file's names of products and accounts (names change between budgets).
    ordered = names.sort("file_order")
    parts = pl.col("product_code").str.split(".")
    titles = pl.DataFrame({"product_area": list(area_titles), "product_area_title": list(area_titles.values())},
                          schema={"product_area": pl.String, "product_area_title": pl.String})
    products = (ordered.group_by("product_code")
                .agg(pl.col("product_title").filter(pl.col("product_title") != "").last())
                .with_columns(product_area=parts.list.get(0),
                              product_group=pl.when(parts.list.len() >= 2).then(parts.list.head(2).list.join(".")),
                              product=pl.when(parts.list.len() >= 3).then(parts.list.head(3).list.join(".")))
                .join(titles, on="product_area", how="left")
                .with_columns(product_area_title=pl.col("product_area_title")
                              .fill_null(pl.lit("Produktbereich ") + pl.col("product_area"))))
    klass = pl.col("account_code").str.slice(0, 1)
    accounts = (ordered.group_by("account_code")
                .agg(pl.col("account_title").filter(pl.col("account_title") != "").last())
                .with_columns(statement=klass.replace_strict({k: v[1] for k, v in ACCOUNT_CLASSES.items()},
                                                             default=None),
                              by_account=klass.replace_strict({k: v[0] for k, v in ACCOUNT_CLASSES.items()
                                                               if v[0]}, default=None)))
    frame = (frame.join(products, on="product_code", how="left").join(accounts, on="account_code", how="left")
             # the file's sign where the account does not say (income is negative)
             .with_columns(direction=pl.coalesce("by_account", pl.when(pl.col("value") < 0).then(pl.lit("revenue"))
                                                 .otherwise(pl.lit("expenditure")))))
    by_sign = frame.filter(pl.col("by_account").is_null()).height
    if by_sign:
        warnings["direction from the sign (no account of class 4 to 7)"] += by_sign
    frame = frame.with_columns(amount=(pl.when(pl.col("direction") == "revenue").then(-pl.col("value"))
                                       .otherwise(pl.col("value"))).round(2))
    # Sorted by product, account, year, phase: strings ranked once per pair, then integers sorted
    # (sorting two million rows by their strings took half the transform).
    pairs = (frame.select("product_code", "account_code").unique().sort("product_code", "account_code")
             .with_row_index("pair"))
    return (frame.join(pairs, on=["product_code", "account_code"], how="left")
            .sort("pair", "fiscal_year", pl.col("phase") == "result").select(LONG))


def area_titles(sums: pl.DataFrame, configured: dict[str, str]) -> dict[str, str]:
    """Names of the product areas: configured, else the newest file's area rows ("1;Innere Verwaltung")."""
    found = (sums.filter((pl.col("kind") == "subtotal") & ~pl.col("product_code").str.contains(".", literal=True)
                         & (pl.col("product_title") != ""))
             .sort("file_order").group_by("product_code").agg(pl.col("product_title").last()))
    titles = dict(found.iter_rows())
    titles.update(configured)
    return titles


def overview(frame: pl.DataFrame) -> pl.DataFrame:
    """Per product area, year and phase: revenue, expenditure and balance of the
    Ergebnishaushalt (the Finanzhaushalt's payments describe the same money
    again, internal allocations are no money at all; lines whose account class
    is unknown count here)."""
    rows = frame.filter(pl.col("statement").is_null() | (pl.col("statement") == "ergebnis"))
    return (rows.group_by("product_area", "product_area_title", "fiscal_year", "phase")
            .agg(revenue=pl.col("amount").filter(pl.col("direction") == "revenue").sum().round(2),
                 expenditure=pl.col("amount").filter(pl.col("direction") == "expenditure").sum().round(2))
            .with_columns(balance=(pl.col("revenue") - pl.col("expenditure")).round(2))
            .sort(pl.col("product_area").cast(pl.Int64, strict=False), "product_area", "fiscal_year", "phase")
            .select(OVERVIEW))


def fiscal_model(resource: str, currency: str) -> dict:
    """The Fiscal Data Package (0.3) `model` of the long table: one measure
    (the amount in its direction) and the dimensions that classify it."""
    def attr(source: str, **more) -> dict:
        return {"source": source, "resource": resource, **more}
    return {
        "measures": {"amount": attr("amount", currency=currency, title="Betrag")},
        "dimensions": {
            "date": {"dimensionType": "datetime", "primaryKey": "fiscal_year",
                     "attributes": {"fiscal_year": attr("fiscal_year", title="Haushaltsjahr")}},
            "functional-classification": {
                "dimensionType": "classification", "classificationType": "functional", "primaryKey": "code",
                "attributes": {
                    "area": attr("product_area", title="Produktbereich"),
                    "area_title": attr("product_area_title", labelfor="area"),
                    "group": attr("product_group", parent="area", title="Produktgruppe"),
                    "product": attr("product", parent="group", title="Produkt"),
                    "code": attr("product_code", parent="product", title="Produktnummer"),
                    "title": attr("product_title", labelfor="code")}},
            "chart-of-accounts": {
                "dimensionType": "classification", "classificationType": "economic", "primaryKey": "code",
                "attributes": {"code": attr("account_code", title="Konto (Kostenart)"),
                               "title": attr("account_title", labelfor="code"),
                               "statement": attr("statement", title="Ergebnis- oder Finanzhaushalt")}},
            # Direction and phase are columns (long format), so dimensions here; FDP's
            # measure-level words map as: plan → approved, result → executed.
            "direction": {"dimensionType": "other", "primaryKey": "direction",
                          "attributes": {"direction": attr("direction", title="Ertrag/Aufwand")}},
            "phase": {"dimensionType": "other", "primaryKey": "phase",
                      "attributes": {"phase": attr("phase", title="Plan/Ergebnis")}},
        },
    }


def check_model(model: dict, schema: dict) -> list[str]:
    """What in `model` does not hold for the table `schema` describes (empty: it holds)."""
    names = {f["name"] for f in schema["fields"]}
    problems = []
    if not model.get("measures") or not model.get("dimensions"):
        problems.append("a model needs at least one measure and one dimension")
    for name, measure in model.get("measures", {}).items():
        if measure.get("source") not in names:
            problems.append(f"measure {name}: no field {measure.get('source')!r}")
        if not re.fullmatch(r"[A-Z]{3}", measure.get("currency", "")):
            problems.append(f"measure {name}: currency must be an ISO 4217 code")
    for name, dimension in model.get("dimensions", {}).items():
        attributes = dimension.get("attributes", {})
        keys = dimension.get("primaryKey")
        for key in [keys] if isinstance(keys, str) else keys or []:
            if key not in attributes:
                problems.append(f"dimension {name}: primaryKey {key!r} is no attribute")
        for attr_name, attr in attributes.items():
            if attr.get("source") not in names:
                problems.append(f"dimension {name}.{attr_name}: no field {attr.get('source')!r}")
            for ref in ("parent", "labelfor"):
                if ref in attr and attr[ref] not in attributes:
                    problems.append(f"dimension {name}.{attr_name}: {ref} {attr[ref]!r} is no attribute")
    return problems
