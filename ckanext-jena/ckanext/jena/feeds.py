"""The Atom feeds in the page's language (IFeed.get_feed_class).

CKAN's feed views build their title and subtitle as English text and pass
language="en" (ckan/views/feed.py, "TODO: language"); they hand both to the
feed class a plugin provides. Ours reads the parts back out of CKAN's text
and says them again through the translations, with xml:lang of the request.
It also rebuilds the paging links, which CKAN writes as
"?query=page&query=2" and with a fractional last page.
"""
from __future__ import annotations

import math
import re
from typing import Any, Optional

import ckan.plugins.toolkit as tk
from ckan.views.feed import CKANFeed

from ckanext.jena.display import _locale

_ON = r"Recently created or updated datasets on (?P<site>.*?)"
# (pattern of CKAN's subtitle, our msgid for the subtitle, our msgid for the title)
_KINDS = [
    (re.compile(_ON + r"\. Custom query: '(?P<value>.*)'$", re.S),
     "New and changed datasets on {site} for the search “{value}”", "{site} – search “{value}”"),
    (re.compile(_ON + r' by tag: "(?P<value>.*)"$', re.S),
     "New and changed datasets on {site} with the tag “{value}”", "{site} – tag “{value}”"),
    (re.compile(_ON + r' by organization: "(?P<value>.*)"$', re.S),
     "New and changed datasets of {value} on {site}", "{site} – {value}"),
    (re.compile(_ON + r' by group: "(?P<value>.*)"$', re.S),
     "New and changed datasets in the group {value} on {site}", "{site} – group {value}"),
    (re.compile(_ON + r"$", re.S),
     "New and changed datasets on {site}", "{site}"),
]
_PAGE = re.compile(r"query=page&query=(?P<page>[0-9.]+)")


def translate(title: str, description: str) -> tuple[str, str]:
    """(title, subtitle) of a CKAN feed in the page's language."""
    for pattern, subtitle, heading in _KINDS:
        match = pattern.match(description or "")
        if match:
            parts = match.groupdict()
            parts.setdefault("value", "")
            return tk._(heading).format(**parts), tk._(subtitle).format(**parts)
    return title, description


def _page_url(page: Optional[int]) -> Optional[str]:
    if page is None:
        return None
    args = {k: v for k, v in tk.request.args.items() if k != "page"}
    if page > 1:
        args["page"] = page
    return tk.h.url_for(tk.request.endpoint, _external=True,
                        **(tk.request.view_args or {}), **args)


def _current_page() -> int:
    try:
        return max(1, int(tk.request.args.get("page", 1)))
    except ValueError:
        return 1


def paging(last_link: Optional[str]) -> dict[str, Optional[str]]:
    """prev/next/first/last links of the current request, the last page read
    from the link CKAN made (item_count / limit + 1, a float)."""
    match = _PAGE.search(last_link or "")
    last = max(1, math.floor(float(match["page"]))) if match else 1
    page = _current_page()
    return {
        "previous_page": _page_url(page - 1 if page > 1 else None),
        "next_page": _page_url(page + 1 if page < last else None),
        "first_page": _page_url(1),
        "last_page": _page_url(last),
    }


def alternate(link: str) -> str:
    """The search page a feed stands for. CKAN's link holds only the last of
    its parameters, as "query=KEY&query=VALUE": a custom feed's search is
    rebuilt from the request, the others' pair made KEY=VALUE again."""
    if tk.request.endpoint == "feeds.custom":
        args = {k: v for k, v in tk.request.args.items() if k != "page"}
        return tk.h.url_for("dataset.search", **args)
    base, _, query = (link or "").partition("?")
    parts = query.split("&") if query else []
    pairs = [p[len("query="):] for p in parts if p.startswith("query=")]
    kept = [p for p in parts if not p.startswith("query=")]
    if len(pairs) == 2:
        kept.append(f"{pairs[0]}={pairs[1]}")
    return base + ("?" + "&".join(kept) if kept else "")


class JenaFeed(CKANFeed):
    def __init__(self, feed_title: str, feed_link: str, feed_description: str,
                 language: Optional[str] = None, **kwargs: Any) -> None:
        title, description = translate(feed_title, feed_description)
        kwargs.update(paging(kwargs.get("last_page")))
        kwargs["feed_url"] = _page_url(_current_page())
        super().__init__(title, alternate(feed_link), description, language=_locale(), **kwargs)
