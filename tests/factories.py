"""Factories shared by every app's tests."""

import datetime
from dataclasses import dataclass

import factory

from eldercare.crypto import blind_index
from eldercare.idnumber import check_character
from eldercare.masking import mask_id_number, mask_phone
from eldercare.models import Division, Elder, ElderCategory, Role, RoleAssignment, User
from eldercare.tokens import api_token_issue

_sequence = iter(range(1, 10**6))


def id_number_for(birth: datetime.date, gender: str = "F", region: str = "321012") -> str:
    n = next(_sequence) % 499
    seq = n * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


@dataclass
class DivisionTree:
    district: Division
    street_a: Division
    street_b: Division
    a1: Division
    a2: Division
    b1: Division


def make_tree() -> DivisionTree:
    d = Division.objects.create(code="321012000000", name="江都区", level="district")
    sa = Division.objects.create(code="321012001000", name="龙川街道", level="street", parent=d)
    sb = Division.objects.create(code="321012002000", name="仙女镇", level="street", parent=d, rural=True)
    a1 = Division.objects.create(code="321012001001", name="龙川社区", level="community", parent=sa)
    a2 = Division.objects.create(code="321012001002", name="文昌社区", level="community", parent=sa)
    b1 = Division.objects.create(code="321012002201", name="新都村", level="community", parent=sb, rural=True)
    return DivisionTree(d, sa, sb, a1, a2, b1)


def user_with_role(role: str, division: Division | None = None, provider=None, username: str | None = None) -> User:
    user = User.objects.create_user(username=username or f"{role}-{next(_sequence)}", password="pw-12345678")
    RoleAssignment.objects.create(user=user, role=role, division=division, provider=provider)
    return user


def api_token(user: User) -> str:
    """The key of a new API token of `user`, for `Authorization: Token <key>`."""
    key, _token = api_token_issue(user=user)
    return key


class ElderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Elder
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"老人{n:04d}")
    gender = "F"
    birth_date = datetime.date(1950, 3, 15)
    id_number = factory.LazyAttribute(lambda o: id_number_for(o.birth_date, o.gender))
    id_digest = factory.LazyAttribute(lambda o: blind_index(o.id_number))
    id_masked = factory.LazyAttribute(lambda o: mask_id_number(o.id_number))
    resident_since = datetime.date(2010, 1, 1)
    address = "龙川路1号"
    phone = "13812345678"
    phone_masked = factory.LazyAttribute(lambda o: mask_phone(o.phone))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        for code in extracted or []:
            ElderCategory.objects.create(elder=self, category=code, evidence_date=datetime.date(2020, 1, 1))


__all__ = ["Role"]
