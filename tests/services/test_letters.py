"""Determination letters: what each kind says, the PDF's own text, and rendering's edges."""

import hashlib
import io
import re
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.html import strip_tags
from pypdf import PdfReader

from reviews import tasks
from reviews.letter_html import letter_date, letter_html
from reviews.models import CaseEvent, Criterion, Determination, Letter
from reviews.services import letters as services
from tests import services_available
from tests.builders import approved_case
from tests.conftest import require_service
from tests.review_fixtures import kesimpta_request

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

# 15:00 UTC on 2 March 2026 is 10:00 in New York: the notice is dated 2 March 2026.
DECIDED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
DENIAL_REASON = (
    "The records describe primary progressive MS, a form that does not relapse; Kesimpta "
    "is not covered for it."
)


def words(text: str) -> str:
    """Text with its whitespace (and the PDF's line breaks) collapsed to single spaces."""
    return " ".join(text.split())


def determination(case, user, **fields) -> Determination:
    values = {
        "case": case,
        "decided_by": user,
        "role": Determination.Role.PHYSICIAN,
        "decided_at": DECIDED_AT,
        "policy_version": case.policy_version,
        "authorization_number": case.reference.replace("PA-", "AU-"),
        **fields,
    }
    return Determination.objects.create(**values)


def denial(case, physician, **fields) -> Determination:
    values = {"rationale": DENIAL_REASON, "criteria_cited": ["PRE-1"], **fields}
    return determination(case, physician, outcome=Determination.Outcome.DENIED, **values)


def issued(det: Determination) -> Letter:
    with transaction.atomic():
        return services.letter_issue(determination=det)


def pdf_text(letter: Letter) -> str:
    with default_storage.open(letter.storage_name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return words(" ".join(page.extract_text() for page in reader.pages))


def approve_as_nurse(case, nurse) -> Determination:
    return approved_case(case, nurse)


# ---- what each letter says --------------------------------------------------------------


def test_nurse_approval_issues_a_letter_with_period_quantity_and_reviewer(clear_case, nurse):
    det = approve_as_nurse(clear_case, nurse)
    letter = det.letter
    assert letter.status == Letter.Status.PENDING
    html = words(letter.html)
    assert "Kesimpta (ofatumumab) injection for use under the skin" in html
    assert "billing code J3490" in html
    assert "We approved this request." in html
    assert f"{letter_date(det.approval_start)} to {letter_date(det.approval_end)}" in html
    assert det.quantity_text and det.quantity_text in html
    assert det.authorization_number in html
    assert "Dana Whitfield" in html and "M1234567" in html and "May 14, 1990" in html
    assert clear_case.reference in html and "Dr. Elena Marsh, NPI 1234567893" in html
    assert "Nina Lopez, RN" in html and "Nurse reviewer" in html
    # An approval is not adverse: no appeal section, no peer-to-peer offer.
    assert "right to appeal" not in html and "peer-to-peer" not in html
    assert CaseEvent.objects.filter(case=clear_case, kind="letter_issued", actor=nurse).exists()


def test_denial_letter_names_the_criterion_in_plain_words_and_the_appeal(clear_case, physician):
    letter = issued(denial(clear_case, physician))
    html = words(letter.html)
    pre1 = Criterion.objects.get(version=clear_case.policy_version, label="PRE-1")
    assert "We denied this request." in html
    assert DENIAL_REASON in html
    # The member reads the requirement in plain words, never the policy's internal label.
    assert "PRE-1" not in strip_tags(html) and "Criterion" not in html
    assert words(pre1.plain_language) in html
    assert "The policy's words:" in html and "primary progressive MS" in html
    assert "Kesimpta (ofatumumab), policy 2020910, version 1, effective September 17, 2020" in html
    assert "free copy of the criteria" in html and "ID card" not in html
    # A denial authorizes nothing: it carries the reference number, no authorization number.
    assert f"Reference number</th><td>{clear_case.reference}" in html
    assert (
        "Authorization number" not in html
        and clear_case.reference.replace("PA-", "AU-") not in html
    )
    # Commercial: 180 days from the notice of 2 March 2026.
    assert "by August 29, 2026" in html and "180 days" in html and "45 CFR 147.136" in html
    assert "external review" in html
    assert "peer-to-peer conversation" in html and "with Pat Shah, MD, the physician" in html
    assert "call Provider Services at 1-800-555-0101" in html
    assert "Physician reviewer" in html
    assert "What we approved" not in html


def test_partial_approval_says_what_was_approved_and_what_was_not(clear_case, physician):
    det = determination(
        clear_case,
        physician,
        outcome=Determination.Outcome.PARTIALLY_APPROVED,
        rationale="The loading doses are approved; maintenance needs the MRI after week 12.",
        approval_start=date(2026, 3, 2),
        approval_end=date(2026, 4, 30),
        authorized_doses=3,
        authorized_amount=Decimal("60"),
        authorized_unit="mg",
    )
    html = words(issued(det).html)
    assert "We approved part of this request." in html
    assert "March 2, 2026 to April 30, 2026" in html and "3 doses (60 mg)" in html
    assert det.authorization_number in html  # what was approved has its authorization
    assert "What we did not approve, and why" in html
    assert "maintenance needs the MRI after week 12" in html
    assert "right to appeal" in html and "peer-to-peer" in html


@pytest.mark.parametrize(
    ("line_of_business", "days", "last_day", "source"),
    [
        ("commercial", 180, "August 29, 2026", "45 CFR 147.136"),
        ("medicare_advantage_part_b", 65, "May 6, 2026", "42 CFR 422.582"),
        ("medicaid_ma_medical", 60, "May 1, 2026", "42 CFR 438.402"),
    ],
)
def test_appeal_deadline_by_line_of_business(
    kesimpta, nurse, physician, line_of_business, days, last_day, source
):
    case = kesimpta_request(nurse, line_of_business=line_of_business)
    html = words(strip_tags(letter_html(denial(case, physician))))
    assert f"by {last_day} ({days} days from the date of this letter; {source})" in html


def test_appeal_deadline_counts_from_the_local_date_of_the_notice(clear_case, physician):
    # 04:30 UTC on 3 March is 23:30 on 2 March in New York: the notice is dated 2 March.
    late = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)
    html = words(letter_html(denial(clear_case, physician, decided_at=late)))
    assert "March 2, 2026" in html and "by August 29, 2026" in html


