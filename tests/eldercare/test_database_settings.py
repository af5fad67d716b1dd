import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_runs_the_platform_statements_without_jit_compilation():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
