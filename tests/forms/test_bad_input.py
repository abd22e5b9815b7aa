"""Bad input, by hand: HTML typed into a field is shown as text on every page that shows it;
values too long, dates that do not exist and odd Unicode get a message at their field.

The generated counterpart, every form against random input, is tests/forms/test_fuzz_forms.py.
"""

import copy
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reviews.models import Case, Document, InfoRequest, PeerToPeer
from reviews.services import physician_review
from tests.builders import answered_case, escalated_case, step_answers
from tests.factories import document_for, pdf_bytes, upload
from tests.forms.test_fuzz_forms import INTAKE_VALID
from tests.review_fixtures import KESIMPTA_REGIMEN, kesimpta_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def script(tag: str) -> str:
    return f'<script>alert("{tag}")</script>'


def escaped(tag: str) -> str:
    return f"&lt;script&gt;alert(&quot;{tag}&quot;)&lt;/script&gt;"


def twice_escaped(tag: str) -> str:
    """As inside an attribute that holds HTML (the letter preview's srcdoc)."""
    return f"&amp;lt;script&amp;gt;alert(&amp;quot;{tag}&amp;quot;)&amp;lt;/script&amp;gt;"


def assert_shown_escaped(response, *shown: str, twice: tuple[str, ...] = ()) -> None:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert "<script>alert(" not in body, "typed HTML reached the page as HTML"
    for tag in shown:
        assert escaped(tag) in body, f"{tag} is not shown (escaped)"
    for tag in twice:
        assert twice_escaped(tag) in body, f"{tag} is not shown in the preview (escaped)"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _now(hours: int = 0) -> str:
    return f"{timezone.localtime() + timedelta(hours=hours):%Y-%m-%dT%H:%M}"


# ---- HTML is text ---------------------------------------------------------------------------