def test_expedited_request_offers_a_fast_appeal(kesimpta, nurse, physician):
    case = kesimpta_request(nurse, urgency="expedited")
    html = words(letter_html(denial(case, physician)))
    assert "Fast (expedited) appeal:" in html and "within 72 hours" in html


def test_plan_name_address_and_phones_come_from_settings(clear_case, physician, settings):
    settings.LETTER_PLAN_NAME = "Riverbend Health Plan"
    settings.LETTER_PLAN_ADDRESS = "PO Box 0142, Rivertown, ST 00001"
    settings.LETTER_PLAN_PHONE = "1-800-555-0142"
    settings.LETTER_PLAN_TTY = "1-800-555-0143"
    settings.LETTER_PROVIDER_PHONE = "1-800-555-0144"
    settings.LETTER_PLAN_HOURS = "9 a.m. to 5 p.m., Monday to Friday"
    html = words(letter_html(denial(clear_case, physician)))
    assert "Riverbend Health Plan" in html and "PO Box 0142, Rivertown, ST 00001" in html
    assert "Member Services 1-800-555-0142 (TTY 1-800-555-0143), 9 a.m. to 5 p.m." in html
    assert "call Member Services at 1-800-555-0142 (TTY 1-800-555-0143)" in html
    assert "write to us at PO Box 0142, Rivertown, ST 00001" in html
    # The prescriber gets the provider line, not the member's.
    assert "call Provider Services at 1-800-555-0144" in html
    # The taglines carry the plan's own numbers.
    assert "Llame al 1-800-555-0142 (TTY: 1-800-555-0143)." in html


def test_demo_defaults_are_plainly_fictional(settings):
    # 555-0100 to 555-0199 are reserved for fiction; the address names no real place.
    assert settings.LETTER_PLAN_PHONE == "1-800-555-0100"
    assert settings.LETTER_PROVIDER_PHONE == "1-800-555-0101"
    assert "(demo)" in settings.LETTER_PLAN_NAME and "Anytown" in settings.LETTER_PLAN_ADDRESS


