"""Import elders from a spreadsheet typed by a community office (Chinese column headers).

Every row is validated; errors are reported per row; a file with any error imports nothing.
"""

import datetime
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import openpyxl
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .exports import excel_writer, write_sheet
from .models import DifficultyCategory, Division, User
from .scoping import scope_for
from .services import ElderData, _can_edit_in, elder_create, elder_validate

# Header as a community office types it → field. Alternatives are accepted.
COLUMNS = {
    "姓名": "name",
    "性别": "gender",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "户籍社区": "community",
    "户籍社区代码": "community",
    "居住起始日期": "resident_since",
    "现住址": "address",
    "住址": "address",
    "联系电话": "phone",
    "代理人": "agent_name",
    "代理人关系": "agent_relation",
    "与老人关系": "agent_relation",
    "代理人电话": "agent_phone",
    "困难类别": "categories",
    "证明日期": "evidence_date",
}
REQUIRED = ("name", "id_number", "community", "resident_since", "address")
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}
CATEGORY_BY_LABEL = {
    "特困": DifficultyCategory.EXTREME_POVERTY,
    "城乡散居特困": DifficultyCategory.EXTREME_POVERTY,
    "低保": DifficultyCategory.LOW_INCOME,
    "失独": DifficultyCategory.BEREAVED,
    "优抚": DifficultyCategory.ENTITLED,
    "重点优抚对象": DifficultyCategory.ENTITLED,
    "特殊贡献": DifficultyCategory.SPECIAL_CONTRIBUTION,
    "孤寡": DifficultyCategory.CHILDLESS,
    "空巢独居": DifficultyCategory.EMPTY_NEST,
    "空巢": DifficultyCategory.EMPTY_NEST,
    "三无": DifficultyCategory.THREE_NO,
}


# The example person of every import template (a valid but made-up ID number): the elder import's
# example registers her, the screening and survey imports' examples then name her.
EXAMPLE_NAME, EXAMPLE_ID = "王秀英", "321012194005010021"
TEMPLATE_NOTES = "说明"


@dataclass(frozen=True)
class TemplateColumn:
    """One column of an import template: its header, whether a row must fill it, what may be
    written in it (for the notes sheet) and the example row's cell."""

    header: str
    required: bool
    allowed: str = ""
    example: str = ""


def primary_headers(columns: Mapping[str, str]) -> tuple[str, ...]:
    """The first header of each field of an importer's header → field map (the others are the
    alternatives it also accepts): the template's header row."""
    first: dict[str, str] = {}
    for header, field in columns.items():
        first.setdefault(field, header)
    return tuple(first.values())


def alternatives(columns: Mapping[str, str], header: str) -> list[str]:
    """The other headers an importer accepts for the field of `header`."""
    return [h for h, f in columns.items() if f == columns[header] and h != header]


def import_template(columns: Sequence[TemplateColumn], *, sheet: str) -> bytes:
    """An import's spreadsheet template: a sheet with the header row the importer expects and one
    example row, and a notes sheet (说明) listing each column, whether it is required and what may
    be written in it."""
    grid = pd.DataFrame([[c.example for c in columns]], columns=[c.header for c in columns])
    notes = pd.DataFrame(
        [[c.header, "是" if c.required else "否", c.allowed] for c in columns],
        columns=["列名", "是否必填", "填写说明及可选值"],
    )
    out = io.BytesIO()
    with excel_writer(out) as writer:
        write_sheet(writer, grid, sheet).set_column(0, len(columns) - 1, 16)
        explained = write_sheet(writer, notes, TEMPLATE_NOTES)
        explained.set_column(0, 1, 14)
        explained.set_column(2, 2, 70)
    return out.getvalue()


@dataclass
class RowError:
    row: int  # as the user sees it in the spreadsheet: header is row 1
    message: str


@dataclass
class ImportResult:
    created: int
    errors: list[RowError]


class ImportRejected(ValidationFailed):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(_("The file has %(n)d error(s); nothing was imported.") % {"n": len(errors)})


