FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
COPY knowledge ./knowledge
COPY bot ./bot
RUN pip install .

COPY seeds ./seeds

# Run as an unprivileged user; it owns only the database folder.
RUN useradd --create-home --uid 1000 citybot \
    && mkdir -p /app/data \
    && chown citybot:citybot /app/data
USER citybot

VOLUME ["/app/data"]

# Long polling needs no open port; webhook mode (WEBHOOK_URL) listens on WEBHOOK_LISTEN,
# 0.0.0.0:8080 by default. Without BOT_TOKEN it exits 2 saying so, unless run with a
# terminal (`docker compose run --rm bot`): then it is the console chat.
EXPOSE 8080
CMD ["python", "-m", "bot"]