@pytest.mark.parametrize("outcome", ["approved", "denied"])
def test_every_letter_carries_language_help_taglines_and_nondiscrimination(
    clear_case, physician, settings, outcome
):
    settings.LETTER_TAGLINE_LANGUAGES = ["es", "zh", "ar"]
    det = (
        denial(clear_case, physician)
        if outcome == "denied"
        else determination(
            clear_case,
            physician,
            outcome=Determination.Outcome.APPROVED,
            approval_start=date(2026, 3, 2),
            approval_end=date(2027, 3, 1),
        )
    )
    html = letter_html(det)
    text = words(html)
    assert "Help in your language, and in other formats" in text
    assert "large print, audio, braille" in text
    assert '<li lang="es" dir="ltr">' in html and '<li lang="zh" dir="ltr">' in html
    assert '<li lang="ar" dir="rtl">' in html
    assert html.count("<li lang=") == 3  # the configured languages, in order, no others
    assert "Nondiscrimination notice" in text
    assert "does not discriminate on the basis of race, color, national origin" in text
    assert "Office for Civil Rights" in text and "1-800-368-1019" in text


def test_an_unknown_tagline_language_is_a_configuration_error(settings):
    from reviews.checks import letter_tagline_languages

    settings.LETTER_TAGLINE_LANGUAGES = ["es", "xx"]
    errors = letter_tagline_languages()
    assert [e.id for e in errors] == ["letters.E001"] and "xx" in errors[0].msg


def test_deploy_check_warns_while_letters_print_the_demo_plan(settings):
    from reviews.checks import letter_plan_contact_is_real

    assert [w.id for w in letter_plan_contact_is_real()] == ["letters.W001"]
    for name in settings.LETTER_DEMO_DEFAULTS:
        setattr(settings, name, f"the plan's own {name}")
    assert letter_plan_contact_is_real() == []


def test_drug_without_a_policy_is_named_as_requested_with_its_route(nurse, physician):
    case = kesimpta_request(
        nurse,
        drug_name="Briumvi",
        hcpcs_code="J2329",
        regimen={
            "phases": [
                {
                    "dose": {"amount": "150", "unit": "mg"},
                    "route": "intravenous",
                    "schedule": {"at": [0], "unit": "week"},
                }
            ]
        },
    )
    assert case.not_in_policy
    html = words(letter_html(denial(case, physician, criteria_cited=[])))
    assert "Briumvi infusion into a vein" in html
    assert "No drug policy lists this use" in html


def test_preview_of_an_unsaved_determination_writes_nothing(
    clear_case, physician, django_assert_max_num_queries
):
    draft = Determination(
        case=clear_case,
        outcome=Determination.Outcome.DENIED,
        decided_by=physician,
        role=Determination.Role.PHYSICIAN,
        policy_version=clear_case.policy_version,
        rationale=DENIAL_REASON,
        criteria_cited=["PRE-1"],
    )
    with django_assert_max_num_queries(3) as captured:
        html = words(letter_html(draft, draft=True))
    assert not any(
        q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        for q in captured.captured_queries
    )
    assert "Preview: this letter has not been issued." in html
    assert (
        words(
            Criterion.objects.get(version=clear_case.policy_version, label="PRE-1").plain_language
        )
        in html
    )
    assert "Authorization number" not in html  # a denial has none, preview or not


def test_letter_escapes_what_people_typed(clear_case, physician):
    det = denial(clear_case, physician, rationale="<script>alert(1)</script> is not a reason")
    html = letter_html(det)
    assert "<script>" not in html and "&lt;script&gt;" in html


# ---- issuing and rendering ----------------------------------------------------------------


