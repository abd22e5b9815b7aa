"""The nurse's pages for a policy with two indications: choose the indication first, then
walk only its criteria."""

import pytest
from django.urls import reverse

from reviews.dates import screen_date
from reviews.models import Case, CaseEvent
from reviews.services import nurse_review
from tests.services.test_indications import infusab

pytestmark = pytest.mark.django_db


def url(name, case, *args):
    return reverse(f"reviews:{name}", args=[case.pk, *args])


@pytest.fixture
def ambiguous(two_indications, nurse):
    case = infusab(nurse, ["G35.A", "G36.0"])
    nurse_review.case_claim(case=case, nurse=nurse)
    case.refresh_from_db()
    return case


def test_the_nurse_is_asked_to_choose_before_any_criterion(client, nurse, ambiguous):
    client.force_login(nurse)
    response = client.get(url("case-review", ambiguous))
    assert response["Location"] == url("case-review-summary", ambiguous)
    body = client.get(response["Location"]).content.decode()
    assert "Which indication is this request for?" in body
    assert "Relapsing forms of multiple sclerosis (G35)" in body
    assert "Neuromyelitis optica spectrum disorder (G36.0)" in body
    assert "None of them" in body
    assert "0 of 0 criteria answered" in body  # no criteria steps yet
    assert "/review/criteria/" not in body
    assert client.get(url("case-review-step", ambiguous, "C-1")).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Neurology note."}, "Choose an indication, or that none fits."),
        ({"indication": "nmosd"}, "Say why this indication fits (or why none does)."),
        ({"indication": "nmosd", "reason": "   "}, "Say why this indication fits"),
        ({"indication": "psoriasis", "reason": "x"}, "Select a valid choice."),
    ],
)
def test_a_bad_choice_gets_form_errors(client, nurse, ambiguous, data, message):
    client.force_login(nurse)
    response = client.post(url("case-indication-choose", ambiguous), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    ambiguous.refresh_from_db()
    assert ambiguous.indication == ""


def test_after_choosing_only_that_indications_steps(client, nurse, ambiguous):
    client.force_login(nurse)
    response = client.post(
        url("case-indication-choose", ambiguous),
        {"indication": "relapsing_ms", "reason": "MRI report: relapsing MS."},
    )
    assert response["Location"] == url("case-review", ambiguous)
    response = client.get(response["Location"])
    assert response["Location"] == url("case-review-step", ambiguous, "C-1")
    body = client.get(url("case-review-summary", ambiguous)).content.decode()
    assert "MRI report: relapsing MS." in body
    steps = body.split("Summary</a>")[0]
    assert all(f">{label}<" in steps for label in ("C-1", "MS-1", "MS-2"))
    assert ">NM-1<" not in steps and ">MS-3<" not in steps
    assert client.get(url("case-review-step", ambiguous, "NM-1")).status_code == 404


def test_none_fits_sends_the_case_to_a_physician(client, nurse, ambiguous):
    client.force_login(nurse)
    response = client.post(
        url("case-indication-choose", ambiguous),
        {"indication": "none", "reason": "Requested for myasthenia gravis."},
        follow=True,
    )
    assert "sent to the physician queue" in response.content.decode()
    ambiguous.refresh_from_db()
    assert ambiguous.status == Case.Status.PHYSICIAN_QUEUE
    assert ambiguous.events.filter(kind=CaseEvent.Kind.INDICATION_CHOSEN).exists()


def test_only_a_nurse_may_post_a_choice(client, physician, ambiguous):
    client.force_login(physician)
    response = client.post(
        url("case-indication-choose", ambiguous), {"indication": "nmosd", "reason": "x"}
    )
    assert response.status_code == 403
    ambiguous.refresh_from_db()
    assert ambiguous.indication == ""


def test_the_policy_page_shows_each_indications_periods(client, nurse, two_indications):
    from django.utils import timezone

    from reviews.engine.durations import Duration

    client.force_login(nurse)
    body = client.get(
        reverse("reviews:policy-version-detail", args=[two_indications.pk])
    ).content.decode()
    today = timezone.localdate()
    ms_end = Duration(6, "calendar_month").end(today)
    nmosd_end = Duration(52, "week").end(today)
    assert "Relapsing forms of multiple sclerosis" in body and "diagnosis codes G35" in body
    start, ms, nmosd = screen_date(today), screen_date(ms_end), screen_date(nmosd_end)
    assert f"{(ms_end - today).days + 1} days, {start} to {ms}" in body
    assert f"364 days, {start} to {nmosd}" in body
    assert "No reauthorization." in body
    assert "No dosing rule: an approval takes the requested quantity." in body
    assert '<span class="badge text-bg-secondary">nmosd</span>' in body