@pytest.fixture
def hostile(client, kesimpta, deadline_rules, nurse, physician, auditor):
    """A case whose every free-text field holds a script, entered through the pages and
    walked from intake to a denial; the pages are fetched on the way, as each role sees them."""
    pages = {}
    client.force_login(nurse)
    data = {
        **INTAKE_VALID,
        "member_name": script("member"),
        "prescriber_name": script("prescriber"),
    }
    response = client.post(reverse("reviews:case-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get(member_name=script("member"))
    assert case.prescriber_name == script("prescriber")
    pages["nurse queue"] = client.get(reverse("reviews:nurse-queue"))
    pages["case list"] = client.get(reverse("reviews:case-list"), {"q": "alert"})

    assert client.post(reverse("reviews:case-claim", args=[case.pk])).status_code == 302
    for label, answer in step_answers(case, **{"PRE-1": "not_met"}).items():
        response = client.post(
            reverse("reviews:case-review-step", args=[case.pk, label]),
            {
                "answer": answer,
                "comment": script("answer"),
                "passage": "other",
                "go": "stay",
            },
        )
        assert response.status_code == 302, label
    pages["review step"] = client.get(reverse("reviews:case-review-step", args=[case.pk, "PRE-1"]))
    pages["review summary"] = client.get(reverse("reviews:case-review-summary", args=[case.pk]))
    response = client.post(
        reverse("reviews:case-escalate", args=[case.pk]), {"comment": script("escalation")}
    )
    assert response.status_code == 302

    client.force_login(physician)
    pages["physician queue"] = client.get(reverse("reviews:physician-queue"))
    assert client.post(reverse("reviews:case-claim-physician", args=[case.pk])).status_code == 302
    assert client.post(reverse("reviews:peer-to-peer-offer", args=[case.pk])).status_code == 302
    p2p = PeerToPeer.objects.get(case=case)
    response = client.post(
        reverse("reviews:peer-to-peer-log", args=[case.pk, p2p.pk]),
        {
            "p2p-held_at": _now(),
            "p2p-with_whom": script("p2p-with"),
            "p2p-outcome": script("p2p-outcome"),
        },
    )
    assert response.status_code == 302
    assert messages_of(response)[-1] == "Peer-to-peer conversation logged."
    deny = {"deny-criteria": ["PRE-1"], "deny-rationale": script("denial")}
    pages["decision with preview"] = client.post(
        reverse("reviews:case-decide", args=[case.pk, "deny"]), {**deny, "preview": "1"}
    )
    response = client.post(reverse("reviews:case-decide", args=[case.pk, "deny"]), deny)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.DENIED
    pages["case page"] = client.get(reverse("reviews:case-detail", args=[case.pk]))
    pages["letter"] = client.get(reverse("reviews:letter-preview", args=[case.pk]))

    client.force_login(auditor)
    pages["case audit"] = client.get(reverse("reviews:case-audit", args=[case.pk]))
    pages["audit search"] = client.get(
        reverse("reviews:audit-search"), {"reference": case.reference}
    )
    pages["review record"] = client.get(reverse("reviews:case-record", args=[case.pk]))
    return pages


# Page -> the typed values it shows (escaped once), and those in the letter preview's srcdoc
# (escaped twice: the letter's own escaping, then the attribute's).
SHOWN = {
    "nurse queue": (["member"], []),
    "case list": (["member"], []),
    "review step": (["member", "answer"], []),
    "review summary": (["member", "answer"], []),
    "physician queue": (["member"], []),
    "decision with preview": (["member", "escalation", "p2p-with", "p2p-outcome"], ["denial"]),
    "case page": (["member", "prescriber", "escalation", "p2p-with", "p2p-outcome"], []),
    "letter": (["member", "prescriber", "denial"], []),
    "case audit": (["escalation", "p2p-with", "p2p-outcome", "answer"], []),
    "audit search": (["escalation", "p2p-with", "p2p-outcome"], []),
    "review record": (
        ["member", "answer", "escalation", "p2p-with", "p2p-outcome", "denial"],
        [],
    ),
}


def test_typed_html_is_shown_as_text_on_every_page(hostile):
    """One walk, every page checked (the walk is the slow part)."""
    assert hostile.keys() == SHOWN.keys()
    problems = []
    for page_name, (shown, twice) in SHOWN.items():
        try:
            assert_shown_escaped(hostile[page_name], *shown, twice=tuple(twice))
        except AssertionError as error:
            problems.append(f"{page_name}: {error}")
    assert not problems, "\n".join(problems)


def test_information_request_text_is_shown_as_text(client, kesimpta, nurse2, physician):
    case = escalated_case(kesimpta_request(nurse2), nurse2, **{"PRE-1": "not_met"})
    physician_review.case_claim_physician(case=case, physician=physician)
    client.force_login(physician)
    response = client.post(
        reverse("reviews:case-request-info", args=[case.pk]),
        {"info-missing": script("info"), "info-wait_until": _now(48)},
    )
    assert response.status_code == 302
    assert InfoRequest.objects.get(case=case).missing == script("info")
    assert_shown_escaped(client.get(reverse("reviews:case-detail", args=[case.pk])), "info")


def test_a_file_name_with_html_is_shown_as_text(client, clear_case, nurse):
    # No "/" in the names: the upload keeps only what follows the last one.
    good, bad = '<img src=x onerror=alert("file")>.pdf', '<img src=x onerror=alert("bad")>'
    client.force_login(nurse)
    files = [upload(good, pdf_bytes(["Note"])), upload(bad, b"MZ")]
    response = client.post(
        reverse("reviews:document-upload", args=[clear_case.pk]),
        {"files": files, "kind": "clinical_note"},
    )
    assert response.status_code == 302
    body = client.get(reverse("reviews:case-detail", args=[clear_case.pk])).content.decode()
    assert "<img src=x" not in body
    for tag in ("file", "bad"):
        assert f"&lt;img src=x onerror=alert(&quot;{tag}&quot;)&gt;" in body, tag


# ---- too long -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("member_name", 200),
        ("member_id", 40),
        ("prescriber_name", 200),
        ("prescriber_specialty", 100),
        ("drug_name", 100),
        ("diagnosis_codes", 200),
        ("backdate_reason", 1000),
        ("meds-0-name", 200),
    ],
)
def test_an_intake_field_too_long_is_refused_at_the_field(client, kesimpta, nurse, field, limit):
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), {**INTAKE_VALID, field: "é" * 100_000})
    assert response.status_code == 400
    form = response.context["form"]
    errors = (
        form.errors.get(field)
        if not field.startswith("meds-")
        else response.context["medications"].forms[0].errors.get("name")
    )
    assert errors and f"at most {limit} characters" in errors[0], errors
    assert not Case.objects.exists()


