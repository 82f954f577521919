"""Names of the ratings and dimensions, translated where they are shown."""
import ckan.plugins.toolkit as tk


def rating_label(rating: str) -> str:
    return {"excellent": tk._("Excellent"), "good": tk._("Good"),
            "sufficient": tk._("Sufficient"), "bad": tk._("Bad")}.get(rating, rating)


def dimension_label(dimension: str) -> str:
    return {"findability": tk._("Findability"), "accessibility": tk._("Accessibility"),
            "interoperability": tk._("Interoperability"), "reusability": tk._("Reusability"),
            "contextuality": tk._("Contextuality")}.get(dimension, dimension)
