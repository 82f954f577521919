"""The pages German public bodies must have (Impressum, Datenschutzerklärung,
Erklärung zur Barrierefreiheit): their addresses, config options and
default texts.

The text a sysadmin saves at /ckan-admin/config lives in system_info (CKAN
copies it into the config at start-up and on every change); until then the
page shows a German template whose placeholders say what belongs there.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import ckan.plugins.toolkit as tk

DEFAULTS = os.path.join(os.path.dirname(__file__), "pages")


def _(message: str) -> str:
    """Marks a message for extraction; tk._ translates it when shown."""
    return message


@dataclass(frozen=True)
class Page:
    slug: str    # the address, /<slug>, and the name of the default text
    title: str   # English msgid, shown translated

    @property
    def option(self) -> str:
        return f"ckanext.jena.theme.{self.slug}"


PAGES = (
    Page("impressum", _("Legal notice")),
    Page("datenschutz", _("Privacy policy")),
    Page("barrierefreiheit", _("Accessibility statement")),
)
BY_SLUG = {page.slug: page for page in PAGES}
OPTIONS = tuple(page.option for page in PAGES)


@functools.lru_cache(maxsize=None)
def default_text(slug: str) -> str:
    with open(os.path.join(DEFAULTS, f"{slug}.md"), encoding="utf-8") as f:
        return f.read()


def text(slug: str) -> str:
    """The page's Markdown: what the sysadmin saved, else the template."""
    saved = tk.config.get(BY_SLUG[slug].option) or ""
    return saved if saved.strip() else default_text(slug)
