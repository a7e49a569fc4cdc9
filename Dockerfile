# The pages' script libraries (Leaflet), from the npm lock, served by the gateway from its own origin.
FROM node:20-slim AS vendor
WORKDIR /vendor
COPY gateway/web/vendor/package.json gateway/web/vendor/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# One image for every service, worker, the gateway and the SMTP sink; the command picks the role.
FROM python:3.11-slim

# The processes of one container (gunicorn's workers) add up their metrics in /tmp/metrics.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0 PROMETHEUS_MULTIPROC_DIR=/tmp/metrics
WORKDIR /app
# The dependencies first, from the lock (every package pinned, with its hashes): a change to the
# source alone rebuilds from the next layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY common ./common
COPY services ./services
COPY gateway ./gateway
COPY --from=vendor /vendor/node_modules/leaflet/dist ./gateway/web/vendor/node_modules/leaflet/dist
COPY launcher ./launcher
COPY docs ./docs
RUN pip install --no-cache-dir --no-deps . && useradd --system --uid 10001 app \
    && mkdir -p /data/mail && chown app /data/mail
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "python:common.gunicorn_conf", "gateway.app:create_app()"]
