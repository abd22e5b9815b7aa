"""Indications: each version's approval periods and dosing rule move into its indications
(docs/policy-format.md, Indications), and criteria, test cases and cases name an indication.

Each existing version gets one indication holding what the version held: its initial and
extended approval days and its dosing regimen, named after its dosing condition (or the
policy's title), with no diagnosis codes (a version's only indication fits every request).
Each case pinned to a version takes that indication.

On PostgreSQL, migration 0015's triggers refuse changes to the rows of non-draft versions: this
migration changes none. It inserts the new indication rows before their table gets the same
trigger, and drops the version's columns (a schema change, which row triggers do not see).
"""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60].rstrip("_")
    if not key or not key[0].isalpha():
        key = f"indication_{key}".rstrip("_")[:60]
    return key


def versions_to_indications(apps, schema_editor):
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    Indication = apps.get_model("reviews", "Indication")
    Case = apps.get_model("reviews", "Case")
    for version in PolicyVersion.objects.select_related("policy").order_by("pk"):
        name = " ".join((version.dosing_condition or version.policy.title).split())[:200]
        indication = Indication.objects.create(
            version=version,
            position=0,
            key=_key(name),
            name=name,
            diagnosis_codes=[],
            initial_approval_count=version.initial_approval_days,
            initial_approval_unit="day",
            extended_approval_count=version.extended_approval_days,
            extended_approval_unit="day",
            regimen=version.dosing_regimen,
        )
        Case.objects.filter(policy_version=version).update(
            indication=indication.key,
            indication_reason="The policy version's only indication (migration 0019).",
        )
    if schema_editor.connection.vendor == "postgresql":
        # The rows' deferred foreign-key checks run now, before the tables' schema changes.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


VERSION_TRIGGER = "reviews_policyversion_locked"


def indications_to_versions(apps, schema_editor):
    """Back: each version takes its first indication's days and regimen. Migration 0015's
    trigger refuses changes to a non-draft version, so it is off for this data fix only
    (PostgreSQL; same transaction)."""
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    Indication = apps.get_model("reviews", "Indication")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(
            f"ALTER TABLE reviews_policyversion DISABLE TRIGGER {VERSION_TRIGGER}"
        )
    try:
        for version in PolicyVersion.objects.order_by("pk"):
            first = Indication.objects.filter(version=version).order_by("position", "pk").first()
            if first is None:
                continue
            PolicyVersion.objects.filter(pk=version.pk).update(
                initial_approval_days=first.initial_approval_count,
                extended_approval_days=first.extended_approval_count,
                dosing_regimen=first.regimen,
            )
    finally:
        if postgres:
            schema_editor.execute(
                f"ALTER TABLE reviews_policyversion ENABLE TRIGGER {VERSION_TRIGGER}"
            )


TRIGGER = (
    "CREATE TRIGGER reviews_indication_locked BEFORE INSERT OR UPDATE OR DELETE ON "
    "reviews_indication FOR EACH ROW EXECUTE FUNCTION reviews_policy_part_locked()"
)


