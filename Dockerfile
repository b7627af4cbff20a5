# One image for every role: web (gunicorn), worker and beat (celery), one-off migrations.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes don't reinstall them.
COPY pyproject.toml README.md ./
COPY webapp/__init__.py webapp/__init__.py
COPY matching/__init__.py matching/__init__.py
COPY workers/__init__.py workers/__init__.py
COPY seeds/__init__.py seeds/__init__.py
COPY reference/__init__.py reference/__init__.py
RUN pip install --upgrade "pip>=25.1" && pip install .

COPY webapp webapp
COPY matching matching
COPY workers workers
COPY seeds seeds
COPY reference reference
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 venturematch \
    && mkdir -p /app/instance \
    && chown -R venturematch /app/instance

USER venturematch
ENV ENV=production \
    INSTANCE_DIR=/app/instance \
    MODEL_DIR=/app/instance/models \
    PORT=8000
EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn --config python:webapp.gunicorn_conf --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-4} --graceful-timeout 20 --access-logfile - 'webapp:create_app()'"]
