"""The database itself refuses to change audit events, whatever path a write takes.

SQLite gets only the UPDATE trigger: Django's test flush empties tables with DELETE there.
PostgreSQL flushes with TRUNCATE, which row triggers do not see, so it refuses DELETE too.
"""

from django.db import migrations

PG_UP = """
CREATE FUNCTION keepline_audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION keepline_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER core_auditevent_append_only ON core_auditevent;
DROP FUNCTION keepline_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER core_auditevent_append_only;"


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
