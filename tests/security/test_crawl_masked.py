"""No page, API answer or export shows a demo elder's or caregiver's full ID number or mobile
unless the request logged a reveal (a RevealLog row written by that very request: the audited
reveal endpoints, the outreach contact page, the approval form printed with the full number).

As each role, every route the role opens (route_table.py) is fetched with objects inside its
jurisdiction; HTML and JSON are read as text, XLSX through openpyxl and PDF through pypdf. A
number counts only when it is one of the demo's own (decrypted from the database), so a figure
that happens to look like a number does not.
"""

import io
import re

import openpyxl
import pypdf
import pytest
from django.test import Client

from eldercare.errors import ValidationFailed
from eldercare.idnumber import parse_resident_id
from eldercare.models import Elder, RevealLog
from outreach.models import EmergencyContact, ResponsiblePerson, TemporaryCaregiver
from providers.models import Caregiver
from tests.security import route_table as T
from tests.security import routes as R
from tests.security.conftest import ROLE_LOGINS
from tests.security.observe import get

# One worker runs this module's tests, so the demo is seeded once for them (--dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("test_crawl_masked")]

ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")

# Findings (route, role, kind) reported instead of failing until their fix lands.
# caregiver scope/phones: caregivers' phones are stored and shown in full today (badge PDF for
# every role that opens it; the provider's caregiver pages and API for the provider).
_TREE_AND_DISTRICT = (
    "community",
    "community2",
    "street",
    "town",
    "town2",
    "district",
    "assessor",
    "finance",
    "finance2",
    "supervisor",
    "provider",
    "caregiver",
    "caregiver2",
    "admin",
)
KNOWN_FINDINGS: set[tuple[str, str, str]] = set()


def demo_numbers() -> tuple[set[str], dict[str, str]]:
    """The demo's full ID numbers, and its mobiles with whose they are (elder / caregiver / …)."""
    ids: set[str] = set()
    phones: dict[str, str] = {}
    for elder in Elder.objects.all():
        ids.add(elder.id_number.upper())
        for value in (elder.phone, elder.agent_phone):
            if value:
                phones[value] = "elder"
    for phone in Caregiver.objects.exclude(phone="").values_list("phone", flat=True):
        phones[phone] = "caregiver"
    for model, kind in (
        (EmergencyContact, "emergency contact"),
        (ResponsiblePerson, "responsible person"),
        (TemporaryCaregiver, "temporary caregiver"),
    ):
        for obj in model.objects.all():
            if obj.phone:
                phones[obj.phone] = kind
    return ids, phones


def text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type or body[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
        return "\n".join(
            " ".join("" if c is None else str(c) for c in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in content_type or body[:5] == b"%PDF-":
        reader = pypdf.PdfReader(io.BytesIO(body))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    return body.decode("utf-8", "replace")


def full_numbers(text: str, ids: set[str], phones: dict[str, str]) -> list[str]:
    found = []
    for match in ID_RE.findall(text):
        try:
            number = parse_resident_id(match).number
        except ValidationFailed:
            continue
        if number in ids:
            found.append("id_number")
    found += [f"{phones[m]} phone" for m in MOBILE_RE.findall(text) if m in phones]
    return sorted(set(found))


def _opens(entry, login: str) -> bool:
    if entry in (T.POST_ONLY, T.NOBODY, T.NO_DEMO_OBJECT, None):
        return False
    if entry in (T.PUBLIC, T.ANY_SIGNED_IN):
        return True
    return login in entry


@pytest.mark.parametrize("login", ROLE_LOGINS)
def test_no_full_number_is_shown_without_a_logged_reveal(world, login):
    user = world[login]
    client = Client()
    client.force_login(user)
    ids, phones = demo_numbers()
    assert ids and phones
    unexpected: list[str] = []
    known: list[str] = []
    for name, route in R.walk().items():
        entry = T.ROUTES.get(name, T.NAMESPACES.get(name.split(":", 1)[0]) if ":" in name else None)
        if name.startswith("admin:") or not _opens(entry, login):
            continue
        url = R.url_for(route, user, inside=True)
        if url is None:
            continue
        reveals = RevealLog.objects.filter(user=user).count()
        response = get(client, url)
        if response.status_code != 200:
            continue
        kinds = full_numbers(text_of(response), ids, phones)
        if not kinds or RevealLog.objects.filter(user=user).count() > reveals:
            continue
        for kind in kinds:
            line = f"{name} {url}: {kind}"
            (known if (name, login, kind) in KNOWN_FINDINGS else unexpected).append(line)
    if known:
        print(f"known findings for {login}: {known}")
    assert unexpected == [], f"{login} sees full numbers: {unexpected}"
