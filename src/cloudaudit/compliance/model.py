"""The schema of a framework definition file (``data/frameworks/*.yaml``), validated with pydantic."""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

FRAMEWORK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
"""Framework ids name report files (``compliance-<id>.html``): letters, digits, dots and dashes."""
CHECK_ID = re.compile(r"^[a-z0-9]+(\.[a-z0-9_]+)+$")
"""A check id (``provider.service.name``) or an exposure rule id (``exposure.name``)."""

Assessment = Literal["automated", "manual"]


class Control(BaseModel):
    """One control (requirement, recommendation) of a framework and the checks that evaluate it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StrictStr = Field(min_length=1)
    section: StrictStr = Field(min_length=1)
    title: StrictStr = Field(min_length=1)
    assessment: Assessment
    """How the framework says the control is assessed: by automated means, or by a person."""
    description: StrictStr = Field(min_length=1)
    checks: tuple[StrictStr, ...] = ()
    """The check ids (or exposure rule ids) whose findings evaluate the control (none: not evaluated)."""

    @field_validator("checks")
    @classmethod
    def _check_ids(cls, checks: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in checks if not CHECK_ID.match(c)]
        if bad:
            raise ValueError(f"not a check id: {', '.join(bad)} (lowercase, dotted: provider.service.name)")
        twice = sorted(c for c, n in Counter(checks).items() if n > 1)
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        return checks


class Framework(BaseModel):
    """One version of a compliance framework, as cloudaudit reports on it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: StrictStr = Field(pattern=FRAMEWORK_ID.pattern)
    name: StrictStr = Field(min_length=1)
    version: StrictStr = Field(min_length=1)
    provider: StrictStr | None = None
    """The one provider whose checks the framework lists (CIS benchmarks); None: any provider."""
    url: StrictStr = ""
    description: StrictStr = Field(min_length=1)
    scope: StrictStr = Field(min_length=1)
    """What part of the framework the file covers, and what a pass means."""
    controls: tuple[Control, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        twice = sorted(c for c, n in Counter(c.id for c in self.controls).items() if n > 1)
        if twice:
            raise ValueError(f"control ids listed twice: {', '.join(twice)}")
        if self.provider is not None:
            prefix = f"{self.provider}."
            foreign = [c for ctl in self.controls for c in ctl.checks if not c.startswith(prefix)]
            if foreign:
                raise ValueError(f"checks of another provider than {self.provider}: {', '.join(foreign)}")
        return self

    @property
    def title(self) -> str:
        """``CIS Amazon Web Services Foundations Benchmark 3.0.0``."""
        return f"{self.name} {self.version}"

    @property
    def automated(self) -> int:
        """How many of its controls are assessed by automated means."""
        return sum(c.assessment == "automated" for c in self.controls)
