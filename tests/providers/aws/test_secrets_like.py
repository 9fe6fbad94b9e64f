"""looks_secret: secret-like stage variables / env vars by name or by value shape (pure, never raises)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudaudit_aws.secrets_like import looks_secret, secret_name, secret_value

# Built at runtime so the repository holds no literal that secret scanners flag.
AWS_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE"
STS_KEY_ID = "ASIA" + "Y34FZKBOKMUTVV7A"
PEM = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
RANDOM_BLOB = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "dbPassword",
        "DB_PASSWD",
        "pwd",
        "secret",
        "clientSecret",
        "client_secret",
        "token",
        "authToken",
        "api_key",
        "apiKey",
        "API-KEY",
        "apikey",
        "private_key",
        "privateKey",
        "credentials",
        "awsCredential",
        "secret_key",
        "accessKey",
        "signing.key",
        "BEARER",
    ],
)
def test_secret_names_with_a_literal_value_are_secret(name: str) -> None:
    assert looks_secret(name, "hunter2")


@pytest.mark.parametrize(
    "name",
    [
        "region",
        "backendUrl",
        "tableName",
        "stage",
        "timeoutSeconds",
        "bypassCache",
        "compass",
        "tokenUrl",
        "secretArn",
        "passwordParameter",
        "apiKeyName",
        "tokenTtl",
        "apiKeyRequired",
        "",
    ],
)
def test_ordinary_names_with_an_ordinary_value_are_not_secret(name: str) -> None:
    assert not looks_secret(name, "hunter2")


@pytest.mark.parametrize("value", ["", "  ", "none", "NULL", "true", "false", "${stageVariables.dbPassword}"])
def test_secret_names_with_placeholder_or_reference_values_are_not_secret(value: str) -> None:
    assert not looks_secret("dbPassword", value)


@pytest.mark.parametrize(
    "value",
    [
        AWS_KEY_ID,
        STS_KEY_ID,
        f"key={AWS_KEY_ID};",
        PEM,
        JWT,
        f"Bearer {JWT}",
        RANDOM_BLOB,
        GITHUB,
        "postgres://admin:s3cr3tPw@db.internal:5432/orders",
        "3f786850e387550fdab836ed7e6dc881de23001b",  # 40-hex token
    ],
)
def test_secret_shaped_values_are_secret_whatever_the_name(value: str) -> None:
    assert secret_value(value)
    assert looks_secret("backend", value)


@pytest.mark.parametrize(
    "value",
    [
        "us-east-1",
        "orders-table",
        "https://backend.example.com/v1/orders/items?limit=100",
        "arn:aws:lambda:us-east-1:123456789012:function:orders-handler-production",
        "orders-backend.internal.example.com",
        "internal-orders-lb-1234567890.us-east-1.elb.amazonaws.com",
        "AKIAshort",
        "this is a long sentence that is definitely not a secret value at all",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "0123456789",
        "https://user@example.com/path",  # user without password
    ],
)
def test_ordinary_values_are_not_secret(value: str) -> None:
    assert not secret_value(value)
    assert not looks_secret("backend", value)


def test_name_matching_is_word_based_not_substring() -> None:
    assert secret_name("x_api_key") and secret_name("XApiKey")
    assert not secret_name("keyboard") and not secret_name("passThrough")


@given(st.text(), st.text())
def test_never_raises(name: str, value: str) -> None:
    assert looks_secret(name, value) in (True, False)


def test_non_string_input_is_not_secret() -> None:
    assert looks_secret(None, None) is False  # type: ignore[arg-type]
    assert looks_secret(1, 2) is False  # type: ignore[arg-type]
