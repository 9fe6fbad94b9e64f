"""A local fake of Azure Resource Manager over HTTPS (127.0.0.1, a throwaway CA): the real
azure-mgmt-* clients run unmodified against it in the tests, the demo and the benchmark."""

from cloudaudit_azure.fake.management_groups import FakeManagementGroup
from cloudaudit_azure.fake.server import FakeArm, LoggedRequest
from cloudaudit_azure.fake.state import FakeSubscription

__all__ = ["FakeArm", "FakeManagementGroup", "FakeSubscription", "LoggedRequest"]
