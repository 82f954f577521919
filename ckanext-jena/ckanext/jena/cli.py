"""`ckan jena ...` commands used by bin/setup and by operators."""
from __future__ import annotations

import os
import secrets

import click

import ckan.model as model
import ckan.plugins.toolkit as tk


def _write_private(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")


def _token_is_valid(path: str) -> bool:
    from ckan.lib import api_token
    if not os.path.exists(path):
        return False
    token = open(path).read().strip()
    try:
        return api_token.get_user_from_token(token) is not None
    except Exception:
        return False


@click.group(short_help="Jena open data platform commands")
def jena():
    pass


@jena.command("bootstrap-admin")
@click.option("--name", default="jena-admin", show_default=True)
@click.option("--email", default="opendata@jena.example", show_default=True)
@click.option("--token-file", required=True, type=click.Path(dir_okay=False),
              help="where the harvesters' API token is kept (mode 600)")
@click.option("--password-file", required=True, type=click.Path(dir_okay=False),
              help="where a new sysadmin's password is kept (mode 600)")
def bootstrap_admin(name, email, token_file, password_file):
    """Create the sysadmin and the harvesters' API token, once."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"ignore_auth": True, "user": site_user["name"]}
    user = model.User.get(name)
    if user is None:
        password = secrets.token_urlsafe(18)
        tk.get_action("user_create")(context, {
            "name": name, "email": email, "password": password,
            "fullname": "Open-Data-Team Jena"})
        _write_private(password_file, password)
        user = model.User.get(name)
        click.echo(f"    sysadmin {name} created (password in {password_file})")
    else:
        click.echo(f"    sysadmin {name} exists")
    if not user.sysadmin:
        user.sysadmin = True
        model.Session.commit()
    if _token_is_valid(token_file):
        click.echo(f"    API token in {token_file} is valid")
        return
    token = tk.get_action("api_token_create")(
        dict(context, user=name), {"user": name, "name": "harvesters"})["token"]
    _write_private(token_file, token)
    click.echo(f"    API token for the harvesters written to {token_file}")
