"""The pure standard function with both schemes' own figures (no database but the loaded rows)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eldercare.periods import Month
from subsidies.standards.rules import PersonFacts, PolicySpec, RuleSpec, age_in_month, split, standard_for
from subsidies.standards.services.policies import DIFFICULTY, SCHEMES

M = Month(2026, 12)


def spec_of(code: str) -> PolicySpec:
    rows = SCHEMES[code]["rows"]
    return PolicySpec(
        version_id=1,
        first_month=Month(2020, 1),
        rules=tuple(
            RuleSpec(
                amount=Decimal(amount),
                label=label,
                min_age=age,
                categories_any=frozenset(cats),
                low_income=low,
                care_levels=frozenset(levels),
                row_id=i + 1,
                version_id=1,
            )
            for i, (label, cats, age, low, levels, amount) in enumerate(rows)
        ),
        district_percent=SCHEMES[code]["district_percent"],
        town_percent=SCHEMES[code]["town_percent"],
    )


A = spec_of("jiangdu")
B = spec_of("shenzhen")


def amount(facts, spec=A) -> Decimal:
    return standard_for(facts, M, spec).amount.amount


# Scheme A: elder in difficulty 60+ → 80 / 150 / 260 by care level; 80+ after assessment → 60.
@pytest.mark.parametrize("category", DIFFICULTY)
@pytest.mark.parametrize(("level", "expected"), [("self_care", 80), ("semi_disabled", 150), ("disabled", 260)])
def test_scheme_a_difficulty_cells(category, level, expected):
    assert amount(PersonFacts(age=65, categories=frozenset({category}), care_level=level)) == expected


@pytest.mark.parametrize("level", ["self_care", "semi_disabled", "disabled"])
def test_scheme_a_high_age_cells(level):
    assert amount(PersonFacts(age=85, care_level=level)) == 60


def test_scheme_a_high_age_needs_an_assessment():
    assert amount(PersonFacts(age=85, care_level=None)) == 0


def test_scheme_a_eighty_in_difficulty_gets_the_care_level_standard_not_60_plus_it():
    standard = standard_for(PersonFacts(age=82, categories=frozenset({"dibao"}), care_level="semi_disabled"), M, A)
    assert standard.amount.amount == 150
    assert standard.reason == "低保 + 半失能 → 150；80岁以上 60 不叠加"
    assert standard.row_id == 2


def test_scheme_a_young_or_not_in_difficulty_gets_nothing():
    assert amount(PersonFacts(age=59, categories=frozenset({"dibao"}), care_level="disabled")) == 0
    assert amount(PersonFacts(age=70, care_level="disabled")) == 0


# Scheme B: 500 / 300 / 300, the highest wins, never added up.
@pytest.mark.parametrize(
    ("categories", "level", "expected"),
    [
        ({"dibao"}, "semi_disabled", 500),
        ({"dibao"}, "disabled", 500),
        (set(), "semi_disabled", 300),
        ({"kongchao"}, "disabled", 300),
        ({"sanwu"}, "self_care", 300),
        ({"dibao"}, "self_care", 300),
        ({"youfu"}, None, 300),
        ({"kongchao"}, "self_care", 0),
        (set(), None, 0),
    ],
)
def test_scheme_b_cells(categories, level, expected):
    assert amount(PersonFacts(age=66, categories=frozenset(categories), care_level=level), B) == expected


def test_scheme_b_two_rows_give_the_highest_never_the_sum():
    standard = standard_for(PersonFacts(age=70, categories=frozenset({"dibao", "sanwu"}), care_level="disabled"), M, B)
    assert standard.amount.amount == 500  # not 500 + 300
    assert "不叠加" in standard.reason


def test_two_categories_give_one_standard_never_the_sum():
    assert amount(PersonFacts(age=70, categories=frozenset({"dibao", "shidu"}), care_level="disabled")) == 260


@pytest.mark.parametrize(
    ("birth", "month", "age"),
    [
        (datetime.date(1946, 12, 31), Month(2026, 12), 80),  # the 80th birthday month counts
        (datetime.date(1947, 1, 1), Month(2026, 12), 79),
        (datetime.date(1966, 12, 20), Month(2026, 12), 60),
        (datetime.date(1966, 12, 20), Month(2026, 11), 59),
        (datetime.date(1948, 2, 29), Month(2027, 2), 78),  # born on 29 February: reached on 1 March
        (datetime.date(1948, 2, 29), Month(2028, 2), 80),
    ],
)
def test_age_in_month(birth, month, age):
    assert age_in_month(birth, month) == age


def test_80th_birthday_month_brings_the_high_age_standard():
    birth = datetime.date(1946, 12, 10)
    assert amount(PersonFacts.of(birth_date=birth, month=Month(2026, 11), care_level="self_care")) == 0
    assert amount(PersonFacts.of(birth_date=birth, month=Month(2026, 12), care_level="self_care")) == 60


def test_60th_birthday_month_brings_the_difficulty_standard():
    birth = datetime.date(1966, 12, 31)
    facts = {"categories": {"tekun"}, "care_level": "disabled"}
    assert amount(PersonFacts.of(birth_date=birth, month=Month(2026, 11), **facts)) == 0
    assert amount(PersonFacts.of(birth_date=birth, month=Month(2026, 12), **facts)) == 260


def test_split_district_town_seven_to_three():
    assert split(Decimal("150"), Decimal("70"), Decimal("30")) == (Decimal("105.00"), Decimal("45.00"))
    assert split(Decimal("260"), Decimal("70"), Decimal("30")) == (Decimal("182.00"), Decimal("78.00"))
    assert split(Decimal("500"), Decimal("100"), Decimal("0")) == (Decimal("500.00"), Decimal("0.00"))


def test_a_version_that_does_not_cover_the_month_is_refused():
    with pytest.raises(ValueError):
        standard_for(PersonFacts(age=70), Month(2019, 12), A)


levels = st.sampled_from([None, "self_care", "semi_disabled", "disabled"])
facts_strategy = st.builds(
    PersonFacts, age=st.integers(0, 110), categories=st.frozensets(st.sampled_from(DIFFICULTY)), care_level=levels
)
rule_strategy = st.builds(
    RuleSpec,
    amount=st.decimals(0, 1000, places=0),
    label=st.sampled_from(["甲", "乙", "丙"]),
    min_age=st.sampled_from([60, 70, 80, 90]),
    categories_any=st.frozensets(st.sampled_from(DIFFICULTY), max_size=3),
    low_income=st.sampled_from([None, True, False]),
    care_levels=st.frozensets(st.sampled_from(["self_care", "semi_disabled", "disabled"]), max_size=3),
)


@given(facts_strategy, st.lists(rule_strategy, min_size=1, max_size=6))
def test_the_standard_is_one_rows_amount_or_zero_never_a_sum(facts, rules):
    spec = PolicySpec(version_id=7, first_month=Month(2020, 1), rules=tuple(rules))
    result = standard_for(facts, M, spec).amount.amount
    matching = [r.amount for r in rules if r.matches(facts)]
    if not matching:
        assert result == 0
    else:
        assert result == max(matching)
        assert result in {r.amount for r in rules}


@given(facts_strategy)
def test_real_schemes_never_add_up(facts):
    for spec in (A, B):
        result = amount(facts, spec)
        assert result in {Decimal(0)} | {r.amount for r in spec.rules}
