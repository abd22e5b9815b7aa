"""The state of the parts /health/ reports. No patient data ever appears here."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from reviews.models import WorkerHeartbeat


@dataclass(frozen=True)
class Part:
    ok: bool
    detail: str


def _database() -> Part:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the type is the detail
        return Part(False, f"unreachable ({type(exc).__name__})")
    return Part(True, connection.vendor)


def _cache() -> Part:
    try:
        cache.set("health:probe", "1", timeout=10)
        ok = cache.get("health:probe") == "1"
    except Exception as exc:
        return Part(False, f"unreachable ({type(exc).__name__})")
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return Part(ok, backend if ok else f"{backend} did not return what was stored")


def _broker() -> Part:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Part(True, "none: tasks run in-process")
    from priorauth.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return Part(False, f"unreachable ({type(exc).__name__})")
    return Part(True, "reachable")


def _worker() -> Part:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Part(True, "in-process")
    try:
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)[:1]
        seen_at = last[0] if last else None
    except Exception as exc:
        return Part(False, f"unknown ({type(exc).__name__})")
    if seen_at is None:
        return Part(False, "no heartbeat yet")
    age = timezone.now() - seen_at
    return Part(
        age <= settings.WORKER_HEARTBEAT_STALE_AFTER,
        f"last heartbeat {int(age.total_seconds())} s ago",
    )


def health_report() -> tuple[int, dict]:
    """The HTTP status and body for /health/.

    503 when the web process cannot serve (database, cache or broker down), so a load
    balancer takes it out. A stale worker does not make the web process unhealthy: the
    answer stays 200 and says "degraded".
    """
    parts = {"database": _database(), "cache": _cache(), "broker": _broker(), "worker": _worker()}
    serving = all(parts[name].ok for name in ("database", "cache", "broker"))
    status = "ok" if serving and parts["worker"].ok else ("degraded" if serving else "down")
    body = {
        "status": status,
        "checks": {name: {"ok": p.ok, "detail": p.detail} for name, p in parts.items()},
    }
    return (200 if serving else 503), body
