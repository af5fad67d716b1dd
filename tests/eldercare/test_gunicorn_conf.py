"""Production's gunicorn configuration, as gunicorn itself reads it."""

import os
import subprocess
import sys

from django.conf import settings

# The command line of the README's production section, parsed as gunicorn parses it.
READ = (
    "import sys\n"
    "from gunicorn.app.wsgiapp import WSGIApplication\n"
    "sys.argv = ['gunicorn', '-c', 'python:eldercare.gunicorn_conf', 'eldercare.wsgi']\n"
    "app = WSGIApplication()\n"
    "print(app.cfg.workers, app.cfg.threads, app.cfg.worker_class_str, app.cfg.keepalive, app.cfg.bind[0])\n"
)


def gunicorn_reads(**env) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WEB_")} | env
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", READ],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_two_processes_a_core_of_two_threads_kept_alive_past_a_phones_pause():
    cores = os.cpu_count() or 1
    assert gunicorn_reads() == [str(2 * cores), "2", "gthread", "30", "127.0.0.1:8000"]


def test_the_environment_sets_processes_threads_and_address():
    assert gunicorn_reads(WEB_CONCURRENCY="5", WEB_THREADS="3", WEB_BIND="0.0.0.0:9000") == [
        "5",
        "3",
        "gthread",
        "30",
        "0.0.0.0:9000",
    ]
