from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import body, idempotent
from fugong.core.api_views import SpreadsheetImportView
from fugong.core.audit import personal_data_shown
from fugong.core.filters import record_id
from fugong.core.forms import EARLIEST_MOMENT
from fugong.core.masking import mask_phone
from fugong.core.models import Region, User
from fugong.core.permissions import can_see_personal_data, roles_permission
from fugong.enterprises.selectors import (
    enterprise_visible_to,
    projects_visible_to,
)
from fugong.resumption import bulletin, importing, services
from fugong.resumption.categories import CATEGORY_LABELS
from fugong.resumption.models import Difficulty, Status
from fugong.resumption.selectors import (
    ENTITY_STATES,
    GRADES,
    SERIES_MAX_DAYS,
    daily_series,
    entities_as_of,
    figures_as_of,
    missing_by_area,
    missing_reports,
    reports_visible_to,
    series_start,
)
from fugong.resumption.views import DASHBOARD_ROLES

Role = User.Role
AS_OF = OpenApiParameter("at", OpenApiTypes.DATETIME, description="截至时点（ISO 8601），默认现在")


# Plain serializers, not ModelSerializers: this is the hot path of the morning every enterprise
# reports, and a ModelSerializer rebuilds its fields from the model on every request.
STATUSES = Status.choices
DIFFICULTIES = [("", ""), *Difficulty.choices]


class ReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = serializers.IntegerField(source="enterprise_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    reported_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=STATUSES)
    workers_on_payroll = serializers.IntegerField()
    workers_on_duty = serializers.IntegerField()
    returned_from_outside = serializers.IntegerField()
    in_quarantine = serializers.IntegerField()
    capacity_percent = serializers.IntegerField(allow_null=True)
    difficulty_category = serializers.ChoiceField(choices=DIFFICULTIES)
    difficulty = serializers.CharField(allow_blank=True)
    source = serializers.CharField()
    submitted_by = serializers.IntegerField(source="submitted_by_id", allow_null=True)
    recorded_at = serializers.DateTimeField()
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    superseded_at = serializers.DateTimeField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())


class ReportIn(serializers.Serializer):
    """A report. The service checks it (duty within payroll, not in the future …)."""

    enterprise = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    project = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reported_at = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES)
    workers_on_payroll = serializers.IntegerField(min_value=0, max_value=10_000_000)
    workers_on_duty = serializers.IntegerField(min_value=0, max_value=10_000_000)
    returned_from_outside = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, default=0
    )
    in_quarantine = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, default=0
    )
    capacity_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    difficulty_category = serializers.ChoiceField(choices=DIFFICULTIES, required=False, default="")
    difficulty = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def validate(self, data):
        if bool(data.get("enterprise")) == bool(data.get("project")):
            raise serializers.ValidationError({"enterprise": ["须指定企业或建设工程之一"]})
        return data


