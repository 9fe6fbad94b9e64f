"""Cloud SQL checks: who reaches the public IP, unencrypted connections, MySQL users, backups.

Severity follows the real exposure of the public IP (:meth:`CloudSqlInstance.exposure`): authorized
networks covering the Internet, a broad range, narrow networks only, or none (only the Cloud SQL Auth
Proxy and the connectors, which authenticate through IAM and always encrypt, can connect). The
findings about the public IP carry it and the engine's port, so Shodan, InternetDB and the probe
grade them. The database flags are judged in :mod:`.sql_flags`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cloudaudit.engine.declarative import expect, expect_each
from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import Predicate, is_true
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import UNAUTHENTICATED_SERVICE
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import Hop, NetworkExposure, Reachability, ports_of
from cloudaudit_gcp.assets_sql import BROAD_PREFIX, CloudSqlInstance, SqlUser

REACHABILITY: dict[str, Reachability] = {
    "internet": "reachable",
    "broad": "restricted",
    "restricted": "restricted",
    "connectors": "blocked",
    "private": "private",
}
EXPOSED = ("internet", "broad")
_NETWORK_INPUTS = ("public_ip", "authorized_networks")


def network(db: CloudSqlInstance) -> NetworkExposure | None:
    """The public IP and engine port, with the path that opens them; None without a public IP."""
    if not db.public_ip:
        return None
    level = db.exposure()
    port = f" port {db.port}" if db.port else ""
    hops = [Hop(hop="resource", id=db.id, detail=f"{db.engine_name} public IP {db.public_ip}{port}")]
    if level == "connectors":
        hops.append(
            Hop(
                hop="authorized_networks",
                detail="no authorized network: only the Cloud SQL Auth Proxy and connectors connect",
            )
        )
    opening = db.internet_networks() if level in EXPOSED else db.authorized_networks
    hops.extend(
        Hop(hop="authorized_network", id=n.value, detail=f"authorized network {n.label}") for n in opening
    )
    return NetworkExposure(
        addresses=(db.public_ip,),
        ports=ports_of([db.port]) if db.port else (),
        reachability=REACHABILITY[level],
        path=tuple(hops),
    )


def _labels(db: CloudSqlInstance, broad_only: bool = False) -> str:
    entries = db.internet_networks() if broad_only else db.authorized_networks
    return ", ".join(n.label for n in entries)


# ---------------------------------------------------------------------------------- public IP


@check(
    id="gcp.sql.open_to_internet",
    title="Cloud SQL instance accepts connections from the whole Internet",
    severity=Severity.CRITICAL,
    asset=CloudSqlInstance,
    requires=_NETWORK_INPUTS,
    rationale="""An authorized network of 0.0.0.0/0 (or ::/0, or ranges that add up to every address) lets
        anyone on the Internet open a connection to the database port of the public IP: scanners find
        it within hours and brute-force its users.""",
    remediation="""Remove the open network and authorize only the addresses that need direct access
        (gcloud sql instances patch INSTANCE --authorized-networks=203.0.113.10/32, or
        --clear-authorized-networks and connect through the Cloud SQL Auth Proxy); prefer private IP.""",
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def open_to_internet(db: CloudSqlInstance, inventory: Inventory) -> Outcome:
    """Public IP with authorized networks that cover the whole IPv4 or IPv6 Internet."""
    facts = network(db)
    if db.exposure() != "internet":
        where = f"authorized networks: {_labels(db)}" if db.public_ip and db.authorized_networks else ""
        why = where or ("no authorized network" if db.public_ip else "no public IP")
        return passed(f"Cloud SQL instance {db.name} is not open to the whole Internet ({why}).", {}, facts)
    return fail(
        f"Cloud SQL instance {db.name} accepts {db.engine_name} connections from anywhere on its public IP "
        f"{db.public_ip} (authorized networks: {_labels(db)}).",
        {"public_ip": db.public_ip, "authorized_networks": [n.value for n in db.authorized_networks]},
        network=facts,
    )


@check(
    id="gcp.sql.broad_authorized_network",
    title="Cloud SQL instance authorizes a broad public address range",
    severity=Severity.HIGH,
    asset=CloudSqlInstance,
    requires=_NETWORK_INPUTS,
    rationale=f"""An authorized network shorter than /{BROAD_PREFIX[4]} (IPv4) or /{BROAD_PREFIX[6]} (IPv6)
        admits far more than one organisation's addresses (a whole provider or ISP), so strangers reach
        the database port. Instances open to every address are reported by gcp.sql.open_to_internet.""",
    remediation="""Narrow the authorized networks to the exact egress addresses that need direct access
        (gcloud sql instances patch INSTANCE --authorized-networks=203.0.113.10/32), or connect through
        the Cloud SQL Auth Proxy and clear them (--clear-authorized-networks).""",
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def broad_authorized_network(db: CloudSqlInstance, inventory: Inventory) -> Iterator[Outcome]:
    """A broad public range among the authorized networks of the public IP (silent when the whole
    Internet is open: that is the stronger finding)."""
    level = db.exposure()
    facts = network(db)
    if level == "internet":
        return
    if level != "broad":
        why = f"authorized networks: {_labels(db)}" if db.authorized_networks else "no authorized network"
        if not db.public_ip:
            why = "no public IP"
        yield passed(f"Cloud SQL instance {db.name} authorizes no broad range ({why}).", {}, facts)
        return
    broad = [n.value for n in db.internet_networks()]
    yield fail(
        f"Cloud SQL instance {db.name} accepts {db.engine_name} connections on {db.public_ip} from broad "
        f"ranges: {_labels(db, broad_only=True)}.",
        {"public_ip": db.public_ip, "broad_networks": broad},
        network=facts,
    )


@check(
    id="gcp.sql.public_ip",
    title="Cloud SQL instance has a public IP address",
    severity=Severity.MEDIUM,
    asset=CloudSqlInstance,
    requires=_NETWORK_INPUTS,
    rationale="""A public IP puts the database on the Internet: authorized networks are then its only
        network control, one mistaken entry away from exposure. Without authorized networks only the
        Cloud SQL Auth Proxy and the connectors reach it (low); with them, direct connections from
        those ranges do (medium).""",
    remediation="""Use private IP: add it (gcloud sql instances patch INSTANCE --network=VPC; the instance
        restarts), connect through the VPC, Private Service Connect or the Cloud SQL Auth Proxy, then remove
        the public IP (gcloud sql instances patch INSTANCE --no-assign-ip).""",
)
def public_ip(db: CloudSqlInstance, inventory: Inventory) -> Outcome:
    """PRIMARY address present; graded by whether authorized networks admit direct connections."""
    facts = network(db)
    if not db.public_ip:
        private = f" (private IP {db.private_ip})" if db.private_ip else ""
        return passed(f"Cloud SQL instance {db.name} has no public IP{private}.", {}, facts)
    if db.authorized_networks:
        return fail(
            f"Cloud SQL instance {db.name} has public IP {db.public_ip}, open to direct connections from "
            f"its authorized networks: {_labels(db)}.",
            {"public_ip": db.public_ip, "authorized_networks": [n.value for n in db.authorized_networks]},
            Severity.MEDIUM,
            facts,
        )
    return fail(
        f"Cloud SQL instance {db.name} has public IP {db.public_ip}; without authorized networks only the "
        "Cloud SQL Auth Proxy and connectors reach it.",
        {"public_ip": db.public_ip, "authorized_networks": []},
        Severity.LOW,
        facts,
    )


# ---------------------------------------------------------------------------------- encryption


@check(
    id="gcp.sql.ssl_not_required",
    title="Cloud SQL instance accepts unencrypted connections",
    severity=Severity.HIGH,
    asset=CloudSqlInstance,
    requires=("ssl_mode", "require_ssl", *_NETWORK_INPUTS),
    rationale="""Without SSL required, clients may connect in plain text: credentials and data cross the
        network readable by anyone on the path. High when a broad authorized network opens the public IP,
        medium with narrow ones; low otherwise (private IP only, or only the Auth Proxy and connectors,
        which always encrypt).""",
    remediation="""gcloud sql instances patch INSTANCE --ssl-mode=ENCRYPTED_ONLY (or
        TRUSTED_CLIENT_CERTIFICATE_REQUIRED to also require client certificates).""",
    exploited_by=("probe.tls.not_offered",),
)
def ssl_not_required(db: CloudSqlInstance, inventory: Inventory) -> Outcome:
    """sslMode ENCRYPTED_ONLY / TRUSTED_CLIENT_CERTIFICATE_REQUIRED, else the legacy requireSsl."""
    facts = network(db)
    evidence = {"ssl_mode": db.ssl_mode or "not set", "require_ssl": db.require_ssl}
    if db.ssl_required:
        return passed(f"Cloud SQL instance {db.name} refuses unencrypted connections.", evidence, facts)
    level = db.exposure()
    severity = {"internet": Severity.HIGH, "broad": Severity.HIGH, "restricted": Severity.MEDIUM}
    if level in severity:
        where = f"on its public IP {db.public_ip} from {_labels(db)}"
    elif level == "connectors":
        where = "(its public IP is reached only through the Auth Proxy and connectors, which encrypt)"
    else:
        where = "on its private IP" if db.private_ip else "(it has no IP address that accepts them now)"
    return fail(
        f"Cloud SQL instance {db.name} accepts unencrypted {db.engine_name} connections {where}.",
        evidence,
        severity.get(level, Severity.LOW),
        facts,
    )


# ---------------------------------------------------------------------------------- users


def _exposure_grade(db: CloudSqlInstance, _: Inventory) -> Severity:
    """High when a broad network opens the public IP, medium with narrow ones, low otherwise."""
    level = db.exposure()
    if level in EXPOSED:
        return Severity.HIGH
    return Severity.MEDIUM if level == "restricted" else Severity.LOW


def _user_problem(user: SqlUser) -> str:
    problems = [p for p, bad in (("root", user.name == "root"), ("any host", user.any_host)) if bad]
    return " and ".join(problems)


SAFE_USER = Predicate[SqlUser](
    "is neither root nor allowed from any host (%)",
    lambda u: not u.password_login or (u.name != "root" and not u.any_host),
    _user_problem,
    "Password users named root or with host % (IAM users authenticate through IAM: not counted).",
)

expect_each(
    id="gcp.sql.mysql_root_or_any_host_user",
    title="Cloud SQL MySQL instance has a root user or users allowed from any host",
    severity=Severity.MEDIUM,
    asset=CloudSqlInstance,
    items="users",
    key="account",
    ok=SAFE_USER,
    exempt=lambda db: (
        None
        if db.engine == "mysql"
        else "Cloud SQL instance {name} is not a MySQL instance: its users have no host."
    ),
    grade=_exposure_grade,
    pass_msg="MySQL instance {name} has no root user and no user allowed from any host.",
    fail_msg="MySQL instance {name} has password users that are root or allowed from any host ({details}).",
    rationale="""root is the first name brute-force attempts try, and a user with host % may log in from
        any address that reaches the instance; together with a public IP they leave only the password
        between the Internet and the data (high when a broad authorized network opens the public IP).""",
    remediation="""Restrict each user to the hosts it connects from and use a dedicated, least-privileged
        user instead of root (gcloud sql users create APP_USER --host=10.0.0.% --instance=INSTANCE
        --password=...; gcloud sql users delete root --host=% --instance=INSTANCE once nothing uses it),
        or IAM database authentication.""",
)

# ---------------------------------------------------------------------------------- backups

expect(
    id="gcp.sql.backups_disabled",
    title="Cloud SQL instance has automated backups disabled",
    severity=Severity.MEDIUM,
    asset=CloudSqlInstance,
    attr="backups_enabled",
    ok=is_true,
    when=Predicate[CloudSqlInstance]("is a primary instance", lambda db: not db.replica),
    pass_msg="Cloud SQL instance {name} takes automated backups.",
    fail_msg="Cloud SQL instance {name} has automated backups disabled.",
    rationale="""Without automated backups there is no restore point (nor point-in-time recovery) after
        corruption, ransomware or an accidental delete. Read replicas have no backups of their own.""",
    remediation="""gcloud sql instances patch INSTANCE --backup-start-time=HH:MM (and point-in-time
        recovery: --enable-bin-log for MySQL, --enable-point-in-time-recovery for PostgreSQL and SQL
        Server).""",
)
