"""PostgreSQL: the full-text side tables keep no word positions (see kruzhok.search.backends.postgres)."""

from django.db import migrations


def upgrade_backend(apps, schema_editor):
    from kruzhok.search import backends

    backends.for_connection(schema_editor.connection).upgrade(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(upgrade_backend, migrations.RunPython.noop)]
