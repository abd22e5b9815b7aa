"""Server time of each nurse-review step with 10,000 cases in the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \
        .venv/bin/python scripts/bench_nurse_review.py

Creates (once) 10,000 Kesimpta cases through the real intake service's model layer, then times
each page of the walk with Django's test client (server time only: no network, no browser).
Prints the median and 95th percentile of N requests per page. A benchmark, not a test.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def ensure_data():
    from reviews.models import Case
    from tests.review_fixtures import kesimpta_request

    call_command("migrate", verbosity=0)
    call_command("load_policy", str(ROOT / "policies" / "kesimpta-2020910.yaml"), verbosity=0)
    from reviews import roles

    roles.roles_sync()
    User = get_user_model()
    nurse, _ = User.objects.get_or_create(
        username="bench-nurse", defaults={"first_name": "Bench", "last_name": "Nurse"}
    )
    from django.contrib.auth.models import Group

    nurse.groups.set([Group.objects.get(name=roles.NURSE)])
    have = Case.objects.count()
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(have, CASES):
            kesimpta_request(nurse, member_id=f"B{i:07d}", member_name=f"Bench Member {i}")
    if have < CASES:
        print(f"created {CASES - have} cases in {time.perf_counter() - started:.1f} s")
    return nurse


def timed(client, path, method="get", data=None):
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = getattr(client, method)(path, data or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    setup_test_environment()
    nurse = ensure_data()
    from reviews.models import Case
    from reviews.selectors.review import case_review_state
    from reviews.services import nurse_review

    client = Client()
    client.force_login(nurse)
    case = (
        Case.objects.filter(status="nurse_review", assignee__isnull=True).order_by("due_at").first()
    )
    nurse_review.case_claim(case=case, nurse=nurse)
    state = case_review_state(case=case)
    rows = [("nurse queue (first page of 50)", reverse("reviews:nurse-queue"), "get", None)]
    for step in state.steps:
        rows.append(
            (
                f"step {step.node.label} (GET)",
                reverse("reviews:case-review-step", args=[case.pk, step.node.label]),
                "get",
                None,
            )
        )
    label = state.steps[-1].node.label
    answer = state.suggestions[label].answer
    rows.append(
        (
            f"step {label} (POST save)",
            reverse("reviews:case-review-step", args=[case.pk, label]),
            "post",
            {"answer": answer, "go": "stay"},
        )
    )
    rows.append(("summary", reverse("reviews:case-review-summary", args=[case.pk]), "get", None))
    print(
        f"{Case.objects.count()} cases in the database ({django.db.connection.vendor}); "
        f"{RUNS} requests per page"
    )
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8}")
    for name, path, method, data in rows:
        median, p95 = timed(client, path, method, data)
        print(f"{name:40} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
