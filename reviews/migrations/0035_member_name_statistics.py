from django.db import migrations

# How PostgreSQL estimates a name search (UPPER(member_name) LIKE '%OKAFOR%'): it tries the
# pattern on the column's histogram, and with the default 100 buckets a surname shared by
# 2.5% of a million cases can miss every bucket. The estimate is then 0.01% (98 rows), and the
# search reads and sorts all 25,000 matches (78 ms) instead of walking the list's index until
# 25 match (2 ms). A histogram of 1,000 buckets sees such a name; ANALYZE samples more rows
# for it (docs/performance.md). SQLite has no statistics target.
STATISTICS = 1000


def member_name_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER INDEX case_member_name_trgm ALTER COLUMN 1 SET STATISTICS {STATISTICS}"
        )


def member_name_statistics_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX case_member_name_trgm ALTER COLUMN 1 SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0034_ordering_by_key_columns")]

    operations = [
        migrations.RunPython(member_name_statistics, member_name_statistics_default, elidable=False),
    ]
