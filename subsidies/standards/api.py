"""REST endpoints of the subsidy standards, through the same selectors and services as the pages:
read the versions, preview a new version's effect, publish it, withdraw one no month was paid under."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from eldercare.errors import DomainError
from eldercare.models import DifficultyCategory, Division
from eldercare.periods import Month
from eldercare.scoping import scope_for
from subsidies.standards.models import CareLevel, PolicyRow, PolicyVersion, SubsidyRun
from subsidies.standards.rules import FUNDING_SHARES_TOTAL, shares_complete
from subsidies.standards.selectors import POLICY_ROLES, REPORT_ROLES, VERSION_ROLES, policy_versions_for, runs_for
from subsidies.standards.services.policies import (
    RowInput,
    policy_version_create,
    policy_version_preview,
    policy_version_withdraw,
)
from subsidies.standards.services.starts import run_request


class RowSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(source="amount.amount", max_digits=10, decimal_places=2)

    class Meta:
        model = PolicyRow
        fields = ["position", "label", "categories_any", "min_age", "low_income", "care_levels", "amount", "last_month"]


class VersionSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.code")
    rows = RowSerializer(many=True)

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "scheme",
            "district",
            "name",
            "effective_from",
            "effective_to",
            "district_percent",
            "town_percent",
            "upper_level_label",
            "lower_level_label",
            "note",
            "rows",
        ]


class MonthField(serializers.CharField):
    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return Month.parse(text)
        except (DomainError, ValueError) as exc:
            raise serializers.ValidationError(_("Write the month like 2026-12.")) from exc

    def to_representation(self, value):
        return str(value)


class RowInSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=80)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"))
    min_age = serializers.IntegerField(min_value=0, max_value=120, default=60)
    categories_any = serializers.ListField(
        child=serializers.ChoiceField(choices=DifficultyCategory.choices), required=False, default=list
    )
    low_income = serializers.BooleanField(allow_null=True, required=False, default=None)
    care_levels = serializers.ListField(
        child=serializers.ChoiceField(choices=CareLevel.choices), required=False, default=list
    )
    last_month = MonthField(required=False, allow_null=True, default=None, help_text="YYYY-MM")


class DraftSerializer(serializers.Serializer):
    """A new version based on an existing one: its first month, funding split and standards."""

    name = serializers.CharField(max_length=120)
    month = MonthField(help_text="the first month, YYYY-MM")
    district_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))
    town_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0"))
    local = serializers.BooleanField(default=False, help_text="a local standard of the user's district")
    rows = RowInSerializer(many=True, allow_empty=False)

    def validate(self, data):
        if not shares_complete(data["district_percent"], data["town_percent"]):
            raise serializers.ValidationError(
                _("The district's and the town's shares must add up to %(whole)s%% (now %(district)s%% + %(town)s%%).")
                % {"whole": FUNDING_SHARES_TOTAL, "district": data["district_percent"], "town": data["town_percent"]}
            )
        return data


class PreviewExampleSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    old = serializers.DecimalField(max_digits=10, decimal_places=2)
    new = serializers.DecimalField(max_digits=10, decimal_places=2)
    reason = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    month = serializers.CharField()
    people = serializers.IntegerField()
    changed = serializers.IntegerField()
    total_before = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    examples = PreviewExampleSerializer(many=True)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PolicyVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Subsidy standards: every version of each scheme, with its rows and funding split."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        user = self.request.user
        roles = VERSION_ROLES if self.action in ("preview", "publish", "withdraw") else POLICY_ROLES
        if not (user.is_superuser or user.has_role(*roles)):
            raise PermissionDenied
        return policy_versions_for(user)

    def _draft(self, base: PolicyVersion) -> dict:
        s = DraftSerializer(data=self.request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        district = None
        if d["local"]:
            district = Division.objects.filter(pk__in=scope_for(self.request.user).district_ids).first()
        rows = [
            RowInput(
                label=r["label"],
                amount=r["amount"],
                min_age=r["min_age"],
                categories_any=tuple(r["categories_any"]),
                low_income=r["low_income"],
                care_levels=tuple(r["care_levels"]),
                last_month=r["last_month"],
            )
            for r in d["rows"]
        ]
        return {
            "name": d["name"],
            "scheme": base.scheme,
            "district": district,
            "month": d["month"],
            "rows": rows,
            "district_percent": d["district_percent"],
            "town_percent": d["town_percent"],
            "by": self.request.user,
        }

    @extend_schema(request=DraftSerializer, responses={200: PreviewSerializer})
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """What a new version based on this one would change in its first month (nothing is saved)."""
        kwargs = self._draft(self.get_object())
        kwargs.pop("name")
        p = policy_version_preview(**kwargs)
        return Response(
            PreviewSerializer(
                {
                    "month": str(p.month),
                    "people": p.people,
                    "changed": p.changed,
                    "total_before": p.total_before,
                    "total_after": p.total_after,
                    "examples": p.examples,
                }
            ).data
        )

    @extend_schema(request=DraftSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a new version based on this one, from its first month on."""
        version = policy_version_create(**self._draft(self.get_object()))
        return Response(VersionSerializer(version).data, status=201)

    @extend_schema(request=WithdrawSerializer, responses={200: VersionSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take back a version no month was paid under; answers the version in force again."""
        version = self.get_object()
        s = WithdrawSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        previous = policy_version_withdraw(version=version, reason=s.validated_data["reason"], by=request.user)
        return Response(VersionSerializer(previous).data)


class RunSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    total = serializers.DecimalField(source="total.amount", max_digits=16, decimal_places=2)

    class Meta:
        model = SubsidyRun
        fields = [
            "id",
            "month",
            "status",
            "progress",
            "entitled",
            "granted",
            "already",
            "refused",
            "total",
            "message",
            "started_at",
            "finished_at",
        ]


class RunStartSerializer(serializers.Serializer):
    month = MonthField(help_text="the month to pay, YYYY-MM")


class SubsidyRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly runs: their progress while they run, their figures once done; start one (202)."""

    serializer_class = RunSerializer

    def get_queryset(self):
        user = self.request.user
        if not (user.is_superuser or user.has_role(*REPORT_ROLES)):
            raise PermissionDenied
        return runs_for(user)

    @extend_schema(request=RunStartSerializer, responses={202: RunSerializer})
    def create(self, request):
        s = RunStartSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        run = run_request(month=s.validated_data["month"], by=request.user)
        run.refresh_from_db()  # done already when tasks run in process
        return Response(RunSerializer(run).data, status=202)


def register(router) -> None:
    router.register("policy-versions", PolicyVersionViewSet, basename="policy-version")
    router.register("subsidy-runs", SubsidyRunViewSet, basename="subsidy-run")
