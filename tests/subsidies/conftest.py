import pytest

from .factories import open_batch, scheme_for


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def scheme(tree):
    return scheme_for(tree.district)


@pytest.fixture
def batch(tree):
    return open_batch(tree.district)


@pytest.fixture(autouse=True)
def _reference_tables(request):
    """The required-materials table and the default instrument come from a data migration; a
    transactional test elsewhere flushes them, so put them back (idempotent get_or_create)."""
    import importlib

    from django.apps import apps

    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    importlib.import_module("subsidies.applications.migrations.0003_seed_materials_and_instrument").seed(apps, None)
