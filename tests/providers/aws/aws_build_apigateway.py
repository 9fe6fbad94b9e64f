"""Build API Gateway REST API (v1) assets for check tests, with the identifiers the collector produces.

* REST API     ``arn:aws:apigateway:{region}::/restapis/{api_id}`` (the builders use the name as id)
* domain name  ``arn:aws:apigateway:{region}::/domainnames/{domain}``
"""

from __future__ import annotations

from typing import Any

from aws_builders import ACCOUNT, PROVIDER, REGION
from cloudaudit_aws.assets_apigateway import (
    ApiGatewayDomainName,
    ApiGatewayRestApi,
    ApiMethod,
    ApiStage,
    BasePathMapping,
    MethodSetting,
)
from cloudaudit_aws.collect.apigateway import rest_api_arn

WEB_ACL = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/api-acl/1a2b3c4d"
LOG_GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:api-access"
VPCE = "vpce-0a1b2c3d4e5f60718"
BACKEND = "https://backend.example.com"


def api_arn(name: str, region: str = REGION) -> str:
    """The id the collector gives the REST API whose id is ``name``."""
    return rest_api_arn(region, name)


def domain_arn(domain: str, region: str = REGION) -> str:
    """The id the collector gives a custom domain name."""
    return f"arn:aws:apigateway:{region}::/domainnames/{domain}"


def method(
    verb: str,
    path: str,
    auth: str = "NONE",
    api_key: bool = False,
    integration: str | None = "HTTP_PROXY",
    connection: str = "",
) -> ApiMethod:
    """One method; ``auth`` is the authorization type, ``integration`` its integration type (None: not
    recorded), HTTP ones to ``https://backend.example.com`` (``connection``: ``VPC_LINK``)."""
    return ApiMethod(
        path=path,
        http_method=verb,
        authorization_type=auth,
        authorizer_id="auth01" if auth in ("CUSTOM", "COGNITO_USER_POOLS") else "",
        api_key_required=api_key,
        integration_type=integration,
        integration_connection=connection,
        integration_host=BACKEND if integration in ("HTTP", "HTTP_PROXY") else "",
    )


def settings(key: str = "*/*", **attrs: Any) -> MethodSetting:
    """Method settings under ``key``."""
    return MethodSetting(key=key, **attrs)


def stage(name: str = "prod", **attrs: Any) -> ApiStage:
    """A stage with the model's defaults (no logging, no WAF, no cert, no tracing)."""
    return ApiStage(name=name, deployment_id="dep1", **attrs)


def hardened_stage(name: str = "prod", **attrs: Any) -> ApiStage:
    """A stage that passes every stage check; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "access_log_destination": LOG_GROUP,
        "method_settings": (settings(logging_level="ERROR", metrics_enabled=True),),
        "tracing_enabled": True,
        "client_certificate_id": "cert01",
        "web_acl_arn": WEB_ACL,
        "variable_names": ("backendHost",),
    }
    fields.update(attrs)
    return stage(name, **fields)


def worst_stage(name: str = "prod") -> ApiStage:
    """A stage that fails every stage check."""
    return stage(
        name,
        method_settings=(settings(logging_level="OFF", data_trace_enabled=True, caching_enabled=True),),
        cache_cluster_enabled=True,
        variable_names=("dbPassword", "region"),
        secret_variables=("dbPassword",),
    )


def invoke_policy(resource: str = "execute-api:/*", principal: Any = "*", **condition: Any) -> dict[str, Any]:
    """A resource policy allowing execute-api:Invoke to ``principal`` (a condition when given)."""
    statement: dict[str, Any] = {
        "Sid": "Invoke",
        "Effect": "Allow",
        "Principal": principal,
        "Action": "execute-api:Invoke",
        "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def vpce_policy(name: str) -> dict[str, Any]:
    """Invoke allowed to anyone through one VPC endpoint only (the usual private API policy)."""
    return invoke_policy(
        f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{name}/*", StringEquals={"aws:SourceVpce": VPCE}
    )


def rest_api(name: str, region: str = REGION, **attrs: Any) -> ApiGatewayRestApi:
    """A REGIONAL REST API whose id is ``name``; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": region,
        "id": api_arn(name, region),
        "name": name,
        "api_id": name,
        "endpoint_types": ("REGIONAL",),
    }
    fields.update(attrs)
    return ApiGatewayRestApi(**fields)


def hardened_api(name: str, **attrs: Any) -> ApiGatewayRestApi:
    """A REST API that passes every REST API check; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "methods": (
            method("GET", "/payments", "COGNITO_USER_POOLS"),
            method("POST", "/payments", "AWS_IAM"),
            method("OPTIONS", "/payments"),
        ),
        "stages": (hardened_stage(),),
        "execute_api_endpoint_disabled": True,
        "custom_domains": ("payments.example.com",),
        "security_policy": "TLS_1_2",
    }
    fields.update(attrs)
    return rest_api(name, **fields)


def worst_api(name: str = "api-worst") -> ApiGatewayRestApi:
    """A public REST API that fails every REST API check."""
    return rest_api(
        name,
        methods=(method("GET", "/orders"), method("ANY", "/admin"), method("POST", "/orders", "AWS_IAM")),
        stages=(worst_stage(),),
        policy=invoke_policy(),
        custom_domains=("api.example.com",),
    )


def domain(
    name: str, security_policy: str = "TLS_1_2", region: str = REGION, **attrs: Any
) -> ApiGatewayDomainName:
    """A REGIONAL custom domain name; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": region,
        "id": domain_arn(name, region),
        "name": name,
        "domain_name": name,
        "security_policy": security_policy,
        "endpoint_types": ("REGIONAL",),
    }
    fields.update(attrs)
    return ApiGatewayDomainName(**fields)


def mapping(api_id: str, stage_name: str = "prod", base_path: str = "(none)") -> BasePathMapping:
    """A base path mapping to a stage of an API."""
    return BasePathMapping(base_path=base_path, rest_api_id=api_id, stage=stage_name)
