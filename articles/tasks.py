from celery import shared_task

from . import reviews


@shared_task(bind=True, max_retries=5, ignore_result=True)
def send_review_reminder(self) -> None:
    """Celery beat, weekly: email the editors the medical reviews overdue or due soon. Retries with
    backoff if the SMTP server fails; a rerun sends the reminder again."""
    try:
        reviews.send_review_reminder()
    except OSError as exc:  # smtplib's errors and connection failures alike
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
