import pytest

from .factories import ProviderFactory


@pytest.fixture
def provider(tree):
    return ProviderFactory(district=tree.district)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The shared `users` fixture creates nine users; real hashing would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
