# One image for every service, worker, the gateway and the SMTP sink; the command picks the role.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0
WORKDIR /app
COPY pyproject.toml README.md ./
COPY common ./common
COPY services ./services
COPY gateway ./gateway
COPY launcher ./launcher
COPY docs ./docs
RUN pip install --no-cache-dir . && useradd --system --uid 10001 app \
    && mkdir -p /data/mail && chown app /data/mail
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "python:common.gunicorn_conf", "gateway.app:create_app()"]
