# Multi-stage: npm and pip run in build stages; the final image has no compilers and runs as non-root.

FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm AS python-deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /venv
COPY requirements.txt constraints.txt ./
RUN /venv/bin/pip install -r requirements.txt -c constraints.txt

FROM python:3.11-slim-bookworm
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=clinic.settings PYTHON=python \
    MEDIA_ROOT=/data/media PRIVATE_MEDIA_ROOT=/data/private STATIC_ROOT=/app/staticfiles \
    CELERY_BEAT_SCHEDULE_FILENAME=/tmp/celerybeat-schedule EMAIL_FILE_PATH=/data/mail
# /data/mail: emails written as files when no SMTP server is set (EMAIL_FILE_PATH, docker-compose.yml).
RUN useradd --create-home --uid 10001 clinic && mkdir -p /data/media /data/private /data/mail \
    && chown -R clinic /data
WORKDIR /app
COPY --from=python-deps /venv /venv
# Only what the site serves (settings.VENDOR_STATIC_FILES).
COPY --from=frontend /build/node_modules/bootstrap/dist/css/bootstrap.min.css* /app/node_modules/bootstrap/dist/css/
COPY --from=frontend /build/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* /app/node_modules/bootstrap/dist/js/
COPY --from=frontend /build/node_modules/altcha/dist/external/altcha.min.js /build/node_modules/altcha/dist/external/altcha.css /app/node_modules/altcha/dist/external/
COPY --from=frontend /build/node_modules/altcha/dist/workers/sha.js /app/node_modules/altcha/dist/workers/
COPY . /app
# Hashed, compressed static files are built into the image; the throwaway key only lets settings load.
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-0000 ALLOWED_HOSTS=build EMAIL_DELIVERY=files \
    FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1ub3Qtc2VjcmV0LWJ1aWxkLW9ubHk= \
    python manage.py collectstatic --noinput --verbosity 0 && chown -R clinic /app/staticfiles
USER clinic
EXPOSE 8000
CMD ["sh", "-c", "scripts/release.sh && exec gunicorn clinic.wsgi:application --config gunicorn.conf.py"]
