"""The typed model shared by collectors, checks and reports."""

from cloudaudit.model.asset import Asset, Endpoint, asset_from_json, asset_kind, model_for
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument, RunInfo
from cloudaudit.model.inventory import CollectionGap, Inventory, ScanScope

__all__ = [
    "Asset",
    "CollectionGap",
    "Endpoint",
    "Finding",
    "FindingsDocument",
    "Inventory",
    "RunInfo",
    "ScanScope",
    "Severity",
    "Status",
    "asset_from_json",
    "asset_kind",
    "model_for",
]
