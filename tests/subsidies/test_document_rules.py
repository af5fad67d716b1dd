"""The wording of the official documents, on plain values: the document number, the legal remedy
of a rejection and the standard in plain words, with the two schemes' own figures."""

from decimal import Decimal

from eldercare.masking import mask_name
from eldercare.periods import Month
from subsidies.applications.rules import (
    default_issuing_body,
    default_number_prefix,
    default_review_body,
    document_number,
    remedy_text,
    standard_explained,
)
from subsidies.standards.rules import PersonFacts, PolicySpec, RuleSpec
from subsidies.standards.services.policies import SCHEMES

MONTH = Month(2026, 4)


def _spec(code: str) -> PolicySpec:
    rows = tuple(
        RuleSpec(
            amount=Decimal(amount),
            label=label,
            min_age=age,
            categories_any=frozenset(cats),
            low_income=low,
            care_levels=frozenset(levels),
            row_id=i,
        )
        for i, (label, cats, age, low, levels, amount) in enumerate(SCHEMES[code]["rows"])
    )
    return PolicySpec(version_id=1, first_month=Month(2020, 1), rules=rows)


def _explain(code, *, age, categories=(), care_level=None, amount):
    facts = PersonFacts(age=age, categories=frozenset(categories), care_level=care_level)
    return standard_explained(facts=facts, month=MONTH, spec=_spec(code), amount=Decimal(amount))


def test_document_number_pads_the_serial_to_the_districts_width():
    assert document_number(prefix="江民养", year=2026, serial=15) == "江民养〔2026〕第015号"
    assert document_number(prefix="江民养", year=2026, serial=1) == "江民养〔2026〕第001号"
    assert document_number(prefix="江民养", year=2027, serial=1234) == "江民养〔2027〕第1234号"
    assert document_number(prefix="深民养", year=2026, serial=7, width=4) == "深民养〔2026〕第0007号"


def test_defaults_of_a_district_without_its_own_rule():
    assert default_number_prefix("江都区") == "江民养"
    assert default_issuing_body("江都区") == "江都区民政局"
    assert default_review_body("江都区") == "江都区人民政府"


def test_remedy_names_the_review_body_and_both_time_limits():
    assert remedy_text("江都区人民政府") == (
        "如不服本决定，可在收到本决定书之日起六十日内向江都区人民政府申请行政复议，"
        "或者在六个月内向人民法院提起行政诉讼。"
    )


def test_scheme_a_difficulty_and_high_age_do_not_add_up():
    # 85 years old, low-income and entitled, semi-disabled: 150 for elders in difficulty; the 60
    # of the 80+ row is not added.
    assert _explain("jiangdu", age=85, categories={"dibao", "youfu"}, care_level="semi_disabled", amount=150) == (
        "您属于低保对象、重点优抚对象，经评估为半失能，每月补助150元；80周岁以上高龄补贴60元与本补助不叠加，按较高标准享受。"
    )


def test_scheme_a_elder_in_difficulty_under_eighty():
    assert _explain("jiangdu", age=70, categories={"sanwu"}, care_level="disabled", amount=260) == (
        "您属于“三无”老人，经评估为失能，每月补助260元。"
    )
    assert _explain("jiangdu", age=66, categories={"tekun"}, care_level="self_care", amount=80) == (
        "您属于城乡散居特困人员，经评估为生活自理，每月补助80元。"
    )


def test_scheme_a_high_age_only():
    assert _explain("jiangdu", age=82, care_level="self_care", amount=60) == (
        "您已年满80周岁，经评估为生活自理，每月补助60元。"
    )


def test_scheme_b_takes_the_higher_and_names_the_lower():
    # Low-income and non-self-care: 500; the 300 of "三无、低保或重点优抚" is not added.
    assert _explain("shenzhen", age=72, categories={"dibao"}, care_level="disabled", amount=500) == (
        "您属于低保对象，经评估为失能，每月补助500元；“三无、低保或重点优抚”补助300元与本补助不叠加，按较高标准享受。"
    )
    assert _explain("shenzhen", age=72, care_level="semi_disabled", amount=300) == (
        "您不属于低保对象，经评估为半失能，每月补助300元。"
    )
    assert _explain("shenzhen", age=61, categories={"youfu"}, care_level="self_care", amount=300) == (
        "您属于重点优抚对象，每月补助300元。"
    )


def test_an_amount_no_row_gives_has_no_sentence():
    # The policy changed since the decision: the notice keeps the stored reason instead.
    assert _explain("jiangdu", age=70, categories={"dibao"}, care_level="disabled", amount=150) is None


def test_masked_name_keeps_the_first_and_last_character():
    assert mask_name("王秀英") == "王*英"
    assert mask_name("王英") == "王*"
    assert mask_name("欧阳秀英") == "欧**英"
    assert mask_name("王") == "王"
