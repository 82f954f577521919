"""Errors shared by the harvesters and the portal's validation."""


class SourceError(Exception):
    """A source could not deliver usable data; the message names the source
    and says why (down, slow, refused, too large, HTML instead of data, …)."""
