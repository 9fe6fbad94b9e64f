"""Prowler check names -> the cloudaudit checks that report the same problem.

The table lives in ``data/mutelist_aliases.yaml`` (keys starting with ``_`` only hold YAML anchors).
An alias may be limited to TCP ports: Prowler has one check per port where cloudaudit has one per
kind of port, so muting Prowler's SSH check must not mute an RDP finding of the same group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from cloudaudit.model.finding import Finding

ALIAS_FILE = "data/mutelist_aliases.yaml"


class _Limited(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    checks: tuple[str, ...] = Field(min_length=1)
    ports: frozenset[int] = Field(min_length=1)


_TABLE = TypeAdapter(dict[str, tuple[str, ...] | _Limited])


@dataclass(frozen=True)
class AliasTarget:
    """One cloudaudit check an alias stands for, limited to ``ports`` (None: any finding)."""

    check_id: str
    ports: frozenset[int] | None = None

    def covers(self, finding: Finding) -> bool:
        """True when the finding is of this check and, with ports, only about accepted TCP ports."""
        if finding.check_id != self.check_id:
            return False
        if self.ports is None:
            return True
        ranges = finding.network.ports if finding.network is not None else ()
        return bool(ranges) and all(
            r.transport == "tcp"
            and r.to_port - r.from_port < len(self.ports)
            and all(p in self.ports for p in range(r.from_port, r.to_port + 1))
            for r in ranges
        )


def parse_aliases(raw: Mapping[str, object]) -> dict[str, tuple[AliasTarget, ...]]:
    """The validated table (``_``-prefixed keys skipped)."""
    table = _TABLE.validate_python({k: v for k, v in raw.items() if not str(k).startswith("_")})
    out: dict[str, tuple[AliasTarget, ...]] = {}
    for name, value in table.items():
        if isinstance(value, _Limited):
            out[name] = tuple(AliasTarget(c, value.ports) for c in value.checks)
        else:
            out[name] = tuple(AliasTarget(c) for c in value)
    return out


@cache
def aliases() -> Mapping[str, tuple[AliasTarget, ...]]:
    """The shipped alias table, read once."""
    text = resources.files("cloudaudit").joinpath(ALIAS_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise TypeError(f"{ALIAS_FILE} is not a mapping")
    return parse_aliases(raw)


def alias_ids(targets: Iterable[AliasTarget]) -> list[str]:
    """The distinct check ids of some targets, in order."""
    return list(dict.fromkeys(t.check_id for t in targets))
