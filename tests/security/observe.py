"""GET a route as a user and say what came back: "open" (200, or a redirect that is not to a
sign-in page), "login" (a redirect to a sign-in page) or the refusing status ("403", "404", …)."""

from django.test import Client


def outcome(response) -> str:
    status = response.status_code
    if status == 200:
        return "open"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        path = location.split("?", 1)[0]
        if path.rstrip("/").endswith("/login"):
            return "login"
        return "open"
    return str(status)


def get(client: Client, url: str):
    return client.get(url, HTTP_ACCEPT="text/html,application/json;q=0.9,*/*;q=0.8")
