"""The inventory: every collected asset plus what could not be collected."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

from cloudaudit.inputs import validation_summary
from cloudaudit.model.asset import Asset, asset_from_json
from cloudaudit.model.providers import fill_providers, provider_label
from cloudaudit.terminal import printable

INVENTORY_SCHEMA_VERSION = "1.2"
"""1.2: the scope lists ``providers`` (a run may cover several)."""

T = TypeVar("T", bound=Asset)
D = TypeVar("D")

IdKey = Callable[[str], str]
_ID_KEYS: dict[str, IdKey] = {}


def register_id_key(provider: str, key: IdKey) -> None:
    """Compare ``provider``'s resource ids through ``key`` (e.g. ``str.casefold``: Azure ids)."""
    _ID_KEYS[provider] = key


def _exact(asset_id: str) -> str:
    return asset_id


class GapKind(StrEnum):
    """Why something could not be read; decides whether the audit counts as incomplete."""

    DENIED = "denied"
    """The credentials may not read it (or the region is not enabled): a known blind spot."""
    UNSUPPORTED = "unsupported"
    """The service or operation is not available there."""
    THROTTLED = "throttled"
    """Still throttled after the SDK's retries."""
    SERVER = "server"
    """The provider answered with a server error (5xx)."""
    CONNECTION = "connection"
    """The endpoint could not be reached, or the connection broke or timed out."""
    CREDENTIALS = "credentials"
    """The credentials stopped working during the run (e.g. an expired session token)."""
    CRASH = "crash"
    """The collector itself failed."""
    INTERRUPTED = "interrupted"
    """The user stopped the run before this was read."""
    ERROR = "error"
    """Any other error (and every gap of files written before kinds existed)."""

    @property
    def incomplete(self) -> bool:
        """True when the gap is a failure of the run, not a property of the account."""
        return self in _INCOMPLETE


_INCOMPLETE = frozenset(
    {
        GapKind.THROTTLED,
        GapKind.SERVER,
        GapKind.CONNECTION,
        GapKind.CREDENTIALS,
        GapKind.CRASH,
        GapKind.INTERRUPTED,
    }
)


class CollectionGap(BaseModel):
    """Something the collector could not read, and why. Carried to every report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str
    account: str
    region: str
    service: str
    operation: str
    error_code: str
    message: str
    resource_id: str = ""
    """Empty when a whole service or region could not be listed."""
    kind: GapKind = GapKind.ERROR
    """Why it could not be read (see :class:`GapKind`)."""


class ScanScope(BaseModel):
    """Who and where was audited, and when.

    Give ``provider`` (one provider) or ``providers`` (one or several); the other is filled in.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str = ""
    """The provider's name; with several, their names joined with commas (see :mod:`.providers`)."""
    providers: tuple[str, ...] = ()
    """Every provider audited, in collection order (since 1.2; older files: ``(provider,)``)."""
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    started: datetime
    finished: datetime

    @model_validator(mode="before")
    @classmethod
    def _name_providers(cls, data: Any) -> Any:
        return fill_providers(data)


