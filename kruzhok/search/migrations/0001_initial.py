import django.db.models.deletion
from django.db import migrations, models


def install_backend(apps, schema_editor):
    from kruzhok.search import backends

    backends.for_connection(schema_editor.connection).install(schema_editor.connection)


def uninstall_backend(apps, schema_editor):
    from kruzhok.search import backends

    backends.for_connection(schema_editor.connection).uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0002_taxonomy"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchState",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("generation", models.PositiveIntegerField(default=0)),
                ("documents", models.PositiveIntegerField(default=0)),
                ("words", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "состояние индекса", "verbose_name_plural": "состояние индекса"},
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("stem", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("word", models.CharField(max_length=100)),
                ("df", models.PositiveIntegerField(default=0)),
            ],
            options={"verbose_name": "слово индекса", "verbose_name_plural": "словарь индекса"},
        ),
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "activity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalog.activity",
                    ),
                ),
                ("seq", models.BigIntegerField(db_index=True)),
                ("live", models.BooleanField(default=True)),
                ("direction_id", models.IntegerField(null=True)),
                ("category_ids", models.JSONField(default=list)),
                ("district_id", models.IntegerField(null=True)),
                ("microdistrict_id", models.IntegerField(null=True)),
                ("age_min", models.PositiveSmallIntegerField(default=0)),
                ("age_max", models.PositiveSmallIntegerField(default=18)),
                ("price_rub", models.PositiveIntegerField(default=0)),
                ("ovz", models.BooleanField(default=False)),
                ("enrollment_open", models.BooleanField(default=True)),
                ("lat", models.FloatField(null=True)),
                ("lon", models.FloatField(null=True)),
                ("slots", models.JSONField(default=list)),
                ("verified_at", models.DateTimeField(null=True)),
                ("rating", models.FloatField(null=True)),
                ("rating_count", models.PositiveIntegerField(default=0)),
                ("quality", models.FloatField(default=0.0)),
                ("card", models.JSONField(default=dict)),
                ("title", models.CharField(default="", max_length=300)),
                ("url", models.CharField(default="", max_length=400)),
                ("text_strong", models.TextField(default="")),
                ("text_weak", models.TextField(default="")),
            ],
            options={"verbose_name": "поисковый документ", "verbose_name_plural": "поисковые документы"},
        ),
        migrations.RunPython(install_backend, uninstall_backend),
    ]
