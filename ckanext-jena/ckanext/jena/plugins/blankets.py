"""The parts a plugin of ours registers — its ckanext.jena.<section>.* options,
actions and auth functions, blueprints, template helpers, CLI commands —
handed to CKAN through its blankets (ckan.plugins.toolkit.blanket), as CKAN's
own activity plugin does: one decorator instead of an implements() and a
one-line method for each of those interfaces."""
from __future__ import annotations

from typing import Any, Callable, Optional

import ckan.plugins.toolkit as tk

from ckanext.jena.declarations import declare_options

# What a blanket takes: the dict or list itself, or a function returning it.
Subject = Any


def parts(options: Optional[str] = None, *, actions: Subject = None, auth: Subject = None,
          blueprints: Subject = None, helpers: Subject = None, commands: Subject = None,
          validators: Subject = None) -> Callable[[type], type]:
    """A class decorator: `options` is the plugin's section of
    config_declaration.yaml (declarations.declare_options); every other part
    given is what the interface's method returns."""
    blankets = ((tk.blanket.actions, actions), (tk.blanket.auth_functions, auth),
                (tk.blanket.blueprints, blueprints), (tk.blanket.helpers, helpers),
                (tk.blanket.cli, commands), (tk.blanket.validators, validators))

    def apply(plugin: type) -> type:
        if options:
            plugin = tk.blanket.config_declarations(_declaration(options))(plugin)
        for blanket, subject in blankets:
            if subject is not None:
                plugin = blanket(subject)(plugin)
        return plugin
    return apply


def _declaration(section: str) -> Callable[[Any, Any], None]:
    # The config blanket calls a plain function (not a partial) with
    # (declaration, key).
    def declare(declaration, key):
        declare_options(declaration, section)
    return declare
