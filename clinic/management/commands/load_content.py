from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from articles.search import rebuild_index
from clinic import pagecache
from clinic.content import SKIPPED, LoadReport

# Run in this order: later loaders refer to rows the earlier ones made.
LOADERS = [
    "clinic.content.load_offices",
    "articles.loader.load_articles",
    "casestudies.loader.load_case_studies",
]


class Command(BaseCommand):
    help = (
        "Load or update the clinic's offices, articles and case histories from the data files in "
        "content/. Safe to rerun; rows edited in admin since the last load are reported and left "
        "alone unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", type=Path, default=settings.CONTENT_DIR)
        parser.add_argument("--force", action="store_true", help="Overwrite rows edited in admin.")

    def handle(self, *args, content_dir: Path, force: bool, verbosity: int, **options):
        report = LoadReport()
        with transaction.atomic():
            for dotted in LOADERS:
                import_string(dotted)(content_dir, report, force=force)
            rebuild_index()
            # Always, not only when a row changed: the release steps run this on every deploy,
            # which may also have changed the templates the cached pages were rendered with.
            pagecache.content_changed()
        for status, label in report.rows:
            if status == SKIPPED:
                note = "edited in admin since the last load (--force overwrites)"
                self.stdout.write(self.style.WARNING(f"skipped {label}: {note}"))
            elif verbosity > 1 or status != "unchanged":
                self.stdout.write(f"{status} {label}")
        self.stdout.write(self.style.SUCCESS(f"Content loaded: {report.summary()}."))
