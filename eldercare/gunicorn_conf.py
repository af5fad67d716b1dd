"""How gunicorn serves the platform in production:

    .venv/bin/gunicorn -c python:eldercare.gunicorn_conf eldercare.wsgi

Two worker processes per core, two threads each. The threads let a process go on while another
request of it waits for PostgreSQL; more of them only contend for the interpreter's lock: on the
2-core machine of the benchmarks, shared with PostgreSQL, check-out saturated at 50–59 requests a
second with 3 processes × 8 threads against 58–69 with 4 × 2 (`bench_checkin`, see the README).
`WEB_CONCURRENCY` (gunicorn's own variable), `WEB_THREADS` and `WEB_BIND` override the figures.
"""

import os

CORES = os.cpu_count() or 1

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * CORES))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
# Longer than a phone's pause between two requests of a visit, so that it keeps its connection.
keepalive = 30
bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
