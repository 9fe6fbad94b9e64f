"""Compliance frameworks as data: the definition files, the check -> control mapping derived from them,
and the control-by-control report (:mod:`.evaluate`, :mod:`.output`)."""

from __future__ import annotations

from cloudaudit.compliance.catalog import (
    Catalog,
    FrameworkError,
    catalog,
    controls_for,
    load_framework_file,
    parse_framework,
)
from cloudaudit.compliance.model import Control, Framework

__all__ = [
    "Catalog",
    "Control",
    "Framework",
    "FrameworkError",
    "catalog",
    "controls_for",
    "load_framework_file",
    "parse_framework",
]
