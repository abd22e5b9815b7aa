"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py` (docker-compose, Dockerfile).

Sync workers, one request each: a page is CPU (Python, templates) and a few short indexed
queries, so threads gain little under the GIL and processes use both cores. Two per core plus
one covers the moments a worker waits on the database. Measured with scripts/bench_scale.py
(docs/performance.md). Each setting can be overridden by its environment variable.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes this long is stuck (the database's statement timeout is 30 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows for months.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")


def post_worker_init(worker):
    """Before a worker takes its first request (at start, and each time one is recycled after
    max_requests), it loads the URLconf and with it every view and the API: otherwise the first
    request a new worker serves waits for that (337 ms against 19 ms on the benchmark's
    database; docs/performance.md)."""
    from django.urls import resolve, reverse

    resolve("/")  # imports the URLconf, and with it every view module
    reverse("home")  # builds the reverse lookup tables
