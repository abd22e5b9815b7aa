"""The same look everywhere: one date format, the current page marked, a colour per status that
can be read, the admin in the plan's time zone, and refusals that say what is wrong."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.template import Context, Template
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

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
    rendered = Template("{{ d|day }} / {{ t|moment }} / {{ t|day }}").render(
        Context({"d": date(2026, 3, 2), "t": moment})
    )
    assert rendered == "Mar 2, 2026 / Mar 2, 2026, 14:05 / Mar 2, 2026"


def test_no_template_writes_its_own_date_format():
    """Templates say `|day` or `|moment`; the format is one setting. Django's `|date` only
    for a machine's format ("c")."""
    own = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "letters" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for fmt in re.findall(r'\|date(?::"([^"]*)")?', line):
                if fmt != "c":
                    own.append(f"{path.relative_to(ROOT)}:{number}: |date:{fmt}")
    assert own == []


ZONES = ["America/New_York", "UTC", "Pacific/Honolulu", "Australia/Lord_Howe", "Asia/Kolkata"]


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
)
def test_day_and_moment_write_what_djangos_date_filter_writes(moment, zone):
    """The screens' own date filters are Django's |date, only faster: the same text for any
    moment in any zone (folds and gaps included), any date, and for nothing at all."""
    template = Template(
        '{{ t|day }}|{{ t|date }}|{{ t|moment }}|{{ t|date:"DATETIME_FORMAT" }}|'
        "{{ d|day }}|{{ d|date }}|{{ n|day }}|{{ n|date }}|{{ n|moment }}|{{ e|day }}|{{ e|date }}"
    )
    with timezone.override(zone):
        ours_day, django_day, ours_moment, django_moment, *rest = template.render(
            Context({"t": moment, "d": moment.date(), "n": None, "e": ""})
        ).split("|")
    assert (ours_day, ours_moment) == (django_day, django_moment)
    assert rest[0] == rest[1] and rest[2:] == ["", "", "", "", ""]


@pytest.mark.parametrize(
    "format_string", ["j F Y", r"d/m/y \a\t G:i:s", "D, N jS", "Y-m-d\\TH:i", "c"]
)
def test_any_format_reads_as_django_reads_it(format_string):
    """A format of other characters (a weekday, an ordinal, an escape) gives Django's text:
    the characters read here are read exactly, the others handed to Django."""
    from django.utils.dateformat import format as django_format

    from reviews.dates import date_text

    moment = datetime(2026, 11, 1, 6, 30, 5, tzinfo=UTC)  # 01:30, the first of two, in New York
    with timezone.override("America/New_York"):
        local = timezone.localtime(moment)
        assert date_text(local, format_string) == django_format(local, format_string)
        assert date_text(local.date(), "j F Y") == django_format(local.date(), "j F Y")


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


# ---- links in rows ------------------------------------------------------------------------


def _id_url_names() -> set[str]:
    names = set()
    for path in (ROOT / "templates").rglob("*.html"):
        names |= set(re.findall(r"{% id_url '([^']+)' ", path.read_text()))
    return names


@settings(max_examples=50, deadline=None)
@given(pk=st.integers(min_value=1, max_value=2**63 - 1))
def test_id_url_writes_what_url_writes(pk):
    """{% id_url %} (a row's link, reversed once per view name) gives {% url %}'s text for
    every view the templates link to that way, and is used for views of one id only."""
    names = sorted(_id_url_names())
    assert len(names) >= 8
    for name in names:
        ours = Template("{% load review_tags %}{% id_url name pk %}").render(
            Context({"name": name, "pk": pk})
        )
        assert ours == reverse(name, args=[pk])


def test_id_url_reverses_anything_else_as_url_does():
    """A text argument is reversed as {% url %} would; a site served under a prefix of its
    own gets links under it, not the prefix of the first page that asked."""
    template = Template("{% load review_tags %}{% id_url name pk %}")
    render = lambda name, pk: template.render(Context({"name": name, "pk": pk}))  # noqa: E731
    assert render("reviews:case-detail", "12") == reverse("reviews:case-detail", args=["12"])
    assert render("reviews:case-detail", 5) == "/cases/5/"
    set_script_prefix("/plan/")
    try:
        assert render("reviews:case-detail", 5) == "/plan/cases/5/"
    finally:
        set_script_prefix("/")
    assert render("reviews:case-detail", 5) == "/cases/5/"
