"""What the exposure stage reports on its own: observation findings, as declarations.

Configuration findings are graded in place (:mod:`.correlate`); these rules describe the findings
the stage adds for what was seen without a matching configuration finding: a port the
configuration says is closed, a known CVE on the account's address, each misconfiguration the
probe saw, and an address a source could not check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cloudaudit.compliance import controls_for
from cloudaudit.model.enums import Severity


@dataclass(frozen=True)
class ExposureRule:
    """The metadata of one kind of exposure finding."""

    id: str
    title: str
    severity: Severity
    remediation: str

    @property
    def compliance(self) -> Mapping[str, tuple[str, ...]]:
        """Framework id -> the controls its findings evaluate, from the framework files."""
        return controls_for(self.id)


UNEXPECTED_PORT = ExposureRule(
    "exposure.unexpected_open_port",
    "Port seen open on the Internet that the configuration does not open",
    Severity.MEDIUM,
    """Find what answers on the port (a stale or shadow rule, a forgotten NAT/port-forward, another
    tenant on a reused address) and close it, or record why it must stay open.""",
)
KNOWN_VULNERABILITY = ExposureRule(
    "exposure.known_vulnerability",
    "Service on the account's address has known vulnerabilities (per an Internet index)",
    Severity.HIGH,
    """Patch or upgrade the service the index fingerprinted (CVE list in the evidence), or take it off
    the Internet; re-run to confirm the index no longer reports it.""",
)
NOT_CHECKED = ExposureRule(
    "exposure.not_checked",
    "Public address could not be checked by an exposure source",
    Severity.INFO,
    "Re-run when the source is reachable (rate limit, key, network); the address stays unverified.",
)

PROBE_RULES: dict[str, tuple[str, Severity, str]] = {
    "probe.redis.no_auth": (
        "Redis answers without authentication",
        Severity.CRITICAL,
        "Require AUTH (ACL users or requirepass; ElastiCache AUTH/RBAC) and close the port to the Internet.",
    ),
    "probe.memcached.no_auth": (
        "Memcached answers without authentication",
        Severity.CRITICAL,
        "Memcached has no authentication: keep it on private addresses only, behind a security group.",
    ),
    "probe.mongodb.no_auth": (
        "MongoDB lists databases without authentication",
        Severity.CRITICAL,
        "Enable authorization (security.authorization: enabled), create users, close the port.",
    ),
    "probe.elasticsearch.no_auth": (
        "Elasticsearch/OpenSearch answers without authentication",
        Severity.CRITICAL,
        "Enable security (fine-grained access control), restrict the access policy, close the port.",
    ),
    "probe.http.cors_reflected_with_credentials": (
        "API reflects any Origin with credentials allowed (CORS)",
        Severity.HIGH,
        "Allow only the known front-end origins; never reflect the request's Origin with credentials.",
    ),
    "probe.http.cors_wildcard_with_credentials": (
        "API allows any origin with credentials (CORS)",
        Severity.HIGH,
        "List the allowed origins explicitly; drop Access-Control-Allow-Credentials for public data.",
    ),
    "probe.http.cors_reflected": (
        "API reflects any Origin (CORS)",
        Severity.MEDIUM,
        "Allow only the known front-end origins.",
    ),
    "probe.http.cors_null_origin": (
        "API accepts the null Origin (CORS)",
        Severity.MEDIUM,
        "Never allow the null origin: sandboxed iframes and local files send it.",
    ),
    "probe.http.trace_enabled": (
        "HTTP TRACE is enabled",
        Severity.MEDIUM,
        "Disable TRACE (and TRACK) on the server or load balancer.",
    ),
    "probe.http.unexpected_methods": (
        "Endpoint advertises methods it should not (PUT/DELETE/PATCH)",
        Severity.LOW,
        "Allow only the methods the API declares; answer others with 405.",
    ),
    "probe.http.verbose_errors": (
        "Malformed request answered with a stack trace or debug page",
        Severity.MEDIUM,
        "Turn off debug mode and return generic error bodies; log details server-side.",
    ),
    "probe.http.exposed_file": (
        "Sensitive file served to anyone (.git, .env, server-status...)",
        Severity.HIGH,
        "Remove the file from the web root or deny the path; rotate any secret it contained.",
    ),
    "probe.http.hsts_missing": (
        "HTTPS endpoint sends no Strict-Transport-Security header",
        Severity.LOW,
        "Send Strict-Transport-Security: max-age=31536000; includeSubDomains.",
    ),
    "probe.http.nosniff_missing": (
        "Response lacks X-Content-Type-Options: nosniff",
        Severity.LOW,
        "Send X-Content-Type-Options: nosniff on every response.",
    ),
    "probe.http.cache_control_missing": (
        "API response lacks Cache-Control",
        Severity.LOW,
        "Send Cache-Control: no-store on API responses that carry data.",
    ),
    "probe.http.csp_missing": (
        "HTML served without a Content-Security-Policy",
        Severity.LOW,
        "Send a Content-Security-Policy restricting script sources.",
    ),
    "probe.tls.plaintext_accepted": (
        "Plaintext accepted where TLS is expected",
        Severity.HIGH,
        "Refuse plaintext (redirect HTTP to HTTPS only at an edge that never serves data over HTTP).",
    ),
    "probe.tls.tls1_0_accepted": (
        "Endpoint accepts TLS 1.0",
        Severity.MEDIUM,
        "Require TLS 1.2 or later (security policy TLS_1_2 or newer).",
    ),
    "probe.tls.tls1_1_accepted": (
        "Endpoint accepts TLS 1.1",
        Severity.MEDIUM,
        "Require TLS 1.2 or later (security policy TLS_1_2 or newer).",
    ),
    "probe.tls.cert_expired": (
        "TLS certificate expired",
        Severity.HIGH,
        "Renew the certificate (ACM renews automatically when DNS validation stays in place).",
    ),
    "probe.tls.cert_expiring": (
        "TLS certificate expires within 14 days",
        Severity.MEDIUM,
        "Renew the certificate now.",
    ),
    "probe.tls.hostname_mismatch": (
        "TLS certificate does not match the host name",
        Severity.MEDIUM,
        "Serve a certificate whose names cover the host clients use.",
    ),
    "probe.tls.cert_untrusted": (
        "TLS certificate chain does not verify",
        Severity.MEDIUM,
        "Serve the full chain of a certificate from a trusted CA.",
    ),
    "probe.tls.not_offered": (
        "Database does not offer TLS",
        Severity.HIGH,
        "Enable TLS on the database and require it for every connection (the managed service's "
        "TLS enforcement setting: a parameter or SSL mode); rotate credentials sent in clear text.",
    ),
    "probe.tls.self_signed": (
        "TLS certificate is self-signed or from an untrusted issuer",
        Severity.MEDIUM,
        "Use a certificate from a trusted CA (e.g. ACM).",
    ),
}
"""Probe check id -> (title, severity, remediation)."""


def probe_rule(check: str, summary: str) -> ExposureRule:
    """The rule of a probe observation (unknown ids keep the observation's summary, graded high)."""
    title, severity, remediation = PROBE_RULES.get(
        check, (summary, Severity.HIGH, "Fix the misconfiguration the probe describes.")
    )
    return ExposureRule(f"exposure.{check}", title, severity, remediation)


def all_rules() -> list[ExposureRule]:
    """Every kind of finding the exposure stage can add (for ``cloudaudit checks``)."""
    probe = [ExposureRule(f"exposure.{check}", t, sev, rem) for check, (t, sev, rem) in PROBE_RULES.items()]
    return [UNEXPECTED_PORT, KNOWN_VULNERABILITY, NOT_CHECKED, *probe]


def rule_by_id(rule_id: str) -> ExposureRule | None:
    """The exposure rule with this id, if any."""
    return next((r for r in all_rules() if r.id == rule_id), None)
