"""A local fake of the Google JSON APIs cloudaudit reads: the GCP equivalent of moto's server.

It serves Cloud Storage JSON v1, Compute Engine v1, Cloud SQL Admin v1, API Gateway v1 and the
listings of Cloud Resource Manager v3 (the projects and folders of an organization) on 127.0.0.1 with
the response shapes of the discovery documents bundled with google-api-python-client, paging,
aggregated lists, per-route fault injection and a request log. Nothing here imports a Google library:
the official clients are pointed at it with ``client_options={"api_endpoint": url}`` and
``AnonymousCredentials``.

Retries of the official clients, as measured against this fake (tests/providers/gcp/test_gcp_fake.py):

- google-cloud-storage: every read carries ``DEFAULT_RETRY`` (429, 500, 502, 503, 504, connection errors).
- google-cloud-compute (REST; the tests check the fake with it, cloudaudit reads Compute through the
  discovery client): ``get``/``list``/``aggregated_list`` retry only ``ServiceUnavailable`` (503) and
  ``DeadlineExceeded`` by default; a 429 raises ``TooManyRequests`` unless the caller passes its own
  ``retry=``.
- google-api-python-client (compute, sqladmin, apigateway): no retry unless ``execute(num_retries=N)``;
  then 5xx, 429 and the 403 rate-limit reasons are retried (Retry-After is not honoured: random
  exponential sleep).

Every read these clients make is a GET (GCS ``getIamPolicy`` included; Cloud SQL has no IAM policy call);
any other method is answered 405 and logged.
"""

from cloudaudit_gcp.fake.faults import Fault
from cloudaudit_gcp.fake.server import FakeGoogleApis, LoggedRequest
from cloudaudit_gcp.fake.state import FakeFolder, FakeProject, sample_project

__all__ = ["FakeFolder", "FakeGoogleApis", "FakeProject", "Fault", "LoggedRequest", "sample_project"]
