from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by backup_data: the database (created if missing; its tables are "
        "replaced) and the uploaded files (written over what is there). Needs the BACKUP_KEY it was "
        "written with. Stop the site and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the database.")

    def handle(self, *args, backup: Path, yes: bool, **options):
        if not backup.is_file():
            raise CommandError(f"No backup file at {backup}.")
        if not yes and input("This replaces the database and files. Type 'yes' to go on: ").strip() != "yes":
            raise CommandError("Nothing restored.")
        try:
            files = restore_backup(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored the database and {files} file(s) from {backup}."))
