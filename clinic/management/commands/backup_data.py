from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write an encrypted backup (key: BACKUP_KEY) of the database and the uploaded files, private "
        "and public, to one file (default var/backups/clinic-<time>.backup). Restore it with restore_data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="The backup file to write (must not exist).")

    def handle(self, *args, output: Path | None, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        path = output or Path(settings.VAR_DIR) / "backups" / f"clinic-{stamp}.backup"
        try:
            files = write_backup(path)
        except FileExistsError as exc:
            raise CommandError(f"{path} exists; choose another --output.") from exc
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}: the database and {files} file(s), encrypted."))
