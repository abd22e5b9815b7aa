"""Time the deadline sweep with 100,000 cases on PostgreSQL.

    .venv/bin/python scripts/bench_sweep.py
    (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_sweep, created if missing)

Each run empties the case tables of that database and bulk-creates BENCH_CASES cases (70%
open, 30% decided; standard and expedited; received over the last 20 days) plus
BENCH_WAITING cases waiting for information, half of whose wait has ended. Then it times:
the first sweep (every flag is new: the worst case), a second sweep at the same moment
(nothing to do: the steady state), and a sweep five minutes later (what beat sees).
A benchmark, not a test.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_sweep")

CASES = int(os.environ.get("BENCH_CASES", "100000"))
WAITING = int(os.environ.get("BENCH_WAITING", "400"))


def database_ensure() -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in db["ENGINE"]:
        sys.exit("bench_sweep measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            print(f"created database {db['NAME']}")


database_ensure()

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from reviews.models import Case, CaseEvent, InfoRequest  # noqa: E402
from reviews.services.deadlines import deadline_sweep  # noqa: E402
from tests.factories import KESIMPTA_REGIMEN, VALID_NPI  # noqa: E402

OPEN = ["nurse_review", "physician_queue", "physician_review"]
DECIDED = ["approved", "partially_approved", "denied"]


def data_build(now) -> None:
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reviews_inforequest, reviews_caseevent, reviews_case RESTART IDENTITY CASCADE"
        )
    user, _ = get_user_model().objects.get_or_create(username="bench-sweep")
    rng = random.Random(2026)  # noqa: S311 - a repeatable sample, not secrets
    started = time.perf_counter()

    def case(i: int, status: str) -> Case:
        expedited = rng.random() < 0.2
        received = now - timedelta(seconds=rng.randint(0, 20 * 86400))
        due = received + (timedelta(hours=72) if expedited else timedelta(days=15))
        return Case(
            reference=f"PA-BENCH-{i:07d}",
            member_name=f"Bench Member {i}",
            member_id=f"B{i:07d}",
            member_dob="1985-06-01",
            prescriber_name="Dr. Elena Marsh",
            prescriber_npi=VALID_NPI,
            prescriber_specialty="Neurology",
            diagnosis_codes=["G35.A"],
            drug_name="Kesimpta",
            hcpcs_code="J3490",
            regimen=KESIMPTA_REGIMEN,
            request_type="initial",
            urgency="expedited" if expedited else "standard",
            line_of_business="commercial",
            received_at=received,
            due_at=due,
            deadline_rule_text="bench",
            status=status,
            not_in_policy=True,
            created_by=user,
        )

    with transaction.atomic():
        Case.objects.bulk_create(
            (
                case(i, rng.choice(OPEN) if rng.random() < 0.7 else rng.choice(DECIDED))
                for i in range(CASES)
            ),
            batch_size=5000,
        )
        waiting = Case.objects.bulk_create(
            (case(CASES + i, "info_requested") for i in range(WAITING)), batch_size=5000
        )
        InfoRequest.objects.bulk_create(
            InfoRequest(
                case=c,
                requested_by=user,
                requested_at=now - timedelta(days=3),
                missing="The MRI report.",
                wait_until=now + timedelta(days=1 if i % 2 else -1),
            )
            for i, c in enumerate(waiting)
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE reviews_case; ANALYZE reviews_inforequest; ANALYZE reviews_caseevent"
        )
    print(
        f"created {CASES + WAITING:,} cases ({WAITING} waiting for information) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def timed(label: str, now) -> None:
    events = CaseEvent.objects.count()
    started = time.perf_counter()
    counts = deadline_sweep(now=now)
    elapsed = time.perf_counter() - started
    written = CaseEvent.objects.count() - events
    print(f"{label:<34} {elapsed * 1000:8.0f} ms  {counts}  events written: {written:,}")


def main() -> None:
    now = timezone.now()
    data_build(now)
    timed("first sweep (all flags new)", now)
    timed("second sweep, same moment", now)
    timed("sweep five minutes later", now + timedelta(minutes=5))


if __name__ == "__main__":
    main()
