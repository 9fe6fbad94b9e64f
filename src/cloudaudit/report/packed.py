"""The HTML report's data, packed: every distinct string once, objects by shape, findings as columns.

A page of 100,000 findings written as JSON objects holds the same keys, check wording, rule texts and
resource names over and over (~900 bytes a finding). Packed, each distinct string is written once in a
string table and referred to by its index, each distinct list of object keys once in a shape table,
and each finding is a few integers (see :class:`FindingsPack`). The page's script unpacks what it
shows; ``tests/core/test_report_html.py`` unpacks it all independently and compares with the findings.

Packed value (:meth:`Table.value`), a JSON value standing for a JSON value:

- a string: an integer ``i``: ``i >= 0`` is ``strings[i]`` with its placeholders filled (see
  :data:`PLACEHOLDERS`), ``i < 0`` is ``strings[-i - 1]`` as written;
- a number: its JSON text, as a string (``"443"``);
- ``true``, ``false``, ``null``: themselves;
- a list: ``[0, item...]``; an object: ``[shape + 1, value...]``, its keys ``shapes[shape]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticSerializationError

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.surface import SurfaceEntry
from cloudaudit.remediation import steps_for

PLACEHOLDERS = ("\x01", "\x02", "\x03")
"""Stand, in a finding's strings, for its resource id, the id's last segment and its resource name:
"Bucket \x03 is public" is one string for every bucket. JSON writes these characters escaped, so a
string that holds one is written as it is (a negative index), never filled."""

MIN_FILLED = 3
"""Shorter resource names and segments are left in place (they would cut every string into bits)."""

_HTML_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))
"""Escaped in JSON text so that it cannot end the ``<script>`` element it sits in (as ``tojson``)."""

STATUS_ORDER: tuple[Status, ...] = (Status.FAIL, Status.UNKNOWN, Status.ERROR, Status.MUTED, Status.PASS)
SEVERITY_ORDER: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
LEVEL_ORDER: tuple[ExposureLevel, ...] = tuple(ExposureLevel)
"""The page's lists of statuses, severities and levels (a group names them by their index)."""

COLUMN_FIELDS: set[str] = set(
    {
        "check_id",
        "title",
        "severity",
        "status",
        "message",
        "provider",
        "account",
        "region",
        "service",
        "resource_type",
        "resource_id",
        "resource_name",
        "remediation",
        "compliance",
    }
)
"""Finding fields written as columns or per check; every other field is in the finding's detail."""

GROUP_FIELDS = 9
"""A group is: check, status, severity, level, provider, account, region, service, resource type."""

_STATUS = {s: i for i, s in enumerate(STATUS_ORDER)}
_SEVERITY = {s: i for i, s in enumerate(SEVERITY_ORDER)}
_LEVEL = {s: i for i, s in enumerate(LEVEL_ORDER)}


def html_safe(text: str) -> str:
    """JSON text that cannot end a ``<script>`` element nor hold markup-significant characters."""
    for char, escaped in _HTML_SAFE:  # four C-speed replaces: str.translate is ten times slower
        text = text.replace(char, escaped)
    return text


_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
"""Built once (``json.dumps`` with arguments builds an encoder per call). ASCII: a string of the account
with a lone surrogate (valid JSON, not UTF-8) is written escaped, not refused."""


def dumps(value: Any) -> str:
    """Compact, HTML-safe JSON."""
    return html_safe(_ENCODER.encode(value))


def _segment(resource_id: str) -> str:
    """The id's last segment: after its last ``/`` or ``:`` (``sg-0123`` of an ARN)."""
    return resource_id[max(resource_id.rfind("/"), resource_id.rfind(":")) + 1 :]


def fills(resource_id: str, resource_name: str) -> tuple[tuple[str, str], ...]:
    """(placeholder, value) pairs a finding's strings are written with, longest meaning first."""
    values = (resource_id, _segment(resource_id), resource_name)
    return tuple((p, v) for p, v in zip(PLACEHOLDERS, values, strict=True) if len(v) >= MIN_FILLED)


