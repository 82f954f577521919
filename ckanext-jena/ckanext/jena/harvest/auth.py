"""Who may do what with harvest records.

Stewards of an organisation (its editors and admins) and sysadmins see its
sources' runs; whoever may create datasets in it (the harvesters' editor
account) reports runs; its admins and sysadmins start a run now.
"""
from __future__ import annotations

from typing import Optional

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk


def _user(context) -> Optional[model.User]:
    name = context.get("user")
    return model.User.get(name) if name else None


def stewarded(context) -> Optional[list[str]]:
    """Ids of the organisations whose runs the user sees; None: all (sysadmin)."""
    user = _user(context)
    if user is None:
        return []
    if user.sysadmin:
        return None
    orgs = tk.get_action("organization_list_for_user")(
        {"user": user.name, "ignore_auth": True}, {"id": user.id, "permission": "create_dataset"})
    return [o["id"] for o in orgs]


def organization_id(name_or_id: str) -> Optional[str]:
    group = model.Group.get(name_or_id) if name_or_id else None
    return group.id if group is not None and group.is_organization and group.state == "active" else None


def _can(context, org_id: Optional[str], permission: str) -> bool:
    user = _user(context)
    if user is None or org_id is None:
        return False
    return user.sysadmin or authz.has_user_permission_for_group_or_org(org_id, user.name, permission)


def can_see(context, org_id: Optional[str]) -> bool:
    return _can(context, org_id, "create_dataset")


def can_run_now(context, org_id: Optional[str]) -> bool:
    # "membership" is the admins' permission alone (authz.ROLE_PERMISSIONS).
    return _can(context, org_id, "membership")


def _result(ok: bool, message: str) -> dict:
    return {"success": True} if ok else {"success": False, "msg": message}


def run_create(context, data_dict):
    org = organization_id(data_dict.get("organization") or "")
    return _result(_can(context, org, "create_dataset"),
                   tk._("Only editors of the source's organisation may report its harvest runs"))


def run_list(context, data_dict):
    # The list itself holds only what the user stewards.
    visible = stewarded(context)
    return _result(visible is None or bool(visible), tk._("Only stewards of an organisation see harvest runs"))


def run_show(context, data_dict):
    return _result(can_see(context, data_dict.get("organization_id")),
                   tk._("Only stewards of the source's organisation see its harvest runs"))


def run_now(context, data_dict):
    return _result(can_run_now(context, data_dict.get("organization_id")),
                   tk._("Only admins of the source's organisation and sysadmins may start a harvest"))


def get_auth_functions():
    return {"jena_harvest_run_create": run_create, "jena_harvest_run_list": run_list,
            "jena_harvest_source_list": run_list, "jena_harvest_run_show": run_show,
            "jena_harvest_source_show": run_show, "jena_harvest_trigger_show": run_show,
            "jena_harvest_run_now": run_now}