class Inventory(BaseModel):
    """Assets and gaps of one collection run, with lookup helpers for checks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scope: ScanScope
    assets: tuple[Asset, ...] = ()
    gaps: tuple[CollectionGap, ...] = ()
    _by_id: list[tuple[IdKey, dict[str, Asset]]] = PrivateAttr(default_factory=list)
    _by_kind: dict[str, list[Asset]] = PrivateAttr(default_factory=dict)
    _fronted: dict[str, tuple[str, ...]] | None = PrivateAttr(default=None)
    _derived: dict[str, Any] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        """Build the lookup indexes once."""
        by_kind: dict[str, list[Asset]] = defaultdict(list)
        for asset in self.assets:
            by_kind[asset.kind].append(asset)
        by_id: dict[IdKey, dict[str, Asset]] = {_exact: {}}  # exact ids are looked up first
        for asset in self.assets:
            key = _ID_KEYS.get(asset.provider, _exact)
            by_id.setdefault(key, {})[key(asset.id)] = asset
        self._by_id = list(by_id.items())
        self._by_kind = dict(by_kind)

    def get(self, asset_id: str) -> Asset | None:
        """The asset with this globally unique id, compared as the asset's own provider declares:
        exactly by default, case-insensitively for a provider that says so (Azure)."""
        for key, index in self._by_id:
            found = index.get(key(asset_id))
            if found is not None:
                return found
        return None

    def of(self, cls: type[T]) -> Iterator[T]:
        """Every asset of the given model class."""
        for asset in self._by_kind.get(cls.kind, ()):
            assert isinstance(asset, cls)
            yield asset

    def count(self, cls: type[Asset]) -> int:
        """How many assets of the given model class (what :meth:`of` yields)."""
        return len(self._by_kind.get(cls.kind, ()))

    def derived(self, key: str, build: Callable[[Inventory], D]) -> D:
        """``build(self)`` (an index, a join of assets that several checks use), built once per
        evaluation of the checks and shared by them. The engine forgets it when the checks are done
        (:meth:`forget_derived`): it is not kept through the exposure stage and the reports."""
        if key not in self._derived:
            self._derived[key] = build(self)
        return cast(D, self._derived[key])

    def forget_derived(self) -> None:
        """Drop what :meth:`derived` built."""
        self._derived.clear()

    def only(self, accounts: Collection[tuple[str, str]]) -> Inventory:
        """The part of this inventory of some (provider, account) pairs: their assets, their gaps and
        the gaps of no account; the scope names those accounts."""
        keep = frozenset(accounts)
        names = {account for _, account in keep}
        scope = self.scope
        return Inventory(
            scope=scope.model_copy(update={"accounts": tuple(a for a in scope.accounts if a in names)}),
            assets=tuple(a for a in self.assets if (a.provider, a.account) in keep),
            gaps=tuple(g for g in self.gaps if not g.account or (g.provider, g.account) in keep),
        )

    def fronted_by(self, control_id: str) -> tuple[str, ...]:
        """Public addresses of the assets whose :meth:`Asset.network_controls` include ``control_id``
        (the hostnames of the databases a security group stands in front of); indexed on first use."""
        if self._fronted is None:
            index: dict[str, dict[str, None]] = defaultdict(dict)
            for asset in self.assets:
                controls = asset.network_controls()
                hosts = asset.public_addresses() if controls else ()
                for control in controls:
                    index[control].update(dict.fromkeys(hosts))
            self._fronted = {c: tuple(h) for c, h in index.items()}
        return self._fronted.get(control_id, ())

    def to_json(self) -> dict[str, Any]:
        """The versioned ``inventory.json`` document."""
        return {
            "schema_version": INVENTORY_SCHEMA_VERSION,
            "scope": self.scope.model_dump(mode="json"),
            "assets": [a.to_json() for a in self.assets],
            "gaps": [g.model_dump(mode="json") for g in self.gaps],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Inventory:
        """Read an ``inventory.json`` document; fields this version does not know are ignored.

        Asset kinds need their provider plugin loaded. A malformed document raises ValueError
        naming the first bad field (``assets.3.name: Field required``).
        """
        version = str(data.get("schema_version", ""))
        if version.split(".")[0] != INVENTORY_SCHEMA_VERSION.split(".")[0]:
            raise ValueError(f"unsupported inventory schema_version {printable(repr(version), 40)}")
        items = data.get("assets") or []
        if not isinstance(items, list):
            raise ValueError(f"assets: expected a list, not a JSON {type(items).__name__}")
        assets = []
        for index, item in enumerate(items):
            try:
                assets.append(asset_from_json(item))
            except ValidationError as exc:
                raise ValueError(validation_summary(exc, ("assets", index))) from None
        try:
            return cls.model_validate(
                {"scope": data.get("scope"), "assets": assets, "gaps": data.get("gaps") or []},
                extra="ignore",
            )
        except ValidationError as exc:
            raise ValueError(validation_summary(exc)) from None


def merge(inventories: Sequence[Inventory]) -> Inventory:
    """One inventory from several: several accounts of one provider, or several providers (the
    scope then lists every provider, in the order given)."""
    if not inventories:
        raise ValueError("nothing to merge")
    scopes = [inv.scope for inv in inventories]
    providers = tuple(dict.fromkeys(p for s in scopes for p in s.providers))
    scope = ScanScope(
        provider=provider_label(providers),
        providers=providers,
        accounts=tuple(dict.fromkeys(a for s in scopes for a in s.accounts)),
        regions=tuple(dict.fromkeys(r for s in scopes for r in s.regions)),
        started=min(s.started for s in scopes),
        finished=max(s.finished for s in scopes),
    )
    return Inventory(
        scope=scope,
        assets=tuple(a for inv in inventories for a in inv.assets),
        gaps=tuple(g for inv in inventories for g in inv.gaps),
    )


__all__ = ["CollectionGap", "GapKind", "Inventory", "ScanScope", "merge", "register_id_key"]
