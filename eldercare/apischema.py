"""The API schema documents the refusals every endpoint may answer, once for all of them.

Each app's views raise domain errors (`eldercare.errors`) that `api_exception_handler` maps to
400, 403 and 409; REST framework answers 401 without credentials, 404 for an object outside the
user's jurisdiction or a page past the end, 429 past the throttle. A view that documents its own
answer for one of these codes keeps it.
"""

from typing import Any

ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal: the reason in the user's language, and a code for scripts.",
    "properties": {
        "detail": {"type": "string", "readOnly": True},
        "code": {"type": "string", "readOnly": True},
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "The request's data or parameters are not valid.",
    "401": "Not signed in.",
    "403": "The user's role or jurisdiction does not allow this.",
    "404": "No such object in the user's jurisdiction, or no such page.",
    "429": "Too many requests: wait a moment.",
}
WRITE_ERROR_RESPONSES = {
    "409": "The object's state does not allow this (already done, frozen, locked...).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the common refusals to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = ERROR_RESPONSES | (WRITE_ERROR_RESPONSES if method in WRITE_METHODS else {})
            for code, description in errors.items():
                operation["responses"].setdefault(code, {"description": description, "content": content})
    return result
