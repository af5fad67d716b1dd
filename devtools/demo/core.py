"""Demo data of the shared core: a district, its streets and communities, a user per role, elders.

Other apps extend the demo from their own `demo.seed(ctx)`; `seed_demo` calls them in order.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from eldercare.crypto import blind_index
from eldercare.idnumber import check_character
from eldercare.masking import mask_id_number, mask_phone
from eldercare.models import DifficultyCategory, Division, Elder, ElderCategory, Role, RoleAssignment, User

DEMO_PASSWORD = "demo-2026"  # noqa: S105 - printed by seed_demo and in the README on purpose
DISTRICT_CODE = "321012000000"

TREE = {
    ("321012001000", "龙川街道", False): [
        ("321012001001", "龙川社区"),
        ("321012001002", "文昌社区"),
        ("321012001003", "东方社区"),
    ],
    ("321012002000", "仙女镇", True): [
        ("321012002201", "新都村"),
        ("321012002202", "仙城社区"),
        ("321012002203", "张纲村"),
    ],
    ("321012003000", "邵伯镇", True): [
        ("321012003201", "甘棠社区"),
        ("321012003202", "昭关村"),
        ("321012003203", "六闸村"),
    ],
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂英玉兰秀兰凤英建华国强志明德胜建国淑珍美华玉珍国华文华春花金凤福生来福永康宝珍长林守仁"


@dataclass
class DemoContext:
    rng: random.Random
    today: datetime.date
    district: Division | None = None
    streets: list[Division] = field(default_factory=list)
    communities: list[Division] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    elders: list[Elder] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (username, what the user does)


def make_id_number(rng: random.Random, birth: datetime.date, gender: str, region: str = "321012") -> str:
    sequence = rng.randrange(0, 99) * 10 + (
        rng.choice([1, 3, 5, 7, 9]) if gender == "M" else rng.choice([0, 2, 4, 6, 8])
    )
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def _user(ctx: DemoContext, username: str, full_name: str, role: str, what: str, division=None, provider=None) -> User:
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=full_name)
    RoleAssignment.objects.create(user=user, role=role, division=division, provider=provider)
    ctx.users[username] = user
    ctx.logins.append((username, what))
    return user


def seed(ctx: DemoContext, elders: int = 300) -> None:
    district = Division.objects.create(code=DISTRICT_CODE, name="江都区", level=Division.Level.DISTRICT)
    ctx.district = district
    for (code, name, rural), communities in TREE.items():
        street = Division.objects.create(
            code=code, name=name, level=Division.Level.STREET, parent=district, rural=rural
        )
        ctx.streets.append(street)
        street.address = f"江都区{name}便民服务中心二楼"
        street.phone = f"0514-8658 {1000 + len(ctx.streets):04d}"
        street.save(update_fields=["address", "phone"])
        for ccode, cname in communities:
            ctx.communities.append(
                Division.objects.create(
                    code=ccode, name=cname, level=Division.Level.COMMUNITY, parent=street, rural=rural
                )
            )
    # Where the public reaches each workstation (the last community has not entered it yet, so the
    # demo shows the warning on the notice lists).
    for n, community in enumerate(ctx.communities[:-1], start=1):
        community.address = f"江都区{community.parent.name}{community.name}党群服务中心一楼"
        community.phone = f"0514-8660 {2000 + n:04d}"
        community.save(update_fields=["address", "phone"])

    admin = User.objects.create_superuser("admin", password=DEMO_PASSWORD, full_name="系统管理员")
    RoleAssignment.objects.create(user=admin, role=Role.SYSADMIN, division=district)
    ctx.users["admin"] = admin
    ctx.logins.append(("admin", "system administrator (Django admin too)"))
    _user(ctx, "community", "社区工作者 陈红", Role.COMMUNITY_WORKER, "community worker, 龙川社区", ctx.communities[0])
    _user(ctx, "community2", "社区工作者 刘芳", Role.COMMUNITY_WORKER, "community worker, 新都村", ctx.communities[3])
    _user(ctx, "street", "街道审核员 王强", Role.STREET_REVIEWER, "street reviewer, 龙川街道", ctx.streets[0])
    _user(ctx, "town", "镇审核员 赵丽", Role.STREET_REVIEWER, "town reviewer, 仙女镇", ctx.streets[1])
    _user(ctx, "town2", "镇审核员 钱军", Role.STREET_REVIEWER, "town reviewer, 邵伯镇", ctx.streets[2])
    _user(ctx, "district", "区民政局 孙伟", Role.DISTRICT_REVIEWER, "district reviewer", district)
    _user(ctx, "assessor", "评估员 周敏", Role.ASSESSOR, "third-party assessor", district)
    _user(ctx, "finance", "财务 吴静", Role.FINANCE, "finance (prepares settlements)", district)
    _user(ctx, "finance2", "财务 郑军", Role.FINANCE, "finance (approves settlements)", district)
    _user(ctx, "supervisor", "监督员 冯涛", Role.SUPERVISOR, "supervisor (read-only, audit trail)", district)

    rng = ctx.rng
    rows: list[Elder] = []
    categories: list[tuple[int, str, datetime.date]] = []
    used: set[str] = set()
    category_codes = list(DifficultyCategory.values)
    for i in range(elders):
        community = ctx.communities[i % len(ctx.communities)]
        # Ages 58..98, with a few just below 60 so eligibility checks have something to refuse.
        age = rng.choice([58, 59] + list(range(60, 99)))
        birth = ctx.today.replace(year=ctx.today.year - age) - datetime.timedelta(days=rng.randrange(1, 360))
        gender = rng.choice("MF")
        number = make_id_number(rng, birth, gender)
        while number in used:
            number = make_id_number(rng, birth, gender)
        used.add(number)
        phone = f"13{rng.randrange(0, 10)}{rng.randrange(10**7, 10**8)}"
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        moved_in = ctx.today - datetime.timedelta(days=rng.choice([90, 150] + [rng.randrange(400, 20000)] * 8))
        rows.append(
            Elder(
                name=name,
                gender=gender,
                id_number=number,
                id_digest=blind_index(number),
                id_masked=mask_id_number(number),
                birth_date=birth,
                community=community,
                resident_since=moved_in,
                address=f"{community.parent.name}{community.name}{rng.randrange(1, 60)}号",
                phone=phone,
                phone_masked=mask_phone(phone),
                agent_name=rng.choice(SURNAMES) + "先生",
                agent_relation=rng.choice(["儿子", "女儿", "侄子", "邻居"]),
            )
        )
        rows[-1].fill_search_keys()
        if rng.random() < 0.8:
            for code in rng.sample(category_codes, rng.choice([1, 1, 1, 2])):
                categories.append((i, code, moved_in + datetime.timedelta(days=30)))
    created = bulk_create_with_history(rows, Elder, batch_size=500)
    if not created[0].pk:  # SQLite before RETURNING support; fetch ids back
        created = list(Elder.objects.order_by("id"))
    ElderCategory.objects.bulk_create(
        [ElderCategory(elder=created[i], category=code, evidence_date=day) for i, code, day in categories]
    )
    ctx.elders = list(Elder.objects.select_related("community").order_by("id"))


def today() -> datetime.date:
    return timezone.localdate()
