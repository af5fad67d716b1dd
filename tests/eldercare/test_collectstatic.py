"""The production static storage collects every file: a reference to a file that is not shipped
(e.g. a source map named in a vendored bundle) fails the hashed-names pass and the deployment.
(Production compresses too, `whitenoise.storage.CompressedManifestStaticFilesStorage`; the
references are checked by the same manifest pass, without the minute of compression.)"""

import os
import re
import subprocess
import sys
import textwrap

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()


# Run in a process of its own: the production settings module, DEBUG off, the files collected by
# the manifest storage, then the login page served through the whole middleware stack.
PRODUCTION_PAGE = """
import re

import django
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment

django.setup()
setup_test_environment()
call_command("collectstatic", interactive=False, verbosity=0)
response = Client().get("/login/", secure=True)
html = response.content.decode()
first = re.search(r'(?:href|src)="(/static/[^"?]+)', html)
served = Client().get(first.group(1), secure=True) if first else None
print(response.status_code, served.status_code if served else "-")
print(html)
"""


def test_production_settings_serve_a_page_with_hashed_static_urls(tmp_path):
    (tmp_path / "production_here.py").write_text(
        textwrap.dedent(f"""
            from eldercare.settings.production import *  # noqa: F403

            STATIC_ROOT = {str(tmp_path / "static")!r}
            # The manifest storage production uses, without the minute of compression.
            STORAGES = {{
                "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
                "staticfiles": {{"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}},
            }}
        """)
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
        "DJANGO_SETTINGS_MODULE": "production_here",
        "DJANGO_SECRET_KEY": "production-test-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "FIELD_ENCRYPTION_KEYS": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
        "BLIND_INDEX_KEY": "production-test-blind-index",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PAGE],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    status, _, html = result.stdout.partition("\n")
    assert status == "200 200"  # the page, and the first static file it names, served by WhiteNoise
    static_urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert static_urls, html[:2000]
    # Every static file the page names carries the content hash the manifest gave it.
    assert all(re.search(r"\.[0-9a-f]{12}\.\w+(\?v=\d+)?$", url) for url in static_urls), static_urls
