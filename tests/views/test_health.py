import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import WorkerHeartbeat


@pytest.mark.django_db
def test_health_needs_no_login_and_reports_each_part(client):
    response = client.get(reverse("reviews:health"))
    assert response.status_code == 200
    body = response.json()
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert body["checks"]["database"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get(reverse("reviews:health"))
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "detail": "unreachable (ConnectionError)",
    }


@pytest.mark.django_db
def test_stale_worker_is_degraded_but_still_serving(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL or "memory://"
    WorkerHeartbeat.objects.create(
        worker="w1", seen_at=timezone.now() - timezone.timedelta(hours=1)
    )
    response = client.get(reverse("reviews:health"))
    body = response.json()
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["detail"].startswith("last heartbeat 3600")
    assert response.status_code == 200 and body["status"] == "degraded"


@pytest.mark.django_db
def test_health_rejects_post(client):
    assert client.post(reverse("reviews:health")).status_code == 405
