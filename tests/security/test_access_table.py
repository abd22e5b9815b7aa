"""Who gets what, for every URL: one table, checked against the URL configuration.

Every named URL pattern must have a row in EXPECTED, so a new page without an access
decision fails `test_every_url_has_a_row`. Each row gives, per role, the status a GET (and,
for POST-only views, a POST with an empty form) must answer. Every request runs in a
transaction that is rolled back, so one row's POST cannot change the world of the next, and
every refusal (403, 404, 405, the redirect to login) must leave the data untouched.

The app's rules, as encoded here:
- anonymous: 302 to /login/?next=... everywhere except /login/ and /health/;
- signed in with no role: 404 for anything about a case (its existence is patient
  information), 403 or 404 for role pages;
- POST-only views: 405 to a GET;
- nurse pages: 403 to physicians and auditors (the review summary and steps send them to the
  read-only review record instead); physician pages (deciding, denying): 403 to
  nurses and auditors; policy admins do not see cases, so case pages are 404 to them.
"""

import re
from datetime import date
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reviews.models import (
    Appeal,
    Case,
    CaseEvent,
    ClaimLine,
    ClaimLineEvent,
    CriterionAnswer,
    Determination,
    Document,
    InfoRequest,
    Letter,
    PeerToPeer,
)
from reviews.selectors.review import case_review_state
from reviews.services import letters as letter_services
from reviews.services import nurse_review, physician_review
from tests.builders import approved_case, escalated_case
from tests.claims_fixtures import receive
from tests.factories import document_for
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db

ROLES = ("nurse", "physician", "policy_admin", "auditor", "outsider", "examiner", "anonymous")
LOGIN = "login"  # the expected answer "302 to /login/?next=<this URL>"
HEALTH = "health"  # 200 or 503, JSON either way


def _row(nurse, physician, policy_admin, auditor, outsider, anonymous=LOGIN, examiner=None) -> dict:
    # A claims examiner sees no case and no policy: the outsider's answer unless a row says.
    examiner = outsider if examiner is None else examiner
    answers = (nurse, physician, policy_admin, auditor, outsider, examiner, anonymous)
    return dict(zip(ROLES, answers, strict=True))


ALL_405 = _row(405, 405, 405, 405, 405)

