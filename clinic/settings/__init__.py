"""Settings for the clinic site, read from the environment (README lists every variable).

One code path for both ways of running it: with no environment at all it runs on SQLite with
Celery tasks executed in process and emails written under var/; DATABASE_URL and REDIS_URL switch
it to PostgreSQL, Redis and a real Celery worker.

The settings are split by topic and read in this order, each later module building on core's
values: core.py (environment, apps, middleware, data stores, files, logging, page cache), tasks.py
(Celery, the intake hand-off, email) and security.py (headers, cookies, staff sign-in, monitoring).
"""

from .core import *  # noqa: F403
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403
