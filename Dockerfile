# cleardocket service image: API (`serve`) and distributed workers (`worker`) from one image.
# Build: docker build -t cleardocket .      Run: see docker-compose.yml and docs/service.md.
FROM python:3.11-slim-bookworm

# tesseract 5 and its English model from Debian; fonts for the rendered test pages.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd poppler-utils fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OMP_THREAD_LIMIT=1 \
    CLEARDOCKET_DATA_DIR=/data \
    CLEARDOCKET_TESSDATA_DIR=/usr/share/tesseract-ocr/5/tessdata

WORKDIR /app
COPY pyproject.toml README.md ./
COPY ocr_service ./ocr_service
COPY extractors ./extractors
COPY relief ./relief
COPY samples ./samples
# the trained NER model (made by `make train`, kept in models/)
COPY models ./models
RUN pip install --no-cache-dir .

RUN useradd --system --uid 10001 --home-dir /data cleardocket \
 && mkdir -p /data && chown cleardocket /data
USER cleardocket
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
ENTRYPOINT ["cleardocket"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
