# syntax=docker/dockerfile:1
#
# One Dockerfile, one image per service. PACKAGE picks the workspace package (EXTRA, one of its
# extras to install too: the listening service's `server`); the image holds that package and its
# dependencies only (the dashboard image has no scipy, the catalog image no Streamlit, the
# loader's no Celery). Every process of a service (API, event consumer, Celery worker and beat,
# its migration step) runs from the service's image with its own command. Why: docs/deploy.md.
#
#   docker build --build-arg PACKAGE=soundstream-catalog \
#     --build-arg COMMAND=catalog-api \
#     --build-arg HEALTHCHECK=http://127.0.0.1:8001/ready -t soundstream/catalog .
#
# docker-compose.yml (generated from infra/stack.toml) passes these arguments for each service.

# The base images are pinned in infra/base-images.toml (by digest, once resolved), and these
# two lines are written from it by `soundstream-admin images --update` (a test checks them).
ARG PYTHON_IMAGE=python:3.11-slim-trixie

# uv itself, the same version that wrote uv.lock.
FROM ghcr.io/astral-sh/uv:0.13.9 AS uv

# --- build: a virtual environment with the one package, installed (not editable) -----------
FROM ${PYTHON_IMAGE} AS build
ARG PACKAGE
ARG EXTRA=""
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

# The dependencies first, from the lock alone: this layer is rebuilt only when the lock or a
# package's metadata changes, not on every source edit.
COPY pyproject.toml uv.lock README.md ./
COPY services/common/pyproject.toml services/common/
COPY services/taskgraph/pyproject.toml services/taskgraph/
COPY services/catalog/pyproject.toml services/catalog/
COPY services/analytics/pyproject.toml services/analytics/
COPY services/listening/pyproject.toml services/listening/
COPY services/admin/pyproject.toml services/admin/
COPY services/recommender/pyproject.toml services/recommender/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/dashboard/pyproject.toml services/dashboard/
COPY services/testsupport/pyproject.toml services/testsupport/
COPY sdk/pyproject.toml sdk/README.md sdk/
RUN --mount=type=cache,target=/root/.cache/uv \
    test -n "${PACKAGE}" || { echo "build argument PACKAGE is required" >&2; exit 1; } \
    && uv sync --frozen --no-dev --no-editable --no-install-workspace --package "${PACKAGE}" \
       ${EXTRA:+--extra "${EXTRA}"}

# Then the workspace's sources and the package itself (with its workspace dependencies).
COPY services services
COPY sdk sdk
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "${PACKAGE}" ${EXTRA:+--extra "${EXTRA}"}

# --- runtime: the environment, two small scripts, a non-root user; no compiler, no uv ------
FROM ${PYTHON_IMAGE} AS runtime
# Graphviz's dot lays out the task graph pictures (SVG, PNG) a service draws of its jobs.
# The distribution's current graphviz: its security updates come with the base image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 soundstream \
    && useradd --system --uid 10001 --gid soundstream --create-home \
       --home-dir /home/soundstream --shell /usr/sbin/nologin soundstream \
    && mkdir -p /data \
    && chown soundstream:soundstream /data

COPY --from=build --chown=root:root /app/.venv /app/.venv
COPY --chown=root:root infra/docker/healthcheck.py infra/docker/migrate.py /app/bin/

# Declared here, after the slow layers: images of one package share every layer above.
ARG PACKAGE
ARG COMMAND=""
ARG HEALTHCHECK=""
LABEL org.opencontainers.image.title="${PACKAGE}" \
      org.opencontainers.image.description="SoundStream Analytics service image"

# SOUNDSTREAM_DATA_DIR (/data): SQLite files when no database URL is set, the recommender's
# run and model files, the loader's downloads. Mount a volume there where it matters.
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SOUNDSTREAM_DATA_DIR=/data \
    SOUNDSTREAM_COMMAND=${COMMAND} \
    SOUNDSTREAM_HEALTHCHECK=${HEALTHCHECK}

WORKDIR /app
# Numeric, so the runtime can check it is not root without reading /etc/passwd.
USER 10001:10001

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "/app/bin/healthcheck.py"]

# The image's default process (COMMAND); compose and the deploy manifest give each process its
# command explicitly. exec: the process is PID 1 and receives SIGTERM directly.
CMD ["/bin/sh", "-c", "exec ${SOUNDSTREAM_COMMAND:?no COMMAND was given at build time}"]
