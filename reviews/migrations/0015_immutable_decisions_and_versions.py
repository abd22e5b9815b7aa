"""The database itself keeps issued determinations and non-draft policy versions as they are
(PostgreSQL), as it already keeps the audit tables: no code path changes them, and this makes
sure none can. A published version may only be retired (its status, and nothing else,
changes). TRUNCATE, which only the schema owner runs (to empty a test database), is not
affected."""

from django.db import migrations

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION reviews_determination_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'an issued determination never changes: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION reviews_policyversion_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'draft' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = 'published' AND NEW.status = 'retired'
            AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a % policy version never changes: % refused', OLD.status, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION reviews_policy_part_locked() RETURNS trigger AS $$
DECLARE
    rec record;
    version bigint;
    state text;
BEGIN
    -- The old row (update, delete) and the new one (insert, update) must both belong to a draft.
    FOR rec IN SELECT * FROM (VALUES (1), (2)) AS which(n) LOOP
        version := NULL;
        IF rec.n = 1 AND TG_OP IN ('UPDATE', 'DELETE') THEN
            IF TG_TABLE_NAME = 'reviews_policylistitem' THEN
                SELECT version_id INTO version FROM reviews_policylist WHERE id = OLD.policy_list_id;
            ELSE
                version := OLD.version_id;
            END IF;
        ELSIF rec.n = 2 AND TG_OP IN ('INSERT', 'UPDATE') THEN
            IF TG_TABLE_NAME = 'reviews_policylistitem' THEN
                SELECT version_id INTO version FROM reviews_policylist WHERE id = NEW.policy_list_id;
            ELSE
                version := NEW.version_id;
            END IF;
        END IF;
        IF version IS NOT NULL THEN
            SELECT status INTO state FROM reviews_policyversion WHERE id = version;
            IF state IS NOT NULL AND state <> 'draft' THEN
                RAISE EXCEPTION 'a % policy version never changes: % on % refused',
                    state, TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END IF;
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

PARTS = (
    "reviews_criterion",
    "reviews_policylist",
    "reviews_policylistitem",
    "reviews_policytestcase",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS_SQL, params=None)  # "%" in the SQL is not a placeholder
    schema_editor.execute(
        "CREATE TRIGGER reviews_determination_immutable BEFORE UPDATE OR DELETE ON "
        "reviews_determination FOR EACH ROW EXECUTE FUNCTION reviews_determination_immutable()"
    )
    schema_editor.execute(
        "CREATE TRIGGER reviews_policyversion_locked BEFORE UPDATE OR DELETE ON "
        "reviews_policyversion FOR EACH ROW EXECUTE FUNCTION reviews_policyversion_locked()"
    )
    for table in PARTS:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_locked BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION reviews_policy_part_locked()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in PARTS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_locked ON {table}")
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS reviews_policyversion_locked ON reviews_policyversion"
    )
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS reviews_determination_immutable ON reviews_determination"
    )
    for function in (
        "reviews_policy_part_locked",
        "reviews_policyversion_locked",
        "reviews_determination_immutable",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0014_case_event_kinds")]

    operations = [migrations.RunPython(create, drop)]