@dataclass
class Table:
    """The string and shape tables of one packed document."""

    strings: dict[str, int] = field(default_factory=dict)
    shapes: dict[tuple[str, ...], int] = field(default_factory=dict)

    def string(self, text: str) -> int:
        """The index of ``text`` in the string table (added when new)."""
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def text(self, text: str, fill: Sequence[tuple[str, str]] = ()) -> int:
        """A packed string: its values of ``fill`` replaced by their placeholders when it holds none."""
        if "\x01" in text or "\x02" in text or "\x03" in text:
            return -self.string(text) - 1
        for placeholder, value in fill:
            if value in text:
                text = text.replace(value, placeholder)
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def value(self, value: Any, fill: Sequence[tuple[str, str]] = ()) -> Any:
        """A packed JSON value (see the module's docstring)."""
        kind = type(value)
        if kind is str:
            return self.text(value, fill)
        if kind is dict:
            keys = tuple(value)
            shape = self.shapes.get(keys)
            if shape is None:
                shape = self.shapes[keys] = len(self.shapes)
            packed, items = [shape + 1], value.values()
        elif kind is list or kind is tuple:
            packed, items = [0], value
        else:
            return self._scalar(value, fill)
        text, pack = self.text, self.value  # strings, most items, without a second call each
        packed += [text(v, fill) if type(v) is str else pack(v, fill) for v in items]
        return packed

    def _scalar(self, value: Any, fill: Sequence[tuple[str, str]]) -> Any:
        kind = type(value)
        if value is None or kind is bool:
            return value
        if kind is int:
            return str(value)
        if kind is float:
            return _ENCODER.encode(value)
        if isinstance(value, str | dict | list | tuple | int | float):  # a subclass
            return self.value(json.loads(_ENCODER.encode(value)), fill)
        raise TypeError(f"not a JSON value: {type(value).__name__}")

    def pieces(self) -> Iterator[str]:
        """``"strings":[...],"shapes":[...]`` (members of the document's object)."""
        yield '"strings":['
        separator = ""
        for text in self.strings:  # insertion order: the indices
            yield separator + dumps(text)
            separator = ","
        yield '],"shapes":' + dumps([list(keys) for keys in self.shapes])


def _written_as_is(text: str) -> bool:
    """The JSON text of a string that holds ``text`` holds it as it is (nothing in it is escaped)."""
    return text.isprintable() and '"' not in text and "\\" not in text


def _ints(name: str, values: Sequence[int]) -> Iterator[str]:
    """``"name":[1,2,...]``, in slices (one string of 100,000 numbers is built without a list of them)."""
    yield f'"{name}":['
    for start in range(0, len(values), 8192):
        yield ("," if start else "") + ",".join(map(str, values[start : start + 8192]))
    yield "]"


