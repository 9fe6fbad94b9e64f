# cloudaudit as a container image: small, non-root, the providers chosen at build time.
#
#   docker build -t cloudaudit --build-arg PROVIDERS=aws,gcp,azure .
#   eval "$(aws configure export-credentials --format env)"
#   docker run --rm -v cloudaudit-data:/data -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN \
#     cloudaudit run -p aws          # reports in the volume's reports/
#
# PROVIDERS: pip extras of pyproject.toml (aws, gcp, azure; store or postgres for the run store; demo adds the
# local emulators of `cloudaudit demo`).
# PYTHON_IMAGE: pin it by digest for reproducible builds (python:3.12-slim-bookworm@sha256:...).
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG PROVIDERS=aws
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY providers ./providers
RUN python -m venv /opt/cloudaudit \
 && /opt/cloudaudit/bin/pip install --no-cache-dir ".[${PROVIDERS}]" \
 && /opt/cloudaudit/bin/cloudaudit --help > /dev/null

FROM ${PYTHON_IMAGE}
ARG PROVIDERS=aws
LABEL org.opencontainers.image.title="cloudaudit" \
      org.opencontainers.image.description="Read-only cloud posture audit (providers: ${PROVIDERS})" \
      org.opencontainers.image.licenses="Apache-2.0"
# One state directory, the user's home: reports/ (the default output), the run store, the exposure cache.
RUN groupadd --system --gid 10001 cloudaudit \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --create-home --shell /usr/sbin/nologin cloudaudit \
 && chmod 700 /data
COPY --from=build /opt/cloudaudit /opt/cloudaudit
ENV PATH=/opt/cloudaudit/bin:$PATH HOME=/data PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["cloudaudit"]
CMD ["--help"]
