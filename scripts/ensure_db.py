"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (make serve, .ci/run)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.support.databases import ensure_database  # noqa: E402

created = ensure_database(os.environ["DATABASE_URL"])
if created:
    print(f"created database {created}")
