"""Bad input, generated: every form and search page of the site, fed odd text, malformed
dates, huge and negative numbers, missing, repeated and unknown fields, never answers 500.

Each page is driven as the role that may use it, against a case in the state it acts on
(the worlds below, built for each test through the real services). Every generated request
runs in a transaction that is rolled back, so one example cannot change the world of the
next; a refused request (400) must leave the data as it was. The JSON API is fuzzed from
its schema elsewhere (schemathesis); this file covers the HTML pages.

Django's test client re-raises a view's exception instead of answering 500, so a crash
anywhere fails the example and hypothesis shrinks it to the smallest input that crashes.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import Case, Document, PeerToPeer
from reviews.selectors.review import case_review_state
from reviews.services import nurse_review, physician_review
from tests.builders import answered_case, escalated_case
from tests.factories import KESIMPTA_FORM_ROWS, VALID_NPI, document_for, pdf_bytes, png_bytes
from tests.review_fixtures import kesimpta_request
from tests.security.test_access_table import _fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the project
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# ---- what bad input looks like ----------------------------------------------------------------

ODD_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "\u202egnp.exe",  # right-to-left override
    "a\u200d\u200db",  # zero-width joiners
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\uffff",
    "👩\u200d⚕️🧑🏽\u200d🦳",  # emoji sequences
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "Z\u0364\u0354\u0367\u0311\u0313a\u0308\u0356\u032d",
    "𝕏𝔸𝕄",
    "²³",  # str.isdigit() is True, int() refuses
    "١٢٣",  # Arabic-Indic digits
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "{{ 7*7 }}{% debug %}",
    "../../etc/passwd",
    "\r\n\r\n",
    "\t",
    "null",
    "NaN",
]
BAD_DATES = [
    "",
    "2026-02-30",
    "2026-02-29",
    "31/12/2026",
    "12/31/2026",
    "0000-00-00",
    "9999-99-99",
    "9999-12-31",
    "0001-01-01",
    "2026-13-01",
    "2026-1-1",
    "20260101",
    "-2026-01-01",
    "yesterday",
    "2026-03-08T02:30",  # a wall-clock time that does not exist in New York (DST gap)
    "2026-11-01T01:30",  # one that happens twice
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-01-01T25:61",
    "2026-01-01 00:00:00+99:00",
]
ODD_NUMBERS = [
    "-1",
    "0",
    "-0",
    "1.5",
    "1e309",
    "1e-309",
    "9" * 30,
    "-" + "9" * 30,
    "9" * 5000,  # more digits than int() parses by default
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "0x10",
    " 3 ",
    "²",
    "١٢",
    "1_000",
]

_chars = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be encoded
odd_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(_chars, max_size=40),
    st.sampled_from([201, 4001, 100_000]).map(lambda n: "é" * n),  # past every max_length
)
odd_date = st.one_of(st.sampled_from(BAD_DATES), st.dates().map(str), odd_text)
odd_number = st.one_of(
    st.sampled_from(ODD_NUMBERS), st.integers().map(str), st.floats().map(str), odd_text
)
anything = st.one_of(odd_text, odd_date, odd_number)
# Unknown field names: letters and digits, so the test client's multipart body stays valid.
wrong_names = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=12),
    odd_text,
    max_size=2,
)


@st.composite
def form_data(draw, fields: dict, valid: dict | None = None) -> dict:
    """Each field valid, fuzzed, missing or repeated; now and then unknown fields besides.

    `fields` maps a field name to the strategy of its bad values; `valid` gives a good value
    per field, so that many examples get past the form to the service behind it.
    """
    valid = valid or {}
    data = {}
    for name, bad in fields.items():
        how = draw(st.sampled_from(["valid", "valid", "bad", "bad", "missing", "repeated"]))
        good = valid.get(name, "")
        if how == "valid" and name in valid:
            data[name] = good
        elif how in ("bad", "valid"):
            data[name] = draw(bad)
        elif how == "repeated":
            data[name] = draw(st.lists(st.one_of(st.just(good), bad), min_size=2, max_size=3))
    extra = draw(wrong_names)
    data.update({k: v for k, v in extra.items() if k not in data})
    return data


# ---- the world ------------------------------------------------------------------------------


@pytest.fixture
def nurse_world(kesimpta, nurse):
    """An unclaimed case, and one the nurse has claimed and answered, with a document."""
    unclaimed = kesimpta_request(nurse, member_name="Una Claimed")
    in_review = kesimpta_request(nurse, member_name="Rita Review")
    nurse_review.case_claim(case=in_review, nurse=nurse)
    document = document_for(in_review, user=nurse)
    # All answered, so the nurse may escalate or approve.
    answered_case(in_review, nurse, claim=False)
    return {
        "unclaimed": unclaimed,
        "in_review": in_review,
        "document": document,
        "labels": [s.node.label for s in case_review_state(case=in_review).steps],
    }


@pytest.fixture
def physician_world(kesimpta, nurse2, physician):
    """An escalated case in the queue, and one the physician has claimed, with a document
    and an offered peer-to-peer conversation."""
    queued = escalated_case(kesimpta_request(nurse2, member_name="Quinn Queued"), nurse2)
    escalated = escalated_case(
        kesimpta_request(nurse2, member_name="Peter Progressive"),
        nurse2,
        **{"PRE-1": "not_met", "1.A.i": "not_met"},
    )
    physician_review.case_claim_physician(case=escalated, physician=physician)
    document = document_for(escalated, user=physician)
    p2p = physician_review.peer_to_peer_offer(case=escalated, physician=physician)
    return {
        "queued": queued,
        "escalated": escalated,
        "document": document,
        "p2p": p2p,
        "criteria": [s.node.label for s in case_review_state(case=escalated).steps],
    }


def _send(user, method: str, url: str, data, *, probe=None):
    """One request as `user`, rolled back; returns (response, whether the data changed), and
    with `probe`, what probe() read before the rollback."""
    client = Client()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        before = _fingerprint()
        response = client.get(url, data) if method == "GET" else client.post(url, data)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a streamed body runs its queries now
        changed = _fingerprint() != before
        probed = probe() if probe else None
        transaction.set_rollback(True)
    return (response, changed, probed) if probe else (response, changed)


def _check(response, changed: bool, *, allowed=(200, 302, 400)) -> None:
    assert response.status_code < 500
    assert response.status_code in allowed, response.status_code
    if response.status_code == 400:
        assert not changed, "a refused request changed the data"


def _today(days: int = 0) -> str:
    return str(timezone.localdate() + timedelta(days=days))


def _now(hours: int = 0) -> str:
    return f"{timezone.localtime() + timedelta(hours=hours):%Y-%m-%dT%H:%M}"


# ---- sign-in --------------------------------------------------------------------------------


@FUZZ
@given(data=form_data({"username": odd_text, "password": odd_text, "next": odd_text}))
def test_login(data, django_user_model):
    if not django_user_model.objects.filter(username="nina").exists():
        django_user_model.objects.create_user(username="nina", password="right")
    response, _ = _send(None, "POST", reverse("login"), data)
    _check(response, False)


# ---- intake ---------------------------------------------------------------------------------

INTAKE_VALID = {
    "member_name": "Maria Alvarez",
    "member_id": "M123",
    "member_dob": "1988-04-12",
    "prescriber_name": "Dr. Elena Marsh",
    "prescriber_npi": VALID_NPI,
    "prescriber_specialty": "Neurology",
    "consulting_name": "",
    "consulting_specialty": "",
    "consult_date": "",
    "diagnosis_codes": "G35.A",
    "drug_name": "Kesimpta",
    "hcpcs_code": "J3490",
    **KESIMPTA_FORM_ROWS,
    "request_type": "initial",
    "therapy_start_date": "",
    "urgency": "standard",
    "line_of_business": "commercial",
    "received_at": "",
    "backdate_reason": "",
    "document_kind": "clinical_note",
    "meds-TOTAL_FORMS": "2",
    "meds-INITIAL_FORMS": "0",
    "meds-MIN_NUM_FORMS": "0",
    "meds-MAX_NUM_FORMS": "30",
    "meds-0-name": "Vitamin D",
    "meds-0-plan": "continues",
    "meds-0-stop_date": "",
    "meds-1-name": "Ocrevus",
    "meds-1-plan": "stops",
    "meds-1-stop_date": "2026-01-01",
    "weight_kg": "72.5",
    "height_cm": "168",
    "labs-TOTAL_FORMS": "1",
    "labs-INITIAL_FORMS": "0",
    "labs-0-name": "Hemoglobin",
    "labs-0-value": "13.5",
    "labs-0-unit": "g/dL",
    "labs-0-taken_on": "2026-01-05",
    "labs-0-loinc": "718-7",
    "therapies-TOTAL_FORMS": "1",
    "therapies-INITIAL_FORMS": "0",
    "therapies-0-drug_name": "Tecfidera",
    "therapies-0-dose": "240",
    "therapies-0-dose_unit": "mg",
    "therapies-0-started_on": "2024-01-01",
    "therapies-0-ended_on": "2025-01-01",
    "therapies-0-outcome": "ineffective",
    "events-TOTAL_FORMS": "1",
    "events-INITIAL_FORMS": "0",
    "events-0-kind": "relapse",
    "events-0-occurred_on": "2025-06-01",
    "events-0-note": "",
}
_DATES = {
    "member_dob",
    "consult_date",
    "therapy_start_date",
    "received_at",
    "meds-1-stop_date",
    "labs-0-taken_on",
    "therapies-0-started_on",
    "therapies-0-ended_on",
    "events-0-occurred_on",
}
_NUMBERS = {
    "weight_kg",
    "height_cm",
    "labs-0-value",
    "therapies-0-dose",
    "labs-TOTAL_FORMS",
    "labs-INITIAL_FORMS",
    "therapies-TOTAL_FORMS",
    "therapies-INITIAL_FORMS",
    "events-TOTAL_FORMS",
    "events-INITIAL_FORMS",
    "phase0_amount",
    "phase1_amount",
    "phase1_every",
    "phase1_start",
    "meds-TOTAL_FORMS",
    "meds-INITIAL_FORMS",
    "meds-MIN_NUM_FORMS",
    "meds-MAX_NUM_FORMS",
}
INTAKE_FIELDS = {
    name: odd_date if name in _DATES else odd_number if name in _NUMBERS else odd_text
    for name in INTAKE_VALID
}


@FUZZ
@given(data=form_data(INTAKE_FIELDS, INTAKE_VALID))
def test_case_create(kesimpta, deadline_rules, nurse, data):
    response, changed = _send(nurse, "POST", reverse("reviews:case-create"), data)
    _check(response, changed)
    if response.status_code == 302:
        assert "/cases/" in response["Location"]


@FUZZ
@given(data=st.data())
def test_case_create_with_one_field_fuzzed(kesimpta, deadline_rules, nurse, data):
    """The rest valid, so that an odd value the form lets through reaches the service (the
    test above changes many fields at once and mostly stops at the form)."""
    name = data.draw(st.sampled_from(sorted(INTAKE_FIELDS)), label="field")
    value = data.draw(INTAKE_FIELDS[name], label="value")
    response, changed = _send(
        nurse, "POST", reverse("reviews:case-create"), {**INTAKE_VALID, name: value}
    )
    _check(response, changed)
    if response.status_code == 400:
        formsets = [response.context["medications"], *response.context["fact_formsets"].values()]
        assert response.context["form"].errors or any(
            any(formset.errors) or formset.non_form_errors()  # a broken management form
            for formset in formsets
        )


def test_case_create_valid_baseline_is_accepted(kesimpta, deadline_rules, nurse):
    """The fuzzing's valid values are valid: the examples reach the service."""
    response, changed = _send(nurse, "POST", reverse("reviews:case-create"), INTAKE_VALID)
    assert response.status_code == 302 and changed