@pytest.fixture
def in_review(kesimpta, nurse):
    return answered_case(kesimpta_request(nurse), nurse)


@pytest.fixture
def mine(kesimpta, nurse2, physician):
    case = escalated_case(kesimpta_request(nurse2), nurse2, **{"PRE-1": "not_met"})
    physician_review.case_claim_physician(case=case, physician=physician)
    case.refresh_from_db()
    return case


def test_a_comment_too_long_is_refused_at_the_field(client, nurse, in_review):
    client.force_login(nurse)
    long = "x" * 4001
    response = client.post(reverse("reviews:case-escalate", args=[in_review.pk]), {"comment": long})
    assert response.status_code == 400
    assert "at most 4000 characters" in response.context["escalate_form"].errors["comment"][0]
    response = client.post(
        reverse("reviews:case-review-step", args=[in_review.pk, "PRE-1"]),
        {"answer": "met", "comment": long, "evidence_quote": long},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "at most 4000" in errors["comment"][0] and "at most 2000" in errors["evidence_quote"][0]
    in_review.refresh_from_db()
    assert in_review.status == Case.Status.NURSE_REVIEW


@pytest.mark.parametrize(
    ("url", "data", "form", "field"),
    [
        (
            "deny",
            {"deny-criteria": ["PRE-1"], "deny-rationale": "x" * 4001},
            "deny_form",
            "rationale",
        ),
        (
            "info",
            {"info-missing": "x" * 4001, "info-wait_until": "__soon__"},
            "info_form",
            "missing",
        ),
    ],
)
def test_physician_text_too_long_is_refused_at_the_field(
    client, physician, mine, url, data, form, field
):
    client.force_login(physician)
    target = (
        reverse("reviews:case-decide", args=[mine.pk, "deny"])
        if url == "deny"
        else reverse("reviews:case-request-info", args=[mine.pk])
    )
    data = {k: _now(48) if v == "__soon__" else v for k, v in data.items()}
    response = client.post(target, data)
    assert response.status_code == 400
    assert "at most 4000 characters" in response.context[form].errors[field][0]
    mine.refresh_from_db()
    assert mine.status == Case.Status.PHYSICIAN_REVIEW


def test_a_peer_to_peer_name_too_long_is_refused_with_its_label(client, physician, mine):
    p2p = physician_review.peer_to_peer_offer(case=mine, physician=physician)
    client.force_login(physician)
    response = client.post(
        reverse("reviews:peer-to-peer-log", args=[mine.pk, p2p.pk]),
        {"p2p-held_at": _now(), "p2p-with_whom": "x" * 201, "p2p-outcome": "Agreed."},
    )
    assert response.status_code == 302
    [message] = messages_of(response)
    assert "With whom" in message and "at most 200 characters" in message
    assert PeerToPeer.objects.get(pk=p2p.pk).held_at is None


def test_a_file_name_too_long_is_shortened_not_refused(client, clear_case, nurse):
    client.force_login(nurse)
    name = "n" * 600 + ".pdf"
    response = client.post(
        reverse("reviews:document-upload", args=[clear_case.pk]),
        {"files": [upload(name, pdf_bytes(["Note"]))], "kind": "clinical_note"},
    )
    assert response.status_code == 302
    assert len(Document.objects.get(case=clear_case).original_name) == 255


def test_an_audit_search_value_too_long_says_so_and_finds_nothing(client, auditor, clear_case):
    client.force_login(auditor)
    response = client.get(reverse("reviews:audit-search"), {"reference": "PA-" + "9" * 100})
    assert response.status_code == 200
    assert "at most 20 characters" in response.context["form"].errors["reference"][0]
    assert not response.context["events"].object_list
    # Shown at the field: marked, and tied to its message for a screen reader.
    body = response.content.decode()
    field = re.search(r'<input [^>]*name="reference"[^>]*>', body)[0]
    assert 'class="form-control is-invalid"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="id_reference_error"' in field
    assert re.search(r'id="id_reference_error">[^<]*at most 20 characters', body)


# ---- dates that do not exist ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-02-30", "31/12/2026", "0000-00-00", "9999-99-99", "soon"])
def test_a_malformed_date_of_birth_says_enter_a_valid_date(client, kesimpta, nurse, value):
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), {**INTAKE_VALID, "member_dob": value})
    assert response.status_code == 400
    assert response.context["form"].errors["member_dob"] == ["Enter a valid date."]