# URL name -> {"GET": {role: status}, "POST": {role: status}} (POST for POST-only views).
# A redirect is 302; the right role's POST is sent with an empty form.
EXPECTED: dict[str, dict[str, dict[str, object]]] = {
    # Public: sign-in and the health check.
    "login": {"GET": _row(302, 302, 302, 302, 302, anonymous=200)},
    "logout": {"GET": ALL_405, "POST": _row(302, 302, 302, 302, 302)},
    "reviews:health": {"GET": _row(*[HEALTH] * 5, anonymous=HEALTH)},
    "home": {"GET": _row(200, 200, 200, 200, 200)},
    # Anyone signed in may change their own password; an empty form is a 200 with errors.
    "password_change": {
        "GET": _row(200, 200, 200, 200, 200),
        "POST": _row(200, 200, 200, 200, 200),
    },
    "password_change_done": {"GET": _row(200, 200, 200, 200, 200)},
    # Policies: read by case staff and policy admins; compared by policy admins only.
    "reviews:policy-list": {"GET": _row(200, 200, 200, 200, 404)},
    "reviews:policy-version-detail": {"GET": _row(200, 200, 200, 200, 404)},
    "reviews:policy-version-compare": {"GET": _row(403, 403, 200, 403, 404)},
    # The policy editor: policy admins only; case staff read policies but never edit them (403).
    # The world's version is published, so the editor shows it read-only and refuses changes
    # with a 409.
    "reviews:policy-edit": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-undo": {"GET": ALL_405, "POST": _row(403, 403, 409, 403, 404)},
    # -- outline
    "reviews:policy-create": {"GET": _row(403, 403, 200, 403, 403)},
    "reviews:policy-edit-check-words": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-node": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-node-add": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-node-paste": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-node-move": {"GET": ALL_405, "POST": _row(403, 403, 409, 403, 404)},
    "reviews:policy-edit-node-delete": {"GET": _row(403, 403, 200, 403, 404)},
    # -- details, drugs, indications, lists
    "reviews:policy-edit-details": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-drugs": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-indications": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-indication-add": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-indication": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-indication-delete": {
        "GET": ALL_405,
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-lists": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-list-add": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-list": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-list-delete": {
        "GET": ALL_405,
        "POST": _row(403, 403, 409, 403, 404),
    },
    # -- test cases, preview
    "reviews:policy-edit-test-cases": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-preview": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-edit-test-case-add": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-test-case": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 409, 403, 404),
    },
    "reviews:policy-edit-test-case-copy": {"GET": ALL_405, "POST": _row(403, 403, 409, 403, 404)},
    "reviews:policy-edit-test-case-delete": {
        "GET": ALL_405,
        "POST": _row(403, 403, 409, 403, 404),
    },
    # -- check, publish, import, export
    "reviews:policy-edit-publish": {"GET": _row(403, 403, 200, 403, 404)},
    "reviews:policy-version-publish": {"GET": ALL_405, "POST": _row(403, 403, 409, 403, 404)},
    # Cloning the published version makes a new draft and opens its editor.
    "reviews:policy-version-clone": {"GET": ALL_405, "POST": _row(403, 403, 302, 403, 404)},
    "reviews:policy-version-export": {"GET": _row(403, 403, 200, 403, 404)},
    # An empty upload form is answered 400 with the error at the file field.
    "reviews:policy-import": {
        "GET": _row(403, 403, 200, 403, 404),
        "POST": _row(403, 403, 400, 403, 404),
    },
    # Cases.
    "reviews:case-list": {"GET": _row(200, 200, 403, 200, 403)},
    "reviews:case-create": {"GET": _row(200, 200, 403, 403, 403)},
    "reviews:case-detail": {"GET": _row(200, 200, 404, 200, 404)},
    # The review record: read only, for anyone who may see the case.
    "reviews:case-record": {"GET": _row(200, 200, 404, 200, 404)},
    "reviews:document-upload": {"GET": ALL_405, "POST": _row(400, 400, 404, 403, 404)},
    "reviews:document-file": {"GET": _row(200, 200, 404, 200, 404)},
    # A case past intake: the refusal is a message on the case page.
    "reviews:case-route": {"GET": ALL_405, "POST": _row(302, 302, 404, 403, 404)},
    # Nurse review (on a case in nurse review claimed by the nurse).
    "reviews:nurse-queue": {"GET": _row(200, 403, 403, 403, 403)},
    "reviews:case-claim": {"GET": ALL_405, "POST": _row(302, 403, 404, 403, 404)},
    "reviews:case-review": {"GET": _row(302, 403, 404, 403, 404)},
    # The review's pages, read by another role: the review record instead (read only).
    "reviews:case-review-step": {
        "GET": _row(200, 302, 404, 302, 404),
        "POST": _row(400, 403, 404, 403, 404),
    },
    "reviews:case-review-summary": {"GET": _row(200, 302, 404, 302, 404)},
    # Nothing answered yet: the confirmation sends the nurse back to the summary.
    "reviews:case-approve-confirm": {"GET": _row(302, 403, 404, 403, 404)},
    "reviews:case-approve": {"GET": ALL_405, "POST": _row(302, 403, 404, 403, 404)},
    "reviews:case-escalate": {"GET": ALL_405, "POST": _row(302, 403, 404, 403, 404)},
    # An empty choice of indication is refused on the summary page (400).
    "reviews:case-indication-choose": {"GET": ALL_405, "POST": _row(400, 403, 404, 403, 404)},
    # Clinical facts in review: an empty form names no source document (400).
    "reviews:case-facts": {"GET": _row(200, 403, 404, 403, 404)},
    "reviews:case-fact-add": {
        "GET": _row(200, 403, 404, 403, 404),
        "POST": _row(400, 403, 404, 403, 404),
    },
    "reviews:case-fact-correct": {
        "GET": _row(200, 403, 404, 403, 404),
        "POST": _row(400, 403, 404, 403, 404),
    },
    "reviews:case-measurements-correct": {
        "GET": _row(200, 403, 404, 403, 404),
        "POST": _row(400, 403, 404, 403, 404),
    },
    # Physician review (on an escalated case claimed by the physician).
    "reviews:physician-queue": {"GET": _row(403, 200, 403, 403, 403)},
    "reviews:case-claim-physician": {"GET": ALL_405, "POST": _row(403, 302, 404, 403, 404)},
    "reviews:case-decision": {"GET": _row(403, 200, 404, 403, 404)},
    "reviews:case-decide": {"GET": ALL_405, "POST": _row(403, 400, 404, 403, 404)},
    "reviews:case-request-info": {"GET": ALL_405, "POST": _row(403, 400, 404, 403, 404)},
    "reviews:case-return-to-nurse": {"GET": ALL_405, "POST": _row(403, 400, 404, 403, 404)},
    "reviews:peer-to-peer-offer": {"GET": ALL_405, "POST": _row(403, 302, 404, 403, 404)},
    "reviews:peer-to-peer-log": {"GET": ALL_405, "POST": _row(403, 302, 404, 403, 404)},
    # Renewals: the list is the nurses'; a continuation is entered by whoever enters requests
    # (an empty form is a 400 with its errors), from a case they may see (approved).
    "reviews:renewals": {"GET": _row(200, 403, 403, 403, 403)},
    "reviews:case-continue": {
        "GET": _row(200, 200, 404, 403, 404),
        "POST": _row(400, 400, 404, 403, 404),
    },
    # Appeals: taken in by intake staff (nurses, physicians); an empty form is a 400. The
    # world's case is undecided: the page says it cannot be appealed yet.
    "reviews:appeal-file": {
        "GET": _row(200, 200, 404, 403, 404),
        "POST": _row(400, 400, 404, 403, 404),
    },
    # Letters (of a case the nurse approved; the PDF is rendered).
    "reviews:letter-preview": {"GET": _row(200, 200, 404, 200, 404)},
    "reviews:letter-pdf": {"GET": _row(200, 200, 404, 200, 404)},
    # Audit: auditors only.
    "reviews:audit-search": {"GET": _row(403, 403, 403, 200, 403)},
    "reviews:audit-export": {"GET": _row(403, 403, 403, 200, 403)},
    "reviews:case-audit": {"GET": _row(403, 403, 404, 200, 404)},
    # Claims: claims examiners only; a line's page is 404 to everyone else (a member's
    # claims are patient information). Empty forms are 400; the world has a line pended for
    # review.
    "reviews:claim-line-list": {"GET": _row(403, 403, 403, 403, 403, examiner=200)},
    "reviews:claim-line-create": {
        "GET": _row(403, 403, 403, 403, 403, examiner=200),
        "POST": _row(403, 403, 403, 403, 403, examiner=400),
    },
    "reviews:claim-line-detail": {"GET": _row(404, 404, 404, 404, 404, examiner=200)},
    "reviews:claim-line-resolve": {
        "GET": ALL_405,
        "POST": _row(404, 404, 404, 404, 404, examiner=400),
    },
    "api:claim-line-list": {
        "GET": _row(403, 403, 403, 403, 403, anonymous=401, examiner=200),
        "POST": _row(403, 403, 403, 403, 403, anonymous=401, examiner=400),
    },
    "api:claim-line-detail": {
        "GET": _row(404, 404, 404, 404, 404, anonymous=401, examiner=200),
    },
    # The JSON API (token authentication): 401 for anonymous, never a redirect.
    "api:token": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(400, 400, 400, 400, 400, anonymous=400),
        "DELETE": _row(204, 204, 204, 204, 204, anonymous=401),
    },
    "api:policy-list": {"GET": _row(200, 200, 200, 200, 404, anonymous=401)},
    "api:policy-version": {"GET": _row(200, 200, 200, 200, 404, anonymous=401)},
    "api:case-list": {
        "GET": _row(200, 200, 403, 200, 403, anonymous=401),
        "POST": _row(400, 400, 403, 403, 403, anonymous=401),
    },
    "api:case-detail": {"GET": _row(200, 200, 404, 200, 404, anonymous=401)},
    "api:document-list": {
        "GET": _row(200, 200, 404, 200, 404, anonymous=401),
        "POST": _row(400, 400, 404, 403, 404, anonymous=401),
    },
    "api:document-detail": {"GET": _row(200, 200, 404, 200, 404, anonymous=401)},
    "api:document-file": {"GET": _row(200, 200, 404, 200, 404, anonymous=401)},
    "api:case-claim": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(200, 403, 404, 403, 404, anonymous=401),
    },
    "api:answer-list": {"GET": _row(200, 200, 404, 200, 404, anonymous=401)},
    "api:answer": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "PUT": _row(400, 403, 404, 403, 404, anonymous=401),
    },
    "api:case-approve": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(409, 403, 404, 403, 404, anonymous=401),
    },
    "api:case-escalate": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(200, 403, 404, 403, 404, anonymous=401),
    },
    "api:case-indication": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(400, 403, 404, 403, 404, anonymous=401),
    },
    "api:case-facts": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(400, 403, 404, 403, 404, anonymous=401),
    },
    "api:case-decision": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(403, 400, 404, 403, 404, anonymous=401),
    },
    "api:case-request-info": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(403, 400, 404, 403, 404, anonymous=401),
    },
    "api:case-return-to-nurse": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(403, 400, 404, 403, 404, anonymous=401),
    },
    "api:case-appeal": {
        "GET": _row(200, 200, 404, 200, 404, anonymous=401),
        "POST": _row(400, 400, 404, 403, 404, anonymous=401),
    },
    "api:case-appeal-decision": {
        "GET": _row(405, 405, 405, 405, 405, anonymous=401),
        "POST": _row(403, 400, 404, 403, 404, anonymous=401),
    },
    "api:letter": {"GET": _row(200, 200, 404, 200, 404, anonymous=401)},
    "api:letter-pdf": {"GET": _row(200, 200, 404, 200, 404, anonymous=401)},
    "api:nurse-queue": {"GET": _row(200, 403, 403, 403, 403, anonymous=401)},
    "api:renewal-list": {"GET": _row(200, 403, 403, 403, 403, anonymous=401)},
    "api:physician-queue": {"GET": _row(403, 200, 403, 403, 403, anonymous=401)},
    # The API's description is public; its browsable page is for staff.
    "api:schema": {"GET": _row(200, 200, 200, 200, 200, anonymous=200)},
    "api:docs": {"GET": _row(200, 200, 200, 200, 403)},
    "api:not-found": {"GET": _row(404, 404, 404, 404, 404, anonymous=404)},
}

