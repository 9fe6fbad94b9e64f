"""Cloud SQL Admin v1: instances list/get and users list."""

from __future__ import annotations

from cloudaudit_gcp.fake.errors import ApiError, not_found
from cloudaudit_gcp.fake.routing import Call, Route, with_page
from cloudaudit_gcp.fake.shapes import JSON
from cloudaudit_gcp.fake.state import SqlInstance

ROOT = "/v1/projects/<project>/instances"


def _instance(call: Call) -> SqlInstance:
    for instance in call.project.sql_instances:
        if instance.name == call.args["instance"]:
            return instance
    raise not_found(f"projects/{call.args['project']}/instances/{call.args['instance']}")


def list_instances(call: Call) -> JSON:
    project = call.project
    page, token = call.paged(project.sql_instances, "maxResults", 500)
    items = [instance.resource(project) for instance in page]
    return with_page({"kind": "sql#instancesList"}, "items", items, token)


def get_instance(call: Call) -> JSON:
    return _instance(call).resource(call.project)


def list_users(call: Call) -> JSON:
    instance = _instance(call)
    if instance.users_fault is not None:
        fault = instance.users_fault
        raise ApiError(fault.status, fault.body, dict(fault.headers))
    users = [instance.user_resource(call.project, user) for user in instance.users]
    return with_page({"kind": "sql#usersList"}, "items", users, None)


ROUTES = [
    Route("sql.instances.list", ROOT, list_instances),
    Route("sql.instances.get", f"{ROOT}/<instance>", get_instance),
    Route("sql.users.list", f"{ROOT}/<instance>/users", list_users),
]
