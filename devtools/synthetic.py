# ruff: noqa: S608 -- table names come from model metadata
"""A realistic synthetic district for load tests: streets, communities, elders with categories,
ages, care-level assessments and entitlements, written with bulk inserts (COPY on PostgreSQL).

The mix follows scheme A's population: about half are elders in difficulty aged 60+, the others
are 80+ without a category; care levels about 60% self-care, 28% semi-disabled, 12% disabled.
"""

from __future__ import annotations

import datetime
import functools
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from eldercare.crypto import blind_index, encrypt
from eldercare.idnumber import check_character
from eldercare.masking import mask_id_number
from eldercare.models import DifficultyCategory, Division, Elder, ElderCategory, Role, RoleAssignment, User
from eldercare.periods import Month
from eldercare.searchkeys import id_tail, name_initials
from subsidies.standards.models import Assessment, Entitlement, Scheme
from subsidies.standards.services.policies import load_policies

# Synthetic names repeat (surname × two given characters): their initials are computed once each.
initials = functools.lru_cache(maxsize=None)(name_initials)

SYN_DISTRICT = "990100000000"
# How long before the build its records are stamped as saved: a district's records were entered
# before today, so a stored reading taken after the build finds none of them changed since.
RECORDED_BEFORE = datetime.timedelta(days=1)


def recorded_at() -> datetime.datetime:
    """When the synthetic records are stamped as created and saved (see RECORDED_BEFORE)."""
    return timezone.now() - RECORDED_BEFORE


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "秀英桂英玉兰秀兰凤英建华国强志明德胜建国淑珍美华玉珍国华文华春花金凤福生来福永康宝珍长林守仁"


@dataclass
class SyntheticResult:
    district: Division
    elders: int
    created: int


def synthetic_district() -> Division | None:
    return Division.objects.filter(code=SYN_DISTRICT).first()


def _tree(streets: int, communities_per_street: int) -> tuple[Division, list[Division]]:
    district = Division.objects.create(code=SYN_DISTRICT, name="合成区", level=Division.Level.DISTRICT)
    communities = []
    for s in range(streets):
        street = Division.objects.create(
            code=f"9901{s + 1:02d}000000"[:12], name=f"合成街道{s + 1}", level=Division.Level.STREET, parent=district
        )
        Division.objects.bulk_create(
            Division(
                code=f"9901{s + 1:02d}{c + 1:03d}000"[:12],
                name=f"合成社区{s + 1}-{c + 1}",
                level=Division.Level.COMMUNITY,
                parent=street,
            )
            for c in range(communities_per_street)
        )
        communities += list(street.children.order_by("id"))
    return district, communities


def _copy_or_bulk(model, columns: list[str], rows: list[tuple]) -> None:
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def generate(*, elders: int, seed: int = 2026, start_month: Month | None = None) -> SyntheticResult:
    """Add `elders` entitled elders to the synthetic district (created on first use)."""
    start_month = start_month or Month(2026, 1)
    now = recorded_at()
    with transaction.atomic():
        district = synthetic_district()
        if district is None:
            streets = 8
            district, communities = _tree(streets, max(3, min(60, elders // (streets * 1500) + 3)))
        else:
            communities = list(Division.objects.filter(level="community", parent__parent=district).order_by("id"))
        schemes = load_policies(district=district)
        scheme = schemes["jiangdu"]
        if scheme.jurisdiction_id != district.pk and not Scheme.objects.filter(code="jiangdu").exists():
            scheme = schemes["jiangdu"]
        user, created = User.objects.get_or_create(
            username="synthetic-district", defaults={"full_name": "合成区民政局"}
        )
        if created:
            RoleAssignment.objects.create(user=user, role=Role.DISTRICT_REVIEWER, division=district)
        already = Elder.objects.filter(community__parent__parent=district).count()
        # Seeded by the elders already there too: a second batch of the same size gets new ID numbers.
        rng = random.Random(seed + elders + already * 1_000_003)
        first_id = (Elder.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

        today = datetime.date(2026, 1, 1)
        used: set[str] = set()
        elder_rows = []
        categories_all = list(DifficultyCategory.values)
        cat_rows, assess_rows, ent_rows = [], [], []
        levels = ["self_care"] * 60 + ["semi_disabled"] * 28 + ["disabled"] * 12
        for i in range(elders):
            community = communities[i % len(communities)]
            difficult = rng.random() < 0.55
            age = rng.randint(60, 95) if difficult else rng.randint(80, 100)
            birth = today - datetime.timedelta(days=age * 365 + rng.randrange(0, 365))
            while True:
                first17 = f"99{community.parent_id % 100:02d}{i % 97:02d}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
                number = first17 + check_character(first17)
                if number not in used:
                    used.add(number)
                    break
            elder_id = first_id + i
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            elder_rows.append(
                (
                    elder_id,
                    name,
                    rng.choice("MF"),
                    encrypt(number),
                    blind_index(number),
                    mask_id_number(number),
                    birth,
                    community.pk,
                    True,
                    datetime.date(2000, 1, 1),
                    f"{community.name}{rng.randrange(1, 300)}号",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "active",
                    None,
                    None,
                    "",
                    initials(name),
                    id_tail(number),
                    "",
                    now,
                    now,
                )
            )
            if difficult:
                for code in rng.sample(categories_all, rng.choice([1, 1, 1, 2])):
                    cat_rows.append((elder_id, code, datetime.date(2020, 1, 1), "", now, now))
            level = rng.choice(levels)
            assess_rows.append(
                (
                    elder_id,
                    datetime.date(2025, 6, 1),
                    datetime.date(2025, 6, 1),
                    user.pk,
                    "synthetic",
                    "{}",
                    "-",
                    level,
                    "",
                    now,
                    now,
                )
            )
            ent_rows.append((elder_id, scheme.pk, start_month.first_day, "active", "", now, user.pk, now, now))
        _copy_or_bulk(
            Elder,
            [
                "id",
                "name",
                "gender",
                "id_number",
                "id_digest",
                "id_masked",
                "birth_date",
                "community_id",
                "hukou_in_district",
                "resident_since",
                "address",
                "phone",
                "phone_masked",
                "agent_name",
                "agent_relation",
                "agent_phone",
                "agent_phone_masked",
                "life_status",
                "life_status_date",
                "disqualified_at",
                "disqualified_reason",
                "name_initials",
                "id_tail",
                "phone_tail",
                "created_at",
                "updated_at",
            ],
            elder_rows,
        )
        del elder_rows
        _copy_or_bulk(
            ElderCategory,
            ["elder_id", "category", "evidence_date", "evidence_note", "created_at", "updated_at"],
            cat_rows,
        )
        _copy_or_bulk(
            Assessment,
            [
                "elder_id",
                "assessed_on",
                "effective_from",
                "assessor_id",
                "instrument",
                "scores",
                "instrument_level",
                "care_level",
                "notes",
                "created_at",
                "updated_at",
            ],
            assess_rows,
        )
        _copy_or_bulk(
            Entitlement,
            [
                "elder_id",
                "scheme_id",
                "start_month",
                "status",
                "end_reason",
                "approved_at",
                "approved_by_id",
                "created_at",
                "updated_at",
            ],
            ent_rows,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for model in (Elder, ElderCategory, Assessment, Entitlement):
                    table = model._meta.db_table
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return SyntheticResult(district=district, elders=already + elders, created=elders)
