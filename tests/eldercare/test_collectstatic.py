"""The production static storage collects every file: a reference to a file that is not shipped
(e.g. a source map named in a vendored bundle) fails the hashed-names pass and the deployment.
(Production compresses too, `whitenoise.storage.CompressedManifestStaticFilesStorage`; the
references are checked by the same manifest pass, without the minute of compression.)"""

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
