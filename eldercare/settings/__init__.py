"""The settings, one module per environment; values come only from the environment (.env.example).

- `eldercare.settings` (this package, the default of manage.py, wsgi and Celery): `base` as it is,
  the embedded platform (SQLite next to manage.py, Celery tasks executed in process) unless
  DATABASE_URL or CELERY_BROKER_URL say otherwise.
- `eldercare.settings.production`: requires the secrets, PostgreSQL and a broker, forces HTTPS.
- `eldercare.settings.test`: what pytest runs under (pyproject.toml).
"""

from .base import *  # noqa: F403
