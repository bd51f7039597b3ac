"""API of the IVO report (SPEC R9.5): the municipality's reports per quarter with their cases,
made, brought up to date, given reasons and marked as sent by the municipality's reporter
(the LOV administrator; selectors.py). Thin: selectors read and scope, services validate.

A case names the person only as IVO asks: the IVO id (birth date and T-number), birth year
and sex; never the name or the personnummer. The CSV and PDF stay on the screen
(`ivo/report.csv`, `ivo/report.pdf`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from verkstall.core.api import OutputModelSerializer
from verkstall.core.errors import NotFound, ValidationFailed

from . import selectors, services
from .identity import SEX_LABELS, birth_date_of, ivo_number, sex_of
from .models import IvoReport, IvoReportCase
from .services import REASON_MAX

MAX_ID = 2**63 - 1
RESPONSES = {
    400: OpenApiResponse(description="Bad input; field names map to messages."),
    403: OpenApiResponse(description="You may see the report but not do this."),
    404: OpenApiResponse(description="No such report or case, or not yours to see."),
    409: OpenApiResponse(description="The report is sent already, or exists already."),
}


class IvoCaseSerializer(OutputModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    ivo_id = serializers.SerializerMethodField(
        help_text="Birth date and T-number as IVO's e-service asks (ÅÅÅÅMMDD-Txyz; the middle "
        "digit is even for a woman, odd for a man); the same for the person every quarter."
    )
    birth_year = serializers.SerializerMethodField()
    sex = serializers.SerializerMethodField(help_text='"female" or "male".')
    sex_label = serializers.SerializerMethodField()
    protected = serializers.BooleanField(
        source="person.is_protected", read_only=True, help_text="Protected personal data."
    )
    law = serializers.CharField(source="granted_service.service_type.law", read_only=True)
    service_type = serializers.CharField(source="granted_service.service_type.code", read_only=True)
    service_type_name = serializers.CharField(
        source="granted_service.service_type.name", read_only=True
    )
    unit = serializers.IntegerField(source="decision.unit_id", read_only=True)

    class Meta:
        model = IvoReportCase
        fields = [
            "id",
            "kind",
            "kind_label",
            "ivo_id",
            "birth_year",
            "sex",
            "sex_label",
            "protected",
            "law",
            "service_type",
            "service_type_name",
            "decision",
            "granted_service",
            "unit",
            "decided_on",
            "due_on",
            "days_waited",
            "offered_on",
            "offer_declined",
            "carried_out_on",
            "ended_on",
            "reason",
            "reason_at",
        ]

    def get_ivo_id(self, case) -> str:
        return ivo_number(case.person.personal_number, case.serial)

    def get_birth_year(self, case) -> int:
        return birth_date_of(case.person.personal_number).year

    def get_sex(self, case) -> str:
        return sex_of(case.person.personal_number)

    def get_sex_label(self, case) -> str:
        return SEX_LABELS[sex_of(case.person.personal_number)]


class IvoReportSerializer(OutputModelSerializer):
    quarter_label = serializers.CharField(source="period.label", read_only=True)
    submitted = serializers.BooleanField(source="is_submitted", read_only=True)

    class Meta:
        model = IvoReport
        fields = [
            "id",
            "quarter",
            "quarter_label",
            "created_by",
            "created_at",
            "refreshed_at",
            "submitted",
            "submitted_by",
            "submitted_at",
        ]


class IvoReportDetailSerializer(IvoReportSerializer):
    cases = serializers.SerializerMethodField()

    class Meta(IvoReportSerializer.Meta):
        fields = [*IvoReportSerializer.Meta.fields, "cases"]

    @extend_schema_field(IvoCaseSerializer(many=True))
    def get_cases(self, report) -> list[dict]:
        user = self.context["request"].user
        return IvoCaseSerializer(selectors.cases_of(user, report), many=True).data


class IvoReportCreateSerializer(serializers.Serializer):
    quarter = serializers.CharField(max_length=20, help_text="The quarter, e.g. 2026Q3.")


class ReasonSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A case's id.")
    reason = serializers.CharField(
        max_length=REASON_MAX,
        allow_blank=True,
        help_text="Why the decision has not been carried out (IVO: orsaken till dröjsmålet).",
    )


class IvoReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The municipality's IVO reports, one per quarter (R9.5)."""

    def get_queryset(self):
        return selectors.reports_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return IvoReportCreateSerializer
        if self.action == "reason":
            return ReasonSerializer
        return IvoReportSerializer if self.action == "list" else IvoReportDetailSerializer

    def get_object(self):
        return selectors.get_report(self.request.user, self.kwargs["pk"])

    def _detail(self, report, code=status.HTTP_200_OK):
        report = selectors.get_report(self.request.user, report.pk)
        data = IvoReportDetailSerializer(report, context={"request": self.request}).data
        return Response(data, status=code)

    @extend_schema(
        request=IvoReportCreateSerializer,
        responses={201: IvoReportDetailSerializer, **RESPONSES},
    )
    def create(self, request):
        """Make the report of a quarter that has begun, with every case it must hold."""
        data = IvoReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.create_report(request.user, quarter=data.validated_data["quarter"])
        return self._detail(report, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: IvoReportDetailSerializer, **RESPONSES})
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Bring a draft up to date with what has happened since (reasons are kept)."""
        return self._detail(services.refresh_report(request.user, self.get_object()))

    @extend_schema(request=None, responses={200: IvoReportDetailSerializer, **RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Mark the report as sent to IVO: its quarter has ended, it is up to date and every
        case has its reason; after this it never changes."""
        return self._detail(services.submit_report(request.user, self.get_object()))

    @extend_schema(request=ReasonSerializer, responses={200: IvoCaseSerializer, **RESPONSES})
    @action(detail=True, methods=["post"])
    def reason(self, request, pk=None):
        """Record the reason for the delay on one of the report's cases."""
        report = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            case = selectors.get_case(request.user, data.validated_data["case"])
        except NotFound:
            case = None
        if case is None or case.report_id != report.pk:
            raise ValidationFailed({"case": "Ärendet finns inte i rapporten."})
        services.record_reason(request.user, case, reason=data.validated_data["reason"])
        return Response(IvoCaseSerializer(selectors.get_case(request.user, case.pk)).data)
