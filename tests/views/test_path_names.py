"""The screens name the request paths and the drug as the pinned version does."""

import copy
from datetime import date

import pytest
from django.urls import reverse

from reviews.engine import document
from reviews.policy_documents import version_document
from reviews.services import nurse_review
from reviews.services.policies import policy_load
from tests.review_fixtures import kesimpta_request

pytestmark = pytest.mark.django_db


def renamed(kesimpta_document, **paths):
    doc = copy.deepcopy(kesimpta_document)
    if paths:
        doc["version"]["paths"] = paths
    else:
        del doc["version"]["paths"]
    return document.normalize(doc)


@pytest.fixture
def named(db, kesimpta_document):
    version, _ = policy_load(
        doc=renamed(kesimpta_document, initial="First course", continuation="Renewal")
    )
    return version


def pages(client, case):
    detail = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    step = client.get(reverse("reviews:case-review-step", args=[case.pk, "PRE-1"]))
    return detail, step.content.decode()


@pytest.mark.parametrize(
    "request_type,name", [("initial", "First course"), ("continuation", "Renewal")]
)
def test_the_case_pages_use_the_versions_path_names(client, nurse, named, request_type, name):
    extra = {}
    if request_type == "continuation":
        extra = {"therapy_start_date": date(2024, 1, 1)}
    case = kesimpta_request(nurse, request_type=request_type, drug_name="ofatumumab.", **extra)
    nurse_review.case_claim(case=case, nurse=nurse)
    client.force_login(nurse)
    detail, step = pages(client, case)
    assert name in detail and name in step
    assert "1.A)" not in step and "1.B)" not in step
    assert "Kesimpta (ofatumumab)" in detail
    assert "requested as “ofatumumab.”" in detail
    queue = client.get(reverse("reviews:nurse-queue")).content.decode()
    assert name in queue and "Kesimpta (ofatumumab)" in queue


def test_a_version_without_path_names_uses_neutral_words(client, nurse, kesimpta_document):
    version, _ = policy_load(doc=renamed(kesimpta_document))
    assert version.path_names == document.DEFAULT_PATH_NAMES
    case = kesimpta_request(nurse)
    nurse_review.case_claim(case=case, nurse=nurse)
    client.force_login(nurse)
    detail, step = pages(client, case)
    assert "Initial request" in detail and "Initial request" in step
    exported = document.dump(version_document(version))
    assert "paths:" not in exported  # the defaults are not written out


def test_the_policy_page_names_the_drugs_and_paths(client, nurse, named):
    client.force_login(nurse)
    page = client.get(reverse("reviews:policy-version-detail", args=[named.pk])).content.decode()
    assert "Kesimpta (ofatumumab) · HCPCS J3490" in page
    assert "First course; Renewal" in page
    assert '<span class="badge text-bg-info">Renewal</span>' in page
