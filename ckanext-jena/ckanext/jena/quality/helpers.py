"""Template helpers of the jena_quality plugin."""
from __future__ import annotations

from typing import Any, Optional

from . import labels, score


def jena_quality(pkg: dict) -> Optional[dict[str, Any]]:
    """For a page that already shows (so may see) the dataset dict `pkg`."""
    return score.quality_of(pkg) if pkg and pkg.get("id") else None


def get_helpers() -> dict[str, Any]:
    return {"jena_quality": jena_quality, "jena_rating_label": labels.rating_label,
            "jena_dimension_label": labels.dimension_label,
            "jena_indicator_label": labels.indicator_label,
            "jena_indicator_hint": labels.indicator_hint,
            "jena_link_label": labels.link_label}
