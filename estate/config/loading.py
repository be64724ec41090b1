"""Finding and reading the configuration: `--config`, else `ESTATE_CONFIG`, else `./estate.toml`,
else the built-in defaults; `ESTATE_*` variables beat the file. Errors name the file and the
dotted key (with a source's name where there is one)."""

from __future__ import annotations

import os
import tomllib
from difflib import get_close_matches
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from estate.config import ConfigError, Settings

DEFAULT_CONFIG = Path("estate.toml")


def config_path_from(explicit: Path | None) -> Path | None:
    """The config file to read: `--config`, else ESTATE_CONFIG, else ./estate.toml if present."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("ESTATE_CONFIG")
    if from_env:
        return Path(from_env)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_settings(explicit: Path | None = None) -> Settings:
    path = config_path_from(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    where = str(path) if path else "built-in defaults"
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {describe_validation_error(exc, data)}") from None
    _check_unique_names(settings, where)
    settings.config_path = path.resolve() if path else None
    return settings


def describe_validation_error(exc: ValidationError, data: dict[str, Any] | None = None) -> str:
    """One line per problem: the dotted key (with the source's name where there is one)."""
    lines = []
    for error in exc.errors():
        key = _dotted(error["loc"], data or {})
        if error["type"] == "extra_forbidden":
            near = get_close_matches(str(error["loc"][-1]), _keys_at(error["loc"][:-1]), n=3)
            hint = f" (did you mean {' or '.join(repr(k) for k in near)}?)" if near else ""
            lines.append(f"unknown key {key!r}{hint}")
        else:
            lines.append(f"{key}: {error['msg']}")
    return "; ".join(lines)


def _keys_at(loc: tuple[int | str, ...]) -> list[str]:
    """The keys a section of the file may hold, found by walking the settings models."""
    model: Any = Settings
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        inner = [a for a in get_args(annotation) if isinstance(a, type)] or [annotation]
        model = next((a for a in inner if issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _dotted(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            inside = isinstance(node, list) and item < len(node) and isinstance(node[item], dict)
            name = node[item].get("name") if inside else None
            parts[-1] += f"[{item}]" + (f"({name})" if isinstance(name, str) else "")
            node = node[item] if isinstance(node, list) and item < len(node) else {}
        else:
            parts.append(item)
            node = node.get(item, {}) if isinstance(node, dict) else {}
    return ".".join(parts)


def _check_unique_names(settings: Settings, where: str) -> None:
    seen: set[str] = set()
    for source in settings.sources:
        if source.name in seen:
            raise ConfigError(f"{where}: sources: the name {source.name!r} is used twice")
        seen.add(source.name)


def secret_from_env(variable: str | None, what: str) -> str:
    """Read a secret from the environment variable the config names, or say what is missing."""
    if not variable:
        raise ConfigError(f"{what}: no environment variable named for the secret")
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(f"{what}: environment variable {variable} is not set")
    return value
