"""Demo account: API Gateway REST APIs (v1), good and bad, with custom domains.

* ``orders-rest-api-no-auth``: ``GET /orders`` and ``ANY /admin`` without authorization, a ``prod``
  stage with data trace on, execution and access logging off, a password in a stage variable, served
  on a TLS 1.0 custom domain while its default execute-api endpoint stays on; ``GET /orders`` proxies
  to an HTTP backend, which the stage reaches without a client certificate.
* ``payments-rest-api-iam``: Cognito and IAM authorization, access and execution logs, X-Ray, a WAF
  web ACL, served only through its TLS 1.2 custom domain (default endpoint disabled); its methods
  invoke a Lambda function, so no client certificate is needed.
* ``inventory-private-api``: a PRIVATE API reachable only through one VPC endpoint (resource policy
  with ``aws:SourceVpce``).

Only write calls of the emulator are used here (seeding); the audit itself stays read-only.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

ACCOUNT = "123456789012"
ORDERS_DOMAIN = "rest-orders.example.com"
PAYMENTS_DOMAIN = "rest-payments.example.com"
DEMO_VPCE = "vpce-0demo1234567890ab"
COGNITO_POOL = "us-east-1_DemoPool1"
ORDERS_BACKEND = "https://orders.internal.example.com/orders"
"""The HTTP backend ``GET /orders`` proxies to."""


def _certificate(region: str, name: str) -> str:
    return f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{name}"


def _root(client: Any, api_id: str) -> str:
    return str(next(r["id"] for r in client.get_resources(restApiId=api_id)["items"] if r["path"] == "/"))


def _method(
    client: Any,
    api_id: str,
    resource_id: str,
    verb: str,
    auth: str = "NONE",
    integration: dict[str, str] | None = None,
    **kw: Any,
) -> None:
    """A method and its integration (MOCK unless ``integration`` gives type, uri and method)."""
    client.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType=auth, **kw)
    client.put_integration(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, **(integration or {"type": "MOCK"})
    )


def _lambda(region: str) -> dict[str, str]:
    """A Lambda proxy integration of the payments function."""
    function = f"arn:aws:lambda:{region}:{ACCOUNT}:function:payments-handler"
    uri = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations"
    return {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": uri}


def _resource(client: Any, api_id: str, path_part: str) -> str:
    return str(
        client.create_resource(restApiId=api_id, parentId=_root(client, api_id), pathPart=path_part)["id"]
    )


def _orders_api(client: Any, region: str) -> str:
    api_id = str(
        client.create_rest_api(
            name="orders-rest-api-no-auth",
            endpointConfiguration={"types": ["REGIONAL"]},
            tags={"team": "orders", "env": "prod"},
        )["id"]
    )
    orders = _resource(client, api_id, "orders")
    backend = {"type": "HTTP_PROXY", "integrationHttpMethod": "GET", "uri": ORDERS_BACKEND}
    _method(client, api_id, orders, "GET", integration=backend)
    _method(client, api_id, orders, "POST", "AWS_IAM")
    _method(client, api_id, orders, "OPTIONS")
    _method(client, api_id, _resource(client, api_id, "admin"), "ANY")
    client.create_deployment(
        restApiId=api_id,
        stageName="prod",
        variables={"dbPassword": "demo-Sup3r-S3cret!", "backendHost": "orders.internal.example.com"},
    )
    client.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "OFF"},
            {"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"},
        ],
    )
    client.create_domain_name(
        domainName=ORDERS_DOMAIN,
        regionalCertificateArn=_certificate(region, "rest-orders"),
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="TLS_1_0",
    )
    client.create_base_path_mapping(domainName=ORDERS_DOMAIN, restApiId=api_id, stage="prod")
    return api_id


def _web_acl(region: str, endpoint: str) -> str:
    waf = boto3.client("wafv2", endpoint_url=endpoint, region_name=region)
    return str(
        waf.create_web_acl(
            Name="payments-api-acl",
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            VisibilityConfig={
                "SampledRequestsEnabled": True,
                "CloudWatchMetricsEnabled": True,
                "MetricName": "payments-api-acl",
            },
            Rules=[],
        )["Summary"]["ARN"]
    )


def _payments_api(client: Any, region: str, endpoint: str) -> str:
    api_id = str(
        client.create_rest_api(
            name="payments-rest-api-iam",
            endpointConfiguration={"types": ["REGIONAL"]},
            disableExecuteApiEndpoint=True,
            tags={"team": "payments", "env": "prod"},
        )["id"]
    )
    authorizer = client.create_authorizer(
        restApiId=api_id,
        name="payments-users",
        type="COGNITO_USER_POOLS",
        providerARNs=[f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{COGNITO_POOL}"],
        identitySource="method.request.header.Authorization",
    )["id"]
    payments = _resource(client, api_id, "payments")
    _method(client, api_id, payments, "GET", "COGNITO_USER_POOLS", _lambda(region), authorizerId=authorizer)
    _method(client, api_id, payments, "POST", "AWS_IAM", _lambda(region))
    _method(client, api_id, payments, "OPTIONS")
    client.create_deployment(
        restApiId=api_id, stageName="prod", variables={"backendHost": "payments.internal"}
    )
    client.update_stage(
        restApiId=api_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
            {
                "op": "replace",
                "path": "/accessLogSettings/destinationArn",
                "value": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/apigateway/payments-rest-api",
            },
            {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
        ],
    )
    stage_arn = f"arn:aws:apigateway:{region}::/restapis/{api_id}/stages/prod"
    boto3.client("wafv2", endpoint_url=endpoint, region_name=region).associate_web_acl(
        WebACLArn=_web_acl(region, endpoint), ResourceArn=stage_arn
    )
    client.create_domain_name(
        domainName=PAYMENTS_DOMAIN,
        regionalCertificateArn=_certificate(region, "rest-payments"),
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="TLS_1_2",
    )
    client.create_base_path_mapping(domainName=PAYMENTS_DOMAIN, restApiId=api_id, stage="prod", basePath="v1")
    return api_id


def _private_api(client: Any, region: str) -> str:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
                "Condition": {"StringEquals": {"aws:SourceVpce": DEMO_VPCE}},
            }
        ],
    }
    api_id = str(
        client.create_rest_api(
            name="inventory-private-api",
            endpointConfiguration={"types": ["PRIVATE"], "vpcEndpointIds": [DEMO_VPCE]},
            policy=json.dumps(policy),
        )["id"]
    )
    _method(client, api_id, _resource(client, api_id, "health"), "GET")
    client.create_deployment(restApiId=api_id, stageName="internal")
    return api_id


def seed(endpoint: str, region: str) -> None:
    """Create the demo REST APIs and custom domains in ``region`` of the emulator at ``endpoint``."""
    client = boto3.client("apigateway", endpoint_url=endpoint, region_name=region)
    _orders_api(client, region)
    _payments_api(client, region, endpoint)
    _private_api(client, region)
