"""A criterion note copied from a policy PDF kept the PDF's footnote reference: a digit right
after the note's last ")." (one shipped policy's note ended "...capsules).2").
The marker is not the policy's words; the data files drop it, and this drops it from versions
already loaded, published ones included (the only change to them: the same note, without the
digit), so `load_policy` finds them equal to their files again."""

import re

from django.db import migrations

MARKER = re.compile(r"\)\.\d$")
CRITERION_TRIGGER = "reviews_criterion_locked"


def forwards(apps, schema_editor):
    Criterion = apps.get_model("reviews", "Criterion")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE reviews_criterion DISABLE TRIGGER {CRITERION_TRIGGER}")
    try:
        for criterion in Criterion.objects.filter(note__regex=r"\)\.[0-9]$").only("note"):
            if MARKER.search(criterion.note):
                Criterion.objects.filter(pk=criterion.pk).update(note=criterion.note[:-1])
    finally:
        if postgres:
            schema_editor.execute(
                f"ALTER TABLE reviews_criterion ENABLE TRIGGER {CRITERION_TRIGGER}"
            )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0024_policy_edits")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
