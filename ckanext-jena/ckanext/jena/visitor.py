"""The portal's own pages calling actions as their visitor: the context, and
the actions' refusals turned into the page's 404 and 403."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional

import ckan.plugins.toolkit as tk


def context() -> dict[str, Any]:
    return {"user": tk.g.user, "auth_user_obj": tk.g.userobj}


def act(action: str, **data_dict: Any) -> Any:
    """CKAN's `action` as the visitor (its auth applies)."""
    return tk.get_action(action)(context(), data_dict)


@contextlib.contextmanager
def refusals(not_found: Optional[str], not_authorized: str) -> Iterator[None]:
    """The page's answer (translated texts) when an action inside refuses;
    `not_found` None: a missing object is not this page's to explain."""
    try:
        yield
    except tk.ObjectNotFound:
        if not_found is None:
            raise
        tk.abort(404, not_found)
    except tk.NotAuthorized:
        tk.abort(403, not_authorized)
