from django.db import migrations


def sync_roles(apps, schema_editor):
    from reviews.roles import roles_sync

    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_deadline_rules")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
