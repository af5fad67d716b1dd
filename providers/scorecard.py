"""The quarterly assessment of a provider as a scorecard, computed from the platform's own records.

The weights and the result bands are named here, at the top, once. Each part is a percentage from
0 to 100 to one decimal:

- district callbacks: satisfied share of the district's sample callbacks on the provider's visits;
- town satisfaction: satisfied of surveyed in the towns' submitted surveys of the quarter;
- visit frequency: of the (elder, month) pairs of the quarter's months begun so far in which the
  provider served an elder with a minimum of visits (``quality.visit_frequency_report``), the share
  that met it: a month at the minimum, or made up the next month, is met; a month missed (未达标)
  is not; a month not yet judgeable (it or the next month that may make it up is not over) is
  pending, counted but not as met, until the next month has ended;
- voids: 100 − voided visits as a share of the visits carried out (completed or voided);
- complaints: 100 − callbacks answered with a complaint as a share of all callbacks.

score = Σ weight × part / Σ weight, from the parts as shown, to one decimal rounded half up
(四舍五入, as anyone checking it by hand would). A part with nothing to count (no district
callback in the quarter, no survey...) is shown as "no data" and left out: its weight is spread
over the other parts instead of counting it as 0 or as 100. With nothing to count at all there is
no score and no result (and nothing to confirm).

`compute()` is pure (figures in, scorecard out); `scorecard_for()` counts the figures.
"""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import User
from eldercare.numbers import percent_one_decimal
from eldercare.periods import Quarter, local_day_bounds

from .models import (
    Callback,
    CallbackResult,
    Provider,
    QuarterlyAssessment,
    SatisfactionSurvey,
    ServiceAgreement,
    WorkOrder,
)
from .quality import visit_frequency_report

# How a month of visit frequency counts in the score: met at the minimum or made up the next month.
FREQUENCY_MET = ("ok", "made_up")

# Weights of the parts, in percent (they add up to 100).
WEIGHTS: dict[str, int] = {
    "district_callbacks": 30,
    "town_satisfaction": 30,
    "visit_frequency": 20,
    "voids": 10,
    "complaints": 10,
}
# Result bands: the lowest score of each result, best first; below the last one the result is FAIL.
BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("90"), QuarterlyAssessment.Result.EXCELLENT),
    (Decimal("80"), QuarterlyAssessment.Result.GOOD),
    (Decimal("60"), QuarterlyAssessment.Result.PASS),
)

LABELS = {
    "district_callbacks": _("District callbacks: satisfied"),
    "town_satisfaction": _("Town satisfaction surveys: satisfied"),
    "visit_frequency": _("Visit frequency: elder-months meeting the minimum"),
    "voids": _("Visits not voided"),
    "complaints": _("Callbacks without a complaint"),
}


@dataclass(frozen=True)
class Figures:
    """What the platform counted for one provider and quarter."""

    district_callbacks: int
    district_satisfied: int
    surveyed: int
    survey_satisfied: int
    elder_months: int
    elder_months_met: int
    visits: int  # completed or voided
    voided: int
    callbacks: int  # all sources
    complaints: int
    elder_months_made_up: int = 0  # of elder_months_met: short, made up the next month
    elder_months_pending: int = 0  # not judgeable yet: counted in elder_months, not as met
    elder_months_missed: int = 0  # 未达标


@dataclass(frozen=True)
class Part:
    key: str
    weight: int
    numerator: int
    denominator: int
    value: Decimal | None  # None: nothing to count

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def points(self) -> Decimal | None:
        return None if self.value is None else self.value * self.weight / 100


@dataclass(frozen=True)
class Scorecard:
    figures: Figures
    parts: tuple[Part, ...]
    score: Decimal | None  # None: nothing to count
    result: str

    @property
    def result_label(self) -> str:
        return str(QuarterlyAssessment.Result(self.result).label) if self.result else ""

    def as_json(self) -> dict:
        return {
            "figures": asdict(self.figures),
            "parts": [
                {
                    "key": p.key,
                    "weight": p.weight,
                    "numerator": p.numerator,
                    "denominator": p.denominator,
                    "value": None if p.value is None else str(p.value),
                }
                for p in self.parts
            ],
            "weights": WEIGHTS,
            "bands": [[str(low), result] for low, result in BANDS],
            "score": None if self.score is None else str(self.score),
            "result": self.result,
        }


def _share(part: int, whole: int) -> Decimal | None:
    return percent_one_decimal(part, whole) if whole > 0 else None


def result_for(score: Decimal) -> str:
    for low, result in BANDS:
        if score >= low:
            return result
    return QuarterlyAssessment.Result.FAIL


