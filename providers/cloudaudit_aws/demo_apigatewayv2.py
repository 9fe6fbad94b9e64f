"""Demo account: API Gateway v2 HTTP and WebSocket APIs, good and bad, with custom domains.

* ``orders-api-no-auth``: open routes, a ``$default`` catch-all, CORS "*", no access logs, data
  trace, a password in a stage variable, served on a TLS 1.0 custom domain with its default
  execute-api endpoint still on.
* ``payments-api-jwt``: JWT authorizer on every route (OPTIONS aside), one listed CORS origin,
  access logs and throttling, reachable only through its TLS 1.2 custom domain.
* ``chat-ws-open-connect``: a WebSocket API whose ``$connect`` route has no authorizer.
* ``notifications-ws-iam``: a WebSocket API authorizing connections with IAM.
"""

from __future__ import annotations

from typing import Any

import boto3

ACCOUNT = "123456789012"
LEGACY_DOMAIN = "legacy-orders.example.com"
PAYMENTS_DOMAIN = "payments.example.com"


def _log_group(region: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/apigateway/{name}"


def _certificate(region: str, name: str) -> str:
    return f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{name}"


def _orders_api(client: Any, region: str) -> None:
    api_id = client.create_api(
        Name="orders-api-no-auth",
        ProtocolType="HTTP",
        CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["*"], "AllowHeaders": ["*"]},
        Tags={"team": "orders", "env": "prod"},
    )["ApiId"]
    for key in ("GET /orders", "DELETE /orders/{id}", "ANY /admin/{proxy+}", "$default"):
        client.create_route(ApiId=api_id, RouteKey=key, AuthorizationType="NONE")
    client.create_stage(
        ApiId=api_id,
        StageName="prod",
        AutoDeploy=True,
        DefaultRouteSettings={"DataTraceEnabled": True, "DetailedMetricsEnabled": False},
        StageVariables={"dbPassword": "Sup3r-S3cret-Demo!", "lambdaAlias": "live"},
    )
    client.create_domain_name(
        DomainName=LEGACY_DOMAIN,
        DomainNameConfigurations=[
            {
                "CertificateArn": _certificate(region, "legacy-orders"),
                "EndpointType": "REGIONAL",
                "SecurityPolicy": "TLS_1_0",
            }
        ],
    )
    client.create_api_mapping(DomainName=LEGACY_DOMAIN, ApiId=api_id, Stage="prod", ApiMappingKey="orders")


def _payments_api(client: Any, region: str) -> None:
    api_id = client.create_api(
        Name="payments-api-jwt",
        ProtocolType="HTTP",
        DisableExecuteApiEndpoint=True,
        CorsConfiguration={
            "AllowOrigins": ["https://shop.example.com"],
            "AllowCredentials": True,
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["authorization", "content-type"],
            "MaxAge": 600,
        },
        Tags={"team": "payments", "env": "prod"},
    )["ApiId"]
    authorizer_id = client.create_authorizer(
        ApiId=api_id,
        Name="cognito-jwt",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={
            "Issuer": f"https://cognito-idp.{region}.amazonaws.com/{region}_DemoPool",
            "Audience": ["payments-web"],
        },
    )["AuthorizerId"]
    for key in ("GET /payments", "POST /payments"):
        client.create_route(ApiId=api_id, RouteKey=key, AuthorizationType="JWT", AuthorizerId=authorizer_id)
    client.create_route(ApiId=api_id, RouteKey="OPTIONS /payments", AuthorizationType="NONE")
    client.create_stage(
        ApiId=api_id,
        StageName="prod",
        AutoDeploy=True,
        AccessLogSettings={
            "DestinationArn": _log_group(region, "payments"),
            "Format": "$context.requestId $context.identity.sourceIp $context.routeKey $context.status",
        },
        DefaultRouteSettings={"ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100.0},
        StageVariables={"paymentsTable": "payments-prod"},
    )
    client.create_domain_name(
        DomainName=PAYMENTS_DOMAIN,
        DomainNameConfigurations=[
            {
                "CertificateArn": _certificate(region, "payments"),
                "EndpointType": "REGIONAL",
                "SecurityPolicy": "TLS_1_2",
            }
        ],
    )
    client.create_api_mapping(DomainName=PAYMENTS_DOMAIN, ApiId=api_id, Stage="prod")


def _websocket_apis(client: Any, region: str) -> None:
    for name, auth in (("chat-ws-open-connect", "NONE"), ("notifications-ws-iam", "AWS_IAM")):
        api_id = client.create_api(
            Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
        )["ApiId"]
        client.create_route(ApiId=api_id, RouteKey="$connect", AuthorizationType=auth)
        for key in ("$disconnect", "sendMessage"):
            client.create_route(ApiId=api_id, RouteKey=key, AuthorizationType="NONE")
        client.create_stage(
            ApiId=api_id,
            StageName="live",
            AccessLogSettings={"DestinationArn": _log_group(region, name), "Format": "$context.requestId"},
            DefaultRouteSettings={
                "LoggingLevel": "ERROR",
                "DataTraceEnabled": False,
                "ThrottlingBurstLimit": 50,
                "ThrottlingRateLimit": 20.0,
            },
        )


def seed(endpoint: str, region: str) -> None:
    """Create the demo APIs and custom domains in ``region`` of the emulator at ``endpoint``."""
    client = boto3.client("apigatewayv2", endpoint_url=endpoint, region_name=region)
    _orders_api(client, region)
    _payments_api(client, region)
    _websocket_apis(client, region)
