"""Case pages, each through the view checklist of the style guide: it works; wrong method
405; wrong role 403; outsider 404; the side effects happened."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reviews import tasks
from reviews.models import Case, CaseEvent, Document, StagedUpload
from reviews.services import documents as document_services
from tests.factories import (
    ELF_EXECUTABLE,
    KESIMPTA_FORM_ROWS,
    VALID_NPI,
    CaseFactory,
    document_for,
    pdf_bytes,
    png_bytes,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def sent(monkeypatch):
    """What would go to the broker, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(
        tasks.document_extract_text,
        "apply_async",
        lambda kwargs=None, **opts: calls.append(kwargs),  # what the outbox sends
    )
    return calls


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# ---- the case list --------------------------------------------------------------------------


def test_list_shows_cases_soonest_due_first_with_time_left(client, nurse, kesimpta):
    now = timezone.now()
    later = CaseFactory(reference="PA-2026-000002", due_at=now + timedelta(days=3))
    sooner = CaseFactory(
        reference="PA-2026-000001", due_at=now + timedelta(hours=5), policy_version=kesimpta
    )
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-list")).content.decode()
    assert page.index(sooner.reference) < page.index(later.reference)
    assert "2020910 v1" in page and "Not in policy" in page
    assert "hours" in page and "left" in page


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("PA-2026-000777", "A"),
        ("pa-2026-000777", "A"),
        ("2026-777", "A"),
        ("MBR-42", "B"),
        ("mbr-4", "B"),
        ("alvarez", "A"),
        ("Nguyen", "B"),
    ],
)
def test_list_searches_by_reference_member_id_and_name(client, nurse, q, found):
    cases = {
        "A": CaseFactory(reference="PA-2026-000777", member_name="Maria Alvarez", member_id="X1"),
        "B": CaseFactory(
            reference="PA-2026-000778", member_name="Thomas Nguyen", member_id="MBR-42"
        ),
    }
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-list"), {"q": q})
    assert list(response.context["page"].object_list) == [cases[found]]


def test_an_invalid_search_lists_nothing_and_says_why(client, nurse):
    CaseFactory(member_name="Maria Alvarez")
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-list"), {"q": "x" * 101, "status": "nonsense"})
    assert response.status_code == 400
    assert not response.context["page"].object_list
    page = response.content.decode()
    assert "Maria Alvarez" not in page
    assert "at most 100 characters" in page
    assert "Select a valid choice" in page


def test_list_filters_by_status(client, nurse):
    CaseFactory(status=Case.Status.NURSE_REVIEW)
    queued = CaseFactory(status=Case.Status.PHYSICIAN_QUEUE)
    client.force_login(nurse)
    response = client.get(reverse("reviews:case-list"), {"status": "physician_queue"})
    assert list(response.context["page"].object_list) == [queued]


def test_list_is_paginated_and_its_query_count_is_pinned(
    client, nurse, kesimpta, django_assert_num_queries
):
    CaseFactory.create_batch(30, policy_version=kesimpta)
    client.force_login(nurse)
    url = reverse("reviews:case-list")
    # Session, user, permissions (the user's and their roles' in one), count, the user's groups
    # (nav), the page of cases with their policy versions in one join, and the session's
    # renewal (a savepoint, the update, its release): 9, however many cases there are.
    with django_assert_num_queries(9):
        first = client.get(url)
    assert len(first.context["page"].object_list) == 25
    with django_assert_num_queries(9):
        second = client.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_list_is_get_only(client, nurse):
    client.force_login(nurse)
    assert client.post(reverse("reviews:case-list")).status_code == 405


@pytest.mark.parametrize("who", ["policy_admin", "outsider"])
def test_list_is_forbidden_without_view_cases(client, request, who):
    # No case is named, so there is nothing to hide: a 403, not a 404.
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:case-list")).status_code == 403


