"""Who must log in with a second factor: ckanext.jena.2fa.required_for
names the roles (sysadmin, admin, editor: of any organisation)."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

ROLES = ("sysadmin", "admin", "editor")


def required_roles() -> set[str]:
    return set(tk.config.get("ckanext.jena.2fa.required_for") or [])


def check_config() -> None:
    """At start-up: a misspelt role would silently leave accounts unprotected."""
    unknown = required_roles() - set(ROLES)
    if unknown:
        raise RuntimeError(f"ckanext.jena.2fa.required_for: unknown role(s) {', '.join(sorted(unknown))}; "
                           f"known: {', '.join(ROLES)}")


def required(user: model.User) -> bool:
    roles = required_roles()
    if not roles:
        return False
    if "sysadmin" in roles and user.sysadmin:
        return True
    capacities = roles & {"admin", "editor"}
    if not capacities:
        return False
    return model.Session.query(model.Member).join(model.Group, model.Group.id == model.Member.group_id).filter(
        model.Member.table_name == "user", model.Member.table_id == user.id,
        model.Member.state == "active", model.Member.capacity.in_(capacities),
        model.Group.is_organization.is_(True), model.Group.state == "active").first() is not None
