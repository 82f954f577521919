"""`ckan jena ...` commands used by bin/setup and by operators."""
from __future__ import annotations

import os
import secrets
from typing import Any, Iterator

import click
import yaml

import ckan.model as model
import ckan.plugins.toolkit as tk

from etl.files import write_atomic

TOKEN_NAME = "harvesters"


def _write_private(path: str, text: str) -> None:
    """Mode 600, whole or not at all (etl.files): never half a token."""
    write_atomic(path, text + "\n", mode=0o600)


def _read_token(path: str) -> str:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def _token_owner(token: str) -> model.User | None:
    from ckan.lib import api_token
    if not token:
        return None
    try:
        return api_token.get_user_from_token(token)
    except Exception:
        return None


def _site_context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"ignore_auth": True, "user": site_user["name"]}


def _act(name: str, context: dict, data: dict) -> Any:
    # CKAN's actions write into their context: each call gets its own.
    return tk.get_action(name)(dict(context), data)


def organizations_of(sources: Any) -> list[str]:
    """Every `organization:` value of the harvesters' source configuration
    (at any depth: a source, a layer), each once, in order."""
    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "organization" and isinstance(value, str):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)
    return list(dict.fromkeys(walk(sources)))


def _load_yaml(path: str | None) -> Any:
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@click.group(short_help="Jena open data platform commands")
def jena():
    pass


@jena.command("bootstrap-admin")
@click.option("--name", default="jena-admin", show_default=True)
@click.option("--email", default="opendata@jena.example", show_default=True)
@click.option("--password-file", required=True, type=click.Path(dir_okay=False),
              help="where a new sysadmin's password is kept (mode 600)")
def bootstrap_admin(name, email, password_file):
    """Create the sysadmin, once. (It has no API token: the harvesters have
    their own account, see harvester-account.)"""
    context = _site_context()
    user = model.User.get(name)
    if user is None:
        password = secrets.token_urlsafe(18)
        _act("user_create", context, {
            "name": name, "email": email, "password": password,
            "fullname": "Open-Data-Team Jena"})
        _write_private(password_file, password)
        user = model.User.get(name)
        click.echo(f"    sysadmin {name} created (password in {password_file})")
    elif not os.path.exists(password_file):
        # The account outlived its var/ folder (a re-used database): nobody can
        # know its password any more, so set-up gives it a new one and says so.
        password = secrets.token_urlsafe(18)
        user.password = password  # the model hashes it
        model.Session.commit()
        _write_private(password_file, password)
        click.echo(f"    sysadmin {name} exists; its password file was missing, "
                   f"a new password is in {password_file}")
    else:
        click.echo(f"    sysadmin {name} exists")
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()


@jena.command("harvester-account")
@click.option("--name", default="jena-harvester", show_default=True)
@click.option("--email", default="opendata+harvester@jena.example", show_default=True)
@click.option("--sources", "sources_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="the harvesters' source configuration (its `organization:` values)")
@click.option("--organization", "extra", multiple=True,
              help="a further organisation it publishes to (repeatable)")
@click.option("--organizations", "catalogue_path", type=click.Path(exists=True, dir_okay=False),
              help="YAML: title and description of organisations created here")
@click.option("--token-file", required=True, type=click.Path(dir_okay=False),
              help="where its API token is kept (mode 600)")
def harvester_account(name, email, sources_path, extra, catalogue_path, token_file):
    """The harvesters' own account: editor of exactly the organisations they
    publish to (created as the sysadmin if missing), never sysadmin, its API
    token in TOKEN_FILE. A token of another user found there (the sysadmin's,
    from older set-ups) is revoked."""
    context = _site_context()
    wanted = list(dict.fromkeys([*organizations_of(_load_yaml(sources_path)), *extra]))
    catalogue = _load_yaml(catalogue_path)

    user = model.User.get(name)
    if user is None:
        # The password is thrown away: the account works with its token only.
        _act("user_create", context, {"name": name, "email": email, "password": secrets.token_urlsafe(24),
                                      "fullname": "Harvester (Offene Daten Jena)"})
        user = model.User.get(name)
        click.echo(f"    user {name} created")
    if user.sysadmin:
        user.sysadmin = False
        model.Session.commit()
        click.echo(f"    {name} is no longer sysadmin")

    for org in wanted:
        try:
            _act("organization_show", context, {"id": org, "include_datasets": False})
        except tk.ObjectNotFound:
            entry = catalogue.get(org) or {}
            _act("organization_create", context, {"name": org, "title": entry.get("title", org),
                                                  "description": entry.get("description", "")})
            click.echo(f"    organisation {org} created")
    capacity = {o["name"]: o.get("capacity") for o in
                _act("organization_list_for_user", context, {"id": user.id, "permission": "read"})}
    for org in wanted:
        if capacity.get(org) != "editor":
            _act("organization_member_create", context, {"id": org, "username": name, "role": "editor"})
    for org in sorted(set(capacity) - set(wanted)):
        _act("organization_member_delete", context, {"id": org, "username": name})
        click.echo(f"    {name} removed from {org} (no source publishes there)")
    click.echo(f"    {name}: editor of {', '.join(wanted) or 'no organisation'} (not sysadmin)")

    token = _read_token(token_file)
    owner = _token_owner(token)
    if owner is not None and owner.id == user.id:
        click.echo(f"    API token of {name} in {token_file} is valid")
        return
    if owner is not None:
        _act("api_token_revoke", context, {"token": token})
        click.echo(f"    the token of {owner.name} in {token_file} revoked")
    # Tokens of an earlier file that is lost would be secrets nobody holds.
    for old in _act("api_token_list", context, {"user_id": user.id}):
        if old.get("name") == TOKEN_NAME:
            _act("api_token_revoke", context, {"jti": old["id"]})
    token = _act("api_token_create", context, {"user": name, "name": TOKEN_NAME})["token"]
    _write_private(token_file, token)
    click.echo(f"    API token of {name} written to {token_file}")


@jena.command("token-owner")
@click.argument("token_file", type=click.Path(exists=True, dir_okay=False))
def token_owner(token_file):
    """Whose API token TOKEN_FILE holds: the user, whether sysadmin, and its
    role in each organisation (exit 1 if the token is not valid)."""
    user = _token_owner(_read_token(token_file))
    if user is None:
        raise click.ClickException(f"{token_file} holds no valid API token")
    orgs = _act("organization_list_for_user", _site_context(), {"id": user.id, "permission": "read"})
    roles = ", ".join(f"{o['name']}={o.get('capacity')}" for o in orgs if not user.sysadmin) or "-"
    click.echo(f"user={user.name} sysadmin={'yes' if user.sysadmin else 'no'} organizations={roles}")
