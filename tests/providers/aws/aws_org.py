"""An emulated AWS Organization on moto's server, and a 127.0.0.1 proxy that makes STS's AssumeRole
as strict as AWS's.

moto's STS lets anyone assume any role ARN, existing or not; its assumed-role credentials then reach
the backend of the account the ARN names. The proxy passes every request to moto unchanged except
``AssumeRole``: it reads the role from moto's IAM in the role's account (moto's ``x-moto-account-id``
header) and answers with STS's own ``AccessDenied`` when the role does not exist or its trust
policy requires another ``sts:ExternalId``. Every AssumeRole and every Organizations call is logged.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import boto3

from cloudaudit_aws.emulator_proxy import answer

MANAGEMENT = "123456789012"
"""moto's default account: the caller's credentials (``testing``) belong to it."""
ROLE = "CloudAuditReadOnly"
IAM_SCOPE = "iam/aws4_request"
"""moto's server picks the service from the signature's credential scope."""
DENIED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>AccessDenied</Code><Message>User: arn:aws:iam::{caller}:user/moto is not authorized to "
    "perform: sts:AssumeRole on resource: {arn}</Message></Error>"
    "<RequestId>0rg0d3n1ed</RequestId></ErrorResponse>"
)


@dataclass
class ProxyLog:
    """What the proxy saw: AssumeRole parameters and Organizations operations."""

    assumed: list[dict[str, str]] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    expires_in: int | None = None
    """When set, assumed-role credentials are answered as expiring this many seconds from now."""


def _role(upstream: tuple[str, int], arn: str) -> dict[str, Any] | None:
    """The role the ARN names, read from moto's IAM of the ARN's account (None: no such role)."""
    account, name = arn.split(":")[4], arn.split(":role/", 1)[1].rsplit("/", 1)[-1]
    conn = http.client.HTTPConnection(*upstream, timeout=30)
    try:
        body = urlencode({"Action": "GetRole", "RoleName": name, "Version": "2010-05-08"})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "x-moto-account-id": account,
            "Authorization": f"AWS4-HMAC-SHA256 Credential=proxy/20260101/us-east-1/{IAM_SCOPE}",
        }
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode()
    finally:
        conn.close()
    if resp.status != 200:
        return None
    start, end = text.find("<AssumeRolePolicyDocument>"), text.find("</AssumeRolePolicyDocument>")
    document = unquote(text[start + len("<AssumeRolePolicyDocument>") : end]) if start >= 0 else "{}"
    parsed: dict[str, Any] = json.loads(document.replace("&quot;", '"'))
    return parsed


def _required_external_id(trust: dict[str, Any]) -> str | None:
    for statement in trust.get("Statement", []):
        value = statement.get("Condition", {}).get("StringEquals", {}).get("sts:ExternalId")
        if value:
            return str(value)
    return None


def _expiring(answer: bytes, seconds: int) -> bytes:
    """An AssumeRole answer whose credentials expire ``seconds`` from now."""
    when = (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return re.sub(rb"<Expiration>[^<]*</Expiration>", f"<Expiration>{when}</Expiration>".encode(), answer)


def _handler(upstream: tuple[str, int], log: ProxyLog) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            target = self.headers.get("X-Amz-Target", "")
            if target.startswith("AWSOrganizationsV"):
                with log.lock:
                    log.organizations.append(target.split(".", 1)[1])
            form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
            if self.command == "POST" and form.get("Action") == "AssumeRole" and self._refuse(form):
                return
            conn = http.client.HTTPConnection(*upstream, timeout=30)
            try:
                conn.request(self.command, self.path, body=body or None, headers=dict(self.headers.items()))
                resp = conn.getresponse()
                answer = resp.read()
                if form.get("Action") == "AssumeRole" and log.expires_in is not None:
                    answer = _expiring(answer, log.expires_in)
                self._answer(resp.status, resp.getheaders(), answer)
            finally:
                conn.close()

        def _refuse(self, form: dict[str, str]) -> bool:
            """Log an AssumeRole; answer AccessDenied (and return True) when AWS would."""
            arn = form.get("RoleArn", "")
            with log.lock:
                log.assumed.append(form)
            trust = _role(upstream, arn) if ":role/" in arn else None
            wanted = _required_external_id(trust) if trust is not None else None
            if trust is not None and (wanted is None or wanted == form.get("ExternalId")):
                return False
            page = DENIED.format(caller=MANAGEMENT, arn=arn).encode()
            self._answer(403, [("Content-Type", "text/xml")], page)
            return True

        def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            answer(self, status, headers, body)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Forward


@contextmanager
def strict_sts_proxy(moto_endpoint: str) -> Iterator[tuple[str, ProxyLog]]:
    """The proxy on 127.0.0.1 in front of ``moto_endpoint``: its URL and its log."""
    url = urlsplit(moto_endpoint)
    assert url.hostname == "127.0.0.1" and url.port
    log = ProxyLog()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler((url.hostname, url.port), log))
    thread = threading.Thread(target=server.serve_forever, name="strict-sts-proxy", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def trust_policy(external_id: str | None = None) -> str:
    """The member role's trust policy: the management account may assume it (with the external id)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
        "Action": "sts:AssumeRole",
    }
    if external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def account_client(endpoint: str, account: str, service: str, region: str = "us-east-1") -> Any:
    """A client acting in ``account`` (moto's credentials of a role assumed there), straight to moto."""
    if account == MANAGEMENT:
        return boto3.client(service, endpoint_url=endpoint, region_name=region)
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")[
        "Credentials"
    ]
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


