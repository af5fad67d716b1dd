"""The test suite's settings (pyproject.toml points pytest here): `base`, embedded by default.

The database and the broker still come from the environment, so that CI runs the same suite on
PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL). What individual tests switch per test
(Celery eager, django-axes off) stays in the autouse fixtures of tests/conftest.py, where a test
can switch it back.
"""

from .base import *  # noqa: F403

# Real hashing costs a third of a second a user; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
