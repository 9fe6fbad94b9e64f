"""API Gateway fixtures built the way the collector builds them: raw resources through ``to_gateway``."""

from __future__ import annotations

import base64
import json
from typing import Any

from cloudaudit.collect.guard import Failed
from cloudaudit_gcp.assets import full_name
from cloudaudit_gcp.assets_apigateway import ApiGateway
from cloudaudit_gcp.collect.apigateway import to_gateway
from gcp_cases import PROJECT, REGION

DENIED = Failed("IAM_PERMISSION_DENIED", "Required 'apigateway.apiconfigs.get' permission")

ALIAS_BOMB = "\n".join(
    [
        'swagger: "2.0"',
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        *(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)),
        "paths: {}",
    ]
)
"""A billion laughs: 10**9 values once its aliases are expanded, a few hundred bytes as text."""


def document(path: str, spec: dict[str, Any] | str) -> dict[str, Any]:
    """One ``openapiDocuments`` entry: a dict becomes JSON text, a string is kept (YAML)."""
    text = spec if isinstance(spec, str) else json.dumps(spec)
    return {"document": {"path": path, "contents": base64.b64encode(text.encode()).decode()}}


def swagger(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    """An OpenAPI 2.0 document."""
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, **top, "paths": paths}


def gateway_id(name: str, region: str = REGION) -> str:
    """The full resource name of a gateway."""
    return full_name("apigateway", f"projects/{PROJECT}/locations/{region}/gateways/{name}")


def gateway(
    name: str,
    *documents: dict[str, Any],
    state: str = "ACTIVE",
    region: str = REGION,
    config: Failed | None = None,
) -> ApiGateway:
    """A gateway serving a config made of ``documents`` (or whose config read failed: ``config``)."""
    config_name = f"projects/{PROJECT}/locations/global/apis/{name}-api/configs/v1"
    raw = {
        "name": f"projects/{PROJECT}/locations/{region}/gateways/{name}",
        "apiConfig": config_name,
        "defaultHostname": f"{name}-1a2b3c4d.uc.gateway.dev",
        "state": state,
    }
    served = config if config is not None else {"name": config_name, "openapiDocuments": list(documents)}
    return to_gateway(PROJECT, raw, served)
