"""Typed source configurations: one dataclass per kind, read from
sources.yaml and checked before anything runs.

The fields shared by every kind are in `SourceConfig`; each kind adds its
own. A field's default in its dataclass is the only default there is. An
unknown key, a missing required key or a value of the wrong type is a
ConfigError naming the source and the key (the CLI's exit code 2).
"""
from __future__ import annotations

import dataclasses
import difflib
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Mapping, Optional, TypeVar, Union

T = TypeVar("T")


class ConfigError(Exception):
    pass


@dataclass(frozen=True, kw_only=True)  # kw_only: a kind's required fields may follow defaults
class SourceConfig:
    kind: str
    organization: str                      # the portal organisation the datasets belong to
    title: Optional[str] = None            # default: the source's name
    description: Optional[str] = None      # replaces the kind's description of the dataset
    licence: Optional[str] = None          # DCAT-AP.de licence id; each kind has its default
    attribution: str = ""
    frequency: Optional[str] = None        # EU frequency code (MONTHLY, HOURLY, …)
    contact: Optional[dict[str, str]] = None
    extent: Optional[list[float]] = None   # west, south, east, north (WGS 84)
    source_system: Optional[str] = None    # default: the source's URL
    # Downloading (harvesters/fetch.py reads these by name).
    timeout: float = 30.0
    attempts: int = 3
    backoff: float = 2.0
    max_wait: float = 120.0
    max_bytes: Optional[int] = None
    network_allow: list[str] = field(default_factory=list)
    at_least_one: ClassVar[tuple[str, ...]] = ()  # a kind's whole-number fields that must be 1 or more

    def check(self, source: str) -> None:
        """Checks across fields; a kind extends them."""
        if self.extent is not None and len(self.extent) != 4:
            raise ConfigError(f"source {source}: extent must be [west, south, east, north]")
        if self.attempts < 1 or self.timeout <= 0:
            raise ConfigError(f"source {source}: attempts must be at least 1 and timeout positive")
        if any(getattr(self, name) < 1 for name in self.at_least_one):
            raise ConfigError(f"source {source}: {' and '.join(self.at_least_one)} must be at least 1")

    def as_dict(self) -> dict[str, Any]:
        """The configuration as a plain dict, defaults filled in (for etl functions that read dicts)."""
        return dataclasses.asdict(self)


def parse(cls: type[T], source: str, raw: Any, where: str = "") -> T:
    """`raw` (from YAML, or a test's dict) as an instance of the dataclass `cls`."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"source {source}: {where.rstrip('.') or 'its entry'} must be a mapping, not {raw!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            raise ConfigError(f"source {source}: unknown key {where}{key}"
                              + (f" (did you mean {where}{close[0]}?)" if close else
                                 f" (known: {', '.join(sorted(fields))})"))
    values, missing = {}, []
    for name, f in fields.items():
        value = raw.get(name)
        if value is None:  # absent, or null in YAML: the default
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                missing.append(f"source {source}: {where}{name} is missing")
            continue
        values[name] = _value(source, where + name, value, hints[name])
    if missing:
        raise ConfigError("; ".join(missing))
    return cls(**values)


def _value(source: str, key: str, value: Any, kind: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is Union:  # Optional[X]: None was handled by the caller
        kind = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return value
    if dataclasses.is_dataclass(kind):
        return parse(kind, source, value, key + ".")
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"source {source}: {key} must be one of {', '.join(map(str, args))}, not {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"source {source}: {key} must be a list, not {value!r}")
        return [_value(source, f"{key}[{i}]", v, args[0]) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"source {source}: {key} must be a mapping, not {value!r}")
        return {str(k): _value(source, f"{key}.{k}", v, args[1]) for k, v in value.items()}
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    raise ConfigError(f"source {source}: {key} must be {getattr(kind, '__name__', kind)}, not {value!r}")
