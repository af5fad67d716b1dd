"""The test suite's settings (pyproject.toml points pytest here): `base`, embedded by default.

The database and the broker still come from the environment, so that CI runs the same suite on
PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL). What individual tests switch per test
(Celery eager, django-axes off) stays in the autouse fixtures of tests/conftest.py, where a test
can switch it back.
"""

import os

from .base import *  # noqa: F403

# Real hashing costs a third of a second a user; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each parallel test worker keeps its own cache database: a test that empties the cache (rate-limit
# counters) must not empty another worker's in the middle of its test.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
if CACHES["default"]["BACKEND"].endswith("RedisCache") and _worker.isdigit():  # noqa: F405
    CACHES["default"]["LOCATION"] = CACHES["default"]["LOCATION"].rsplit("/", 1)[0] + f"/{2 + int(_worker)}"  # noqa: F405

# The browser walks travel days ahead between the steps of one user's session; the idle timeout
# of the product (`base.SESSION_COOKIE_AGE`) is tested on its own.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 60

# Text messages stay in memory (`eldercare.sms.outbox`), emptied before each test.
SMS_BACKEND = "eldercare.sms.MemoryBackend"