# Every deny or decide endpoint: a nurse's POST is refused and changes nothing.
DECIDE_URLS = ("reviews:case-decide", "reviews:case-request-info")


# ---- the URL configuration ---------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    """(route, name) for every pattern, the admin's included; name is None if unnamed."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield route, name


def _is_admin(route: str) -> bool:
    return route.startswith("admin/")


def test_every_url_has_a_row():
    app = [(route, name) for route, name in _patterns() if not _is_admin(route)]
    unnamed = [route for route, name in app if name is None]
    assert not unnamed, f"Name these URL patterns and give them a row in EXPECTED: {unnamed}"
    names = {name for _, name in app}
    missing = sorted(names - EXPECTED.keys())
    assert not missing, (
        f"New URLs without an access decision: {missing}. Add a row to EXPECTED in "
        "tests/security/test_access_table.py saying what each role gets."
    )
    stale = sorted(EXPECTED.keys() - names)
    assert not stale, f"EXPECTED has rows for URLs that no longer exist: {stale}"


def test_the_admin_is_the_only_included_site():
    """Everything outside the table is under /admin/, whose access is tested as one class."""
    admin_routes = [route for route, _ in _patterns() if _is_admin(route)]
    assert admin_routes, "the admin's URLs were not found by the enumeration"