# ---- documents ------------------------------------------------------------------------------

file_names = st.one_of(
    st.sampled_from(["note.pdf", "a\x00b.pdf", "\u202efdp.exe", "x" * 400 + ".pdf", ".pdf"]),
    st.text(_chars.filter(lambda c: c not in '"\r\n\\/'), min_size=1, max_size=300),
)
file_contents = st.one_of(
    st.sampled_from([b"", b"%PDF-1.4\n%broken", b"MZ\x90\x00"]),
    st.binary(max_size=200),
    st.builds(lambda: pdf_bytes(["Neurology note, fuzzed"])),
    st.builds(png_bytes),
)


@FUZZ
@given(
    names=st.lists(file_names, max_size=3),
    contents=st.lists(file_contents, min_size=3, max_size=3),
    data=form_data({"kind": odd_text}, {"kind": "clinical_note"}),
)
def test_document_upload(nurse_world, nurse, names, contents, data):
    files = [
        SimpleUploadedFile(n, c, content_type="application/pdf")
        for n, c in zip(names, contents, strict=False)
    ]
    if files:
        data["files"] = files
    url = reverse("reviews:document-upload", args=[nurse_world["in_review"].pk])
    response, changed = _send(nurse, "POST", url, data)
    _check(response, changed)


# ---- the nurse's review ---------------------------------------------------------------------