def compute(figures: Figures) -> Scorecard:
    """The parts, the weighted score and the result band of a quarter's figures (pure)."""
    f = figures
    parts = (
        Part(
            "district_callbacks",
            WEIGHTS["district_callbacks"],
            f.district_satisfied,
            f.district_callbacks,
            _share(f.district_satisfied, f.district_callbacks),
        ),
        Part(
            "town_satisfaction",
            WEIGHTS["town_satisfaction"],
            f.survey_satisfied,
            f.surveyed,
            _share(f.survey_satisfied, f.surveyed),
        ),
        Part(
            "visit_frequency",
            WEIGHTS["visit_frequency"],
            f.elder_months_met,
            f.elder_months,
            _share(f.elder_months_met, f.elder_months),
        ),
        Part("voids", WEIGHTS["voids"], f.visits - f.voided, f.visits, _share(f.visits - f.voided, f.visits)),
        Part(
            "complaints",
            WEIGHTS["complaints"],
            f.callbacks - f.complaints,
            f.callbacks,
            _share(f.callbacks - f.complaints, f.callbacks),
        ),
    )
    counted = [p for p in parts if p.value is not None]
    weight = sum(p.weight for p in counted)
    if weight == 0:
        return Scorecard(figures, parts, None, "")
    total = sum((p.value * p.weight for p in counted if p.value is not None), Decimal(0)) / weight
    score = total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Scorecard(figures, parts, score, result_for(score))


def has_figures(quarter: Quarter) -> Q:
    """Providers with something to count in the quarter: a visit scheduled in it, an agreement
    open during it, or a submitted town survey of it (a filter on providers)."""
    start = local_day_bounds(quarter.first_day)[0]
    end = local_day_bounds(quarter.last_day)[1]
    visits = WorkOrder.objects.filter(provider=OuterRef("pk"), scheduled_at__gte=start, scheduled_at__lt=end)
    agreements = ServiceAgreement.objects.filter(provider=OuterRef("pk"), signed_on__lte=quarter.last_day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=quarter.first_day)
    )
    surveys = SatisfactionSurvey.objects.filter(
        provider=OuterRef("pk"), quarter=quarter.first_day, status=SatisfactionSurvey.Status.SUBMITTED
    )
    return Q(Exists(visits)) | Q(Exists(agreements)) | Q(Exists(surveys))


def figures_for(*, provider: Provider, quarter: Quarter, user: User) -> Figures:
    """Count the quarter's figures of one provider (visits by their scheduled day in the quarter).

    Visit frequency comes from the frequency report of each month of the quarter as `user` sees it
    (the district sees every served elder)."""
    start = local_day_bounds(quarter.first_day)[0]
    end = local_day_bounds(quarter.last_day)[1]
    in_quarter = Q(order__provider=provider, order__scheduled_at__gte=start, order__scheduled_at__lt=end)
    callbacks = Callback.objects.filter(in_quarter).aggregate(
        total=Count("pk"),
        complaints=Count("pk", filter=Q(result=CallbackResult.COMPLAINT)),
        district=Count("pk", filter=Q(source=Callback.Source.DISTRICT)),
        district_satisfied=Count("pk", filter=Q(source=Callback.Source.DISTRICT, result=CallbackResult.SATISFIED)),
    )
    surveys = SatisfactionSurvey.objects.filter(
        provider=provider, quarter=quarter.first_day, status=SatisfactionSurvey.Status.SUBMITTED
    ).aggregate(surveyed=Sum("surveyed"), satisfied=Sum("satisfied"))
    visits = WorkOrder.objects.filter(
        provider=provider,
        scheduled_at__gte=start,
        scheduled_at__lt=end,
        status__in=(WorkOrder.Status.COMPLETED, WorkOrder.Status.VOIDED),
    ).aggregate(total=Count("pk"), voided=Count("pk", filter=Q(status=WorkOrder.Status.VOIDED)))
    judged: dict[str, int] = {}
    for month in quarter.months:
        if month.first_day > timezone.localdate():
            break  # a month that has not begun has nothing to count
        statuses = visit_frequency_report(user=user, month=month, page=None).statuses_by_provider.get(provider.name, {})
        for status, n in statuses.items():
            judged[status] = judged.get(status, 0) + n
    return Figures(
        district_callbacks=callbacks["district"],
        district_satisfied=callbacks["district_satisfied"],
        surveyed=surveys["surveyed"] or 0,
        survey_satisfied=surveys["satisfied"] or 0,
        elder_months=sum(judged.values()),
        elder_months_met=sum(judged.get(status, 0) for status in FREQUENCY_MET),
        visits=visits["total"],
        voided=visits["voided"],
        callbacks=callbacks["total"],
        complaints=callbacks["complaints"],
        elder_months_made_up=judged.get("made_up", 0),
        elder_months_pending=judged.get("pending", 0),
        elder_months_missed=judged.get("missed", 0),
    )


def scorecard_for(*, provider: Provider, quarter: Quarter, user: User) -> Scorecard:
    return compute(figures_for(provider=provider, quarter=quarter, user=user))