# ---- the world every row is requested against --------------------------------------------


@pytest.fixture
def world(kesimpta, nurse, nurse2, physician, examiner, private_storage):
    """One case per stage, built through the services, and everything their URLs name."""
    # In nurse review, claimed by the nurse, nothing answered.
    in_review = kesimpta_request(
        nurse,
        member_name="Rita Review",
        labs=[
            {"name": "Hemoglobin", "value": "13.5", "unit": "g/dL", "taken_on": date(2026, 1, 5)}
        ],
    )
    nurse_review.case_claim(case=in_review, nurse=nurse)
    # Escalated by another nurse, claimed by the physician, with a document and an offered
    # peer-to-peer conversation.
    escalated = escalated_case(
        kesimpta_request(nurse2, member_name="Peter Progressive"),
        nurse2,
        **{"PRE-1": "not_met", "1.A.i": "not_met"},
    )
    physician_review.case_claim_physician(case=escalated, physician=physician)
    document = document_for(escalated, user=physician)
    p2p = physician_review.peer_to_peer_offer(case=escalated, physician=physician)
    # Approved by a nurse, with its letter rendered.
    approved = kesimpta_request(nurse2, member_name="Anna Approved")
    determination = approved_case(approved, nurse2)
    letter_services.letter_render_pdf(letter_id=determination.letter.pk)
    assert Letter.objects.get(pk=determination.letter.pk).status == Letter.Status.RENDERED

    # A claim line against that authorization, pended for review (no JZ on a single-dose
    # product).
    line, _ = receive(examiner, claim_line_id="WORLD-1", modifiers=[])
    assert line.status == "pended_review"

    first_label = case_review_state(case=in_review).steps[0].node.label
    kesimpta_group = kesimpta.criteria.exclude(kind="leaf").exclude(parent=None).first()
    return {
        "login": [],
        "logout": [],
        "reviews:health": [],
        "home": [],
        "password_change": [],
        "password_change_done": [],
        "reviews:policy-list": [],
        "reviews:policy-version-detail": [kesimpta.pk],
        "reviews:policy-version-compare": [kesimpta.pk, kesimpta.pk],
        "reviews:policy-edit": [kesimpta.pk],
        "reviews:policy-edit-undo": [kesimpta.pk],
        # -- outline
        "reviews:policy-create": [],
        "reviews:policy-edit-check-words": [kesimpta.pk],
        "reviews:policy-edit-node": [kesimpta.pk, kesimpta_group.pk],
        "reviews:policy-edit-node-add": [kesimpta.pk, kesimpta_group.pk, "child"],
        "reviews:policy-edit-node-paste": [kesimpta.pk, kesimpta_group.pk],
        "reviews:policy-edit-node-move": [kesimpta.pk, kesimpta_group.pk],
        "reviews:policy-edit-node-delete": [kesimpta.pk, kesimpta_group.pk],
        # -- details, drugs, indications, lists
        "reviews:policy-edit-details": [kesimpta.pk],
        "reviews:policy-edit-drugs": [kesimpta.pk],
        "reviews:policy-edit-indications": [kesimpta.pk],
        "reviews:policy-edit-lists": [kesimpta.pk],
        "reviews:policy-edit-indication-add": [kesimpta.pk],
        "reviews:policy-edit-indication": [kesimpta.pk, kesimpta.indications.first().pk],
        "reviews:policy-edit-indication-delete": [kesimpta.pk, kesimpta.indications.first().pk],
        "reviews:policy-edit-list-add": [kesimpta.pk],
        "reviews:policy-edit-list": [kesimpta.pk, kesimpta.lists.first().pk],
        "reviews:policy-edit-list-delete": [kesimpta.pk, kesimpta.lists.first().pk],
        # -- test cases, preview
        "reviews:policy-edit-test-cases": [kesimpta.pk],
        "reviews:policy-edit-preview": [kesimpta.pk],
        "reviews:policy-edit-test-case-add": [kesimpta.pk],
        "reviews:policy-edit-test-case": [kesimpta.pk, kesimpta.test_cases.first().pk],
        "reviews:policy-edit-test-case-copy": [kesimpta.pk, kesimpta.test_cases.first().pk],
        "reviews:policy-edit-test-case-delete": [kesimpta.pk, kesimpta.test_cases.first().pk],
        # -- check, publish, import, export
        "reviews:policy-edit-publish": [kesimpta.pk],
        "reviews:policy-version-publish": [kesimpta.pk],
        "reviews:policy-version-clone": [kesimpta.pk],
        "reviews:policy-version-export": [kesimpta.pk],
        "reviews:policy-import": [],
        "reviews:case-list": [],
        "reviews:case-create": [],
        "reviews:case-detail": [escalated.pk],
        "reviews:case-record": [escalated.pk],
        "reviews:document-upload": [escalated.pk],
        "reviews:document-file": [escalated.pk, document.pk],
        "reviews:case-route": [escalated.pk],
        "reviews:nurse-queue": [],
        "reviews:case-claim": [in_review.pk],
        "reviews:case-review": [in_review.pk],
        "reviews:case-review-step": [in_review.pk, first_label],
        "reviews:case-review-summary": [in_review.pk],
        "reviews:case-approve-confirm": [in_review.pk],
        "reviews:case-approve": [in_review.pk],
        "reviews:case-escalate": [in_review.pk],
        "reviews:case-indication-choose": [in_review.pk],
        "reviews:case-facts": [in_review.pk],
        "reviews:case-fact-add": [in_review.pk, "lab"],
        "reviews:case-fact-correct": [in_review.pk, "lab", in_review.labs.get().pk],
        "reviews:case-measurements-correct": [in_review.pk],
        "reviews:physician-queue": [],
        "reviews:case-claim-physician": [escalated.pk],
        "reviews:case-decision": [escalated.pk],
        "reviews:case-decide": [escalated.pk, "deny"],
        "reviews:case-request-info": [escalated.pk],
        "reviews:case-return-to-nurse": [escalated.pk],
        "reviews:peer-to-peer-offer": [escalated.pk],
        "reviews:peer-to-peer-log": [escalated.pk, p2p.pk],
        "reviews:renewals": [],
        "reviews:case-continue": [approved.pk],
        "reviews:appeal-file": [escalated.pk],
        "reviews:letter-preview": [approved.pk],
        "reviews:letter-pdf": [approved.pk],
        "reviews:audit-search": [],
        "reviews:audit-export": [],
        "reviews:case-audit": [escalated.pk],
        "reviews:claim-line-list": [],
        "reviews:claim-line-create": [],
        "reviews:claim-line-detail": [line.pk],
        "reviews:claim-line-resolve": [line.pk],
        "api:claim-line-list": [],
        "api:claim-line-detail": [line.pk],
        "api:token": [],
        "api:policy-list": [],
        "api:policy-version": [kesimpta.pk],
        "api:case-list": [],
        "api:case-detail": [escalated.pk],
        "api:document-list": [escalated.pk],
        "api:document-detail": [escalated.pk, document.pk],
        "api:document-file": [escalated.pk, document.pk],
        "api:case-claim": [in_review.pk],
        "api:answer-list": [in_review.pk],
        "api:answer": [in_review.pk, first_label],
        "api:case-approve": [in_review.pk],
        "api:case-escalate": [in_review.pk],
        "api:case-indication": [in_review.pk],
        "api:case-facts": [in_review.pk],
        "api:case-decision": [escalated.pk],
        "api:case-request-info": [escalated.pk],
        "api:case-return-to-nurse": [escalated.pk],
        "api:case-appeal": [escalated.pk],
        "api:case-appeal-decision": [escalated.pk],
        "api:letter": [approved.pk],
        "api:letter-pdf": [approved.pk],
        "api:nurse-queue": [],
        "api:renewal-list": [],
        "api:physician-queue": [],
        "api:schema": [],
        "api:docs": [],
        "api:not-found": ["no/such/thing/"],
    }


