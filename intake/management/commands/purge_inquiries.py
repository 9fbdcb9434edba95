from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake import services
from intake.models import Inquiry


class Command(BaseCommand):
    help = (
        "Remove closed inquiries (status closed or not a candidate) closed more than --older-than "
        "days ago (default INQUIRY_RETENTION_DAYS), with their notes, emails and image files; "
        "suspected spam nobody released within INTAKE_SUSPECTED_SPAM_DAYS; newsletter sign-ups not confirmed within "
        "SUBSCRIBER_CONFIRM_DAYS. Reports the references removed and records the counts. Safe to rerun."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="DAYS",
            help=f"Retention in days (default INQUIRY_RETENTION_DAYS, now {settings.INQUIRY_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would be removed; remove nothing.")

    def handle(self, *args, older_than: int | None, dry_run: bool, verbosity: int, **options):
        days = settings.INQUIRY_RETENTION_DAYS if older_than is None else older_than
        if days < 0:
            raise CommandError("--older-than must be 0 or more days.")
        report = services.purge_inquiries(older_than=timedelta(days=days), dry_run=dry_run)
        closed = " or ".join(Inquiry.Status(s).label.lower() for s in Inquiry.CLOSED_STATUSES)
        verb = "Would remove" if dry_run else "Removed"
        if verbosity > 0:
            for reference in report.references:
                self.stdout.write(f"{'would remove' if dry_run else 'removed'} {reference}")
        summary = (
            f"{verb} {len(report.references)} inquiry(ies) {closed} for more than {days} day(s), "
            f"{report.images} image file(s)"
        )
        summary += (
            f"; {report.spam} suspected spam inquiry(ies) nobody released within "
            f"{settings.INTAKE_SUSPECTED_SPAM_DAYS} day(s) and {report.unconfirmed_subscribers} "
            "newsletter sign-up(s) never confirmed"
        )
        if not dry_run:
            summary += f"; and {report.orphan_files} image file(s) no inquiry referred to"
        self.stdout.write(self.style.SUCCESS(summary + "."))
