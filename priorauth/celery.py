"""The Celery app. Its configuration (JSON only, late acks, time limits, the beat schedule)
is in settings.py under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")

app = Celery("priorauth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
