"""Adjudicate 100,000 claim lines against 10,000 authorizations on PostgreSQL.

    .venv/bin/python scripts/bench_claims.py [--authorizations 10000] [--lines 100000]
    (DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_claims, created if
    missing)

Each run empties the case, determination and claim tables of that database, loads the
policies in policies/ if they are missing, and bulk-creates the authorizations (approved
determinations, one case each, 15 units of the first policy drug with a HCPCS code and a
billing unit). Then every line goes through the real service, claim_line_receive, one
transaction each, as the API would send them: most within an authorization, some for
members with none (197), some outside the period (15), some without JZ (pended for
review), and enough per member that some authorizations run out (198). It prints lines
per second and how the lines came out. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS_EACH = 15


def database_ensure() -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in db["ENGINE"]:
        sys.exit("bench_claims measures PostgreSQL: set DATABASE_URL to a postgres:// URL")
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


def authorizations_build(count: int, *, today, truncate: bool = True):
    """`count` approved authorizations in bulk (no per-case services); returns the drug's
    HCPCS code and the examiner who enters the lines."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from reviews import roles
    from reviews.engine import document
    from reviews.models import Case, Determination, PolicyDrug, PolicyVersion
    from reviews.reference_lists import reference_lists
    from reviews.services.policies import policy_load

    if truncate:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE reviews_claimlineevent, reviews_claimline, "
                "reviews_authorizationbalance, reviews_letter, reviews_determination, "
                "reviews_caseevent, reviews_case RESTART IDENTITY CASCADE"
            )
    if not PolicyVersion.objects.filter(status="published", billing_units__len__gt=0).exists():
        for path in sorted((ROOT / "policies").glob("*.yaml")):
            doc = document.parse(path.read_text(encoding="utf-8"), references=reference_lists())
            if not PolicyVersion.objects.filter(policy__number=doc["policy"]["number"]).exists():
                policy_load(doc=doc)
    version = next(
        v
        for v in PolicyVersion.objects.filter(status="published").select_related("policy")
        if v.billing_units
    )
    hcpcs = version.billing_units[0]["hcpcs"]
    billing = version.billing_units[0]
    drug = next(
        d for d in PolicyDrug.objects.filter(policy=version.policy) if hcpcs in d.hcpcs_codes
    )
    roles.roles_sync()
    user, _ = get_user_model().objects.get_or_create(username="bench-claims")
    user.groups.add(
        Group.objects.get(name=roles.CLAIMS_EXAMINER), Group.objects.get(name=roles.NURSE)
    )
    now = timezone.now()
    amount = Decimal(billing["amount"]) * UNITS_EACH
    with transaction.atomic():
        cases = Case.objects.bulk_create(
            (
                Case(
                    reference=f"PA-BENCH-{i:07d}",
                    member_name=f"Bench Member {i}",
                    member_id=f"B{i:07d}",
                    member_dob="1985-06-01",
                    prescriber_name="Bench Prescriber",
                    prescriber_npi="1234567893",
                    prescriber_specialty="Neurology",
                    diagnosis_codes=["G35"],
                    drug_name=drug.brand,
                    hcpcs_code=hcpcs,
                    regimen={},
                    request_type="initial",
                    urgency="standard",
                    line_of_business="commercial",
                    received_at=now - timedelta(days=40),
                    due_at=now - timedelta(days=25),
                    deadline_rule_text="bench",
                    status="approved",
                    policy=version.policy,
                    policy_version=version,
                    policy_drug=drug,
                    created_by=user,
                )
                for i in range(count)
            ),
            batch_size=2000,
        )
        Determination.objects.bulk_create(
            (
                Determination(
                    case=case,
                    outcome="approved",
                    decided_by=user,
                    role="nurse",
                    decided_at=now - timedelta(days=30),
                    policy_version=version,
                    approval_start=today - timedelta(days=30),
                    approval_end=today + timedelta(days=334),
                    authorized_doses=UNITS_EACH,
                    authorized_amount=amount,
                    authorized_unit=billing["unit"],
                    authorization_number=f"AUTH-BENCH-{case.pk:07d}",
                )
                for case in cases
            ),
            batch_size=2000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_case; ANALYZE reviews_determination")
    return hcpcs, user


def lines_adjudicate(
    count: int, *, authorizations: int, hcpcs: str, examiner, today, seed=2026, workers=1
):
    """`count` lines through the real service, by `workers` threads (each its own database
    connection, as concurrent API requests are); (seconds, Counter of outcomes)."""
    from django.db import connection

    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(part: int) -> None:
        try:
            found = _lines(
                range(part, count, workers), authorizations, hcpcs, examiner, today, seed
            )
            with lock:
                outcomes.update(found)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            if workers > 1:
                connection.close()

    started = time.perf_counter()
    if workers == 1:
        work(0)
    else:
        threads = [threading.Thread(target=work, args=(part,)) for part in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started, outcomes


def _lines(numbers, authorizations: int, hcpcs: str, examiner, today, seed) -> Counter[str]:
    from reviews.services.claims import claim_line_data, claim_line_receive

    outcomes: Counter[str] = Counter()
    for i in numbers:
        rng = random.Random(seed * 1_000_003 + i)  # noqa: S311 - repeatable per line
        # About 10% of members have no authorization; 3% of dates fall outside the period;
        # 3% of lines carry neither JZ nor JW.
        member = rng.randrange(int(authorizations * 1.1) or 1)
        day = today - timedelta(days=rng.randint(0, 25))
        if rng.random() < 0.03:
            day = today + timedelta(days=400)
        modifiers = [] if rng.random() < 0.03 else ["JZ"]
        data = claim_line_data(
            claim_line_id=f"BENCH-{seed}-{i:07d}",
            member_id=f"B{member:07d}",
            date_of_service=day,
            hcpcs_code=hcpcs,
            units=rng.choice((1, 1, 1, 2)),
            modifiers=modifiers,
            billed_amount="2450.00",
            billing_npi="1234567893",
            rendering_npi="1234567893",
            participating=rng.random() < 0.9,
        )
        line, _ = claim_line_receive(actor=examiner, data=data)
        outcomes[f"{line.status} {line.carc}".strip()] += 1
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--authorizations", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument(
        "--workers", type=int, default=1, help="threads sending lines at once (default 1)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_claims")
    database_ensure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    started = time.perf_counter()
    hcpcs, examiner = authorizations_build(args.authorizations, today=today)
    print(f"built {args.authorizations:,} authorizations in {time.perf_counter() - started:.1f} s")
    seconds, outcomes = lines_adjudicate(
        args.lines,
        authorizations=args.authorizations,
        hcpcs=hcpcs,
        examiner=examiner,
        today=today,
        workers=args.workers,
    )
    print(
        f"adjudicated {args.lines:,} lines with {args.workers} worker(s) in {seconds:.1f} s: "
        f"{args.lines / seconds:,.0f} lines/s"
    )
    for outcome, n in sorted(outcomes.items()):
        print(f"  {outcome:<20} {n:>8,}")


if __name__ == "__main__":
    main()