ANSWER_FIELDS = {
    "answer": odd_text,
    "passage": st.one_of(odd_number, odd_text),
    "evidence_document": odd_number,
    "evidence_page": odd_number,
    "evidence_quote": odd_text,
    "comment": odd_text,
    "go": st.sampled_from(["back", "stay", "next", "", "\x00"]),
}


@FUZZ
@given(data=st.data())
def test_review_step_answer(nurse_world, nurse, data):
    label = data.draw(st.one_of(st.sampled_from(nurse_world["labels"]), odd_text.filter(_url_safe)))
    valid = {
        "answer": "met",
        "passage": "other",
        "evidence_document": str(nurse_world["in_review"].documents.get().pk),
        "evidence_page": "1",
        "evidence_quote": "EDSS 2.0",
        "comment": "Seen in the neurology note.",
        "go": "stay",
    }
    form = data.draw(form_data(ANSWER_FIELDS, valid))
    url = reverse("reviews:case-review-step", args=[nurse_world["in_review"].pk, label])
    response, changed = _send(nurse, "POST", url, form)
    _check(response, changed, allowed=(200, 302, 400, 404))


def _url_safe(text: str) -> bool:
    return bool(text) and "/" not in text and "\x00" not in text


@FUZZ
@given(data=form_data({"comment": odd_text}, {"comment": "Please review."}))
def test_escalate(nurse_world, nurse, data):
    case = nurse_world["in_review"]
    response, changed = _send(nurse, "POST", reverse("reviews:case-escalate", args=[case.pk]), data)
    _check(response, changed)