def test_list_needs_a_login(client):
    response = client.get(reverse("reviews:case-list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# ---- intake ---------------------------------------------------------------------------------


def intake(**changes):
    data = {
        "member_name": "Maria Alvarez",
        "member_id": "M123",
        "member_dob": "1988-04-12",
        "prescriber_name": "Dr. Elena Marsh",
        "prescriber_npi": VALID_NPI,
        "prescriber_specialty": "Neurology",
        "diagnosis_codes": "G35.A",
        "drug_name": "Kesimpta",
        "hcpcs_code": "J3490",
        **KESIMPTA_FORM_ROWS,
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "received_at": "",
        "document_kind": "clinical_note",
        "meds-TOTAL_FORMS": "2",
        "meds-INITIAL_FORMS": "0",
        "meds-0-name": "Tecfidera",
        "meds-0-plan": "stops",
        "meds-0-stop_date": "2026-12-31",
        "meds-1-name": "",
        "meds-1-plan": "continues",
        "meds-1-stop_date": "",
        **FACT_ROWS_NONE,
    }
    data.update(changes)
    return data


# The intake page's fact rows, none filled.
FACT_ROWS_NONE = {
    f"{prefix}-{name}": "0"
    for prefix in ("labs", "therapies", "events")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.mark.parametrize("who", ["nurse", "physician"])
def test_intake_form_renders_for_intake_staff(client, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("reviews:case-create")).content.decode()
    for heading in (
        "Member",
        "Prescriber",
        "Diagnosis and drug",
        "Requested regimen",
        "Current medications",
        "Request",
        "Documents",
    ):
        assert f"<legend>{heading}</legend>" in page or f">{heading}</legend>" in page
    assert 'name="meds-5-name"' in page  # fixed rows: no JavaScript needed
    assert '<datalist id="specialty-list">' in page
    assert 'enctype="multipart/form-data"' in page


def test_intake_creates_the_case_with_documents_and_queues_extraction_after_commit(
    client, nurse, kesimpta, sent, django_capture_on_commit_callbacks
):
    client.force_login(nurse)
    files = [upload("note.pdf", pdf_bytes(["Neurology note"])), upload("virus.pdf", ELF_EXECUTABLE)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reviews:case-create"), intake(documents=files))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:case-detail", args=[case.pk])
    assert case.status == Case.Status.NURSE_REVIEW and case.policy_version == kesimpta
    assert [m.name for m in case.medications.all()] == ["Tecfidera"]
    assert list(case.events.values_list("kind", flat=True).order_by("pk")) == [
        "received",
        "indication_chosen",
        "status",
        "document_added",
        "documents_rejected",
    ]
    document = case.documents.get()
    assert document.original_name == "note.pdf"
    assert len(callbacks) == 1 and sent == [{"document_id": document.pk}]
    shown = messages_of(response)
    assert any(case.reference in m for m in shown)
    assert any(m.startswith("virus.pdf was not added: its content is a program") for m in shown)


def test_intake_of_a_drug_without_a_policy_lands_in_the_physician_queue(client, nurse):
    client.force_login(nurse)
    client.post(reverse("reviews:case-create"), intake(drug_name="Ocrevus", hcpcs_code="J2350"))
    case = Case.objects.get()
    assert case.not_in_policy and case.status == Case.Status.PHYSICIAN_QUEUE


def test_intake_with_bad_values_shows_them_at_their_fields(client, nurse):
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-create"),
        intake(
            prescriber_npi="1234567890",
            diagnosis_codes="G35",
            member_dob="2099-01-01",
            **{"meds-0-stop_date": ""},
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a valid NPI" in page
    assert "G35 is not billable" in page and "G35.A" in page
    assert "date of birth is in the future" in page
    assert "On what date does Tecfidera stop?" in page
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"prescriber_specialty": "Family medicine"},  # no consultation given
        {"prescriber_specialty": "Pediatric Neurology"},
        {"prescriber_specialty": "Neurology", "prescriber_credential": "np"},
        {"prescriber_specialty": "Internal medicine", "consulting_specialty": "Neurology"},
    ],
)
def test_intake_takes_every_prescriber_and_starts_the_clock(client, nurse, kesimpta, changes):
    # Whether the prescriber is a specialist, or consulted one, is a criterion for review.
    client.force_login(nurse)
    response = client.post(reverse("reviews:case-create"), intake(**changes))
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get()
    assert case.status == Case.Status.NURSE_REVIEW and case.due_at
    for name, value in changes.items():
        assert getattr(case, name) == value
    queue = client.get(reverse("reviews:nurse-queue")).content.decode()
    assert case.reference in queue


def test_the_case_page_shows_the_credential_and_a_partial_consultation(client, nurse, kesimpta):
    client.force_login(nurse)
    client.post(
        reverse("reviews:case-create"),
        intake(
            prescriber_credential="np", prescriber_specialty="Neurology", consulting_name="Dr. Chen"
        ),
    )
    case = Case.objects.get()
    page = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    assert "Dr. Elena Marsh, NP (nurse practitioner), Neurology" in page
    assert "In consultation with Dr. Chen" in page


def test_the_timeline_names_the_indication_chosen_at_intake(client, nurse, kesimpta):
    client.force_login(nurse)
    client.post(reverse("reviews:case-create"), intake())
    case = Case.objects.get()
    event = case.events.get(kind="indication_chosen")
    name, reason = event.payload["name"], event.payload["reason"]
    assert case.indication and name and reason
    page = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    shown = f"Indication chosen: <strong>{name}</strong> (from the diagnosis codes). {reason}"
    assert shown in page
    # The request panel names it too.
    panel = '<dt class="col-sm-4">Indication</dt>\n          <dd class="col-sm-8">'
    assert f"{panel}{name}<br>" in page


def test_the_request_panel_says_when_the_indication_is_not_chosen(client, nurse, kesimpta):
    case = CaseFactory(policy_version=kesimpta, diagnosis_codes=["G70.00"])
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    assert "Not chosen yet: the nurse chooses it before the criteria" in page


def test_the_specialty_list_offers_specialties_not_roles(client, nurse):
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-create")).content.decode()
    assert '<option value="Neurology">' in page
    assert '<option value="Pediatric neurology">' in page
    assert "primary care)" not in page and "Nurse practitioner (" not in page
    assert 'name="prescriber_credential"' in page


# ---- files kept across a refused intake ------------------------------------------------------


def staged_tokens(response) -> list[str]:
    return [s.token for s in response.context["staged"]]


def test_files_are_kept_after_an_error_and_attached_on_the_corrected_submit(
    client, nurse, kesimpta, sent
):
    client.force_login(nurse)
    files = [
        upload("note.pdf", pdf_bytes(["Neurology note"])),
        upload("scan.png", png_bytes()),
        upload("virus.pdf", ELF_EXECUTABLE),
    ]
    refused = client.post(
        reverse("reviews:case-create"), intake(prescriber_npi="1234567890", documents=files)
    )
    assert refused.status_code == 400 and not Case.objects.exists()
    page = refused.content.decode()
    assert "Kept from your last attempt" in page
    assert "note.pdf" in page and "scan.png" in page
    assert "virus.pdf was not added: its content is a program" in page  # at the files field
    tokens = staged_tokens(refused)
    assert len(tokens) == 2
    for token in tokens:
        assert f'name="staged" value="{token}"' in page
        assert f'name="staged_remove" value="{token}"' in page

    response = client.post(
        reverse("reviews:case-create"),
        intake(staged=tokens, staged_remove=[tokens[1]]),  # scan.png removed
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert [d.original_name for d in case.documents.all()] == ["note.pdf"]
    assert case.documents.get().content_type == "application/pdf"
    assert not StagedUpload.objects.exists()


def test_staged_files_survive_a_second_error(client, nurse, kesimpta):
    client.force_login(nurse)
    first = client.post(
        reverse("reviews:case-create"),
        intake(member_id="", documents=[upload("note.pdf", pdf_bytes(["Note"]))]),
    )
    second = client.post(
        reverse("reviews:case-create"),
        intake(member_dob="2099-01-01", staged=staged_tokens(first)),
    )
    assert second.status_code == 400
    assert staged_tokens(second) == staged_tokens(first)
    assert "note.pdf" in second.content.decode()


def test_another_users_staged_file_cannot_be_used(client, nurse, nurse2, kesimpta):
    client.force_login(nurse2)
    theirs = client.post(
        reverse("reviews:case-create"),
        intake(member_id="", documents=[upload("note.pdf", pdf_bytes(["Note"]))]),
    )
    token = staged_tokens(theirs)[0]
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:case-create"),
        intake(staged=[token, "made-up"], staged_remove=[token]),  # neither used nor removed
    )
    assert response.status_code == 302
    assert not Case.objects.get(created_by=nurse).documents.exists()
    assert StagedUpload.objects.filter(token=token, user=nurse2).exists()


def test_stale_staged_files_are_purged(
    client, nurse, kesimpta, private_storage, django_capture_on_commit_callbacks
):
    client.force_login(nurse)
    refused = client.post(
        reverse("reviews:case-create"),
        intake(member_id="", documents=[upload("note.pdf", pdf_bytes(["Note"]))]),
    )
    staged = StagedUpload.objects.get()
    assert (private_storage / staged.storage_name).exists()
    StagedUpload.objects.update(created_at=timezone.now() - timedelta(days=2))
    # A stale token names nothing, and the next staging deletes the old row and its file.
    response = client.post(reverse("reviews:case-create"), intake(staged=staged_tokens(refused)))
    assert response.status_code == 302 and not Case.objects.get().documents.exists()
    with django_capture_on_commit_callbacks(execute=True):
        document_services.staged_uploads_purge_stale()
    assert not StagedUpload.objects.exists()
    assert not (private_storage / staged.storage_name).exists()


def test_intake_is_get_or_post_only(client, nurse):
    client.force_login(nurse)
    assert client.put(reverse("reviews:case-create")).status_code == 405


@pytest.mark.parametrize("who", ["auditor", "policy_admin", "outsider"])
def test_intake_is_forbidden_without_intake_case(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:case-create")).status_code == 403
    assert client.post(reverse("reviews:case-create"), intake()).status_code == 403
    assert not Case.objects.exists()


# ---- the case page --------------------------------------------------------------------------


def test_case_page_shows_the_request_documents_preview_and_timeline(client, nurse, kesimpta):
    case = CaseFactory(
        member_dob=timezone.localdate().replace(year=2000),
        member_name="Ana Ruiz",
        policy_version=kesimpta,
        urgency=Case.Urgency.EXPEDITED,
    )
    pdf = document_for(case, user=nurse, name="mri.pdf")
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    age = timezone.localdate().year - 2000
    assert f"{age} years old</strong> on the request date" in page
    assert "Kesimpta" in page and "Initial" in page and "Expedited" in page
    assert "Decision due" in page and "left" in page
    assert "version 1" in page and "2020910" in page
    file_url = reverse("reviews:document-file", args=[case.pk, pdf.pk])
    assert f'<iframe class="preview-frame" src="{file_url}"' in page
    assert f'href="{file_url}" target="_blank"' in page
    assert "Document added: mri.pdf" in page
    assert 'action="{}"'.format(reverse("reviews:document-upload", args=[case.pk])) in page


def test_case_page_previews_an_image_with_img(client, nurse):
    case = CaseFactory()
    image = document_for(case, user=nurse, content=png_bytes(), name="scan.png")
    client.force_login(nurse)
    url = reverse("reviews:case-detail", args=[case.pk])
    page = client.get(url, {"preview": image.pk}).content.decode()
    assert (
        '<img class="preview-image" src="{}"'.format(
            reverse("reviews:document-file", args=[case.pk, image.pk])
        )
        in page
    )


def test_case_page_says_not_in_policy(client, nurse):
    case = CaseFactory()
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[case.pk])).content.decode()
    assert "Not in policy" in page and "reviewed case by case" in page


