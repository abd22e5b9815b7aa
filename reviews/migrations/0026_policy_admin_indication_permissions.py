from django.db import migrations


def sync_roles(apps, schema_editor):
    from reviews.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    """Policy admins may change indications in the back office too (they could not: the role
    lacked the model's permissions, so the admin hid the Indications inline)."""

    dependencies = [("reviews", "0025_criterion_note_footnote_markers")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
