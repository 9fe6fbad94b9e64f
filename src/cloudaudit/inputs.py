"""Local input files, read with limits: every reader of a file the user hands us goes through here.

Mutelists, findings/inventory/exposure documents and Shodan snapshots are opened as regular files
only (a directory, ``/dev/zero`` or a FIFO is refused), read incrementally up to a size limit
(gzip: the decompressed size too), decoded as strict UTF-8, and checked for nesting depth without
recursion before they are parsed; YAML is safe-loaded with alias expansion bounded. Every problem
is a one-line :class:`~cloudaudit.errors.UsageError` naming the file and, where known, the line.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cloudaudit.errors import UsageError
from cloudaudit.terminal import printable

LIMIT_ENV = "CLOUDAUDIT_MAX_INPUT_BYTES"
"""Overrides every kind's size limit (bytes), e.g. for a very large account's inventory."""
MESSAGE_LIMIT = 300
FIELD_LIMIT = 60
_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Limits:
    """What one kind of input may be: bytes (decompressed), nesting depth, YAML nodes after aliases."""

    max_bytes: int
    max_depth: int = 100
    max_nodes: int = 1_000_000

    @property
    def effective_bytes(self) -> int:
        """``max_bytes``, or the ``CLOUDAUDIT_MAX_INPUT_BYTES`` override."""
        override = os.environ.get(LIMIT_ENV, "").strip()
        if not override:
            return self.max_bytes
        if not override.isdigit() or int(override) <= 0:
            raise UsageError(f"{LIMIT_ENV}={printable(override, 40)!s}: expected a positive number of bytes")
        return int(override)


MUTELIST = Limits(max_bytes=4 * 2**20)
"""Tens of thousands of entries; safe-loading YAML in Python takes seconds per MB."""
DOCUMENT = Limits(max_bytes=512 * 2**20)
"""findings.json, inventory.json, exposure.json and snapshots: room for a large account."""


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n} bytes"


def _open_regular(path: Path, what: str) -> int:
    """A descriptor on ``path`` if it is a regular file (a FIFO is opened without blocking)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a device, pipe or socket)"
        raise UsageError(f"{what} {path}: {kind}; give the path of a file")
    return fd


