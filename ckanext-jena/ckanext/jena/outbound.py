"""The portal's outbound HTTP client: etl.http.Client configured from the
CKAN config (ckanext.jena.outbound.*). The validation download and the link
check use it; nothing in the portal fetches a URL any other way.

Stewards type the URLs, so the allow-list is empty by default: only public
addresses are reached. Operators name internal services that may be fetched
(`ckanext.jena.outbound.allow = geodienste.intern:443 10.20.0.0/16`).
"""
from __future__ import annotations

from typing import Optional

import ckan.plugins.toolkit as tk

from etl.http import Client, Limits

USER_AGENT = "ckanext-jena (+https://opendata.jena.de)"


def _allow() -> list[str]:
    value = tk.config.get("ckanext.jena.outbound.allow") or []
    return value.split() if isinstance(value, str) else list(value)


def limits(max_bytes: Optional[int] = None, deadline: Optional[float] = None) -> Limits:
    """The configured limits; a caller may only make them tighter."""
    cap = int(tk.config.get("ckanext.jena.outbound.max_bytes") or 100 << 20)
    budget = float(tk.config.get("ckanext.jena.outbound.deadline") or 60)
    return Limits(max_bytes=min(cap, max_bytes) if max_bytes else cap,
                  deadline=min(budget, deadline) if deadline else budget,
                  connect_timeout=min(10.0, budget), read_timeout=min(30.0, budget))


def client(user_agent: str = USER_AGENT) -> Client:
    return Client(allow=_allow(), user_agent=user_agent, limits=limits())
