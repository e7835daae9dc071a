# The application image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.11-slim

# PYTHONPATH: run the source in /app, not the copy pip installs in site-packages: templates/,
# static/ and fixtures/ sit next to the packages only here, and settings find them from there.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

RUN useradd --system --create-home --uid 10001 app

WORKDIR /app
COPY . .
RUN pip install . \
    && mkdir -p staticfiles media \
    && chown app:app staticfiles media

USER app

# Build-time only: settings need a SECRET_KEY to load; the real one comes at run time.
RUN DEBUG=false SECRET_KEY=build-only-dummy-secret-key-never-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "5", "--access-logfile", "-"]
