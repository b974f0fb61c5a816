"""manage.py backup — a consistent copy of the database while the site keeps writing to it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from kruzhok.core import backups


class Command(BaseCommand):
    help = (
        "Резервная копия базы (SQLite: онлайн-копирование; PostgreSQL: pg_dump -Fc) без остановки сайта. "
        "Загруженные файлы (MEDIA_ROOT) в базе не хранятся: копируйте их вместе с ней (--media)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", help="файл копии (по умолчанию — новый файл в --dir)")
        parser.add_argument("--dir", help="каталог для копий (по умолчанию BACKUP_DIR)")
        parser.add_argument(
            "--keep", type=int, help="оставить в каталоге только столько новейших копий этого вида"
        )
        parser.add_argument(
            "--media", action="store_true", help="ещё и архив MEDIA_ROOT (.tar.gz) рядом с копией базы"
        )
        parser.add_argument("--database", default="default", help="псевдоним базы в DATABASES")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["path"] and options["dir"]:
            raise CommandError("Укажите либо файл, либо --dir, но не оба.")
        if options["media"] and not isinstance(storages["default"], FileSystemStorage):
            # With S3_BUCKET the files are in the bucket, not in MEDIA_ROOT: an archive of the
            # empty folder would look like a backup and hold nothing.
            raise CommandError(
                "--media архивирует MEDIA_ROOT, а загруженные файлы хранятся в бакете S3 (S3_BUCKET): "
                "сохраняйте их средствами хранилища (версионирование, репликация, rclone sync)."
            )
        if options["keep"] is not None and options["path"]:
            raise CommandError(
                "--keep удаляет старые копии в каталоге: используйте его с --dir или без пути."
            )
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep: нужно число от 1 (сколько копий оставить).")
        settings_dict = connections[options["database"]].settings_dict
        now = datetime.now(UTC)
        try:
            vendor = backups.vendor_of(settings_dict)
            if options["path"]:
                path = Path(options["path"])
                directory = path.parent
            else:
                directory = Path(options["dir"] or settings.BACKUP_DIR)
                backups.ensure_private_dir(directory)
                path = backups.default_path(directory, vendor, now)
            self.stdout.write(f"Резервная копия {vendor} → {path}")
            result = backups.backup(settings_dict, path, progress=self.stdout.write)
            media_line = ""
            if options["media"]:
                media_path = backups.default_path(directory, "media", now)
                files = backups.archive_media(Path(settings.MEDIA_ROOT), media_path)
                media_line = f"\n  файлы MEDIA_ROOT: {media_path} ({files} файлов)"
            deleted: list[Path] = []
            if options["keep"]:
                deleted = backups.prune(directory, vendor, options["keep"])
                if options["media"]:
                    deleted += backups.prune(directory, "media", options["keep"])
        except (backups.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Готово: {result.path}, {result.size / 1e6:.1f} МБ, {result.seconds:.1f} с.\n"
                f"  строк: {backups.format_counts(result.counts)}{media_line}"
            )
        )
        for old in deleted:
            self.stdout.write(f"  удалена старая копия {old}")
        if not options["media"]:
            self.stdout.write(
                f"  Загруженные фото и картинки ({settings.MEDIA_ROOT}) в копию базы не входят: "
                "копируйте их отдельно или запускайте с --media."
            )
