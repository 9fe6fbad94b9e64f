"""What a route handler receives and how routes are declared (one id per discovery method)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cloudaudit_gcp.fake.errors import bad_request, not_found
from cloudaudit_gcp.fake.paging import page
from cloudaudit_gcp.fake.shapes import JSON
from cloudaudit_gcp.fake.state import Bucket, FakeFolder, FakeProject

T = TypeVar("T")


class Projects:
    """The projects a fake serves, found by id or number, and the folders above them."""

    def __init__(
        self, projects: Sequence[FakeProject], folders: Sequence[FakeFolder] = (), listing_page: int = 1000
    ) -> None:
        self._by_key = {key: p for p in projects for key in (p.id, p.number)}
        self.all = list(projects)
        self.folders = list(folders)
        self.listing_page = listing_page
        """The most projects or folders one Resource Manager page holds, whatever ``pageSize`` asks."""

    def parents(self) -> frozenset[str]:
        """Every organization and folder Resource Manager can list: the served folders and every
        parent a project or folder names."""
        named = {p.parent for p in self.all} | {f.parent for f in self.folders}
        return frozenset({*(f.name for f in self.folders), *named} - {""})

    def get(self, key: str) -> FakeProject:
        """The project, or the 404 the APIs answer for an unknown one."""
        try:
            return self._by_key[key]
        except KeyError:
            raise not_found(f"projects/{key}") from None

    def keys_of_call(self, args: Mapping[str, str], query: Mapping[str, str]) -> frozenset[str]:
        """The id and number of the project a call concerns (path, ``?project=`` or the bucket's owner),
        or the ``?parent=`` a Resource Manager listing names (``folders/N``)."""
        key = args.get("project") or query.get("project") or query.get("parent")
        if key is None and "bucket" in args:
            key = next((p.id for p in self.all for b in p.buckets if b.name == args["bucket"]), None)
        project = self._by_key.get(key or "")
        return frozenset((project.id, project.number)) if project else frozenset({key} if key else ())

    def bucket(self, name: str) -> tuple[FakeProject, Bucket]:
        """A bucket by name (bucket names are global) and its project."""
        for project in self.all:
            for bucket in project.buckets:
                if bucket.name == name:
                    return project, bucket
        raise not_found(f"b/{name}") from None


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it: path arguments, query and the served projects."""

    args: Mapping[str, str]
    query: Mapping[str, str]
    projects: Projects

    @property
    def project(self) -> FakeProject:
        """The project named by the ``project`` path argument."""
        return self.projects.get(self.args["project"])

    def required(self, name: str) -> str:
        """A required query parameter, or 400 ``required``."""
        value = self.query.get(name)
        if not value:
            raise bad_request(f"Required parameter: {name}", reason="required")
        return value

    def paged(self, items: Sequence[T], size_param: str, default: int) -> tuple[list[T], str | None]:
        """``paging.page`` over this call's query."""
        return page(items, self.query, size_param, default)


Handler = Callable[[Call], JSON]


@dataclass(frozen=True)
class Route:
    """A GET route: the discovery method id it implements, its werkzeug path and its handler."""

    id: str
    path: str
    handler: Handler


def with_page(body: JSON, key: str, items: list[JSON], token: str | None) -> JSON:
    """Add a page of items (omitted when empty, as the APIs do) and its ``nextPageToken``."""
    if items:
        body[key] = items
    if token:
        body["nextPageToken"] = token
    return body
