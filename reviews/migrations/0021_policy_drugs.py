"""A policy covers a set of drugs: Policy.drug_name / generic_name / hcpcs_codes become
PolicyDrug rows (each existing policy gets one, its cases point at it); versions may name
their request paths; remark codes may be empty.

PolicyDrug hangs off Policy, not off a version, so migration 0015's triggers (which lock the
rows under a published version) do not cover it: like the policy's number and title, its
drugs are the policy's identity, kept by policy admins. Adding the path-name columns to
reviews_policyversion is ALTER TABLE, which fires no row trigger.
"""

import django.db.models.deletion
from django.db import migrations, models


def drugs_from_policies(apps, schema_editor):
    Policy = apps.get_model("reviews", "Policy")
    PolicyDrug = apps.get_model("reviews", "PolicyDrug")
    Case = apps.get_model("reviews", "Case")
    for policy in Policy.objects.order_by("pk"):
        drug = PolicyDrug.objects.create(
            policy=policy,
            position=0,
            brand=policy.drug_name,
            generic=policy.generic_name,
            hcpcs_codes=[str(code).strip().upper() for code in policy.hcpcs_codes or []],
            ndcs=[],
        )
        # Until now a policy had one drug, so each of its cases asked for that one.
        Case.objects.filter(policy=policy).update(policy_drug=drug)


def sync_roles(apps, schema_editor):
    from reviews.roles import roles_sync

    roles_sync(apps)  # policy admins keep a policy's drugs


def policies_from_drugs(apps, schema_editor):
    """Back to one drug per policy: the first one's names, every drug's codes."""
    Policy = apps.get_model("reviews", "Policy")
    PolicyDrug = apps.get_model("reviews", "PolicyDrug")
    for policy in Policy.objects.order_by("pk"):
        drugs = list(PolicyDrug.objects.filter(policy_id=policy.pk).order_by("position", "pk"))
        if drugs:
            policy.drug_name = drugs[0].brand
            policy.generic_name = drugs[0].generic
            policy.hcpcs_codes = list(dict.fromkeys(c for d in drugs for c in d.hcpcs_codes))
            policy.save(update_fields=["drug_name", "generic_name", "hcpcs_codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0020_conditional_and_negation"),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="path_continuation_name",
            field=models.CharField(
                blank=True, help_text='Empty: "Continuation request".', max_length=100
            ),
        ),
        migrations.AddField(
            model_name="policyversion",
            name="path_initial_name",
            field=models.CharField(
                blank=True, help_text='Empty: "Initial request".', max_length=100
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="drug_name",
            field=models.CharField(help_text="As the requester typed it.", max_length=100),
        ),
        migrations.AlterField(
            model_name="policyversion",
            name="remark_codes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='e.g. ["M3M", "M4M"]; empty when there are none.',
            ),
        ),
        migrations.CreateModel(
            name="PolicyDrug",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "brand",
                    models.CharField(
                        help_text="The brand name, as members know it.", max_length=100
                    ),
                ),
                ("generic", models.CharField(blank=True, max_length=100)),
                (
                    "hcpcs_codes",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="HCPCS Level II codes; empty when it is billed without.",
                    ),
                ),
                (
                    "ndcs",
                    models.JSONField(blank=True, default=list, help_text="NDCs, as their digits."),
                ),
                (
                    "policy",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="drugs",
                        to="reviews.policy",
                    ),
                ),
            ],
            options={
                "ordering": ["policy", "position", "pk"],
            },
        ),
        migrations.AddField(
            model_name="case",
            name="policy_drug",
            field=models.ForeignKey(
                blank=True,
                help_text="The drug of the policy the request named (by brand, generic, code or NDC).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="reviews.policydrug",
            ),
        ),
        migrations.AlterField(
            model_name="criterion",
            name="label",
            field=models.CharField(
                help_text='The policy\'s own label, e.g. "3.C.i".', max_length=40
            ),
        ),
        migrations.AlterField(
            model_name="policylistitem",
            name="synonyms",
            field=models.JSONField(
                blank=True, default=list, help_text="Other words that match, e.g. other spellings."
            ),
        ),
        migrations.AlterField(
            model_name="criterion",
            name="path",
            field=models.CharField(
                blank=True,
                choices=[("initial", "Initial request"), ("continuation", "Continuation request")],
                help_text="Only evaluated on this path; empty for both.",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="policytestcase",
            name="request_type",
            field=models.CharField(
                choices=[("initial", "Initial request"), ("continuation", "Continuation request")],
                max_length=12,
            ),
        ),
        migrations.RunPython(drugs_from_policies, policies_from_drugs),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        # Defaults only so that going back can add the columns again to existing rows.
        migrations.AlterField(
            model_name="policy",
            name="drug_name",
            field=models.CharField(default="", max_length=100),
        ),
        migrations.AlterField(
            model_name="policy",
            name="generic_name",
            field=models.CharField(default="", max_length=100),
        ),
        migrations.RemoveField(
            model_name="policy",
            name="drug_name",
        ),
        migrations.RemoveField(
            model_name="policy",
            name="generic_name",
        ),
        migrations.RemoveField(
            model_name="policy",
            name="hcpcs_codes",
        ),
    ]
