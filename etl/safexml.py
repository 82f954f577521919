"""XML from sources, parsed without trusting it.

OGC answers (capabilities, DescribeFeatureType, GML) come from servers we do
not control. No OGC document needs entity declarations, so a document that
declares any is refused (billion laughs, external entities reading local
files); DTDs are never loaded and the parser never touches the network.
"""
from __future__ import annotations

import re

from lxml import etree

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


class UnsafeXML(ValueError):
    pass


def parser(huge: bool = False) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=huge)


def check(data: bytes) -> None:
    """Refuse entity declarations (anywhere in the prolog or body)."""
    if _ENTITY.search(data[:1 << 16]) or (len(data) > 1 << 16 and b"<!DOCTYPE" in data[:1 << 16]
                                          and _ENTITY.search(data)):
        raise UnsafeXML("the XML declares entities (<!ENTITY …>), which no OGC document needs; refused")


def fromstring(data: bytes):
    """The root element of `data`; UnsafeXML or etree.XMLSyntaxError if not acceptable."""
    check(data)
    return etree.fromstring(data, parser())


def source_root(data: bytes, what: str):
    """The root element of a source's answer; SourceError starting with
    `what` (who answered what) if it is unsafe or not XML."""
    from .errors import SourceError
    try:
        return fromstring(data)
    except UnsafeXML as e:
        raise SourceError(f"{what}: {e}")
    except etree.XMLSyntaxError as e:
        raise SourceError(f"{what} did not return valid XML ({e}; starts with {data[:60]!r})")


def iterparse(stream, **kwargs):
    """etree.iterparse with the same protections (entities unresolved, no DTD, no network)."""
    return etree.iterparse(stream, resolve_entities=False, no_network=True, load_dtd=False, **kwargs)
