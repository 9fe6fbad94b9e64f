"""Load the framework definition files and answer "which controls does this check evaluate?".

The files in ``cloudaudit/data/frameworks`` are the only source of the compliance mapping: a check's
``compliance`` (and so every finding's) is derived from the controls that list it. They are read once
per process, on first use (about 20 ms), with libyaml when it is there; a file that does not validate
is read again with line numbers so that the error names the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from cloudaudit.compliance.model import Framework
from cloudaudit.errors import CloudauditError, UsageError
from cloudaudit.inputs import MUTELIST, parse_yaml, validation_line

PACKAGE_DIR = ("data", "frameworks")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrameworkError(CloudauditError):
    """A framework definition file is missing, not YAML, or does not follow the schema."""


def parse_framework(text: str, source: Path) -> Framework:
    """Validate one framework file's text; FrameworkError names the file, the line and the field."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when available)
        return Framework.model_validate(data)
    except (yaml.YAMLError, ValidationError):
        pass
    try:  # again, slowly, for the line numbers of the message
        data, lines = parse_yaml(text, source, "framework file", MUTELIST)
        return Framework.model_validate(data)
    except UsageError as exc:
        raise FrameworkError(exc.message) from None
    except ValidationError as exc:
        raise FrameworkError(validation_line(exc, source, "framework file", lines)) from None


def load_framework_file(path: Path) -> Framework:
    """Read and validate one framework file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"cannot read framework file {path}: {exc}") from None
    return parse_framework(text, path)


class Catalog:
    """Frameworks by id, and the controls each check evaluates."""

    def __init__(self, frameworks: Iterable[Framework]) -> None:
        self._frameworks: dict[str, Framework] = {}
        index: dict[str, dict[str, list[str]]] = {}
        for fw in sorted(frameworks, key=lambda f: f.id):
            if fw.id in self._frameworks:
                raise FrameworkError(f"framework {fw.id} is defined twice")
            self._frameworks[fw.id] = fw
            for control in fw.controls:
                for check in control.checks:
                    index.setdefault(check, {}).setdefault(fw.id, []).append(control.id)
        self._index = {
            check: MappingProxyType({fw: tuple(ids) for fw, ids in by_fw.items()})
            for check, by_fw in index.items()
        }

    @property
    def frameworks(self) -> Sequence[Framework]:
        """Every framework, by id."""
        return tuple(self._frameworks.values())

    def get(self, framework_id: str) -> Framework | None:
        """The framework with this id (case-insensitive), if any."""
        found = self._frameworks.get(framework_id)
        if found is None:
            folded = framework_id.casefold()
            found = next((f for f in self._frameworks.values() if f.id.casefold() == folded), None)
        return found

    def require(self, framework_id: str) -> Framework:
        """The framework with this id; a UsageError listing the known ones otherwise."""
        found = self.get(framework_id)
        if found is None:
            known = ", ".join(self._frameworks)
            raise UsageError(f"unknown framework {framework_id!r}; known frameworks: {known}")
        return found

    def controls_for(self, check_id: str) -> Mapping[str, tuple[str, ...]]:
        """Framework id -> the ids of the controls ``check_id`` evaluates (frameworks by id)."""
        return self._index.get(check_id, _EMPTY)

    def mapped_checks(self) -> frozenset[str]:
        """Every check id some control lists."""
        return frozenset(self._index)


_EMPTY: Mapping[str, tuple[str, ...]] = MappingProxyType({})


def bundled_files() -> list[Path]:
    """The framework files shipped with cloudaudit, by name."""
    root = resources.files("cloudaudit").joinpath(*PACKAGE_DIR)
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith((".yaml", ".yml")))


@cache
def catalog() -> Catalog:
    """The bundled frameworks (read once per process)."""
    files = bundled_files()
    if not files:
        raise FrameworkError("no framework definition file found in cloudaudit/data/frameworks")
    return Catalog(load_framework_file(path) for path in files)


def controls_for(check_id: str) -> Mapping[str, tuple[str, ...]]:
    """Framework id -> control ids for one check, from the bundled framework files."""
    return catalog().controls_for(check_id)
