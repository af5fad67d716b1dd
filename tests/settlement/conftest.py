import pytest

from .scenario import build


@pytest.fixture
def q4(tree):
    return build(tree)
