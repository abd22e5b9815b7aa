"""The app as the volume benchmark serves it, plus its yardstick: a plain 50-row Django page.

The issue behind the benchmark sets each page's target relative to "an indexed 50-row table
page in plain Django" on the same machine; this is that page, served by the same gunicorn,
middleware and session as the app's own pages, so that every run measures the yardstick
beside them instead of quoting a figure from another machine.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

settings.ROOT_URLCONF = "scripts.bench_site.urls"
application = get_wsgi_application()
