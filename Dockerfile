# recognition-status: production image.
# Two stages on debian:bookworm-slim with Debian's own python3 (3.11): the builder
# installs the pinned requirements into a venv; the runtime stage gets that venv
# (without pip and setuptools), the application files and nothing else.
# Built by `docker build -t recognition-status .` or, in CI without a daemon, by
# scripts/container-build.sh with podman (see README, "Run as a container").

FROM debian:bookworm-slim AS builder
# DL3008: the versions come from bookworm's archive; pinning them would break the
# build at each Debian point or security release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt \
    && /opt/venv/bin/pip uninstall --yes --quiet --disable-pip-version-check pip setuptools
WORKDIR /app
COPY alembic.ini gunicorn.conf.py docker-entrypoint.sh openapi.yaml ./
COPY migrations ./migrations
COPY service ./service
# Byte-compile the application here: at run time /app is read-only to the app user.
# Hash-checked, so the .pyc files stay valid whatever the copies do to mtimes.
RUN /opt/venv/bin/python -m compileall -q --invalidation-mode checked-hash /app/service /app/migrations

FROM debian:bookworm-slim AS runtime
# DL3008: as above, Debian's archive fixes the versions.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir /data \
    && chown app:app /data
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:////data/recognition.sqlite3 \
    MIGRATE=1 \
    SEED=1
WORKDIR /app
# Numeric, so that runtimes enforcing "run as non-root" can check it.
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# gunicorn drains in-flight requests on SIGTERM and exits 0 (docker-entrypoint.sh execs it).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=4)"]
ENTRYPOINT ["/app/docker-entrypoint.sh"]
# `serve` (gunicorn) by default; `deliver` runs the webhook deliverer (docker-compose.yml).
CMD ["serve"]