@dataclass
class FindingsPack:
    """Findings as columns (index ``i`` of each is finding ``i``, in report order):

    - ``g``: the finding's group, ``groups[9g:9g+9]`` = check (index in ``checks``), status, severity
      and level (indices in the page's lists), provider, account, region, service, resource type
      (strings);
    - ``r``: its resource, ``resources[3r:3r+3]`` = the id up to its last segment, the segment, the
      name (strings; the name is -1 when it is the segment);
    - ``m``: its message (a packed string, placeholders filled from its resource);
    - ``d``: its detail, ``details[d]``: the packed object of every other field (evidence, network,
      exposure, muted_reason...), placeholders filled from its resource.

    ``checks`` lists each check once: ``[id, title, remediation, compliance, steps]`` (steps: the
    check's console and CLI remediation, :class:`cloudaudit.remediation.Steps` as JSON, or null); a
    finding whose title, remediation or compliance differ from its check's (an older file, a hand
    edit) has them in ``odd``:
    ``[i, title, remediation, compliance]``.
    """

    table: Table = field(default_factory=Table)
    checks: dict[str, tuple[int, str, str, dict[str, list[str]]]] = field(default_factory=dict)
    """Check id -> (index, title, remediation, compliance) of its first finding."""
    groups: dict[tuple[int, ...], int] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=list)
    """How many findings each group has."""
    resources: dict[tuple[str, str], int] = field(default_factory=dict)
    group_of: dict[tuple[str, ...], int] = field(default_factory=dict)
    """A finding's group by its fields as they are (its strings are in the table since the first)."""
    resource_fills: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    """Each resource's :func:`fills`."""
    details: dict[str, int] = field(default_factory=dict)
    resource_needles: list[tuple[tuple[str, bytes], ...] | None] = field(default_factory=list)
    """Each resource's fills as UTF-8 bytes, None when one could be written escaped (see :meth:`_detail`)."""
    known: dict[tuple[bytes, tuple[str, ...]], int] = field(default_factory=dict)
    """A detail's JSON text and the placeholders of the fills in it -> its index in ``details``."""
    g: list[int] = field(default_factory=list)
    r: list[int] = field(default_factory=list)
    m: list[int] = field(default_factory=list)
    d: list[int] = field(default_factory=list)
    odd: list[list[Any]] = field(default_factory=list)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> FindingsPack:
        """The pack of ``findings``, in their order."""
        pack = cls()
        for finding in findings:
            pack.add(finding)
        return pack

    def add(self, f: Finding) -> None:
        """Append one finding."""
        table = self.table
        check = self.checks.get(f.check_id)
        if check is None:
            check = self.checks[f.check_id] = (len(self.checks), f.title, f.remediation, f.compliance)
        elif (f.title, f.remediation, f.compliance) != check[1:]:
            self.odd.append([len(self.g), f.title, f.remediation, f.compliance])
        fields = (
            f.check_id,
            f.status,
            f.severity,
            f.exposure.level,
            f.provider,
            f.account,
            f.region,
            f.service,
            f.resource_type,
        )
        group = self.group_of.get(fields)
        if group is None:
            key = (
                check[0],
                _STATUS[f.status],
                _SEVERITY[f.severity],
                _LEVEL[f.exposure.level],
                table.string(f.provider),
                table.string(f.account),
                table.string(f.region),
                table.string(f.service),
                table.string(f.resource_type),
            )
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = len(self.groups)
                self.sizes.append(0)
            self.group_of[fields] = group
        self.sizes[group] += 1
        named = (f.resource_id, f.resource_name)
        resource = self.resources.get(named)
        if resource is None:
            resource = self.resources[named] = len(self.resources)
            filled = fills(*named)
            self.resource_fills.append(filled)
            as_is = all(_written_as_is(v) for _, v in filled)
            self.resource_needles.append(tuple((p, v.encode()) for p, v in filled) if as_is else None)
        fill = self.resource_fills[resource]
        detail = self._detail(f, fill, self.resource_needles[resource])
        self.g.append(group)
        self.r.append(resource)
        self.m.append(table.text(f.message, fill))
        self.d.append(detail)

    def _detail(
        self, f: Finding, fill: Sequence[tuple[str, str]], needles: Sequence[tuple[str, bytes]] | None
    ) -> int:
        """The index in ``details`` of a finding's packed detail.

        Most findings repeat a detail another finding packed already (the same evidence and exposure,
        its resource's values in the same places): those are found by the detail's JSON text (two
        details with one text have one ``model_dump(mode="json")``: NaN is ``None`` in both) and the
        fills it holds (``needles``: the fills' UTF-8 bytes), without dumping and packing it again.
        Packing it again would give the same text and add nothing to the table: every string and
        shape it holds are there since the first time. A fill its text does not hold is in none of
        its strings, so a detail packed for the first time is packed with the others only.
        ``needles`` is None when a fill value could be written escaped (a quote, a backslash, a
        control character): such a detail is packed as it comes, as is one that is not valid UTF-8
        (a lone surrogate).
        """
        found = None
        if needles is not None:
            try:
                text = f.__pydantic_serializer__.to_json(f, exclude=COLUMN_FIELDS)
            except PydanticSerializationError:
                pass
            else:
                found = (text, tuple(p for p, needle in needles if needle in text))
                index = self.known.get(found)
                if index is not None:
                    return index
                fill = [pair for pair in fill if pair[0] in found[1]]  # the others fill no string of it
        data = f.model_dump(mode="json", exclude=COLUMN_FIELDS)
        detail = dumps(self.table.value(data, fill))
        index = self.details.get(detail)
        if index is None:
            index = self.details[detail] = len(self.details)
        if found is not None:
            self.known[found] = index
        return index

    def pieces(self) -> Iterator[str]:
        """The packed document's JSON text (HTML-safe), in pieces."""
        table = self.table
        checks = [[cid, *fields, _steps(cid)] for cid, (_, *fields) in self.checks.items()]
        resources: list[int] = []
        for resource_id, name in self.resources:
            segment = _segment(resource_id)
            prefix = resource_id[: len(resource_id) - len(segment)]
            resources += [
                table.string(prefix),
                table.string(segment),
                -1 if name == segment else table.string(name),
            ]
        lists = {
            "statuses": [s.value for s in STATUS_ORDER],
            "severities": [s.value for s in SEVERITY_ORDER],
            "levels": [s.value for s in LEVEL_ORDER],
        }
        yield '{"count":' + str(len(self.g)) + "," + dumps(lists)[1:-1] + ","
        yield '"checks":' + dumps(checks) + ',"odd":' + dumps(self.odd) + ","
        yield from _ints("groups", [v for key in self.groups for v in key])
        yield ","
        yield from _ints("resources", resources)
        for name in ("g", "r", "m", "d"):
            yield ","
            yield from _ints(name, getattr(self, name))
        yield ',"details":['
        separator = ""
        for detail in self.details:
            yield separator + detail
            separator = ","
        yield "],"
        yield from table.pieces()
        yield "}"


def _steps(check_id: str) -> dict[str, Any] | None:
    """A check's remediation steps as JSON, if its provider describes them."""
    steps = steps_for(check_id)
    return None if steps is None else steps.model_dump(mode="json")


def surface_pieces(entries: Sequence[SurfaceEntry]) -> Iterator[str]:
    """The attack surface, packed: ``{"items": [packed entry...], "strings": ..., "shapes": ...}``."""
    table = Table()
    items = [dumps(table.value(entry.model_dump(mode="json"))) for entry in entries]
    yield '{"items":[' + ",".join(items) + "],"
    yield from table.pieces()
    yield "}"