def test_an_auditor_reads_the_case_but_gets_no_upload_form(client, auditor):
    case = CaseFactory()
    client.force_login(auditor)
    response = client.get(reverse("reviews:case-detail", args=[case.pk]))
    assert response.status_code == 200
    assert "Add documents" not in response.content.decode()


def test_case_page_is_get_only(client, nurse):
    case = CaseFactory()
    client.force_login(nurse)
    assert client.post(reverse("reviews:case-detail", args=[case.pk])).status_code == 405


@pytest.mark.parametrize("who", ["outsider", "policy_admin"])
def test_case_page_is_404_without_view_cases(client, request, who):
    case = CaseFactory()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:case-detail", args=[case.pk])).status_code == 404


def test_an_unknown_case_is_404(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("reviews:case-detail", args=[999999])).status_code == 404


# ---- document upload ------------------------------------------------------------------------


def test_upload_adds_documents_records_events_and_queues_after_commit(
    client, nurse, sent, django_capture_on_commit_callbacks
):
    case = CaseFactory()
    client.force_login(nurse)
    url = reverse("reviews:document-upload", args=[case.pk])
    files = [
        upload("a.pdf", pdf_bytes(["A"])),
        upload("b.png", png_bytes()),
        upload("empty.pdf", b""),
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, {"files": files, "kind": "mri_report"})
        assert response.status_code == 302
    assert sorted(case.documents.values_list("original_name", "kind")) == [
        ("a.pdf", "mri_report"),
        ("b.png", "mri_report"),
    ]
    assert len(callbacks) == 1 and sent == [
        {"document_id": case.documents.get(original_name="a.pdf").pk}
    ]
    assert case.events.filter(kind="document_added").count() == 2
    shown = messages_of(response)
    assert "Added 2 document(s): a.pdf, b.png." in shown
    assert "empty.pdf was not added: the file is empty." in shown


