"""Import screening results from a spreadsheet typed in the community (Chinese column headers).

The registry import's rules: the same readers (Excel or CSV in UTF-8 or GB18030), every row
validated and its errors reported by row, and a file with any error imports nothing. Each row
names an elder of the register by the full ID number and goes through `profile_screen`.
"""

import datetime
from dataclasses import dataclass

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from eldercare.crypto import blind_index
from eldercare.errors import ValidationFailed
from eldercare.idnumber import parse_resident_id
from eldercare.importing import (
    EXAMPLE_ID,
    EXAMPLE_NAME,
    ImportRejected,
    RowError,
    TemplateColumn,
    _parse_date,
    alternatives,
    import_template,
    primary_headers,
)
from eldercare.models import Elder, User

from . import selectors
from .models import CareNeed, LivingArrangement
from .services import ContactData, ScreeningData, may_screen, profile_screen, screening_validate

COLUMNS = {
    "姓名": "name",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "排查日期": "screened_on",
    "居住情况": "living_arrangement",
    "独居": "solitary",
    "留守": "left_behind",
    "空巢": "empty_nest",
    "失能情况": "care_need",
    "分散特困": "dispersed_extreme_poverty",
    "家庭照护者隔离或缺失": "carers_absent",
    "慢病需用药": "chronic_medicine",
    "所用药品": "medicines",
    "紧急联系人": "contact_name",
    "联系人关系": "contact_relation",
    "联系人电话": "contact_phone",
    "备注": "note",
}
REQUIRED = ("身份证号", "排查日期", "居住情况")
FLAGS = ("solitary", "left_behind", "empty_nest", "dispersed_extreme_poverty", "carers_absent", "chronic_medicine")
YES = {"是", "有", "√", "✓", "Y", "YES", "1", "TRUE"}
NO = {"", "否", "无", "N", "NO", "0", "FALSE"}
LIVING = {
    "独居": LivingArrangement.ALONE,
    "仅与配偶同住": LivingArrangement.SPOUSE,
    "与配偶同住": LivingArrangement.SPOUSE,
    "与子女同住": LivingArrangement.CHILDREN,
    "与其他亲属同住": LivingArrangement.RELATIVES,
    "与保姆同住": LivingArrangement.CARER,
    "其他": LivingArrangement.OTHER,
}
CARE = {"": CareNeed.SELF_CARE, "自理": CareNeed.SELF_CARE, "半失能": CareNeed.SEMI_DISABLED, "失能": CareNeed.DISABLED}


@dataclass
class ScreeningImportResult:
    screened: int


def _cell(row: dict, key: str) -> str:
    return str(row.get(key, "")).strip()


def _row_to_data(row: dict) -> tuple[ScreeningData | None, list[str]]:
    problems: list[str] = []
    screened_on = _parse_date(_cell(row, "screened_on"))
    if screened_on is None:
        problems.append(_("%(column)s is not a date like 2020-05-01") % {"column": "排查日期"})
    living = LIVING.get(_cell(row, "living_arrangement"))
    if living is None:
        problems.append(
            _("%(column)s must be one of: %(values)s") % {"column": "居住情况", "values": "、".join(LIVING)}
        )
    care = CARE.get(_cell(row, "care_need"))
    if care is None:
        problems.append(
            _("%(column)s must be one of: %(values)s") % {"column": "失能情况", "values": "自理、半失能、失能"}
        )
    flags: dict[str, bool] = {}
    for name in FLAGS:
        value = _cell(row, name).upper()
        if value not in YES | NO:
            label = next(h for h, f in COLUMNS.items() if f == name)
            problems.append(_("%(column)s must be 是 or 否") % {"column": label})
        flags[name] = value in YES
    contacts = []
    if any(_cell(row, k) for k in ("contact_name", "contact_relation", "contact_phone")):
        contacts.append(
            ContactData(_cell(row, "contact_name"), _cell(row, "contact_relation"), _cell(row, "contact_phone"))
        )
    if problems or screened_on is None or living is None or care is None:
        return None, problems
    return ScreeningData(
        living_arrangement=living,
        screened_on=screened_on,
        care_need=care,
        medicines=_cell(row, "medicines"),
        note=_cell(row, "note"),
        contacts=contacts,
        **flags,
    ), []


def screenings_import(*, frame: pd.DataFrame, by: User) -> ScreeningImportResult:
    """Validate every row, then record all the screenings in one transaction, or none."""
    frame = frame.rename(columns=lambda c: COLUMNS.get(str(c).strip(), str(c).strip()))
    missing = [h for h in REQUIRED if COLUMNS[h] not in frame.columns]
    if missing:
        raise ImportRejected([RowError(1, _("missing column(s): %(cols)s") % {"cols": "、".join(missing)})])
    register = selectors.register_elders(user=by)
    errors: list[RowError] = []
    rows: list[tuple[Elder, ScreeningData]] = []
    seen: dict[int, int] = {}
    for index, record in enumerate(frame.to_dict("records"), start=2):
        data, problems = _row_to_data(record)
        elder = None
        try:
            number = parse_resident_id(_cell(record, "id_number")).number
        except ValidationFailed as exc:
            problems.append(exc.message)
        else:
            elder = register.filter(id_digest=blind_index(number)).first()
            if elder is None:
                problems.append(_("no elder of 60 or more in your area has this ID number"))
            elif not may_screen(by, elder):
                problems.append(_("you may not screen this elder"))
            elif elder.pk in seen:
                problems.append(_("the same ID number is on row %(row)d") % {"row": seen[elder.pk]})
            else:
                seen[elder.pk] = index
        if data is not None:
            problems.extend(dict.fromkeys(screening_validate(data=data).values()))
        if problems:
            errors.extend(RowError(index, p) for p in problems)
        elif elder is not None and data is not None:
            rows.append((elder, data))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for elder, data in rows:
            profile_screen(elder=elder, data=data, by=by)
    return ScreeningImportResult(screened=len(rows))


def screenings_import_template(*, today: datetime.date) -> bytes:
    """The screening import's template: the header row the importer reads, one example row (the
    example elder of every import template, living alone) and the notes sheet."""
    yes_no = "是 或 否（不填为否）"
    flags = {name: (yes_no, "否") for name in FLAGS}
    flags["solitary"] = (yes_no, "是")
    notes = {
        "name": ("老人姓名（核对用）", EXAMPLE_NAME),
        "id_number": ("18 位居民身份证号码，须为本辖区 60 周岁及以上在册老人", EXAMPLE_ID),
        "screened_on": ("日期，如 2020-05-01", today.isoformat()),
        "living_arrangement": ("、".join(LIVING), "独居"),
        "care_need": ("、".join(k for k in CARE if k) + "（不填为自理）", "自理"),
        "medicines": ("慢病需用药时填写", ""),
        "contact_name": ("", "李明"),
        "contact_relation": ("如 儿子、女儿、邻居", "儿子"),
        "contact_phone": ("", "13812345678"),
        "note": ("", ""),
        **flags,
    }
    columns = []
    for header in primary_headers(COLUMNS):
        allowed, example = notes.get(COLUMNS[header], ("", ""))
        others = alternatives(COLUMNS, header)
        if others:
            allowed = "；".join(filter(None, [allowed, "列名也可写作 " + "、".join(others)]))
        columns.append(TemplateColumn(header, header in REQUIRED, allowed, example))
    return import_template(columns, sheet="排查结果")