def test_issue_sends_the_render_task_only_after_commit(
    clear_case, physician, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    # The outbox sends with apply_async (a short publish retry): record instead of sending.
    monkeypatch.setattr(
        tasks.letter_render, "apply_async", lambda kwargs=None, **opts: sent.append(kwargs)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        letter = services.letter_issue(determination=denial(clear_case, physician))
        assert sent == []
    assert len(callbacks) == 1
    assert sent == [{"letter_id": letter.pk}]


def test_pdf_text_has_the_criterion_the_policy_version_and_the_appeal(
    clear_case, physician, private_storage
):
    letter = issued(denial(clear_case, physician))
    rendered = services.letter_render_pdf(letter_id=letter.pk)
    assert rendered.status == Letter.Status.RENDERED
    assert re.fullmatch(r"letters/[0-9a-f]{32}\.pdf", rendered.storage_name)
    assert (private_storage / rendered.storage_name).is_file()
    with default_storage.open(rendered.storage_name, "rb") as handle:
        data = handle.read()
    assert rendered.sha256 == hashlib.sha256(data).hexdigest() and rendered.size == len(data)
    text = pdf_text(rendered)
    pre1 = Criterion.objects.get(version=clear_case.policy_version, label="PRE-1")
    assert "PRE-1" not in text
    assert words(pre1.plain_language) in text
    assert "policy 2020910, version 1" in text
    assert "August 29, 2026" in text
    assert "appeal" in text
    assert "Pat Shah, MD" in text
    assert CaseEvent.objects.filter(case=clear_case, kind="letter_rendered").count() == 1


def test_rendering_twice_keeps_the_first_pdf(clear_case, physician, private_storage, monkeypatch):
    letter = issued(denial(clear_case, physician))
    first = services.letter_render_pdf(letter_id=letter.pk)
    monkeypatch.setattr(services, "_pdf", lambda html: pytest.fail("rendered again"))
    second = services.letter_render_pdf(letter_id=letter.pk)
    assert (second.storage_name, second.sha256) == (first.storage_name, first.sha256)
    assert len(list((private_storage / "letters").iterdir())) == 1


def test_a_render_that_loses_the_race_stores_no_second_file(
    clear_case, physician, private_storage, monkeypatch
):
    letter = issued(denial(clear_case, physician))
    real_pdf = services._pdf

    def slow_pdf(html):
        # While this worker renders, another finishes the same letter first.
        monkeypatch.setattr(services, "_pdf", real_pdf)
        services.letter_render_pdf(letter_id=letter.pk)
        return real_pdf(html)

    monkeypatch.setattr(services, "_pdf", slow_pdf)
    result = services.letter_render_pdf(letter_id=letter.pk)
    assert result.status == Letter.Status.RENDERED
    assert len(list((private_storage / "letters").iterdir())) == 1
    assert CaseEvent.objects.filter(case=clear_case, kind="letter_rendered").count() == 1


def test_a_failed_render_records_the_reason_and_is_not_retried(
    clear_case, physician, private_storage, monkeypatch
):
    letter = issued(denial(clear_case, physician))

    def broken(html):
        raise AssertionError("no layout for this box")

    monkeypatch.setattr(services, "_pdf", broken)
    result = services.letter_render_pdf(letter_id=letter.pk)  # no exception: a retry won't help
    assert result.status == Letter.Status.FAILED
    assert "no layout for this box" in result.error
    assert result.storage_name == "" and not (private_storage / "letters").exists()
    event = CaseEvent.objects.get(case=clear_case, kind="letter_render_failed")
    assert "no layout for this box" in event.payload["reason"]


def test_a_transient_failure_is_raised_for_a_retry_and_a_retry_renders(
    clear_case, physician, private_storage, monkeypatch
):
    letter = issued(denial(clear_case, physician))
    real_pdf = services._pdf

    def out_of_space(html):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services, "_pdf", out_of_space)
    with pytest.raises(OSError):
        services.letter_render_pdf(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.FAILED and "No space left" in letter.error
    monkeypatch.setattr(services, "_pdf", real_pdf)
    assert services.letter_render_pdf(letter_id=letter.pk).status == Letter.Status.RENDERED
    letter.refresh_from_db()
    assert letter.error == ""


def test_the_task_renders_a_letter_in_process(clear_case, physician, private_storage):
    letter = issued(denial(clear_case, physician))
    assert tasks.letter_render(letter_id=letter.pk) == "rendered"
    assert tasks.letter_render(letter_id=letter.pk) == "rendered"


def test_the_renderer_fetches_nothing_from_outside(clear_case, physician, private_storage):
    html = '<p>x</p><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">'
    det = denial(clear_case, physician)
    letter = Letter.objects.create(determination=det, html=html)
    # The fetcher refuses both; WeasyPrint leaves the images out and still renders.
    assert services.letter_render_pdf(letter_id=letter.pk).status == Letter.Status.RENDERED


@pytest.mark.django_db(transaction=True)
def test_two_workers_rendering_at_once_store_one_file(
    kesimpta, nurse, physician, private_storage, monkeypatch
):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL to PostgreSQL: SQLite serializes writers",
    )
    det = denial(kesimpta_request(nurse), physician)
    letter = Letter.objects.create(determination=det, html=letter_html(det))
    real_pdf = services._pdf
    barrier = threading.Barrier(2)

    def pdf_then_wait(html):
        data = real_pdf(html)
        barrier.wait()  # both have a PDF in hand; now both try to store it
        return data

    monkeypatch.setattr(services, "_pdf", pdf_then_wait)
    results = []

    def render():
        try:
            results.append(services.letter_render_pdf(letter_id=letter.pk).storage_name)
        finally:
            connection.close()

    threads = [threading.Thread(target=render) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert len(list((private_storage / "letters").iterdir())) == 1
    assert CaseEvent.objects.filter(kind="letter_rendered").count() == 1
