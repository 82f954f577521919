"""Assertions on what a page or a set of messages says; a failure names
every sentence missing (or every phrase present), not only the first."""


def assert_says(text, *sentences):
    """Each of `sentences` is in `text` (a page's text, or a collection of messages)."""
    missing = [s for s in sentences if s not in text]
    assert not missing, f"not said: {missing}"


def assert_never_says(text, *phrases):
    """None of `phrases` is in `text`."""
    present = [p for p in phrases if p in text]
    assert not present, f"said: {present}"
