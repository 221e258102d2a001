# mockswitch as a service container: the Enswitch JSON API simulator on port 8080.
#
#   docker build -t mockswitch .
#   docker run --rm -p 8080:8080 mockswitch
#
# Settings are MOCKSWITCH_* variables (see `mockswitch serve --help`), or flags after the
# image name: `docker run mockswitch serve --api-version 3.13`.
#
# BASE_IMAGE is any Debian-based image with Python >= 3.11 or none at all: the default has
# Python in /usr/local; a plain Debian bookworm (made with debootstrap where no registry can
# be reached: scripts/podman-build) gets python3 from apt when it lacks it. PIP_INDEX_URL and
# friends are the ordinary pip variables, empty by default so that pip uses its own index.
ARG BASE_IMAGE=python:3.11-slim

# Python, from the base image or, when it has none, from apt. Shared by both stages below so
# that the virtual environment finds the same interpreter at run time.
FROM ${BASE_IMAGE} AS base
RUN set -eu; \
    if ! command -v python3 >/dev/null 2>&1; then \
        apt-get update -qq; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3 >/dev/null; \
        rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin; \
    fi; \
    python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version'

# mockswitch and its dependencies in a virtual environment, /opt/mockswitch. Debian's python3
# makes one only with python3-venv, which this stage alone installs, when it is missing.
FROM base AS build
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
RUN set -eu; \
    if ! python3 -m venv /opt/mockswitch >/dev/null 2>&1; then \
        rm -rf /opt/mockswitch; \
        apt-get update -qq; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3-venv >/dev/null; \
        python3 -m venv /opt/mockswitch; \
    fi
WORKDIR /src
COPY pyproject.toml README.md ./
COPY mockswitch ./mockswitch
COPY fixtures ./fixtures
# Behind a TLS-inspecting proxy pip needs its CA bundle: pass it as a build secret, which
# lands in no layer: --secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt
# pip and setuptools are only needed to install: the image runs without them.
RUN --mount=type=secret,id=pip_cert \
    set -eu; \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi; \
    /opt/mockswitch/bin/pip install --quiet .; \
    /opt/mockswitch/bin/pip uninstall --quiet --yes pip setuptools

FROM base
RUN useradd --user-group --uid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin mockswitch \
    && mkdir /data && chown mockswitch:mockswitch /data
COPY --from=build /opt/mockswitch /opt/mockswitch
# The data set the server seeds from; mount a folder of your own over /fixtures to replace it
# (a database seeded from other fixtures is seeded again when they change).
COPY fixtures /fixtures
ENV PATH=/opt/mockswitch/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MOCKSWITCH_HOST=0.0.0.0 \
    MOCKSWITCH_PORT=8080 \
    MOCKSWITCH_DB=/data/mockswitch.sqlite3 \
    MOCKSWITCH_FIXTURES=/fixtures
# The database (and its -wal/-shm files); a named volume keeps it across restarts.
VOLUME /data
WORKDIR /data
USER 10001:10001
EXPOSE 8080
# No curl in the image: the check is Python's standard library. It reads MOCKSWITCH_PORT
# (and MOCKSWITCH_HOST, MOCKSWITCH_CONFIG) as the server does, so a changed port is followed.
# The server listens only once the data set is loaded, so healthy means ready.
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "mockswitch.healthcheck"]
ENTRYPOINT ["mockswitch"]
CMD ["serve"]
