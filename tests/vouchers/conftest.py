import pytest

from .factories import ProviderFactory


@pytest.fixture
def provider(tree):
    return ProviderFactory(district=tree.district)