@FUZZ
@given(data=wrong_names, which=st.sampled_from(["claim", "approve"]))
def test_claim_and_approve_ignore_stray_fields(nurse_world, nurse, data, which):
    case = nurse_world["unclaimed"] if which == "claim" else nurse_world["in_review"]
    url = reverse(f"reviews:case-{which}", args=[case.pk])
    response, changed = _send(nurse, "POST", url, data)
    _check(response, changed)


# ---- the physician's review -----------------------------------------------------------------


def _decide_fields(decision: str) -> dict:
    fields = {
        "approval_start": odd_date,
        "approval_end": odd_date,
        "authorized_doses": odd_number,
        "rationale": odd_text,
    }
    if decision == "deny":
        fields = {"criteria": odd_text, "rationale": odd_text}
    return {f"{decision}-{k}": v for k, v in fields.items()}


def _decide_valid(decision: str, criteria: list[str]) -> dict:
    valid = {
        "approval_start": _today(),
        "approval_end": _today(180),
        "authorized_doses": "6",
        "rationale": "Approved for six doses while the MRI is repeated.",
        "criteria": criteria[:1],
    }
    return {f"{decision}-{k}": v for k, v in valid.items()}


@FUZZ
@given(
    data=st.data(),
    decision=st.sampled_from(["approve", "partial", "deny"]),
    preview=st.booleans(),
)
def test_decide(physician_world, physician, data, decision, preview):
    form = data.draw(
        form_data(_decide_fields(decision), _decide_valid(decision, physician_world["criteria"]))
    )
    if preview:
        form["preview"] = "1"
    url = reverse("reviews:case-decide", args=[physician_world["escalated"].pk, decision])
    response, changed = _send(physician, "POST", url, form)
    _check(response, changed)
    if preview:
        assert not changed, "a letter preview wrote something"


@FUZZ
@given(decision=odd_text.filter(_url_safe), data=wrong_names)
def test_decide_with_an_unknown_decision(physician_world, physician, decision, data):
    url = reverse("reviews:case-decide", args=[physician_world["escalated"].pk, decision])
    response, changed = _send(physician, "POST", url, data)
    assert response.status_code in (403, 404) and not changed


@FUZZ
@given(
    data=form_data(
        {"info-missing": odd_text, "info-wait_until": odd_date},
        {"info-missing": "The MRI report, please.", "info-wait_until": "__soon__"},
    )
)
def test_request_information(physician_world, physician, data):
    if data.get("info-wait_until") == "__soon__":
        data["info-wait_until"] = _now(48)
    url = reverse("reviews:case-request-info", args=[physician_world["escalated"].pk])
    response, changed = _send(physician, "POST", url, data)
    _check(response, changed)


@FUZZ
@given(
    data=form_data(
        {"p2p-held_at": odd_date, "p2p-with_whom": odd_text, "p2p-outcome": odd_text},
        {"p2p-held_at": "__now__", "p2p-with_whom": "Dr. Marsh", "p2p-outcome": "Agreed."},
    )
)
def test_peer_to_peer_log(physician_world, physician, data):
    if data.get("p2p-held_at") == "__now__":
        data["p2p-held_at"] = _now()
    p2p = physician_world["p2p"]
    url = reverse("reviews:peer-to-peer-log", args=[physician_world["escalated"].pk, p2p.pk])
    response, changed, held_at = _send(
        physician, "POST", url, data, probe=lambda: PeerToPeer.objects.get(pk=p2p.pk).held_at
    )
    _check(response, changed, allowed=(302,))
    if held_at is None:
        assert not changed, "a refused log changed the data"


