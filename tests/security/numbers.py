"""Full personal numbers in an answer: the demo's own ID numbers and mobiles (decrypted from the
database, so a figure that only looks like a number does not count), found in HTML and JSON as
text, in XLSX through openpyxl and in PDF through pypdf."""

import io
import re

import openpyxl
import pypdf

from eldercare.errors import ValidationFailed
from eldercare.idnumber import parse_resident_id
from eldercare.models import Elder
from outreach.models import EmergencyContact, ResponsiblePerson, TemporaryCaregiver
from providers.models import Caregiver

ID_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


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
