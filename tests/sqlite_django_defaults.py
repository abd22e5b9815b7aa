"""The project's settings with Django's own SQLite defaults (DEFERRED transactions, the
rollback journal): what the local run had before it was set for several writers. Only
tests/test_sqlite_concurrency.py uses it, to show that tests/sqlite_writers.py catches
"database is locked"."""

from priorauth.settings import *  # noqa: F403
from priorauth.settings import DATABASES

DATABASES["default"]["OPTIONS"] = {"timeout": 20}
