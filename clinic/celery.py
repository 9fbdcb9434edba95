import logging
import os

from celery import Celery
from celery.worker.consumer import Consumer
from kombu.message import Message

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

logger = logging.getLogger(__name__)


class BrokerLossConsumer(Consumer):
    """The worker's consumer, made to outlive a Redis restart (settings.CELERY_WORKER_CONSUMER).

    On a lost broker connection Celery first collects the connection, which detaches kombu's Redis
    transport from its connection details (`transport.client = None`) and drops each channel's
    connection pool, and then closes it. Closing a channel restores the messages it holds
    unacknowledged (tasks waiting for their countdown, such as the hand-off's retries); with Redis
    down that restore already failed once during the collect, so the close tries it again, has to
    build a new pool from the detached transport and fails with `AttributeError: 'NoneType' object
    has no attribute 'hostname'` (kombu/transport/redis.py, Channel._connparams). That is not a
    connection error, so it escapes Celery's error handling and the worker exits ("Unrecoverable
    error"). Kombu 5.7.0 / Celery 5.7.0 are the newest releases and still do this.

    A task that was running or waiting for its countdown when the connection was lost ends later
    and acknowledges its message on the closed channel of that connection, which fails the same
    way. Its message cannot be acknowledged any more (Redis redelivers it after the visibility
    timeout, and the outbox never sends a sent email twice), so it is logged and skipped.

    The restore is tried once, first, while the transport still knows where Redis is, and is
    never tried again on that connection. If Redis is reachable the messages go back to the queue
    at once; if not, they stay in Redis's unacknowledged set and kombu restores them after the
    visibility timeout (and the outbox sweep resends any email still unsent meanwhile).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _skip_acks_on_closed_channels()

    def on_connection_error_after_connected(self, exc):
        transport = getattr(self.connection, "transport", None)
        for channel in list(getattr(transport, "channels", None) or ()):
            qos = getattr(channel, "_qos", None)
            if qos is None:
                continue
            try:
                qos.restore_unacked_once()
            except Exception as error:  # Redis is down: the messages wait for the visibility timeout
                logger.warning("Could not restore unacknowledged messages after losing the broker: %r", error)
            qos.restore_at_shutdown = False
        super().on_connection_error_after_connected(exc)


def _skip_acks_on_closed_channels() -> None:
    """Make an acknowledgement (or rejection) on a channel closed by a lost connection a logged
    no-op in this process (the worker's), instead of an AttributeError from kombu."""
    if getattr(Message, "_clinic_skips_closed", False):
        return

    def guard(method):
        def guarded(message, log, errors, *args, **kwargs):
            channel = message.channel
            if channel is not None and getattr(channel, "closed", False):
                log.warning(
                    "Not acknowledging message %s: its broker connection was lost, so Redis "
                    "redelivers it after the visibility timeout",
                    message.delivery_tag,
                )
                return None
            return method(message, log, errors, *args, **kwargs)

        return guarded

    Message.ack_log_error = guard(Message.ack_log_error)
    Message.reject_log_error = guard(Message.reject_log_error)
    Message._clinic_skips_closed = True


app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
