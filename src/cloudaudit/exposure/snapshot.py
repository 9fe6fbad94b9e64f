"""The ``file`` source: a Shodan JSON snapshot, for offline/air-gapped runs and the demo.

Accepted: one host object (``shodan host --format json``, the REST answer), a JSON list of them,
or JSON lines of host objects or single banners (``shodan download``; gzip-compressed too).
Entries match a target by ``ip_str`` or by any name in ``hostnames``; nothing is resolved.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudaudit.errors import UsageError
from cloudaudit.exposure.model import ExposureLevel, Observation, SourceResult, Target
from cloudaudit.exposure.shodan_shape import host_names, hosts_from_records, observations_from_host
from cloudaudit.inputs import DOCUMENT, MESSAGE_LIMIT, check_json_depth, decode, read_bytes
from cloudaudit.terminal import printable

if TYPE_CHECKING:
    from cloudaudit.exposure.sources import ExposureOptions
    from cloudaudit.plugins import Progress

NAME = "file"


def _records(text: str, path: Path) -> list[Any]:
    """The JSON values in ``text``: a document (object or list) or JSON lines; ValueError says where."""
    check_json_depth(text, path, "snapshot", DOCUMENT.max_depth)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.lstrip().startswith("{"):
            raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as line_exc:
                    raise ValueError(f"line {number} is not valid JSON ({line_exc.msg})") from None
        return records
    return document if isinstance(document, list) else [document]


def load_snapshot(path: Path) -> list[dict[str, Any]]:
    """Host objects from the snapshot at ``path``; UsageError naming the file and the problem.

    The file is read when ``--exposure`` is parsed (before collection) and again when the source is
    built; while it is unchanged (same inode, size and mtime) it is parsed only once.
    """
    try:
        info = path.stat()
    except OSError:
        return _parse(path)  # which says why it cannot be read
    return list(_parsed(path, (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)))


@lru_cache(maxsize=1)
def _parsed(path: Path, identity: tuple[int, int, int, int]) -> tuple[dict[str, Any], ...]:
    return tuple(_parse(path))


def _parse(path: Path) -> list[dict[str, Any]]:
    text = decode(read_bytes(path, "snapshot", DOCUMENT, gunzip=True), path, "snapshot")
    try:
        if not text.strip():
            raise ValueError("the file is empty")
        records = _records(text, path)
        for index, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise ValueError(
                    f"entry {index} is a JSON {type(record).__name__}, expected a Shodan host object"
                )
        return hosts_from_records(records)
    except ValueError as exc:
        raise UsageError(printable(f"snapshot {path}: {exc}", MESSAGE_LIMIT)) from None


class SnapshotSource:
    """Observations from one or more snapshot files (one source: hosts merged per ``ip_str``),
    read once at build time."""

    name = NAME

    def __init__(
        self, paths: Sequence[Path], hosts: list[dict[str, Any]], clock: Callable[[], float] = time.time
    ) -> None:
        self.paths = tuple(paths)
        self.hosts = hosts
        self._clock = clock
        self._by_ip = {h["ip_str"]: h for h in hosts}
        self._by_name: dict[str, list[dict[str, Any]]] = {}
        for host in hosts:
            for name in host_names(host):
                self._by_name.setdefault(name, []).append(host)

    @property
    def where(self) -> str:
        """The snapshot path(s), for messages."""
        return ", ".join(str(p) for p in self.paths)

    def plan(self, targets: Sequence[Target]) -> str:
        """The snapshots' size and paths (nothing is contacted)."""
        return f"file: {len(self.hosts)} hosts in {self.where}"

    def _matches(self, target: Target) -> list[dict[str, Any]]:
        found = [self._by_ip[target.host]] if target.host in self._by_ip else []
        found += self._by_name.get(target.host.lower().rstrip("."), [])
        return list({h["ip_str"]: h for h in found}.values())

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Observations for every target; one not in the snapshot is ``not_indexed``."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        names = ", ".join(p.name for p in self.paths)
        observations: list[Observation] = []
        matched = 0
        progress.add_total(len(targets))
        for target in targets:
            hosts = self._matches(target)
            matched += bool(hosts)
            for host in hosts:
                observations.extend(observations_from_host(host, target.host, NAME, now))
            if not hosts:
                observations.append(
                    Observation(
                        source=NAME,
                        host=target.host,
                        kind="not_indexed",
                        level=ExposureLevel.NONE,
                        summary=f"not in the snapshot {names} (matched by ip_str and hostnames)",
                        seen_at=now,
                    )
                )
            progress.advance(target.host)
        note = f"file: {matched} of {len(targets)} targets found in {self.where} ({len(self.hosts)} hosts)"
        return SourceResult(source=NAME, observations=tuple(observations), notes=(note,))


def build(
    options: ExposureOptions, argument: str, *more: str, clock: Callable[[], float] = time.time
) -> SnapshotSource:
    """Read the snapshot(s) now, so a bad file is reported before anything runs. Several files
    (``file:A,file:B``, or every demo's snapshot) are one source: a host listed in both is merged."""
    if not all((argument, *more)):
        raise UsageError("--exposure file needs a path: file:PATH (a Shodan host JSON snapshot)")
    paths = [Path(a).expanduser() for a in dict.fromkeys((argument, *more))]
    hosts = [load_snapshot(p) for p in paths]
    merged = hosts[0] if len(hosts) == 1 else hosts_from_records(h for each in hosts for h in each)
    return SnapshotSource(paths, merged, clock)


def fill_template(package: str, resource: str, names: Mapping[str, str], path: Path) -> Path:
    """Write a provider's bundled snapshot template (``resource`` of ``package``) to ``path`` with
    each ``{{name}}`` replaced by ``names[name]`` (the addresses its demo emulator assigned)."""
    text = resources.files(package).joinpath(resource).read_text()
    for name, value in names.items():
        text = text.replace("{{" + name + "}}", value)
    path.write_text(text)
    return path