def lock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def unlock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS reviews_indication_locked ON reviews_indication"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0018_dosing_phases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Indication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "key",
                    models.SlugField(
                        help_text="How criteria and cases refer to it, e.g. relapsing_ms.",
                        max_length=60,
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                (
                    "diagnosis_codes",
                    models.JSONField(
                        blank=True, default=list, help_text='ICD-10-CM code prefixes, e.g. ["G35"].'
                    ),
                ),
                ("initial_approval_count", models.PositiveIntegerField()),
                (
                    "initial_approval_unit",
                    models.CharField(
                        choices=[
                            ("day", "Days"),
                            ("week", "Weeks"),
                            ("calendar_month", "Calendar months"),
                        ],
                        default="day",
                        max_length=20,
                    ),
                ),
                (
                    "extended_approval_count",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Empty when the policy allows no reauthorization.",
                        null=True,
                    ),
                ),
                (
                    "extended_approval_unit",
                    models.CharField(
                        choices=[
                            ("day", "Days"),
                            ("week", "Weeks"),
                            ("calendar_month", "Calendar months"),
                        ],
                        default="day",
                        max_length=20,
                    ),
                ),
                (
                    "regimen",
                    models.JSONField(
                        blank=True,
                        help_text="The dosing rule (docs/policy-format.md, Regimen); empty: none.",
                        null=True,
                    ),
                ),
            ],
            options={
                "ordering": ["version", "position", "pk"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="caseevent",
            name="caseevent_kind_valid",
        ),
        migrations.AddField(
            model_name="case",
            name="indication",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="case",
            name="indication_reason",
            field=models.TextField(
                blank=True, help_text="Why the indication was chosen (or why none fits)."
            ),
        ),
        migrations.AddField(
            model_name="criterion",
            name="indication",
            field=models.CharField(
                blank=True,
                help_text="The key of the indication this node applies to; empty for every one.",
                max_length=60,
            ),
        ),
        migrations.AddField(
            model_name="policytestcase",
            name="indication",
            field=models.CharField(
                blank=True,
                help_text="The indication's key; empty: every indication.",
                max_length=60,
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Request received"),
                    ("status", "Status changed"),
                    ("claimed", "Claimed"),
                    ("answer", "Criterion answered"),
                    ("case_viewed", "Case viewed"),
                    ("document_added", "Document added"),
                    ("documents_rejected", "Documents refused"),
                    ("document_viewed", "Document viewed"),
                    ("document_downloaded", "Document downloaded"),
                    ("document_text_extracted", "Document text read"),
                    ("document_text_failed", "Document text unreadable"),
                    ("letter_issued", "Letter issued"),
                    ("letter_rendered", "Letter PDF made"),
                    ("letter_render_failed", "Letter PDF failed"),
                    ("letter_downloaded", "Letter downloaded"),
                    ("deadline_flag", "Deadline flag changed"),
                    ("peer_to_peer_offered", "Peer-to-peer offered"),
                    ("peer_to_peer_held", "Peer-to-peer held"),
                    ("fact_added", "Clinical fact added"),
                    ("fact_corrected", "Clinical fact corrected"),
                    ("indication_chosen", "Indication chosen"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "received",
                            "status",
                            "claimed",
                            "answer",
                            "case_viewed",
                            "document_added",
                            "documents_rejected",
                            "document_viewed",
                            "document_downloaded",
                            "document_text_extracted",
                            "document_text_failed",
                            "letter_issued",
                            "letter_rendered",
                            "letter_render_failed",
                            "letter_downloaded",
                            "deadline_flag",
                            "peer_to_peer_offered",
                            "peer_to_peer_held",
                            "fact_added",
                            "fact_corrected",
                            "indication_chosen",
                        ],
                    )
                ),
                name="caseevent_kind_valid",
            ),
        ),
        migrations.AddField(
            model_name="indication",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indications",
                to="reviews.policyversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="indication",
            constraint=models.UniqueConstraint(
                fields=("version", "key"), name="indication_unique_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="indication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("initial_approval_count__gt", 0),
                    models.Q(
                        ("extended_approval_count__isnull", True),
                        ("extended_approval_count__gt", 0),
                        _connector="OR",
                    ),
                ),
                name="indication_approval_count_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="indication",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("initial_approval_unit__in", ["day", "week", "calendar_month"]),
                    ("extended_approval_unit__in", ["day", "week", "calendar_month"]),
                ),
                name="indication_approval_unit_valid",
            ),
        ),
        # Nullable before it goes, so going back adds it to existing rows and fills it from
        # the indications before it is required again (reverse runs bottom-up).
        migrations.AlterField(
            model_name="policyversion",
            name="initial_approval_days",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.RunPython(versions_to_indications, indications_to_versions),
        migrations.RemoveConstraint(
            model_name="policyversion",
            name="policyversion_approval_days_positive",
        ),
        migrations.RemoveField(
            model_name="policyversion",
            name="dosing_regimen",
        ),
        migrations.RemoveField(
            model_name="policyversion",
            name="extended_approval_days",
        ),
        migrations.RemoveField(
            model_name="policyversion",
            name="initial_approval_days",
        ),
        migrations.RunPython(lock, unlock),
    ]