@pytest.mark.parametrize("value", ["2026-02-30T10:00", "31/12/2026 10:00", "9999-99-99T99:99"])
def test_a_malformed_receipt_time_says_enter_a_valid_date_time(client, kesimpta, nurse, value):
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), {**INTAKE_VALID, "received_at": value})
    assert response.status_code == 400
    assert response.context["form"].errors["received_at"] == ["Enter a valid date/time."]


def test_an_approval_period_with_a_malformed_date_is_refused_at_the_field(client, physician, mine):
    client.force_login(physician)
    response = client.post(
        reverse("reviews:case-decide", args=[mine.pk, "approve"]),
        {
            "approve-approval_start": "2026-02-30",
            "approve-approval_end": "31/12/2026",
            "approve-authorized_doses": "-3",
        },
    )
    assert response.status_code == 400
    errors = response.context["approve_form"].errors
    assert errors["approval_start"] == ["Enter a valid date."]
    assert errors["approval_end"] == ["Enter a valid date."]
    assert "greater than or equal to 1" in errors["authorized_doses"][0]


def test_a_wait_or_meeting_time_that_does_not_exist_is_refused(client, physician, mine, settings):
    settings.TIME_ZONE = "America/New_York"
    client.force_login(physician)
    response = client.post(
        reverse("reviews:case-request-info", args=[mine.pk]),
        {"info-missing": "The MRI.", "info-wait_until": "2026-02-30T10:00"},
    )
    assert response.status_code == 400
    assert response.context["info_form"].errors["wait_until"] == ["Enter a valid date/time."]
    p2p = physician_review.peer_to_peer_offer(case=mine, physician=physician)
    response = client.post(
        reverse("reviews:peer-to-peer-log", args=[mine.pk, p2p.pk]),
        # 2:30 on the morning clocks go forward does not exist in New York.
        {"p2p-held_at": "2026-03-08T02:30", "p2p-with_whom": "Dr. Marsh", "p2p-outcome": "OK."},
    )
    [message] = messages_of(response)
    assert message.startswith("Peer-to-peer not logged: Held at:") and "may not exist" in message


def test_audit_dates_that_do_not_exist_say_so(client, auditor, clear_case):
    client.force_login(auditor)
    response = client.get(
        reverse("reviews:audit-search"), {"date_from": "2026-02-30", "date_to": "9999-99-99"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["date_from"] == errors["date_to"] == ["Enter a valid date."]


# ---- odd Unicode ----------------------------------------------------------------------------

NAMES = [
    "Zoë Ñúñez-Ōtake",
    "José\u0301 Ma\u0308rtin",  # combining marks, kept as typed (not normalized)
    "محمد بن سلمان",  # right to left
    "\u202eDana Whitfield",  # a right-to-left override, kept as typed
    "Ana\u200dMaria",  # a zero-width joiner
    "李小龍",
    "Dr. 👩\u200d⚕️ Emoji",
    "𝔇𝔞𝔫𝔞",  # outside the Basic Multilingual Plane
]


@pytest.mark.parametrize("name", NAMES)
def test_odd_unicode_names_round_trip(client, kesimpta, nurse, name):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-create"),
        {**INTAKE_VALID, "member_name": name, "prescriber_name": name, "meds-0-name": name},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.member_name == case.prescriber_name == name
    assert case.medications.first().name == name
    assert name in client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    listed = client.get(reverse("reviews:case-list"), {"q": name}).content.decode()
    assert case.reference in listed


@pytest.mark.parametrize("field", ["member_name", "prescriber_name", "backdate_reason"])
def test_a_nul_character_is_refused_at_the_field(client, kesimpta, nurse, field):
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), {**INTAKE_VALID, field: "Dana\x00"})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == ["Null characters are not allowed."]