def _fingerprint() -> tuple:
    """Everything a request could change in the cases' data, the audit trail included."""
    return (
        tuple(Case.objects.order_by("pk").values_list("pk", "status", "assignee_id")),
        CaseEvent.objects.count(),
        Determination.objects.count(),
        Letter.objects.count(),
        Document.objects.count(),
        tuple(CriterionAnswer.objects.order_by("pk").values_list("pk", "answer", "locked_at")),
        tuple(PeerToPeer.objects.order_by("pk").values_list("pk", "held_at")),
        InfoRequest.objects.count(),
        tuple(Appeal.objects.order_by("pk").values_list("pk", "outcome", "ire_required")),
        tuple(ClaimLine.objects.order_by("pk").values_list("pk", "status", "units_paid")),
        ClaimLineEvent.objects.count(),
    )


def _client(user, url: str):
    """A signed-in browser for pages; an API client with the user's token for the API."""
    if url.startswith("/api/v1/") and not url.startswith("/api/v1/docs/"):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _request(user, method: str, url: str):
    """One request as `user`, rolled back afterwards; returns (response, data changed?)."""
    client = _client(user, url)
    with transaction.atomic():
        before = _fingerprint()
        if method == "GET":
            response = client.get(url)
        elif method == "POST":
            response = client.post(url, {})
        else:  # PUT or DELETE (API only): an empty JSON object
            response = client.generic(method, url, "{}", content_type="application/json")
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a streamed body runs its queries now
        changed = _fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