def test_upload_of_the_same_file_again_says_so(client, nurse):
    case = CaseFactory()
    content = pdf_bytes(["A"])
    document_for(case, user=nurse, content=content, name="a.pdf")
    client.force_login(nurse)
    response = client.post(
        reverse("reviews:document-upload", args=[case.pk]),
        {"files": [upload("copy.pdf", content)], "kind": "other"},
    )
    assert any("same file as a.pdf" in m for m in messages_of(response))
    assert case.documents.count() == 1


def test_upload_without_files_is_a_400_with_a_message(client, nurse):
    case = CaseFactory()
    client.force_login(nurse)
    response = client.post(reverse("reviews:document-upload", args=[case.pk]), {"kind": "other"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_upload_is_post_only(client, nurse):
    case = CaseFactory()
    client.force_login(nurse)
    assert client.get(reverse("reviews:document-upload", args=[case.pk])).status_code == 405


def test_upload_is_forbidden_to_a_reader(client, auditor):
    case = CaseFactory()
    client.force_login(auditor)
    response = client.post(
        reverse("reviews:document-upload", args=[case.pk]),
        {"files": [upload("a.pdf", pdf_bytes(["A"]))], "kind": "other"},
    )
    assert response.status_code == 403
    assert not Document.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "policy_admin"])
