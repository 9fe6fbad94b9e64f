"""Which certificates the probe trusts: the platform's store, ``SSL_CERT_FILE``, and ``--ca-bundle``.

A local TLS server presents a certificate issued by a test CA that no trust store knows: the probe
reports the chain as untrusted, unless the CA is given by ``--ca-bundle`` or ``SSL_CERT_FILE``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from aws_seed import client
from cloudaudit.cli.app import main
from cloudaudit.exposure.probe import ProbeSource
from cloudaudit.exposure.probe.tls import verifying_context
from cloudaudit.exposure.sources import ConnectTo
from cloudaudit.progress import PlainProgress
from probe_servers import (
    LOCAL,
    CertFiles,
    GoodApi,
    Server,
    checks,
    issue,
    key,
    opened,
    options,
    running,
    server_context,
    target,
)

API = "api.example.test"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CertFiles]:
    directory = tmp_path_factory.mktemp("trust")
    ca_files, ca = issue(directory, "ca", "cloudaudit private CA", ca=True)
    return {"ca": ca_files, "api": issue(directory, "api", API, (API,), issuer=(ca, key()))[0]}


def _probe(server: Server, **changes: object) -> set[str]:
    source = ProbeSource(replace(options(ConnectTo(API, 443, LOCAL, server.port)), **changes))  # type: ignore[arg-type]
    result = source.observe([target(API, 443)], PlainProgress())
    verified = opened(result, 443).details["chain_verified"]
    return checks(result) | ({"chain verified"} if verified else set())


def test_a_private_ca_is_untrusted_by_default(
    certs: dict[str, CertFiles], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with running(Server(GoodApi, tls=server_context(certs["api"]))) as server:
        found = _probe(server)
    assert found == {"probe.tls.cert_untrusted"}


def test_ca_bundle_makes_a_private_ca_trusted(certs: dict[str, CertFiles]) -> None:
    with running(Server(GoodApi, tls=server_context(certs["api"]))) as server:
        found = _probe(server, ca_bundle=certs["ca"].cert)
    assert found == {"chain verified"}


def test_ssl_cert_file_is_honoured(certs: dict[str, CertFiles], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certs["ca"].cert))
    with running(Server(GoodApi, tls=server_context(certs["api"]))) as server:
        found = _probe(server)
    assert found == {"chain verified"}


def test_ca_bundle_adds_to_the_platform_store_instead_of_replacing_it(certs: dict[str, CertFiles]) -> None:
    platform = verifying_context().cert_store_stats()["x509_ca"]
    assert verifying_context(str(certs["ca"].cert)).cert_store_stats()["x509_ca"] == platform + 1


# ---------------------------------------------------------------------------- from the command line


def _domain(endpoint: str, name: str) -> None:
    """A public custom domain mapped to a deployed REST API (moto answers 500 for unmapped domains)."""
    apigateway = client(endpoint, "apigateway")
    api = apigateway.create_rest_api(name="private-ca", disableExecuteApiEndpoint=True)["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="AWS_IAM")
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigateway.create_deployment(restApiId=api, stageName="prod")
    apigateway.create_domain_name(
        domainName=name,
        regionalCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="TLS_1_2",
    )
    apigateway.create_base_path_mapping(domainName=name, restApiId=api, stage="prod")


@pytest.mark.parametrize(("bundle", "untrusted"), [(False, True), (True, False)], ids=["system", "ca-bundle"])
def test_run_ca_bundle(
    aws: str,
    out_dir: Path,
    certs: dict[str, CertFiles],
    monkeypatch: pytest.MonkeyPatch,
    bundle: bool,
    untrusted: bool,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    _domain(aws, API)
    extra = ["--ca-bundle", str(certs["ca"].cert)] if bundle else []
    with running(Server(GoodApi, tls=server_context(certs["api"]))) as server:
        code = main(
            [
                *("run", "--provider", "aws", "--regions", "us-east-1", "--checks", "aws.apigateway.*"),
                *("-o", str(out_dir), "--format", "json", "--probe"),
                *("--connect-to", f"{API}:443:{LOCAL}:{server.port}", *extra),
            ]
        )
    assert code == 0 and server.connections > 0
    findings = json.loads((out_dir / "findings.json").read_text())["findings"]
    ids = {f["check_id"] for f in findings if f["check_id"].startswith("exposure.probe.")}
    assert ("exposure.probe.tls.cert_untrusted" in ids) is untrusted


@pytest.mark.parametrize("command", [["run", "--provider", "aws", "--regions", "us-east-1"], ["demo"]])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it (No such file or directory)"),
        ("", "no readable PEM certificate in it"),
        ("not a certificate\n", "no readable PEM certificate in it"),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "no readable PEM certificate in it",
        ),
    ],
    ids=["missing", "empty", "text", "broken PEM"],
)
def test_bad_ca_bundle_is_a_one_line_usage_error_before_anything_runs(
    tmp_path: Path,
    out_dir: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    content: str | None,
    message: str,
) -> None:
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_text(content)
    code = main([*command, "-o", str(out_dir), "--probe", "--ca-bundle", str(bundle)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: --ca-bundle {bundle}: {message}\n"  # before the emulator or any API call


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ca-bundle", "ca.pem"], "error: --probe-ports and --ca-bundle only apply to --probe"),
        (["--probe-ports", "80"], "error: --probe-ports and --ca-bundle only apply to --probe"),
        (["--probe", "--probe-ports", "80-70"], "error: --probe-ports: '80-70' is not within 1-65535"),
        (["--probe", "--probe-ports", "all"], "error: --probe-ports: 'all' is not a port or a range"),
    ],
)
def test_probe_option_errors(
    out_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1 and "Traceback" not in err