def _problem(expected, response, changed: bool, url: str) -> str | None:
    status = response.status_code
    if expected == LOGIN:
        location = response.get("Location", "")
        if status != 302 or location != f"{reverse('login')}?next={quote(url)}":
            return f"expected 302 to login, got {status} {location}"
    elif expected == HEALTH:
        if status not in (200, 503) or response["Content-Type"] != "application/json":
            return f"expected 200/503 JSON, got {status} {response['Content-Type']}"
    elif status != expected:
        return f"expected {expected}, got {status}"
    refused = expected == LOGIN or expected in (401, 403, 404, 405, 409)
    if refused and changed:
        return f"refused with {status}, but the data changed"
    return None


# One test per role (the same rows, every URL), so the parallel workers share the table.
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_on_every_url(role, request, world):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    problems = []
    for name, methods in EXPECTED.items():
        url = reverse(name, args=world[name])
        for method, row in methods.items():
            assert set(row) == set(ROLES), f"{name} {method}: give every role an answer"
            for each, expected in row.items():
                if each != role:
                    continue
                response, changed = _request(user, method, url)
                problem = _problem(expected, response, changed, url)
                if problem:
                    problems.append(f"{method} {url} ({name}) as {role}: {problem}")
    assert not problems, "\n".join(problems)


