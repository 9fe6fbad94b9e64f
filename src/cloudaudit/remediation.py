"""Remediation steps of each check, as data: what to do in the provider's console and with its CLI.

Each provider ships ``data/remediation.yaml`` (its plugin's ``steps_file``), one entry per check::

    aws.s3.bucket_public_access_block_off:
      console:
        - Open the Amazon S3 console and choose the bucket {{name}}.
        - ...
      cli:
        - aws s3api put-public-access-block --bucket {{name}} --public-access-block-configuration ...
      docs:
        - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html

``{{name}}``, ``{{id}}``, ``{{segment}}`` (the id's last ``/`` or ``:`` part), ``{{region}}`` and
``{{account}}`` stand for the finding's values. In commands they are filled shell-quoted
(:func:`fill_command`): a resource's name is chosen by whoever controls the account, and a command a
reader copies must not run what the name says. cloudaudit never runs these commands: they change the
account, and cloudaudit only reads.

The files are read once per process, on first use, from every installed provider (no SDK imported).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from cloudaudit.errors import CloudauditError, MissingDependencyError, UsageError
from cloudaudit.inputs import MUTELIST, parse_yaml, validation_line

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
"""``{{name}}``: double braces, so that JSON arguments (``'{"Rules":[]}'``) are written as they are."""

PLACEHOLDERS: tuple[str, ...] = ("id", "name", "segment", "region", "account")
"""What a step may refer to: the finding's resource id, name, the id's last segment, region, account."""

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class StepsError(CloudauditError):
    """A remediation file is missing, not YAML, or does not follow the schema."""


class Steps(BaseModel):
    """How to fix what one check finds: console steps, CLI commands, documentation links."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    console: tuple[Line, ...] = Field(min_length=1)
    """Steps in the provider's web console, in order."""
    cli: tuple[Line, ...] = Field(min_length=1)
    """Commands of the provider's CLI (one command per item; a reader runs them in order)."""
    docs: tuple[Line, ...] = ()
    """The provider's documentation of the setting (https URLs)."""

    @field_validator("console", "cli")
    @classmethod
    def _known_placeholders(cls, lines: tuple[str, ...]) -> tuple[str, ...]:
        for line in lines:
            for name in PLACEHOLDER.findall(line):
                if name not in PLACEHOLDERS:
                    raise ValueError(f"unknown placeholder {{{{{name}}}}} (known: {', '.join(PLACEHOLDERS)})")
        return lines

    @field_validator("docs")
    @classmethod
    def _https(cls, links: tuple[str, ...]) -> tuple[str, ...]:
        for link in links:
            if not link.startswith("https://") or any(c.isspace() for c in link):
                raise ValueError(f"not an https URL: {link!r}")
        return links


_FILE = TypeAdapter(dict[str, Steps])


def parse_steps(text: str, source: Path) -> dict[str, Steps]:
    """Validate one remediation file's text; StepsError names the file, the line and the field."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when available)
        return _validated(data)
    except (yaml.YAMLError, ValidationError, StepsError):
        pass
    try:  # again, slowly, for the line numbers of the message
        data, lines = parse_yaml(text, source, "remediation file", MUTELIST)
        return _validated(data)
    except UsageError as exc:
        raise StepsError(exc.message) from None
    except StepsError as exc:
        raise StepsError(f"{source}: {exc.message}") from None
    except ValidationError as exc:
        raise StepsError(validation_line(exc, source, "remediation file", lines)) from None


def _validated(data: Any) -> dict[str, Steps]:
    if not isinstance(data, dict):
        raise StepsError("a remediation file maps check ids to their steps")
    return _FILE.validate_python(data)


def load_steps_file(path: Path) -> dict[str, Steps]:
    """Read and validate one remediation file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StepsError(f"cannot read remediation file {path}: {exc}") from None
    return parse_steps(text, path)


def merged(files: Iterable[Path]) -> Mapping[str, Steps]:
    """The steps of several files; a check described twice is an error."""
    out: dict[str, Steps] = {}
    for path in files:
        for check, steps in load_steps_file(path).items():
            if check in out:
                raise StepsError(f"{path}: remediation of {check} is given twice")
            out[check] = steps
    return MappingProxyType(out)


def installed_files() -> list[Path]:
    """The remediation files of every installed provider that loads."""
    from cloudaudit.plugins import available, plugin_object

    files: list[Path] = []
    for name in sorted(available()):
        try:
            path = plugin_object(name).steps_file
        except (MissingDependencyError, UsageError):
            continue
        if path.is_file():
            files.append(path)
    return files


@cache
def catalog() -> Mapping[str, Steps]:
    """Check id -> steps, from every installed provider (read once per process)."""
    return merged(installed_files())


def steps_for(check_id: str) -> Steps | None:
    """The remediation steps of one check, if its provider describes them."""
    return catalog().get(check_id)


def segment(resource_id: str) -> str:
    """The id's last segment: after its last ``/`` or ``:`` (``sg-0123`` of an ARN)."""
    return resource_id[max(resource_id.rfind("/"), resource_id.rfind(":")) + 1 :]


def values_of(resource_id: str, name: str, region: str, account: str) -> dict[str, str]:
    """The placeholders' values for one finding."""
    return {
        "id": resource_id,
        "name": name or segment(resource_id),
        "segment": segment(resource_id),
        "region": region,
        "account": account,
    }


def fill_command(command: str, values: Mapping[str, str]) -> str:
    """A command with its placeholders replaced by shell-quoted values (a name stays one argument,
    whatever it holds)."""
    return PLACEHOLDER.sub(lambda m: shlex.quote(values[m.group(1)]), command)


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """A console step with its placeholders replaced by the values as they are."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


__all__ = [
    "PLACEHOLDERS",
    "Steps",
    "StepsError",
    "catalog",
    "fill_command",
    "fill_text",
    "load_steps_file",
    "merged",
    "parse_steps",
    "steps_for",
    "values_of",
]
