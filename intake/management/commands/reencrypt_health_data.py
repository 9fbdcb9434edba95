from django.core.management.base import BaseCommand, CommandError

from intake.services.encryption import reencrypt_health_data


class Command(BaseCommand):
    help = (
        "Re-encrypt every inquiry's health details and picture under the newest key of "
        "FIELD_ENCRYPTION_KEYS (run after putting a new key first; then the old key may be dropped). "
        "Batches, each its own transaction. Safe to rerun or interrupt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Rows a transaction (default 500).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        report = reencrypt_health_data(batch_size=batch_size)
        summary = (
            f"Re-encrypted {report.rows} inquiry(ies), {report.files} picture file(s) and {report.emails} email(s)"
        )
        if report.missing_files:
            summary += f"; {report.missing_files} picture file(s) were missing"
        self.stdout.write(self.style.SUCCESS(summary + "."))
