"""Seed the deadline table (docs/architecture.md, "Deadlines"). Admins edit it afterwards."""

from django.db import migrations

RULES = [
    # line of business, urgency, amount, unit, source
    ("commercial", "expedited", 72, "hours", "NCQA UM 5 (pre-service, expedited)"),
    ("commercial", "standard", 15, "calendar_days", "NCQA UM 5 (pre-service, standard)"),
    (
        "medicare_advantage_part_b",
        "expedited",
        24,
        "hours",
        "CMS-4180-F, 42 CFR 422.572 (Part B drug, expedited)",
    ),
    (
        "medicare_advantage_part_b",
        "standard",
        72,
        "hours",
        "CMS-4180-F, 42 CFR 422.568 (Part B drug, standard)",
    ),
    ("medicaid_ma_medical", "expedited", 72, "hours", "CMS-0057-F (expedited)"),
    ("medicaid_ma_medical", "standard", 7, "calendar_days", "CMS-0057-F (standard)"),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("reviews", "DeadlineRule")
    for lob, urgency, amount, unit, source in RULES:
        DeadlineRule.objects.get_or_create(
            line_of_business=lob,
            urgency=urgency,
            defaults={"amount": amount, "unit": unit, "source": source},
        )


def unseed(apps, schema_editor):
    DeadlineRule = apps.get_model("reviews", "DeadlineRule")
    for lob, urgency, *_ in RULES:
        DeadlineRule.objects.filter(line_of_business=lob, urgency=urgency).delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0005_cases")]

    operations = [migrations.RunPython(seed, unseed)]
