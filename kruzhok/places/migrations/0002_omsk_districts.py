"""The five okrugs of Omsk and its best-known microdistricts.

The rows are copied from places/data/omsk/okrugs.json and microdistricts.json when this migration
was written: a migration must not read files or import code that may change after it has run.
"""

from django.db import migrations

CITY = "Омск"

# name, slug, centre lat, centre lon
OKRUGS = [
    ("Центральный", "tsentralnyy", 54.99, 73.385),
    ("Советский", "sovetskiy", 55.035, 73.3),
    ("Кировский", "kirovskiy", 54.985, 73.29),
    ("Ленинский", "leninskiy", 54.925, 73.41),
    ("Октябрьский", "oktyabrskiy", 54.972, 73.445),
]

# name, slug, okrug, centre lat, centre lon
MICRODISTRICTS = [
    ("Левобережье", "levoberezhe", "Кировский", 54.993, 73.275),
    ("Старый Кировск", "staryy-kirovsk", "Кировский", 54.94, 73.322),
    ("Нефтяники", "neftyaniki", "Советский", 55.038, 73.3),
    ("СибНИИСХоз", "sibniishoz", "Советский", 55.033, 73.336),
    ("Центр", "tsentr", "Центральный", 54.983, 73.375),
    ("Северные улицы", "severnye-ulitsy", "Центральный", 55.026, 73.39),
    ("Амурский", "amurskiy", "Центральный", 55.033, 73.422),
    ("Загородный", "zagorodnyy", "Центральный", 55.064, 73.516),
    ("Линии", "linii", "Октябрьский", 54.975, 73.412),
    ("Чкаловский", "chkalovskiy", "Октябрьский", 54.968, 73.458),
    ("Биофабрика", "biofabrika", "Октябрьский", 54.993, 73.45),
    ("Осташково", "ostashkovo", "Октябрьский", 54.961, 73.556),
    ("Привокзальный", "privokzalnyy", "Ленинский", 54.938, 73.385),
    ("Порт-Артур", "port-artur", "Ленинский", 54.926, 73.398),
    ("Московка", "moskovka", "Ленинский", 54.92, 73.446),
    ("Черёмушки", "cheremushki", "Ленинский", 54.947, 73.425),
    ("Марьяновка", "maryanovka", "Ленинский", 54.903, 73.359),
    ("Светлый", "svetlyy", "Ленинский", 54.89, 73.507),
    ("Военный городок", "voennyy-gorodok", "Ленинский", 54.845, 73.404),
]


def add_districts(apps, schema_editor):
    District = apps.get_model("places", "District")
    okrugs = {}
    for name, slug, lat, lon in OKRUGS:
        okrugs[name], _ = District.objects.update_or_create(
            city=CITY,
            kind="okrug",
            slug=slug,
            defaults={"name": name, "lat": lat, "lon": lon, "parent": None},
        )
    for name, slug, okrug, lat, lon in MICRODISTRICTS:
        District.objects.update_or_create(
            city=CITY,
            kind="microdistrict",
            slug=slug,
            defaults={"name": name, "lat": lat, "lon": lon, "parent": okrugs[okrug]},
        )


def remove_districts(apps, schema_editor):
    District = apps.get_model("places", "District")
    District.objects.filter(city=CITY, kind="microdistrict", slug__in=[m[1] for m in MICRODISTRICTS]).delete()
    District.objects.filter(city=CITY, kind="okrug", slug__in=[o[1] for o in OKRUGS], children=None).delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(add_districts, remove_districts)]
