from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator


def test_openapi_schema_is_valid_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/elders/" in text and "/api/v1/divisions/" in text


def test_every_operation_documents_the_refusals_the_api_answers(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    elder = schema["paths"]["/api/v1/elders/{id}/"]
    assert {"400", "401", "403", "404", "429"} <= set(elder["get"]["responses"])
    assert "409" not in elder["get"]["responses"]  # a read changes no state
    assert "409" in elder["put"]["responses"]
    assert elder["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
