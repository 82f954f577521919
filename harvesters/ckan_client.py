"""The one way harvesters reach CKAN: ckanapi with a token from outside git.

The token comes from JENA_CKAN_API_TOKEN, or from the file named by
JENA_CKAN_API_TOKEN_FILE (bin/setup writes var/api-token, mode 600). It is
never logged.
"""
from __future__ import annotations

import os

import ckanapi

USER_AGENT = "jena-harvest/0.1 (+https://opendata.jena.de)"


class ConfigurationError(Exception):
    """Bad or missing configuration: exit code 2 of the CLI."""


def api_token() -> str:
    token = os.environ.get("JENA_CKAN_API_TOKEN", "").strip()
    if token:
        return token
    path = os.environ.get("JENA_CKAN_API_TOKEN_FILE", "").strip()
    if not path:
        raise ConfigurationError(
            "no CKAN API token: set JENA_CKAN_API_TOKEN or JENA_CKAN_API_TOKEN_FILE")
    try:
        with open(path, encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as e:
        raise ConfigurationError(f"cannot read the API token file {path}: {e.strerror}") from e
    if not token:
        raise ConfigurationError(f"the API token file {path} is empty")
    return token


def connect(url: str | None = None) -> ckanapi.RemoteCKAN:
    url = url or os.environ.get("JENA_CKAN_URL", "").strip()
    if not url:
        raise ConfigurationError("no CKAN URL: set JENA_CKAN_URL or pass --ckan-url")
    return ckanapi.RemoteCKAN(url, apikey=api_token(), user_agent=USER_AGENT)