def _bounded(stream: io.RawIOBase | io.BufferedIOBase | gzip.GzipFile, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream``, read in chunks."""
    buffer = bytearray()
    while len(buffer) <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return bytes(buffer)


def read_bytes(path: Path, what: str, limits: Limits, *, gunzip: bool = False) -> bytes:
    """The file's bytes (gunzipped when asked and compressed), refused past the size limit."""
    limit = limits.effective_bytes
    too_big = f"{what} {path}: larger than the {_size(limit)} limit (set {LIMIT_ENV} to raise it)"
    with os.fdopen(_open_regular(path, what), "rb") as raw:
        if os.fstat(raw.fileno()).st_size > limit:  # no need to read 5 GB to know
            raise UsageError(too_big)
        try:
            data = _bounded(raw, limit)
        except OSError as exc:
            raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise UsageError(too_big)
    if not (gunzip and data[:2] == _GZIP_MAGIC):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
            data = _bounded(unzipped, limit)
    except (OSError, EOFError, zlib.error) as exc:
        raise UsageError(f"{what} {path}: cannot decompress it ({printable(exc, 80)})") from None
    if len(data) > limit:
        raise UsageError(too_big.replace("larger than", "decompresses to more than"))
    return data


def decode(data: bytes, path: Path, what: str) -> str:
    """Strict UTF-8 (a BOM is dropped); the error names the line and byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(exc.object)  # the decoder's offsets start after a BOM
        line = data.count(b"\n", 0, offset) + 1
        raise UsageError(
            f"{what} {path}: not UTF-8 text (byte 0x{data[offset]:02x} at line {line}, "
            f"byte offset {offset}); save it as UTF-8"
        ) from None


_JSON_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_OR_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[\[\]{}]')
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_deep_line(text: str, max_depth: int) -> int:
    """The line where nesting first exceeds ``max_depth`` (the slow scan, on the error path only)."""
    depth = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        depth += _STEP.get(match.group(), 0)
        if depth > max_depth:
            return text.count("\n", 0, match.start()) + 1
    return 0


def check_json_depth(text: str, path: Path, what: str, max_depth: int) -> None:
    """Refuse JSON (or JSON lines) nested deeper than ``max_depth``, without recursing."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets or max(accumulate(map(_STEP.__getitem__, brackets))) <= max_depth:
        return
    line = _too_deep_line(text, max_depth)
    raise UsageError(f"{what} {path}: nested deeper than {max_depth} levels (line {line})")


def parse_json(text: str, path: Path, what: str, limits: Limits) -> Any:
    """``json.loads`` after the depth check; a syntax error names the line and column."""
    check_json_depth(text, path, what, limits.max_depth)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{what} {path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise UsageError(f"{what} {path}: not valid JSON ({printable(exc, 120)})") from None


def load_json(path: Path, what: str, limits: Limits = DOCUMENT) -> Any:
    """Read, decode and parse a JSON file within ``limits``."""
    return parse_json(decode(read_bytes(path, what, limits), path, what), path, what, limits)


LineMap = Mapping[tuple[str, ...], int]
"""Field path (as strings) -> 1-based line where that field's value starts."""


class _BoundedLoader(yaml.SafeLoader):
    """Safe YAML loader bounding nesting depth and the node count once aliases are expanded."""

    def __init__(self, stream: str, limits: Limits) -> None:
        super().__init__(stream)
        self.limits = limits
        self._depth = 0
        self._weights: dict[int, int] = {}

    def _refuse(self, problem: str, node: yaml.Node | None = None) -> yaml.YAMLError:
        mark = node.start_mark if node is not None else self.peek_event().start_mark  # type: ignore[no-untyped-call]
        return yaml.MarkedYAMLError(problem=problem, problem_mark=mark)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > self.limits.max_depth:
                raise self._refuse(f"nested deeper than {self.limits.max_depth} levels")
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None:
            self._weigh(node)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A scalar YAML types but Python refuses (``2027-13-45``, a 5000-digit int) is a marked error."""
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                problem=f"invalid value ({exc})", problem_mark=node.start_mark
            ) from None

    def _weigh(self, node: yaml.Node) -> None:
        if id(node) in self._weights:  # an alias: its anchor counts again wherever it is used
            return
        children: Iterable[yaml.Node] = ()
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = (n for pair in node.value for n in pair)
        weight = 1
        for child in children:
            if id(child) not in self._weights:
                raise self._refuse("an alias refers to the collection that contains it", node)
            weight += self._weights[id(child)]
        if weight > self.limits.max_nodes:
            raise self._refuse(f"expands to more than {self.limits.max_nodes} values (YAML aliases)", node)
        self._weights[id(node)] = weight


def _line_map(root: yaml.Node) -> dict[tuple[str, ...], int]:
    """Where each field of the composed document starts (iterative; the node count is bounded)."""
    lines: dict[tuple[str, ...], int] = {}
    stack: list[tuple[tuple[str, ...], yaml.Node]] = [((), root)]
    while stack:
        loc, node = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.SequenceNode):
            stack.extend(((*loc, str(i)), child) for i, child in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(((*loc, str(k.value)), v) for k, v in node.value if isinstance(k, yaml.ScalarNode))
    return lines


def load_yaml(path: Path, what: str, limits: Limits = MUTELIST) -> tuple[Any, LineMap]:
    """Safe-load a YAML (or JSON) file within ``limits``, with the line of every field."""
    return parse_yaml(decode(read_bytes(path, what, limits), path, what), path, what, limits)


def parse_yaml(text: str, path: Path, what: str, limits: Limits) -> tuple[Any, LineMap]:
    """Safe-load YAML (or JSON) text within ``limits``' depth and alias expansion (the size is the
    caller's), with the line of every field; errors name ``what``, ``path``, the line and column."""
    loader = _BoundedLoader(text, limits)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, {}
        return loader.construct_document(root), _line_map(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise UsageError(f"{what} {path} is not valid YAML/JSON{where}: {printable(problem, 120)}") from None
    finally:
        loader.dispose()


def field_path(loc: Iterable[object]) -> str:
    """``mutes.0.until`` from a pydantic location, each part cut to a sane length."""
    return ".".join(printable(part, FIELD_LIMIT) for part in loc) or "(document)"


def _line_of(loc: tuple[str, ...], lines: LineMap) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def validation_summary(
    exc: ValidationError, prefix: tuple[object, ...] = (), lines: LineMap | None = None
) -> str:
    """``field.path: message`` of the first error (``, line N`` first when known), and how many more."""
    errors = exc.errors(include_url=False, include_input=False)
    first = min(errors, key=lambda e: e["type"] != "extra_forbidden")  # a typo explains what is missing
    loc = (*prefix, *first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    line = _line_of(tuple(str(p) for p in loc), lines or {})
    where = f"line {line}: " if line is not None else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}{field_path(loc)}: {printable(message, 120)}{more}"


def validation_line(exc: ValidationError, path: Path, what: str, lines: LineMap | None = None) -> str:
    """One line for a pydantic error: ``<what> <path>: line N: <field.path>: <message>``."""
    return printable(f"{what} {path}: {validation_summary(exc, lines=lines)}", MESSAGE_LIMIT)
