"""Prometheus metrics at /metrics, for the metrics scraper only (docs/operations.md).

django-prometheus counts requests, responses, latencies and database queries. The collector here
adds what the clinic's staff care about, read from the database at scrape time: the email outbox
(pending, failing, failed, and how long the oldest unsent message has waited) and the stored
inquiries by kind.

The page answers only a request with `Authorization: Bearer <METRICS_TOKEN>`: 404 while
METRICS_TOKEN is unset (metrics off), 403 for a missing or wrong token. With several gunicorn
workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder (docker-compose.yml does) so a scrape sums
every worker's counters instead of reading the one worker that answered.
"""

import hmac
import logging
import os

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)


class ClinicCollector:
    """Gauges read from intake's tables on each scrape (a few indexed COUNT queries)."""

    def describe(self):
        # What register() asks for: the names only, so registering never touches the database.
        yield GaugeMetricFamily("clinic_outbox_messages", "", labels=["state"])
        yield GaugeMetricFamily("clinic_outbox_oldest_pending_age_seconds", "")
        yield GaugeMetricFamily("clinic_inquiries", "", labels=["kind"])

    def collect(self):
        try:
            families = list(self._families())
        except Exception as exc:  # a scrape during a database outage still gets the other metrics
            logger.warning("metrics: could not read the outbox and inquiries: %s", exc.__class__.__name__)
            return
        yield from families

    def _families(self):
        from django.db.models import Count, Min, Q

        from intake.models import Inquiry, OutboxMessage

        pending = OutboxMessage.Status.PENDING
        outbox = OutboxMessage.objects.aggregate(
            pending=Count("pk", filter=Q(status=pending, last_error="")),
            failing=Count("pk", filter=Q(status=pending) & ~Q(last_error="")),
            failed=Count("pk", filter=Q(status=OutboxMessage.Status.FAILED)),
            oldest=Min("created_at", filter=Q(status=pending)),
        )
        states = GaugeMetricFamily(
            "clinic_outbox_messages",
            "Emails in the outbox not yet sent: pending (no failed attempt yet), failing (will be retried), "
            "failed (gave up, shown to staff)",
            labels=["state"],
        )
        for state in ("pending", "failing", "failed"):
            states.add_metric([state], outbox[state])
        yield states

        age = (timezone.now() - outbox["oldest"]).total_seconds() if outbox["oldest"] else 0.0
        yield GaugeMetricFamily(
            "clinic_outbox_oldest_pending_age_seconds",
            "Seconds since the oldest unsent (pending or failing) email was stored; 0 when none waits",
            value=max(age, 0.0),
        )

        counts = dict(Inquiry.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
        submissions = GaugeMetricFamily(
            "clinic_inquiries", "Inquiries stored, by the form they came from", labels=["kind"]
        )
        for kind in Inquiry.Kind.values:
            submissions.add_metric([kind], counts.get(kind, 0))
        yield submissions


COLLECTOR = ClinicCollector()


def register() -> None:
    """Add the clinic's gauges to the default registry (once; called from ClinicConfig.ready)."""
    if COLLECTOR not in REGISTRY._collector_to_names:
        REGISTRY.register(COLLECTOR)


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(COLLECTOR)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def token_matches(request) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode())


@never_cache
@require_GET
def metrics_view(request):
    if not settings.METRICS_TOKEN:
        raise Http404("metrics are off")
    if not token_matches(request):
        return HttpResponseForbidden("a bearer token is needed", content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