class ReportListCreate(generics.ListCreateAPIView):
    """Reports of the entities in the caller's scope, newest first (filter with enterprise,
    project, from, to). Creating one honours an Idempotency-Key header, so a retried submission
    is stored once; an entity reports for itself, officers for the entities in their scope."""

    serializer_class = ReportOut
    api_key_scopes = ("reports",)  # an HR system's key may post and read its reports

    def get_permissions(self):
        if self.request.method == "POST":
            return [roles_permission(*services.REPORTER_ROLES)()]
        return [roles_permission(*DASHBOARD_ROLES, Role.ENTERPRISE)()]

    def get_queryset(self):
        reports = reports_visible_to(self.request.user).order_by("-reported_at", "-id")
        params = self.request.query_params
        for name in ("enterprise", "project"):
            if subject_id := record_id(params.get(name)):
                reports = reports.filter(**{f"{name}_id": subject_id})
        if params.get("from"):
            reports = reports.filter(reported_at__gte=params["from"])
        if params.get("to"):
            reports = reports.filter(reported_at__lte=params["to"])
        if params.get("flagged") in ("1", "true"):  # accepted but flagged, not yet reviewed
            reports = reports.exclude(flags=[]).filter(review__isnull=True)
        return reports

    @extend_schema(
        parameters=[
            OpenApiParameter("enterprise", int),
            OpenApiParameter("project", int),
            OpenApiParameter("from", OpenApiTypes.DATETIME),
            OpenApiParameter("to", OpenApiTypes.DATETIME),
            OpenApiParameter("flagged", bool, description="只看待核实的异常提示"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReportIn, responses={201: ReportOut})
    @idempotent
    def create(self, request, *args, **kwargs):
        incoming = ReportIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        enterprise_id, project_id = data.pop("enterprise", None), data.pop("project", None)
        subject = (
            enterprise_visible_to(request.user, enterprise_id)
            if enterprise_id
            else projects_visible_to(request.user).filter(pk=project_id).first()
        )
        if subject is None:
            raise NotFound()
        report = services.report_submit(
            actor=request.user, subject=subject, source=services.Source.API, **data
        )
        return Response(ReportOut(report).data, status=status.HTTP_201_CREATED)


class ReportCorrect(APIView):
    """A correction: a new version that supersedes the report; both are kept."""

    api_key_scopes = ("reports",)
    permission_classes = [roles_permission(*services.REPORTER_ROLES)]

    @extend_schema(request=ReportIn, responses={201: ReportOut})
    @idempotent
    def post(self, request, pk: int):
        report = get_object_or_404(reports_visible_to(request.user), pk=pk)
        incoming = ReportIn(
            data={
                **body(request),
                ("enterprise" if report.enterprise_id else "project"): report.subject.pk,
            },
            partial=True,
        )
        incoming.is_valid(raise_exception=True)
        values = {k: v for k, v in incoming.validated_data.items() if k in services.REPORT_FIELDS}
        correction = services.report_correct(actor=request.user, report=report, **values)
        return Response(ReportOut(correction).data, status=status.HTTP_201_CREATED)


class FiguresOut(serializers.Serializer):
    entities = serializers.IntegerField(help_text="登记且未停业的单位数")
    resumed = serializers.IntegerField(help_text="已复工（含部分复工）")
    fully_resumed = serializers.IntegerField()
    not_resumed = serializers.IntegerField()
    closed = serializers.IntegerField()
    workers_on_payroll = serializers.IntegerField()
    workers_on_duty = serializers.IntegerField()
    resumption_rate = serializers.FloatField(allow_null=True, help_text="百分比；无单位时为空")
    workforce_return_rate = serializers.FloatField(allow_null=True)


class CategoryFiguresOut(FiguresOut):
    category = serializers.CharField()
    label = serializers.CharField()


class AreaFiguresOut(FiguresOut):
    region = serializers.IntegerField()
    name = serializers.CharField()


class FigureSetOut(serializers.Serializer):
    at = serializers.DateTimeField()
    total = FiguresOut()
    by_category = CategoryFiguresOut(many=True)
    by_area = AreaFiguresOut(many=True)
    by_park = AreaFiguresOut(many=True)


class SeriesPointOut(serializers.Serializer):
    at = serializers.DateTimeField()
    total = FiguresOut()
    by_category = serializers.DictField(child=FiguresOut())


def _moment(request):
    value = request.query_params.get("at")
    if not value:
        return timezone.now()
    moment = serializers.DateTimeField().to_internal_value(value)
    if moment > timezone.now():
        raise serializers.ValidationError({"at": ["截至时点不能晚于现在"]})
    if moment < EARLIEST_MOMENT:
        raise serializers.ValidationError({"at": ["截至时点应在2000年1月1日以后"]})
    return moment


def _figure_set_out(figures) -> dict:
    return {
        "at": serializers.DateTimeField().to_representation(figures.at),
        "total": figures.total.as_dict(),
        "by_category": [
            {"category": code, "label": str(label), **f.as_dict()}
            for code, label, f in figures.category_rows()
        ],
        "by_area": [
            {"region": a.area.pk, "name": a.area.name, **a.figures.as_dict()}
            for a in figures.by_area
        ],
        "by_park": [
            {"region": a.area.pk, "name": a.area.name, **a.figures.as_dict()}
            for a in figures.by_park
        ],
    }


class FiguresView(APIView):
    """Resumption figures as of a moment: total, by category, by street/town and by park. The
    same numbers as the dashboard and the bulletin."""

    permission_classes = [roles_permission(*DASHBOARD_ROLES)]

    @extend_schema(parameters=[AS_OF], responses=FigureSetOut)
    def get(self, request):
        current = not request.query_params.get("at")
        figures = figures_as_of(_moment(request), user=request.user, current=current)
        return Response(_figure_set_out(figures))


class SeriesView(APIView):
    """The daily series: figures at the end of each day, and at `at` itself."""

    permission_classes = [roles_permission(*DASHBOARD_ROLES)]

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter(
                "start", OpenApiTypes.DATE, description="第一天，最早为截至时点前120天"
            ),
        ],
        responses=SeriesPointOut(many=True),
    )
    def get(self, request):
        at = _moment(request)
        start = request.query_params.get("start")
        first = (
            serializers.DateField().to_internal_value(start)
            if start
            else series_start(at, request.user)
        )
        days = (timezone.localtime(at).date() - first).days
        if not 0 <= days <= SERIES_MAX_DAYS:
            raise serializers.ValidationError(
                {"start": [f"起始日期应在截至时点之前，且最多早{SERIES_MAX_DAYS}天"]}
            )
        points = daily_series(first, at, user=request.user)
        return Response(
            [
                {
                    "at": serializers.DateTimeField().to_representation(p.at),
                    "total": p.total.as_dict(),
                    "by_category": {code: f.as_dict() for code, f in p.by_category.items()},
                }
                for p in points
            ]
        )