def test_upload_is_404_without_view_cases(client, request, who):
    case = CaseFactory()
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("reviews:document-upload", args=[case.pk]),
        {"files": [upload("a.pdf", pdf_bytes(["A"]))], "kind": "other"},
    )
    assert response.status_code == 404
    assert not Document.objects.exists()


# ---- the document file ----------------------------------------------------------------------


def test_file_is_served_inline_with_the_sniffed_type_and_the_view_recorded(client, nurse, auditor):
    case = CaseFactory()
    content = png_bytes()
    document = document_for(case, user=nurse, content=content, name="looks-like.pdf")
    client.force_login(auditor)
    response = client.get(reverse("reviews:document-file", args=[case.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "looks-like.pdf" in response["Content-Disposition"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the case page previews it in a frame
    assert "no-store" in response["Cache-Control"]
    event = CaseEvent.objects.get(kind="document_viewed")
    assert event.actor == auditor and event.payload["document_id"] == document.pk


def test_file_download_is_an_attachment_and_recorded_as_such(client, nurse):
    case = CaseFactory()
    document = document_for(case, user=nurse)
    client.force_login(nurse)
    url = reverse("reviews:document-file", args=[case.pk, document.pk])
    response = client.get(url, {"download": "1"})
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert CaseEvent.objects.filter(kind="document_downloaded", actor=nurse).count() == 1


def test_file_is_get_only(client, nurse):
    case = CaseFactory()
    document = document_for(case, user=nurse)
    client.force_login(nurse)
    url = reverse("reviews:document-file", args=[case.pk, document.pk])
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("who", ["outsider", "policy_admin"])
def test_file_is_404_without_view_cases_and_nothing_is_recorded(client, request, nurse, who):
    case = CaseFactory()
    document = document_for(case, user=nurse)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("reviews:document-file", args=[case.pk, document.pk]))
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(kind__startswith="document_viewed").exists()


def test_file_needs_a_login(client, nurse):
    case = CaseFactory()
    document = document_for(case, user=nurse)
    response = client.get(reverse("reviews:document-file", args=[case.pk, document.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_document_is_only_reachable_through_its_own_case(client, nurse):
    case, other = CaseFactory(), CaseFactory()
    document = document_for(case, user=nurse)
    client.force_login(nurse)
    response = client.get(reverse("reviews:document-file", args=[other.pk, document.pk]))
    assert response.status_code == 404


def test_the_case_pages_query_count_is_pinned(client, nurse, kesimpta, django_assert_num_queries):
    """The case page reads a decision and an appeal once each, and nothing it cannot have:
    an open case's page looks for no appeal against it (there is no decision to appeal)."""
    from tests.builders import approved_case
    from tests.review_fixtures import kesimpta_request

    open_case = kesimpta_request(nurse, member_id="M0000011")
    decided = approved_case(kesimpta_request(nurse, member_id="M0000012"), nurse).case
    client.force_login(nurse)
    client.get(reverse("reviews:case-detail", args=[open_case.pk]))  # the version parsed
    # Session, user, permissions (1), the session's renewal (3), the case with its facts (5),
    # the view's audit row, documents, timeline (a physician's return is looked for among its
    # events), the decision, whether this case decides an appeal, who entered the case, the
    # nav's groups and the indications.
    with django_assert_num_queries(19):
        client.get(reverse("reviews:case-detail", args=[open_case.pk]))
    # Decided (28): also its continuations (2), the appeal against it, the units panel's
    # balance, version and claim lines, the answers, the decider and the letter.
    with django_assert_num_queries(28):
        response = client.get(reverse("reviews:case-detail", args=[decided.pk]))
    assert response.status_code == 200