@pytest.mark.parametrize("value", ["\x00", "Dana\x00Whitfield", "%00"])
def test_a_nul_character_in_a_search_is_refused_by_the_form_not_the_database(
    client, nurse, clear_case, value
):
    """PostgreSQL refuses NUL in a string literal: the search form must stop it first."""
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-list"), {"q": value})
    if "\x00" in value:
        assert response.status_code == 400
        assert response.context["form"].errors["q"] == ["Null characters are not allowed."]
        assert not response.context["page"].object_list  # not every case, as if unfiltered
        assert "This search cannot be run" in response.content.decode()
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("weeks", ["²", "0, ¹, ²", "١, ٢", "0, 1, 99999999999"])
def test_loading_weeks_in_other_digits_or_out_of_range_are_refused(client, kesimpta, nurse, weeks):
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), {**INTAKE_VALID, "phase0_at": weeks})
    assert response.status_code == 400
    [error] = response.context["form"].errors["phase0_at"]
    assert error.startswith(("Whole numbers only", "Offsets run up to ten years"))


@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "1e3", "\x00"])
def test_a_preview_parameter_that_is_no_id_shows_the_first_document(
    client, nurse, clear_case, value
):
    document_for(clear_case, user=nurse)
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-detail", args=[clear_case.pk]), {"preview": value})
    assert response.status_code == 200
    assert response.context["preview"] == clear_case.documents.get()


# ---- sign-in --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    [
        "n" * 300,
        "ﷺ" * 20,  # 20 characters typed, 360 once normalized (NFKC)
        ["nina", "n" * 300],  # the field repeated: the last value counts
    ],
)
def test_a_user_name_too_long_is_refused_before_anyone_is_asked(
    client, django_user_model, username
):
    from axes.models import AccessAttempt

    django_user_model.objects.create_user(username="nina", password="x")
    response = client.post(reverse("login"), {"username": username, "password": "wrong"})
    assert response.status_code == 200
    [error] = response.context["form"].errors["username"]
    assert "at most 150 characters" in error
    assert not AccessAttempt.objects.exists()


def test_an_over_long_user_name_at_the_admin_sign_in_is_a_failure_not_a_500(client, settings):
    """The admin's sign-in form has no length check: lockout counts the name cut to 150."""
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/", {"username": "x" * 300, "password": "wrong"})
        assert response.status_code in (200, 429)
    assert response.status_code == 429  # and it is counted: the lock still applies
    assert AccessAttempt.objects.get().username == "x" * 150


# ---- numbers too large to store -------------------------------------------------------------


def test_an_approved_total_too_large_to_record_is_refused_at_the_doses(
    client, kesimpta, nurse2, physician
):
    regimen = copy.deepcopy(KESIMPTA_REGIMEN)
    for phase in regimen["phases"]:
        phase["dose"]["amount"] = "9999999.999"  # the intake form's largest
    case = escalated_case(kesimpta_request(nurse2, regimen=regimen), nurse2, **{"PRE-1": "not_met"})
    physician_review.case_claim_physician(case=case, physician=physician)
    client.force_login(physician)
    today = timezone.localdate()
    data = {
        "approve-approval_start": str(today),
        "approve-approval_end": str(today + timedelta(days=90)),
        "approve-authorized_doses": "10000",
    }
    for extra in ({"preview": "1"}, {}):
        response = client.post(
            reverse("reviews:case-decide", args=[case.pk, "approve"]), {**data, **extra}
        )
        assert response.status_code == 400
        [error] = response.context["approve_form"].errors["authorized_doses"]
        assert error.startswith("10000 doses of 9999999.999 mg is more than can be authorized")
    case.refresh_from_db()
    assert case.status == Case.Status.PHYSICIAN_REVIEW
    data["approve-authorized_doses"] = "1"
    response = client.post(reverse("reviews:case-decide", args=[case.pk, "approve"]), data)
    assert response.status_code == 302
