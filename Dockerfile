FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 APP_ENV=production
WORKDIR /app
# WeasyPrint (the PIF document) needs Pango; HarfBuzz's subsetter makes the font subsets.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md alembic.ini ./
COPY pifai ./pifai
COPY migrations ./migrations
# [s3]: the S3 storage backend (STORAGE_BACKEND=s3) is in the image too. /data: DATA_DIR
# for local storage, a volume the unprivileged user can write.
RUN pip install --no-cache-dir -e '.[s3]' && useradd --create-home --uid 1000 pifai \
    && mkdir /data && chown pifai /data
USER pifai
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# WEB_CONCURRENCY API processes, handed connections in turn, migrated once.
CMD ["pifai", "serve", "--host", "0.0.0.0", "--port", "8000"]