class EntityAsOf(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField(source="region.name")
    status = serializers.CharField(source="asof_status", allow_null=True)
    workers_on_payroll = serializers.IntegerField(source="asof_payroll")
    workers_on_duty = serializers.IntegerField(source="asof_duty")
    reported_at = serializers.DateTimeField(source="asof_reported_at", allow_null=True)


class EntitiesView(APIView):
    """The entities behind one number (filter by category, area, state); `count` equals it."""

    permission_classes = [roles_permission(*DASHBOARD_ROLES)]

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("category", enum=list(CATEGORY_LABELS)),
            OpenApiParameter("area", int),
            OpenApiParameter("state", enum=list(ENTITY_STATES)),
            OpenApiParameter("grade", enum=list(GRADES)),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        params = request.query_params
        grade = params.get("grade", "")
        if grade and grade not in GRADES:
            raise serializers.ValidationError({"grade": ["企业等级应为 A、B、C 之一"]})
        state = params.get("state", "all")
        if state not in ENTITY_STATES:
            raise serializers.ValidationError({"state": [f"应为 {'、'.join(ENTITY_STATES)} 之一"]})
        category = params.get("category", "")
        if category and category not in CATEGORY_LABELS:
            raise serializers.ValidationError({"category": ["未知的类别"]})
        area = None
        if params.get("area"):
            area_id = record_id(params["area"])
            if area_id is None:
                raise serializers.ValidationError({"area": ["区域应为区域编号"]})
            area = get_object_or_404(Region, pk=area_id)
        enterprise_list, project_list = entities_as_of(
            _moment(request),
            user=request.user,
            category=category,
            area=area,
            state=state,
            grade=grade,
        )
        rows = [
            *_tagged(enterprise_list.order_by("name", "id"), "enterprise"),
            *_tagged(project_list.order_by("name", "id"), "project"),
        ]
        return Response({"count": len(rows), "results": EntityAsOf(rows, many=True).data})


def _tagged(queryset, kind: str):
    for entity in queryset:
        entity.kind = kind
        yield entity


class BulletinView(APIView):
    """The bulletin paragraph as of a moment."""

    permission_classes = [roles_permission(*DASHBOARD_ROLES)]

    @extend_schema(
        parameters=[AS_OF],
        responses=inline_serializer(
            "Bulletin", {"at": serializers.DateTimeField(), "text": serializers.CharField()}
        ),
    )
    def get(self, request):
        figures = figures_as_of(_moment(request), user=request.user)
        return Response(
            {
                "at": serializers.DateTimeField().to_representation(figures.at),
                "text": bulletin.bulletin_text(figures, place=bulletin.place_of(request.user)),
            }
        )


class MissingReportsView(APIView):
    """Entities in the caller's scope that have not reported on `day` (Beijing time)."""

    permission_classes = [roles_permission(Role.COORDINATOR, Role.AREA_OFFICER)]

    @extend_schema(
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE)], responses=OpenApiTypes.OBJECT
    )
    def get(self, request):
        day_param = request.query_params.get("day")
        day = (
            serializers.DateField().to_internal_value(day_param)
            if day_param
            else timezone.localdate()
        )
        enterprise_list, project_list = missing_reports(day, user=request.user)
        enterprises = list(
            enterprise_list.values("id", "name", "region__name", "contact_person", "contact_phone")
        )
        # The page lists whom to call; so does the API, masked for roles that need not see it.
        if can_see_personal_data(request.user):
            personal_data_shown(request, what="未填报企业联系电话", count=len(enterprises))
        else:
            for row in enterprises:
                row["contact_phone"] = mask_phone(row["contact_phone"])
        return Response(
            {
                "day": day.isoformat(),
                "by_area": [
                    {"region": area.pk, "name": area.name, "count": n}
                    for area, n in missing_by_area(day, user=request.user)
                ],
                "enterprises": enterprises,
                "projects": list(project_list.values("id", "name", "region__name")),
            }
        )


class RemindersView(APIView):
    """Queue reminders for everyone in the caller's scope who has not reported on `day`."""

    permission_classes = [roles_permission(Role.COORDINATOR, Role.AREA_OFFICER)]

    @extend_schema(
        request=inline_serializer("ReminderIn", {"day": serializers.DateField()}),
        responses={202: OpenApiTypes.OBJECT},
    )
    @idempotent
    def post(self, request):
        day = serializers.DateField().to_internal_value(body(request).get("day", ""))
        services.reminders_request(actor=request.user, day=day)
        return Response({"day": day.isoformat(), "queued": True}, status=status.HTTP_202_ACCEPTED)


class ReportImportView(SpreadsheetImportView):
    """Upload a day's reports (.xlsx/.csv); dry_run=true only checks. All rows or none."""

    permission_classes = [roles_permission(Role.COORDINATOR, Role.AREA_OFFICER)]
    run_import = staticmethod(importing.reports_import)


class FlagReviewView(APIView):
    permission_classes = [roles_permission(Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)]

    @extend_schema(
        request=inline_serializer("FlagReviewIn", {"note": serializers.CharField(required=False)}),
        responses={201: OpenApiTypes.OBJECT},
    )
    @idempotent
    def post(self, request, pk: int):
        report = get_object_or_404(reports_visible_to(request.user), pk=pk)
        review = services.flag_review(
            actor=request.user, report=report, note=str(body(request).get("note", ""))
        )
        return Response(
            {
                "report": report.pk,
                "reviewed_by": review.reviewed_by_id,
                "reviewed_at": serializers.DateTimeField().to_representation(review.reviewed_at),
            },
            status=status.HTTP_201_CREATED,
        )
