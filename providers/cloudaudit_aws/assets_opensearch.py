"""Typed OpenSearch Service asset model: one domain (OpenSearch or legacy Elasticsearch engine)."""

from __future__ import annotations

from typing import Any

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit_aws.assets import security_group_arns


@asset_kind("aws.opensearch.domain", service="opensearch")
class OpenSearchDomain(Asset):
    """An Amazon OpenSearch Service domain, as DescribeDomains reports it.

    A domain is either public (``Endpoint``, reachable from the Internet; access decided by its
    access policy and fine-grained access control) or in a VPC (``Endpoints["vpc"]``).
    """

    domain_name: str
    engine_version: str = ""
    """``OpenSearch_X.Y`` or ``Elasticsearch_X.Y``."""
    endpoint: str = ""
    """Public endpoint host (empty for VPC domains)."""
    endpoint_v2: str = ""
    """Dual-stack (IPv4 + IPv6) endpoint host, when the domain has one."""
    vpc_endpoint: str = ""
    custom_endpoint: str = ""
    """Custom endpoint host, when enabled."""
    in_vpc: bool = False
    vpc_id: str = ""
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    access_policy: dict[str, Any] | None = None
    """The domain access policy document; None when the domain has none."""
    access_policy_error: str = ""
    """Set when the access policy text could not be parsed as JSON."""
    enforce_https: bool = False
    tls_security_policy: str = ""
    """e.g. ``Policy-Min-TLS-1-0-2019-07`` (TLS 1.0+), ``Policy-Min-TLS-1-2-PFS-2023-10``."""
    node_to_node_encryption: bool = False
    encryption_at_rest: bool = False
    kms_key_id: str = ""
    fine_grained_access_control: bool = False
    """AdvancedSecurityOptions.Enabled."""
    internal_user_database: bool = False
    anonymous_auth: bool = False
    """Fine-grained access control lets unauthenticated requests in (migration period)."""
    cognito_enabled: bool = False
    update_available: bool = False
    """A service software update is available and not yet installed."""
    service_software_version: str = ""
    new_service_software_version: str = ""
    published_logs: tuple[str, ...] = ()
    """Log types published to CloudWatch Logs (AUDIT_LOGS, ES_APPLICATION_LOGS, ...)."""
    instance_count: int = 0
    zone_awareness: bool = False
    dedicated_master: bool = False

    def network_controls(self) -> tuple[str, ...]:
        """Its security groups: they decide who reaches its endpoint."""
        return security_group_arns(self, self.security_group_ids)


DESCRIBED_FIELDS: tuple[str, ...] = tuple(
    f for f in OpenSearchDomain.model_fields if f not in Asset.model_fields and f != "domain_name"
)
"""Attributes read from DescribeDomains (unread together when that call fails)."""
