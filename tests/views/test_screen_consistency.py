"""The same look everywhere: one date format, the current page marked, a colour per status that
can be read, the admin in the plan's time zone, and refusals that say what is wrong."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.template import Context, Template
from django.urls import reverse

from reviews.dates import screen_date, screen_moment
from reviews.models import Criterion, PolicyVersion
from reviews.models.choices import CaseStatus

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# ---- dates --------------------------------------------------------------------------------


def test_one_date_format_and_one_date_and_time_format():
    moment = datetime(2026, 3, 2, 19, 5, tzinfo=UTC)  # 14:05 in New York
    assert screen_date(date(2026, 3, 2)) == "Mar 2, 2026"
    assert screen_moment(moment) == "Mar 2, 2026, 14:05"
    rendered = Template('{{ d|date }} / {{ t|date:"DATETIME_FORMAT" }}').render(
        Context({"d": date(2026, 3, 2), "t": moment})
    )
    assert rendered == "Mar 2, 2026 / Mar 2, 2026, 14:05"


def test_no_template_writes_its_own_date_format():
    """Templates say `|date` or `|date:"DATETIME_FORMAT"`; the format is one setting."""
    own = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "letters" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for fmt in re.findall(r'\|date:"([^"]*)"', line):
                if fmt not in {"DATETIME_FORMAT", "c"}:
                    own.append(f"{path.relative_to(ROOT)}:{number}: {fmt}")
    assert own == []


def test_case_pages_show_the_screen_format(client, nurse, clear_case):
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-detail", args=[clear_case.pk])).content.decode()
    assert screen_date(clear_case.member_dob) in body
    assert screen_moment(clear_case.due_at) in body
    assert f"{clear_case.member_dob:%Y-%m-%d}" not in body


# ---- navigation ---------------------------------------------------------------------------


def test_the_navigation_marks_the_current_page(client, nurse):
    client.force_login(nurse)
    body = client.get(reverse("reviews:case-list")).content.decode()
    current = re.findall(r'<a class="nav-link active" aria-current="page" href="([^"]+)"', body)
    assert current == [reverse("reviews:case-list")]
    body = client.get(reverse("home")).content.decode()
    current = re.findall(r'aria-current="page" href="([^"]+)"', body)
    assert current == [reverse("home")]


# ---- status colours -----------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_each_status_has_its_own_colour_readable_with_white_text():
    css = (ROOT / "static" / "css" / "app.css").read_text()
    colours = {}
    for status in CaseStatus.values:
        found = re.search(rf"\.status-{status} \{{ background: (#[0-9a-f]{{6}}); \}}", css)
        assert found, f"no colour for status {status}"
        colours[status] = found.group(1)
    assert len(set(colours.values())) == len(colours), colours
    for status, colour in colours.items():
        contrast = 1.05 / (_luminance(colour) + 0.05)
        assert contrast >= 4.5, f"{status} {colour}: {contrast:.2f}:1"


# ---- the admin ----------------------------------------------------------------------------


def test_admin_says_the_plan_time_zone_once_and_hides_the_server_time_warning(
    client, policy_admin, kesimpta
):
    client.force_login(policy_admin)
    version = PolicyVersion.objects.first()
    body = client.get(
        reverse("admin:reviews_policyversion_change", args=[version.pk])
    ).content.decode()
    assert "Dates and times are in the plan's time zone, America/New_York." in body
    assert "css/admin.css" in body
    css = (ROOT / "static" / "css" / "admin.css").read_text()
    assert ".timezonewarning { display: none; }" in css


# ---- wrong role ---------------------------------------------------------------------------


def test_a_physician_comparing_versions_is_told_only_policy_admins_compare(
    client, physician, kesimpta
):
    version = PolicyVersion.objects.first()
    client.force_login(physician)
    response = client.get(reverse("reviews:policy-version-compare", args=[version.pk, version.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Only policy admins compare policy versions." in body
    assert "Physician reviewer" in body  # the page says who they are signed in as


def test_an_auditor_opening_the_admin_gets_the_apps_403(client, auditor):
    client.force_login(auditor)
    response = client.get("/admin/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Policy administration is for policy admins only." in body
    assert "log in to a different account" not in body.lower()
    assert 'class="app-navbar' in body or "app-navbar" in body  # the app's page, not Django's


# ---- the footnote marker ------------------------------------------------------------------


def test_the_footnote_migration_drops_a_pdf_marker_and_nothing_else(kesimpta):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reviews.migrations.0025_criterion_note_footnote_markers")
    marked = Criterion.objects.filter(note__endswith=").").first()
    assert marked is not None
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:  # the version is published: its rows are locked
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE reviews_criterion DISABLE TRIGGER reviews_criterion_locked")
        Criterion.objects.filter(pk=marked.pk).update(note=marked.note + "2")
        if postgres:
            cursor.execute("ALTER TABLE reviews_criterion ENABLE TRIGGER reviews_criterion_locked")
    other = Criterion.objects.exclude(pk=marked.pk).exclude(note="").first()
    before = other.note
    # Not entered as a context: SQLite refuses one inside the test's transaction, and the
    # migration only asks the editor for its connection (and runs SQL on PostgreSQL).
    migration.forwards(apps, connection.schema_editor())
    marked.refresh_from_db()
    other.refresh_from_db()
    assert marked.note.endswith(").") and other.note == before
