# Expose the Celery app so that `celery -A clinic` finds it and shared_task binds to it.
from .celery import app as celery_app

__all__ = ("celery_app",)
