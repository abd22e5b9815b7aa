"""Several reviewers writing at once to a file SQLite database, through the services.

    DATABASE_URL=sqlite:////tmp/x/x.sqlite3 .venv/bin/python -m tests.sqlite_writers [--threads 8]

A script, not a test module: it needs a database of its own (never the suite's), so
tests/test_sqlite_concurrency.py runs it in a subprocess, whatever database the suite uses.
It migrates, loads the Kesimpta policy with `manage.py load_policy`, creates one nurse per
thread, then each thread enters cases (with a PDF), claims them, answers every criterion
(each "met" with a document, page and quote) and approves or escalates them, all released
together at a barrier. Tasks run in-process, as in `make run`. Prints the figures; exits 1
with every error on any failure (a "database is locked" above all), 2 on bad usage.
"""

import argparse
import io
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_FILE = "policies/kesimpta-2020910.yaml"
QUOTE = "Relapsing multiple sclerosis; neurologist consulted; no other disease-modifying agent."


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--cases", type=int, default=3, help="cases per thread")
    parser.add_argument(
        "--escalate-every", type=int, default=3, help="escalate every n-th case, approve the rest"
    )
    args = parser.parse_args(argv)
    if args.threads < 1 or args.cases < 1 or args.escalate_every < 1:
        parser.error("--threads, --cases and --escalate-every must be at least 1")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        parser.error("set DATABASE_URL to a SQLite file: sqlite:////tmp/somewhere/x.sqlite3")
    return args


def _setup(threads: int) -> list:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from reviews import roles

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_policy", str(ROOT / POLICY_FILE), stdout=io.StringIO())
    group = Group.objects.get(name=roles.NURSE)
    nurses = []
    for i in range(threads):
        nurse, _ = get_user_model().objects.get_or_create(
            username=f"load-nurse-{i}", defaults={"first_name": f"Nurse{i}", "last_name": "RN"}
        )
        nurse.groups.add(group)
        nurses.append(nurse)
    return nurses


def _pdf() -> bytes:
    from tests.factories import pdf_bytes

    return pdf_bytes([f"Neurology clinic note. {QUOTE}"])


def _one_case(nurse, n: int, escalate: bool, pdf: bytes, steps: list[str]) -> str:
    """Intake -> claim -> answers -> approve or escalate; the final status. Each step's name
    is appended to steps as it starts, so a failure names its step."""
    from reviews.models import Case, Document
    from reviews.selectors.review import case_review_state
    from reviews.services import nurse_review
    from reviews.services.documents import document_add_many
    from tests.factories import upload
    from tests.review_fixtures import JUDGED_INITIAL, kesimpta_request

    steps.append("intake")
    case = kesimpta_request(nurse, member_id=f"M{nurse.pk:03d}{n:04d}")
    steps.append("upload")
    (document,), rejected = document_add_many(
        case=case,
        actor=nurse,
        files=[upload(f"note-{n}.pdf", pdf)],
        kind=Document.Kind.CLINICAL_NOTE,
    )
    assert not rejected, rejected
    steps.append("claim")
    nurse_review.case_claim(case=case, nurse=nurse)
    # The path may change with the answers: answer until no step of it is left unanswered.
    for _ in range(5):
        state = case_review_state(case=case)
        todo = [step.node.label for step in state.steps if step.node.label not in state.answers]
        if not todo:
            break
        for label in todo:
            suggestion = state.suggestions.get(label)
            answer = suggestion.answer if suggestion else JUDGED_INITIAL.get(label, "met")
            evidence = (
                {"evidence_document": document, "evidence_page": 1, "evidence_quote": QUOTE}
                if answer == "met"
                else {}
            )
            steps.append("answer")
            nurse_review.criterion_answer_save(
                case=case, nurse=nurse, label=label, answer=answer, **evidence
            )
    case = Case.objects.get(pk=case.pk)
    steps.append("escalate" if escalate else "approve")
    if escalate:
        nurse_review.case_escalate(case=case, nurse=nurse, comment="A second opinion, please.")
    else:
        nurse_review.case_approve_by_nurse(case=case, nurse=nurse)
    return Case.objects.get(pk=case.pk).status


def main(argv: list[str]) -> int:
    args = _parse(argv)
    nurses = _setup(args.threads)
    from django.db import connection

    pdf = _pdf()
    barrier = threading.Barrier(args.threads)
    errors: list[str] = []
    outcomes: Counter = Counter()
    failed_at: Counter = Counter()
    lock = threading.Lock()

    def work(index: int, nurse) -> None:
        try:
            barrier.wait(timeout=60)
            for n in range(args.cases):
                escalate = (index * args.cases + n) % args.escalate_every == args.escalate_every - 1
                steps: list[str] = []
                try:
                    status = _one_case(nurse, n, escalate, pdf, steps)
                except Exception as error:  # every failure is a finding, reported below
                    with lock:
                        outcomes["error"] += 1
                        failed_at[steps[-1] if steps else "start"] += 1
                        errors.append(
                            f"thread {index} case {n}, {steps[-1] if steps else 'start'}: "
                            f"{type(error).__name__}: {error}\n"
                            + "".join(traceback.format_exception(error)[-3:])
                        )
                else:
                    with lock:
                        outcomes[status] += 1
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i, n)) for i, n in enumerate(nurses)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.monotonic() - started
    if any(t.is_alive() for t in threads):
        errors.append("a thread did not finish in 10 minutes")

    expected = args.threads * args.cases
    escalations = sum(
        (i * args.cases + n) % args.escalate_every == args.escalate_every - 1
        for i in range(args.threads)
        for n in range(args.cases)
    )
    wanted = {"approved": expected - escalations, "physician_queue": escalations}
    locked = sum("database is locked" in e for e in errors)
    print(
        f"threads={args.threads} cases={expected} seconds={elapsed:.1f} "
        f"approved={outcomes['approved']} escalated={outcomes['physician_queue']} "
        f"errors={outcomes['error']} database_is_locked={locked}"
        + (f" failed_at={dict(failed_at)}" if failed_at else "")
    )
    if errors or {k: outcomes[k] for k in wanted} != wanted:
        print(f"expected {wanted}, got {dict(outcomes)}", file=sys.stderr)
        for error in errors:
            print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
