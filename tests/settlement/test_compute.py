"""The settlement's default district share is the policies' default split, written once."""

from decimal import Decimal

from settlement.compute import DEFAULT_DISTRICT_RATIO
from subsidies.standards.rules import DEFAULT_DISTRICT_PERCENT, DEFAULT_TOWN_PERCENT


def test_an_elder_without_grants_is_split_seven_to_three():
    assert DEFAULT_DISTRICT_RATIO == Decimal("0.7")
    assert DEFAULT_DISTRICT_RATIO == DEFAULT_DISTRICT_PERCENT / (DEFAULT_DISTRICT_PERCENT + DEFAULT_TOWN_PERCENT)
    # 7 : 3 of the 260 CNY standard: 182 to the district.
    assert Decimal("260") * DEFAULT_DISTRICT_RATIO == Decimal("182.0")
