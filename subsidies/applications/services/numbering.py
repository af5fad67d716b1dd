"""Numbers of the written decisions: one sequence per district and year, without gaps or duplicates.

The district's counter row is locked (select_for_update) for the rest of the deciding transaction:
two decisions at the same moment take consecutive serials, and a decision that rolls back gives
its serial back with it. The unique constraint on (district, year, serial) guards the rest.
"""

from django.db import IntegrityError, transaction

from eldercare.models import Division
from subsidies.applications.models import DecisionNotice, DocumentCounter, DocumentRule
from subsidies.applications.rules import (
    NUMBER_WIDTH,
    default_issuing_body,
    default_number_prefix,
    default_review_body,
    document_number,
)


def document_rule_for(*, district: Division) -> DocumentRule:
    """The district's rule, or an unsaved one with the defaults (江都区: 江民养, 江都区民政局, 江都区人民政府)."""
    rule = DocumentRule.objects.filter(district=district).first()
    if rule is None:
        rule = DocumentRule(
            district=district, number_prefix=default_number_prefix(district.name), number_width=NUMBER_WIDTH
        )
    rule.issuing_body = rule.issuing_body or default_issuing_body(district.name)
    rule.review_body = rule.review_body or default_review_body(district.name)
    return rule


def next_serial(*, district: Division, year: int) -> int:
    """The district's next serial of the year. Call inside the transaction that uses it."""
    counter = DocumentCounter.objects.select_for_update().filter(district=district, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():  # the first of the year: another decision may create it at once
                DocumentCounter.objects.create(district=district, year=year, last_serial=0)
        except IntegrityError:
            pass
        counter = DocumentCounter.objects.select_for_update().get(district=district, year=year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial", "updated_at"])
    return counter.last_serial


def decision_notice_create(*, application, kind: str, year: int) -> DecisionNotice:
    """The written decision of a case, numbered in its district's sequence of `year` and signed by
    the district's bureau as its rule says today; the number and the signature never change after."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("decision_notice_create must run inside the deciding transaction")
    district = application.community.district
    rule = document_rule_for(district=district)
    serial = next_serial(district=district, year=year)
    return DecisionNotice.objects.create(
        application=application,
        kind=kind,
        district=district,
        year=year,
        serial=serial,
        number=document_number(prefix=rule.number_prefix, year=year, serial=serial, width=rule.number_width),
        issuing_body=rule.issuing_body,
        review_body=rule.review_body,
    )
