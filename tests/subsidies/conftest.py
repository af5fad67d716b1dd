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