def test_a_nurse_cannot_deny_or_decide_and_nothing_changes(world, client, nurse):
    client.force_login(nurse)
    case_id = world["reviews:case-decide"][0]
    before = _fingerprint()
    for decision in ("deny", "approve", "partial"):
        response = client.post(
            reverse("reviews:case-decide", args=[case_id, decision]),
            {
                f"{decision}-criteria": ["PRE-1"],
                f"{decision}-rationale": "The patient has primary progressive MS, not relapsing.",
            },
        )
        assert response.status_code == 403, decision
    for name in DECIDE_URLS[1:]:
        response = client.post(
            reverse(name, args=world[name]),
            {"info-missing": "The MRI report, please.", "info-wait_until": "2099-01-01T00:00"},
        )
        assert response.status_code == 403, name
    assert _fingerprint() == before
    assert not Determination.objects.filter(case_id=case_id).exists()
    assert Case.objects.get(pk=case_id).status == Case.Status.PHYSICIAN_REVIEW


def _approve_form(case) -> dict:
    default = physician_review.default_approval(case)
    return {
        "approve-approval_start": default["approval_start"].isoformat(),
        "approve-approval_end": default["approval_end"].isoformat(),
        "approve-authorized_doses": str(default["authorized_doses"]),
        "approve-rationale": "The new MRI shows relapsing disease.",
    }


