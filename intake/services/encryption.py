"""Re-encrypting stored health details and pictures under the newest key (intake.crypto).

Run after a new key is put first in FIELD_ENCRYPTION_KEYS (`manage.py reencrypt_health_data`), and
by the migration that introduced encryption, for rows and files stored in plain text before it.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from intake import crypto
from intake.models import Inquiry, OutboxMessage

logger = logging.getLogger(__name__)


@dataclass
class ReencryptReport:
    rows: int = 0
    files: int = 0
    emails: int = 0  # outbox rows (the replies' subject and body)
    missing_files: int = 0


def reencrypt_health_data(*, batch_size: int = 500, model=None) -> ReencryptReport:
    """Rewrite every inquiry's encrypted fields and picture file under the newest key (values
    stored in plain text get encrypted). Batches of `batch_size` rows, each its own transaction
    holding the batch's row locks, so staff changes in between are kept. Safe to rerun or to
    interrupt: every value is readable with the key list at every moment. `model` is for the
    migration's historical model."""
    model = model or Inquiry
    fields = crypto.encrypted_field_names(model)
    storage = model._meta.get_field("image").storage
    report = ReencryptReport()
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                model.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "image", *fields)[:batch_size]
            )
            if not batch:
                break
            model.objects.bulk_update(batch, fields)
            for inquiry in batch:
                if inquiry.image.name:
                    rewritten = _reencrypt_file(Path(storage.path(inquiry.image.name)))
                    report.files += rewritten
                    report.missing_files += not rewritten
        last_pk = batch[-1].pk
        report.rows += len(batch)
    if model is Inquiry:
        report.emails = _reencrypt_outbox(batch_size)
    logger.info("intake: re-encrypted %s inquiry(ies) and %s file(s)", report.rows, report.files)
    return report


def _reencrypt_outbox(batch_size: int) -> int:
    """Rewrite the outbox rows' encrypted fields (a reply's subject and body) under the newest key,
    in batches as above. Returns how many rows."""
    fields = crypto.encrypted_field_names(OutboxMessage)
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", *fields)[:batch_size]
            )
            if not batch:
                return done
            OutboxMessage.objects.bulk_update(batch, fields)
        last_pk = batch[-1].pk
        done += len(batch)


def _reencrypt_file(path: Path) -> bool:
    """Rewrite one file as a token under the newest key, atomically (a new file renamed over it)."""
    try:
        stored = path.read_bytes()
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        return False
    fresh = path.with_name(path.name + ".reencrypting")
    fresh.write_bytes(crypto.encrypt_bytes(crypto.decrypt_bytes(stored)))
    fresh.chmod(mode)
    fresh.replace(path)
    return True