def _cell_text(value) -> str:
    """A cell as the registry reads it (as pandas' `dtype=str` did): a whole float without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _too_many_rows(limit: int) -> ValidationFailed:
    return ValidationFailed(_("At most %(n)s rows can be imported at once.") % {"n": limit})


def _read_xlsx(uploaded, limit: int) -> pd.DataFrame:
    """The first sheet, row by row (openpyxl's read-only mode keeps memory flat), stopping at the
    first row past the limit."""
    book = openpyxl.load_workbook(uploaded, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return pd.DataFrame()
        columns = [_cell_text(c).strip() for c in header]
        data: list[list[str]] = []
        for row in rows:
            if all(c is None or c == "" for c in row):
                continue
            if len(data) >= limit:
                raise _too_many_rows(limit)
            cells = [_cell_text(c) for c in row[: len(columns)]]
            data.append(cells + [""] * (len(columns) - len(cells)))
    finally:
        book.close()
    return pd.DataFrame(data, columns=columns, dtype=str)


def read_table(uploaded, filename: str) -> pd.DataFrame:
    """A spreadsheet (.xlsx) or CSV (UTF-8 or GB18030) as text cells, refused past the size and row
    limits (settings IMPORT_MAX_BYTES, IMPORT_MAX_ROWS) before it is read further."""
    name = filename.lower()
    limit = settings.IMPORT_MAX_ROWS
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("The file is %(size).1f MB; at most %(max).0f MB can be imported at once.")
            % {"size": size / 1024 / 1024, "max": settings.IMPORT_MAX_BYTES / 1024 / 1024}
        )
    try:
        if name.endswith(".xlsx"):
            frame = _read_xlsx(uploaded, limit)
        elif name.endswith(".csv"):
            raw = uploaded.read()
            text = None
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            if text is None:
                raise ValidationFailed(_("The CSV file is neither UTF-8 nor GB18030 text."))
            frame = pd.read_csv(io.StringIO(text), dtype=str, nrows=limit + 1)
            if len(frame) > limit:
                raise _too_many_rows(limit)
        else:
            raise ValidationFailed(_("Upload an Excel (.xlsx) or CSV file."))
    except ValidationFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is the user's file, say so
        raise ValidationFailed(_("The file could not be read: %(error)s") % {"error": exc}) from exc
    return frame.fillna("")


def _parse_date(text: str) -> datetime.date | None:
    text = str(text).strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?: 00:00:00)?", text)
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _row_to_data(row: dict, communities: dict[str, Division]) -> tuple[ElderData | None, list[str]]:
    problems: list[str] = []
    for key in REQUIRED:
        if not str(row.get(key, "")).strip():
            label = next(h for h, f in COLUMNS.items() if f == key)
            problems.append(_("%(column)s is empty") % {"column": label})
    community_text = str(row.get("community", "")).strip()
    community = communities.get(community_text)
    if community_text and community is None:
        problems.append(_("community %(name)s is unknown or outside your area") % {"name": community_text})
    resident_since = _parse_date(row.get("resident_since", ""))
    if row.get("resident_since") and resident_since is None:
        problems.append(_("%(column)s is not a date like 2020-05-01") % {"column": "居住起始日期"})
    gender_text = str(row.get("gender", "")).strip()
    gender = GENDERS.get(gender_text, "")
    if gender_text and not gender:
        problems.append(_("%(column)s must be 男 or 女") % {"column": "性别"})
    categories: dict[str, datetime.date] = {}
    evidence = _parse_date(row.get("evidence_date", "")) or resident_since or timezone.localdate()
    for label in re.split(r"[、,，;；\s]+", str(row.get("categories", "")).strip()):
        if not label:
            continue
        code = CATEGORY_BY_LABEL.get(label)
        if code is None:
            problems.append(_("unknown category of difficulty: %(label)s") % {"label": label})
        else:
            categories[code] = evidence
    if problems:
        return None, problems
    return ElderData(
        name=str(row["name"]).strip(),
        id_number=str(row["id_number"]).strip(),
        community=community,
        resident_since=resident_since,
        address=str(row["address"]).strip(),
        gender=gender,
        phone=str(row.get("phone", "")).strip(),
        agent_name=str(row.get("agent_name", "")).strip(),
        agent_relation=str(row.get("agent_relation", "")).strip(),
        agent_phone=str(row.get("agent_phone", "")).strip(),
        categories=categories,
    ), []


def elders_import(*, frame: pd.DataFrame, by: User) -> ImportResult:
    """Validate every row, then create all of them in one transaction, or none."""
    frame = frame.rename(columns=lambda c: COLUMNS.get(str(c).strip(), str(c).strip()))
    missing = [h for h in ("姓名", "身份证号", "户籍社区", "居住起始日期", "现住址") if COLUMNS[h] not in frame.columns]
    if missing:
        raise ImportRejected([RowError(1, _("missing column(s): %(cols)s") % {"cols": "、".join(missing)})])
    scope = scope_for(by)
    visible = Division.objects.filter(level=Division.Level.COMMUNITY)
    if not scope.all:
        visible = visible.filter(pk__any_of=scope.community_ids)
    communities: dict[str, Division] = {}
    for d in visible:
        communities[d.name] = d
        communities[d.code] = d
    errors: list[RowError] = []
    rows: list[ElderData] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(frame.to_dict("records"), start=2):
        data, problems = _row_to_data(record, communities)
        if data is not None:
            if not _can_edit_in(by, data.community):
                problems.append(_("you may not register elders in %(name)s") % {"name": data.community.name})
            field_errors = elder_validate(data=data)
            problems.extend(field_errors.values())
            key = data.id_number.upper()
            if key in seen:
                problems.append(_("the same ID number is on row %(row)d") % {"row": seen[key]})
            seen.setdefault(key, index)
        if problems:
            errors.extend(RowError(index, p) for p in problems)
        else:
            rows.append(data)
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for data in rows:
            elder_create(data=data, by=by)
    return ImportResult(created=len(rows), errors=[])


def elders_import_template(*, by: User) -> bytes:
    """The elder import's template: the communities the user may register in are the allowed
    values of 户籍社区, the first of them in the example row."""
    scope = scope_for(by)
    mine = Division.objects.filter(level=Division.Level.COMMUNITY).order_by("code")
    if not scope.all:
        mine = mine.filter(pk__any_of=scope.community_ids)
    names = [d.name for d in mine if _can_edit_in(by, d)]
    date_like = "日期，如 2020-05-01"
    notes = {
        "name": ("与身份证一致", EXAMPLE_NAME),
        "gender": ("、".join(h for h in GENDERS if not h.isascii()), "女"),
        "id_number": ("18 位居民身份证号码", EXAMPLE_ID),
        "community": ("社区名称或代码；您可登记的社区：" + "、".join(names), names[0] if names else ""),
        "resident_since": (date_like, "2015-06-01"),
        "address": ("", "幸福路 8 号 3 幢 201 室"),
        "phone": ("手机或固定电话", "13912345678"),
        "agent_name": ("", "李明"),
        "agent_relation": ("如 儿子、女儿、配偶", "儿子"),
        "agent_phone": ("", "13812345678"),
        "categories": ("可填多项，用顿号分隔：" + "、".join(CATEGORY_BY_LABEL), "低保"),
        "evidence_date": ("困难类别证明的日期，" + date_like + "；不填则为居住起始日期", "2025-01-05"),
    }
    columns = []
    for header in primary_headers(COLUMNS):
        field = COLUMNS[header]
        allowed, example = notes.get(field, ("", ""))
        others = alternatives(COLUMNS, header)
        if others:
            allowed = "；".join(filter(None, [allowed, "列名也可写作 " + "、".join(others)]))
        columns.append(TemplateColumn(header, field in REQUIRED, allowed, example))
    return import_template(columns, sheet="老人名册")


def elders_export_frame(elders) -> pd.DataFrame:
    """The registry as a community office reads it, with numbers masked."""
    return pd.DataFrame(
        [
            {
                "姓名": e.name,
                "性别": e.get_gender_display(),
                "身份证号": e.id_masked,
                "户籍社区": e.community.name,
                "居住起始日期": e.resident_since,
                "现住址": e.address,
                "联系电话": e.phone_masked,
                "困难类别": "、".join(c.get_category_display() for c in e.categories.all()),
            }
            for e in elders
        ]
    )
