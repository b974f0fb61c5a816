"""Rebuild the shipped Omsk gazetteer from the OpenStreetMap extract beside the checkout."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kruzhok.places.build import DATA_DIR, build

DEFAULT_SOURCE = Path(settings.BASE_DIR).parent / "shared" / "data" / "omsk_osm"


class Command(BaseCommand):
    help = "Пересобрать справочник адресов Омска (houses.csv, streets.csv) из выгрузки OpenStreetMap."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="каталог с CSV из OSM")
        parser.add_argument("--out", type=Path, default=DATA_DIR, help="куда записать файлы")

    def handle(self, *args: object, **options: object) -> None:
        source = Path(str(options["source"]))
        out = Path(str(options["out"]))
        if not (source / "apartments.csv").is_file():
            raise CommandError(f"Не найден {source / 'apartments.csv'}: укажите --source.")
        stats = build(source, out)
        self.stdout.write(
            f"{stats['houses']} домов на {stats['streets']} улицах записаны в {out} "
            f"(строк прочитано {stats['rows']}, без адреса {stats['no_address']}, другой населённый пункт "
            f"{stats['other_city']}, вне города {stats['outside']}, повторов {stats['duplicates']})"
        )
