from django.core.management import call_command


def test_openapi_schema_is_valid_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/elders/" in text and "/api/v1/divisions/" in text
