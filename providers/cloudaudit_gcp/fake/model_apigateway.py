"""API Gateway resources of the fake: APIs, API configs (OpenAPI documents) and gateways."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ApiConfig:
    """An API config; ``documents`` maps a file path to its OpenAPI text (JSON or YAML)."""

    name: str
    documents: dict[str, str] = field(default_factory=dict)


@dataclass
class Api:
    """An API (global) and its configs."""

    name: str
    configs: list[ApiConfig] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Gateway:
    """A gateway in a region serving one API config (``api``/``config`` names)."""

    name: str
    region: str
    api: str
    config: str
    labels: dict[str, str] = field(default_factory=dict)
