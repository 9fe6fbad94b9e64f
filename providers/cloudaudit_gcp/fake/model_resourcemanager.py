"""Resource Manager v3 resources of the fake: the folders of an organization, and how a project and a
folder render (``Project`` and ``Folder`` of ``cloudresourcemanager.v3``)."""

from __future__ import annotations

from dataclasses import dataclass

from cloudaudit_gcp.fake.shapes import CREATED_UTC, JSON, compact, numeric_id

ACTIVE = "ACTIVE"
DELETE_REQUESTED = "DELETE_REQUESTED"


@dataclass
class FakeFolder:
    """A folder: its number (``folders/{id}``), parent (``organizations/N`` or ``folders/N``) and state."""

    id: str
    parent: str
    display_name: str = ""
    state: str = ACTIVE

    @property
    def name(self) -> str:
        """``folders/{id}``."""
        return f"folders/{self.id}"

    def resource(self) -> JSON:
        """``Folder``."""
        return compact(
            {
                "name": self.name,
                "parent": self.parent,
                "displayName": self.display_name or f"folder {self.id}",
                "state": self.state,
                "createTime": CREATED_UTC,
                "updateTime": CREATED_UTC,
                "deleteTime": CREATED_UTC if self.state == DELETE_REQUESTED else None,
                "etag": f'W/"{numeric_id(self.name)[:12]}"',
            }
        )


def project_resource(project_id: str, number: str, parent: str, state: str) -> JSON:
    """``Project`` (v3: ``name`` is ``projects/{number}``, ``projectId`` the id)."""
    return compact(
        {
            "name": f"projects/{number}",
            "parent": parent,
            "projectId": project_id,
            "state": state,
            "displayName": project_id,
            "createTime": CREATED_UTC,
            "updateTime": CREATED_UTC,
            "deleteTime": CREATED_UTC if state == DELETE_REQUESTED else None,
            "etag": f'W/"{numeric_id(project_id)[:12]}"',
        }
    )