@FUZZ
@given(data=wrong_names, which=st.sampled_from(["claim-physician", "peer-to-peer-offer"]))
def test_physician_claim_and_offer_ignore_stray_fields(physician_world, physician, data, which):
    name = "reviews:case-claim-physician" if which == "claim-physician" else f"reviews:{which}"
    case = physician_world["queued"] if which == "claim-physician" else physician_world["escalated"]
    response, changed = _send(physician, "POST", reverse(name, args=[case.pk]), data)
    _check(response, changed)


# ---- searches and filters (GET) -------------------------------------------------------------


@FUZZ
@given(data=form_data({"q": odd_text, "status": odd_text, "page": odd_number}, {"q": "Rita"}))
def test_case_list_search(physician_world, nurse, data):
    response, _ = _send(nurse, "GET", reverse("reviews:case-list"), data)
    assert response.status_code in (200, 400)
    if response.status_code == 400:  # a search that cannot be run says why and lists nothing
        assert response.context["form"].errors
        assert not response.context["page"].object_list


@FUZZ
@given(
    data=form_data(
        {
            "urgency": odd_text,
            "line_of_business": odd_text,
            "drug": odd_text,
            "overdue_only": odd_text,
            "page": odd_number,
        },
        {"urgency": "standard", "drug": "Kesimpta", "overdue_only": "on"},
    )
)
def test_physician_queue_filters(physician_world, physician, data):
    response, _ = _send(physician, "GET", reverse("reviews:physician-queue"), data)
    assert response.status_code == 200


AUDIT_FIELDS = {
    "reference": odd_text,
    "username": odd_text,
    "kind": odd_text,
    "date_from": odd_date,
    "date_to": odd_date,
    "page": odd_number,
}


@FUZZ
@given(
    data=form_data(
        AUDIT_FIELDS, {"username": "nina", "kind": "received", "date_from": "2026-01-01"}
    ),
    export=st.booleans(),
)
def test_audit_search_and_export(physician_world, auditor, data, export):
    name = "reviews:audit-export" if export else "reviews:audit-search"
    response, _ = _send(auditor, "GET", reverse(name), data)
    assert response.status_code == 200


@FUZZ
@given(
    data=form_data({"preview": odd_number, "doc": odd_number, "page": odd_number}),
    which=st.sampled_from(["detail", "decision", "step", "queue"]),
)
def test_page_parameters(nurse_world, physician_world, nurse, physician, data, which):
    """The query parameters pages read without a form: ?preview=, ?doc=, ?page=."""
    escalated, in_review = physician_world["escalated"], nurse_world["in_review"]
    user, url = {
        "detail": (nurse, reverse("reviews:case-detail", args=[escalated.pk])),
        "decision": (physician, reverse("reviews:case-decision", args=[escalated.pk])),
        "step": (
            nurse,
            reverse("reviews:case-review-step", args=[in_review.pk, nurse_world["labels"][0]]),
        ),
        "queue": (nurse, reverse("reviews:nurse-queue")),
    }[which]
    response, _ = _send(user, "GET", url, data)
    assert response.status_code == 200


@FUZZ
@given(case_id=st.one_of(st.integers(min_value=0), st.sampled_from([2**63, 10**40])))
def test_case_ids_out_of_range_are_404(clear_case, nurse, case_id):
    response, _ = _send(nurse, "GET", f"/cases/{case_id}/", {})
    assert response.status_code == (200 if case_id == clear_case.pk else 404)


def test_the_worlds_are_what_the_fuzzing_expects(nurse_world, physician_world, nurse):
    unclaimed, in_review = nurse_world["unclaimed"], nurse_world["in_review"]
    assert (unclaimed.status, unclaimed.assignee_id) == (Case.Status.NURSE_REVIEW, None)
    assert (in_review.status, in_review.assignee_id) == (Case.Status.NURSE_REVIEW, nurse.pk)
    assert case_review_state(case=in_review).first_open_step is None
    assert physician_world["escalated"].status == Case.Status.PHYSICIAN_REVIEW
    assert physician_world["queued"].status == Case.Status.PHYSICIAN_QUEUE
    assert Document.objects.filter(case=in_review).count() == 1