MEMBER_ROLE_TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "aws-org-member-role.yaml"


def give_role(endpoint: str, account: str, external_id: str | None = None) -> None:
    """Deploy the audit role in ``account`` with deploy/aws-org-member-role.yaml (moto's CloudFormation),
    trusting the management account: the role the proxy lets it assume."""
    cfn = account_client(endpoint, account, "cloudformation")
    parameters = [{"ParameterKey": "AuditorAccountId", "ParameterValue": MANAGEMENT}]
    if external_id:
        parameters.append({"ParameterKey": "ExternalId", "ParameterValue": external_id})
    cfn.create_stack(
        StackName="cloudaudit-audit-role",
        TemplateBody=MEMBER_ROLE_TEMPLATE.read_text(),
        Capabilities=["CAPABILITY_NAMED_IAM"],
        Parameters=parameters,
    )
    status = cfn.describe_stacks(StackName="cloudaudit-audit-role")["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE", status


def public_bucket(endpoint: str, account: str) -> str:
    """A public-read bucket in ``account``; its name."""
    name = f"pub-{account}"
    s3 = account_client(endpoint, account, "s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    return name


@dataclass(frozen=True)
class Organization:
    """The emulated organization: ids by name, and its units."""

    accounts: dict[str, str]
    units: dict[str, str]
    root: str


def organization(endpoint: str, names: dict[str, str]) -> Organization:
    """An organization of the management account plus one account per ``names`` entry (name -> unit
    path under the root: ``prod``, ``prod/eu``, or ``""`` for the root), units made as needed."""
    org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    units: dict[str, str] = {"": root}
    accounts = {"management": MANAGEMENT}
    for name, path in names.items():
        parent = root
        for depth, part in enumerate(path.split("/") if path else []):
            key = "/".join(path.split("/")[: depth + 1])
            if key not in units:
                units[key] = org.create_organizational_unit(ParentId=parent, Name=part)["OrganizationalUnit"][
                    "Id"
                ]
            parent = units[key]
        made = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
        accounts[name] = made["AccountId"]
        if parent != root:
            org.move_account(AccountId=made["AccountId"], SourceParentId=root, DestinationParentId=parent)
    return Organization(accounts, units, root)
