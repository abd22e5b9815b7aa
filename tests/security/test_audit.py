"""The audit trail: sign-ins, case views, append-only rows (model layer and PostgreSQL),
the auditor's search and CSV export."""

import csv
import io
import json

import pytest
from django.db import connection, transaction
from django.urls import reverse

from reviews.models import AccessEvent, CaseEvent
from tests import services_available
from tests.conftest import PASSWORD, require_service

pytestmark = pytest.mark.django_db


def test_sign_in_sign_out_and_failed_sign_in_are_recorded(client, nurse):
    client.post(reverse("login"), {"username": "nina", "password": "wrong-password"})
    client.post(reverse("login"), {"username": "nina", "password": PASSWORD})
    client.post(reverse("logout"))
    kinds = list(AccessEvent.objects.order_by("pk").values_list("kind", "username"))
    assert kinds == [("login_failed", "nina"), ("login", "nina"), ("logout", "nina")]
    assert AccessEvent.objects.filter(kind="login", user=nurse).exists()


def test_opening_a_case_is_audited_but_kept_out_of_the_timeline(client, nurse, auditor, clear_case):
    client.force_login(nurse)
    page = client.get(reverse("reviews:case-detail", args=[clear_case.pk])).content.decode()
    viewed = CaseEvent.objects.get(case=clear_case, kind="case_viewed")
    assert viewed.actor == nurse and viewed.payload == {"page": "case"}
    assert "case_viewed" not in page
    client.force_login(auditor)
    audit = client.get(reverse("reviews:case-audit", args=[clear_case.pk])).content.decode()
    assert "Case viewed" in audit and "(nina)" in audit


def test_the_model_layer_has_no_update_or_delete_path(clear_case):
    event = CaseEvent.objects.filter(case=clear_case).first()
    event.kind = "forged"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=clear_case).update(kind="forged")
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(case=clear_case).delete()
    access = AccessEvent.objects.create(kind="login", username="x")
    with pytest.raises(PermissionError):
        access.delete()
    assert CaseEvent.objects.filter(kind="forged").count() == 0


def test_postgresql_itself_refuses_to_change_audit_rows(clear_case):
    require_service(
        "PostgreSQL",
        services_available.postgres(),
        "set DATABASE_URL: the append-only trigger is PostgreSQL's",
    )
    event = CaseEvent.objects.filter(case=clear_case).first()
    for sql in (
        "UPDATE reviews_caseevent SET kind = 'forged' WHERE id = %s",
        "DELETE FROM reviews_caseevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).kind == event.kind


def test_audit_search_filters_and_roles(client, nurse, auditor, outsider, clear_case):
    client.force_login(nurse)
    client.get(reverse("reviews:case-detail", args=[clear_case.pk]))
    search = reverse("reviews:audit-search")
    assert client.get(search).status_code == 403
    client.force_login(outsider)
    assert client.get(search).status_code == 403
    assert client.get(reverse("reviews:case-audit", args=[clear_case.pk])).status_code == 404
    client.force_login(auditor)
    body = client.get(
        search, {"reference": clear_case.reference, "kind": "case_viewed", "username": "nina"}
    ).content.decode()
    assert clear_case.reference in body and "case_viewed" in body
    other = client.get(search, {"reference": "PA-1999-000000"}).content.decode()
    assert "No event matches." in other
    bad = client.get(search, {"date_from": "yesterday", "kind": "<script>"})
    assert bad.status_code == 200 and "No event matches." in bad.content.decode()
    assert client.post(search).status_code == 405


def test_csv_export_quotes_formula_like_cells(client, auditor, nurse, clear_case):
    from reviews.services.audit import case_view_record

    case_view_record(case=clear_case, actor=nurse, page='=HYPERLINK("http://x")')
    client.force_login(auditor)
    response = client.get(reverse("reviews:audit-export"), {"reference": clear_case.reference})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "time",
        "case",
        "actor",
        "actor_name",
        "kind",
        "event",
        "from_status",
        "to_status",
        "details",
    ]
    viewed = [row for row in rows if row[4] == "case_viewed"]
    assert viewed and viewed[0][2:6] == ["nina", "Nina Lopez, RN", "case_viewed", "Case viewed"]
    # The details are JSON a program can read back; a formula inside stays inside it.
    assert json.loads(viewed[0][8]) == {"page": '=HYPERLINK("http://x")'}
    assert all(json.loads(row[8]) is not None for row in rows[1:])
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_event_kinds_are_one_enum_the_database_enforces_and_the_search_lists(db, clear_case):
    from django.db import IntegrityError

    from reviews.selectors.audit import case_event_kinds

    assert case_event_kinds() == list(CaseEvent.Kind.choices)
    assert ("status", "Status changed") in case_event_kinds()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(case=clear_case, kind="made_up")
