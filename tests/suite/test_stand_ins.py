"""The suite's own machinery: the fast stand-ins stay test-only and are switched off where
the real thing is under test, the shared parsed policy is never changed, the builders build
what they say, and each parallel worker has its own database."""

import io
import os

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from pypdf import PdfReader

from reviews.engine import document
from reviews.models import Case, CriterionAnswer, Letter
from reviews.services import letters
from tests.builders import OVERRIDE_COMMENT, approved_case, escalated_case, step_answers
from tests.config.test_settings import _settings_value
from tests.policy_fixtures import KESIMPTA_FILE
from tests.review_fixtures import JUDGED_INITIAL, kesimpta_request

pytestmark = pytest.mark.django_db


# ---- passwords --------------------------------------------------------------------------------


def test_fixture_users_are_hashed_with_the_fast_hasher(nurse):
    assert nurse.password.startswith("md5$")


@pytest.mark.real_password_hasher
def test_the_marker_hashes_as_production_does(nurse):
    assert nurse.password.startswith("pbkdf2_sha256$")


def test_production_still_hashes_with_pbkdf2():
    hasher = _settings_value("settings.PASSWORD_HASHERS[0]")
    assert hasher == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "MD5" not in _settings_value("settings.PASSWORD_HASHERS")


# ---- letters' PDFs ----------------------------------------------------------------------------


def test_letters_render_through_the_recorder(clear_case, nurse, private_storage, pdf_renders):
    letter = approved_case(clear_case, nurse).letter
    rendered = letters.letter_render_pdf(letter_id=letter.pk)
    assert rendered.status == Letter.Status.RENDERED
    assert pdf_renders == [letter.html]
    with default_storage.open(rendered.storage_name, "rb") as handle:
        assert len(PdfReader(io.BytesIO(handle.read())).pages) == 1


@pytest.mark.real_pdf
def test_the_marker_renders_with_weasyprint(pdf_renders):
    assert pdf_renders is None
    assert letters._pdf.__module__ == "reviews.services.letters"


# ---- the policy parsed once -------------------------------------------------------------------


def test_each_test_loads_a_copy_of_the_parsed_policy(kesimpta_document, monkeypatch, db):
    # A loader that changes what it is given must not change the session's parsed document.
    from tests import policy_fixtures

    real_load = policy_fixtures.policy_load

    def load_and_scribble(*, doc, **kwargs):
        loaded = real_load(doc=doc, **kwargs)
        doc["version"]["overview"] = "Changed by this test."
        doc["version"]["criteria"]["children"].clear()
        return loaded

    monkeypatch.setattr(policy_fixtures, "policy_load", load_and_scribble)
    policy_fixtures.load_parsed(kesimpta_document)
    assert kesimpta_document == document.parse(KESIMPTA_FILE.read_text(encoding="utf-8"))


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_gets_the_policy_after_the_flush(kesimpta, nurse):
    assert kesimpta.status == "published"
    assert kesimpta_request(nurse).policy_version == kesimpta


# ---- builders -----------------------------------------------------------------------------


def test_step_answers_take_overrides_then_judged_answers_then_suggestions(clear_case):
    answers = step_answers(clear_case, **{"PRE-1": "not_met"})
    assert answers["PRE-1"] == "not_met"
    assert {k: v for k, v in answers.items() if k in JUDGED_INITIAL and k != "PRE-1"} == {
        k: v for k, v in JUDGED_INITIAL.items() if k != "PRE-1"
    }
    assert all(answers.values())


def test_an_escalated_case_is_in_the_physician_queue_with_its_overrides_explained(
    clear_case, nurse
):
    case = escalated_case(clear_case, nurse, **{"PRE-1": "not_met"})
    assert case is clear_case and case.status == Case.Status.PHYSICIAN_QUEUE
    answer = CriterionAnswer.objects.get(case=case, criterion__label="PRE-1")
    assert (answer.answer, answer.comment) == ("not_met", OVERRIDE_COMMENT)


# ---- parallel workers ---------------------------------------------------------------------


def test_each_xdist_worker_has_its_own_test_database():
    name = str(connection.settings_dict["NAME"])
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        assert name.endswith(f"_{worker}"), name
    elif connection.vendor == "sqlite":
        assert name == settings.DATABASES["default"]["TEST"]["NAME"]