def test_the_physician_who_denied_cannot_take_or_decide_its_appeal_whatever_is_forged(
    appeal, physician, client
):
    """The appeal's reviewer rule holds on every route a forged request could take: the
    pages' claim, decisions, information request and peer-to-peer, and the API's."""
    case = appeal.case
    client.force_login(physician)
    before = _fingerprint()
    forged = [
        (reverse("reviews:case-claim-physician", args=[case.pk]), {}),
        (reverse("reviews:case-decide", args=[case.pk, "approve"]), _approve_form(case)),
        (reverse("reviews:peer-to-peer-offer", args=[case.pk]), {}),
    ]
    for url, data in forged:
        assert client.post(url, data).status_code == 403, url
    api = _client(physician, "/api/v1/")
    for name, body in (
        ("api:case-appeal-decision", {"outcome": "overturned"}),
        ("api:case-decision", {"decision": "approve"}),
    ):
        response = api.post(reverse(name, args=[case.pk]), body, format="json")
        assert response.status_code == 403, (name, response.content)
    # Even with the case somehow assigned to them, no decision goes through.
    Case.objects.filter(pk=case.pk).update(status="physician_review", assignee=physician)
    before = _fingerprint()
    response = client.post(
        reverse("reviews:case-decide", args=[case.pk, "deny"]),
        {"deny-criteria": ["PRE-1"], "deny-rationale": "Upheld by the same physician, forged."},
    )
    assert response.status_code == 403
    response = api.post(
        reverse("api:case-appeal-decision", args=[case.pk]),
        {"outcome": "overturned"},
        format="json",
    )
    assert response.status_code == 403
    assert _fingerprint() == before
    assert not Determination.objects.filter(case=case).exists()


def test_a_physician_who_took_no_part_takes_and_decides_the_appeal(appeal, physician2, client):
    client.force_login(physician2)
    case = appeal.case
    response = client.post(reverse("reviews:case-claim-physician", args=[case.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("reviews:case-decide", args=[case.pk, "approve"]), _approve_form(case)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    appeal.refresh_from_db()
    assert appeal.outcome == "overturned"


# ---- the admin, as one class ---------------------------------------------------------------


def _admin_urls() -> list[str]:
    """A URL for every admin pattern, path parameters filled with an id that needs no object."""
    urls = []
    for route, name in _patterns():
        if not _is_admin(route) or name in ("admin:login", "admin:logout"):
            continue
        if name is None:  # the object redirect and the catch-all
            path = "/" + re.sub(r"<[^>]+>", "1", route.replace("(?P<url>.*)$", "no-such-page/"))
            urls.append(path)
        else:
            urls.append(_reverse_with_ids(name))
    assert None not in urls, "an admin URL could not be reversed; teach _reverse_with_ids"
    return urls


def _reverse_with_ids(name: str) -> str | None:
    for kwargs in (
        {},
        {"object_id": "1"},
        {"id": "1"},
        {"app_label": "reviews"},
        {"content_type_id": "1", "object_id": "1"},
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def test_admin_anonymous_is_sent_to_a_login_page_and_other_roles_are_told_why_not(
    client, nurse, physician, auditor, outsider
):
    urls = _admin_urls()
    assert reverse("admin:index") in urls and len(urls) > 10
    problems = []
    for user in (None, nurse, physician, auditor, outsider):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            location = response.get("Location", "")
            who = user.username if user else "anonymous"
            if user is not None:
                # Signed in without admin access: the app's 403, saying who may use it (not
                # Django's "log in as another user" page).
                if response.status_code != 403 or b"for policy admins only" not in (
                    response.content
                ):
                    problems.append(f"GET {url} as {who}: {response.status_code} {location}")
                continue
            # Anonymous: the site's login where LoginRequiredMiddleware acts first (model
            # pages), the admin's own login on the site-wide admin views, which Django marks
            # login_not_required.
            logins = [reverse("admin:login"), reverse("login")]
            if response.status_code != 302 or not any(
                location.startswith(f"{login}?next=") for login in logins
            ):
                problems.append(f"GET {url} as {who}: {response.status_code} {location}")
    assert not problems, "\n".join(problems)


def test_admin_login_page_refuses_a_signed_in_user_without_access(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("admin:login"))
    assert response.status_code == 403
    assert "Policy administration is for policy admins only." in response.content.decode()


def test_admin_login_page_is_public(client):
    assert client.get(reverse("admin:login")).status_code == 200


def test_admin_index_is_open_to_the_policy_admin(client, policy_admin, kesimpta):
    client.force_login(policy_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Policy versions" in response.content.decode()
    changelist = reverse("admin:reviews_policyversion_changelist")
    assert client.get(changelist).status_code == 200
