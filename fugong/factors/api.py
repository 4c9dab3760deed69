"""The API of 送要素: the public job board and hotlines (no key needed), openings and their
review, job seekers and applications, returning workers (one by one or a spreadsheet), vehicles,
planning runs, trips with their manifests, loans, and the figures. Each endpoint starts from the
scoping function its page uses and calls the same service; ID numbers and phones are masked as
on the pages."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import body, idempotent
from fugong.core.api_views import SpreadsheetImportView
from fugong.core.audit import personal_data_shown
from fugong.core.excel import XLSX_CONTENT_TYPE
from fugong.core.filters import MAX_ID
from fugong.core.models import Department, Region
from fugong.core.permissions import has_role, roles_permission
from fugong.enterprises.models import Enterprise, IndustrySection
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.factors import services
from fugong.factors.access import (
    DISPATCHERS,
    FIGURE_ROLES,
    FOR_ENTERPRISE,
    RECRUITERS,
    SHUTTLE_READERS,
    Role,
    sees_id_numbers,
    sees_phones,
    shown_id,
    shown_phone,
)
from fugong.factors.counties import CountyLookup
from fugong.factors.exports import manifest_workbook
from fugong.factors.importing import workers_import
from fugong.factors.models import (
    County,
    HealthStatus,
    Hotline,
    JobApplication,
    JobOpening,
    JobSeeker,
    LoanApplication,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    TripStop,
    UnplannedWorker,
    Vehicle,
)
from fugong.factors.selectors import (
    PlanState,
    applications_visible_to,
    filter_public_openings,
    loan_figures,
    loans_visible_to,
    openings_visible_to,
    plan_states,
    public_openings,
    recruitment_figures,
    runs_visible_to,
    seekers_visible_to,
    shuttle_figures,
    trips_visible_to,
    vehicles_visible_to,
    workers_visible_to,
)
from fugong.factors.services.loans import interest_policies
from fugong.factors.views.shuttles import filter_workers, trip_passengers

SEEKER_READERS = (*RECRUITERS, Role.LEADER, Role.AREA_OFFICER, Role.LIAISON, Role.ENTERPRISE)
DISTRICT_STAFF = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT)


def _created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


def _record_shown(request, what: str, count: int, object_id=None) -> None:
    if count and (sees_id_numbers(request.user) or sees_phones(request.user)):
        personal_data_shown(request, what=what, count=count, object_id=object_id)


class Masked(serializers.ModelSerializer):
    """ID numbers and phones as the caller may see them."""

    masked_id_fields: tuple[str, ...] = ()
    masked_phone_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        for name in self.masked_id_fields:
            data[name] = shown_id(user, data[name])
        for name in self.masked_phone_fields:
            data[name] = shown_phone(user, data[name])
        return data


# Public: the job board and the hotlines


class PublicOpeningOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    is_talent = serializers.BooleanField(source="enterprise.is_talent")
    is_key = serializers.BooleanField(source="enterprise.is_key")
    industry = serializers.CharField(source="enterprise.industry_section")
    street = serializers.CharField(source="enterprise.region.name")

    class Meta:
        model = JobOpening
        fields = [
            "id",
            "title",
            "enterprise_name",
            "is_talent",
            "is_key",
            "industry",
            "street",
            "positions",
            "salary_min",
            "salary_max",
            "requirements",
            "work_place",
            "contact_person",
            "contact_phone",
            "valid_until",
            "is_shortage",
            "published_at",
        ]


class JobBoardIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=50, help_text="岗位、企业、要求或地点")
    industry = serializers.ChoiceField(choices=IndustrySection.choices, required=False)
    street = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(kind__in=Region.SUBDISTRICT_KINDS), required=False
    )
    salary = serializers.IntegerField(
        required=False, min_value=0, max_value=1_000_000, help_text="月薪不低于（元）"
    )
    shortage = serializers.BooleanField(required=False, default=False)


class PublicJobList(generics.ListAPIView):
    """The public job board: published openings still valid, searchable. No login."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicOpeningOut
    filter_backends = []

    def get_queryset(self):
        incoming = JobBoardIn(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        return filter_public_openings(public_openings(), **incoming.validated_data)

    @extend_schema(parameters=[JobBoardIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PublicJobDetail(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicOpeningOut

    def get_queryset(self):
        return public_openings()


class HotlineOut(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name")

    class Meta:
        model = Hotline
        fields = ["id", "number", "department", "department_name", "topic", "hours", "opened_on"]


class HotlineIn(serializers.Serializer):
    number = serializers.CharField(max_length=20)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True)
    )
    topic = serializers.CharField(max_length=100)
    hours = serializers.CharField(max_length=60)
    opened_on = serializers.DateField()
    sort_order = serializers.IntegerField(min_value=0, max_value=999, default=0)


class HotlineListCreate(generics.ListAPIView):
    """The job and recruitment hotlines, public; the coordinator adds one (Idempotency-Key)."""

    serializer_class = HotlineOut
    pagination_class = None
    filter_backends = []

    def get_permissions(self):
        if self.request.method == "POST":
            return [roles_permission(Role.COORDINATOR)()]
        return [AllowAny()]

    def get_authenticators(self):
        if self.request is not None and self.request.method == "GET":
            return []
        return super().get_authenticators()

    def get_queryset(self):
        return Hotline.objects.filter(is_active=True).select_related("department")

    @extend_schema(request=HotlineIn, responses={201: HotlineOut})
    @idempotent
    def post(self, request):
        incoming = HotlineIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        hotline = services.hotline_save(actor=request.user, **incoming.validated_data)
        return _created(HotlineOut(hotline).data)


# Openings


class OpeningOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    is_talent = serializers.BooleanField(source="enterprise.is_talent")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = JobOpening
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "is_talent",
            "title",
            "positions",
            "salary_min",
            "salary_max",
            "requirements",
            "work_place",
            "contact_person",
            "contact_phone",
            "valid_until",
            "is_shortage",
            "status",
            "status_display",
            "submitted_at",
            "reviewed_at",
            "review_note",
            "published_at",
            "closed_at",
        ]


class OpeningFields(serializers.Serializer):
    title = serializers.CharField(max_length=60)
    positions = serializers.IntegerField(min_value=1, max_value=10_000)
    salary_min = serializers.IntegerField(min_value=0, max_value=1_000_000)
    salary_max = serializers.IntegerField(min_value=0, max_value=1_000_000)
    requirements = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    work_place = serializers.CharField(max_length=200)
    contact_person = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=20)
    valid_until = serializers.DateField()
    is_shortage = serializers.BooleanField(required=False, default=True)

    def validate(self, data):
        low, high = data.get("salary_min"), data.get("salary_max")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"salary_max": [_("月薪上限不能低于下限")]})
        return data


class OpeningIn(OpeningFields):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), required=False, help_text="企业自己提交时可省略"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = enterprises_visible_to(request.user)


def _own_or_given(request, values) -> Enterprise:
    enterprise = values.pop("enterprise", None)
    if enterprise is not None:
        return enterprise
    if request.user.role == Role.ENTERPRISE:
        return get_object_or_404(Enterprise, pk=request.user.enterprise_id)
    raise serializers.ValidationError({"enterprise": [_("请指定企业")]})


class StatusFilterIn(serializers.Serializer):
    status = serializers.CharField(required=False, max_length=20)


class OpeningListCreate(generics.ListAPIView):
    """Openings in the caller's scope; submitting one (an enterprise for itself, an officer for
    an enterprise they serve) waits for the coordinator's check. Idempotency-Key honoured."""

    serializer_class = OpeningOut
    filter_backends = []

    def get_permissions(self):
        roles = FOR_ENTERPRISE if self.request.method == "POST" else SHUTTLE_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        openings = openings_visible_to(self.request.user).select_related("enterprise")
        wanted = self.request.query_params.get("status", "")
        if wanted:
            if wanted not in JobOpening.Status.values:
                raise serializers.ValidationError({"status": [_("未知的状态")]})
            openings = openings.filter(status=wanted)
        return openings

    @extend_schema(parameters=[StatusFilterIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=OpeningIn, responses={201: OpeningOut})
    @idempotent
    def post(self, request):
        incoming = OpeningIn(data=body(request), context={"request": request})
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        enterprise = _own_or_given(request, values)
        opening = services.opening_submit(actor=request.user, enterprise=enterprise, **values)
        return _created(OpeningOut(opening).data)


class OpeningDetail(APIView):
    """One opening; PATCH edits it (a published one goes back for review)."""

    def get_permissions(self):
        roles = FOR_ENTERPRISE if self.request.method == "PATCH" else SHUTTLE_READERS
        return [roles_permission(*roles)()]

    def _opening(self, request, pk):
        return get_object_or_404(
            openings_visible_to(request.user).select_related("enterprise"), pk=pk
        )

    @extend_schema(responses=OpeningOut)
    def get(self, request, pk: int):
        return Response(OpeningOut(self._opening(request, pk)).data)

    @extend_schema(request=OpeningFields, responses=OpeningOut)
    def patch(self, request, pk: int):
        opening = self._opening(request, pk)
        incoming = OpeningFields(data=body(request), partial=True)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        low = values.get("salary_min", opening.salary_min)
        if low > values.get("salary_max", opening.salary_max):
            raise serializers.ValidationError({"salary_max": [_("月薪上限不能低于下限")]})
        updated = services.opening_update(actor=request.user, opening=opening, **values)
        return Response(OpeningOut(updated).data)


class ReviewIn(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class OpeningReview(APIView):
    """The coordinator publishes an opening or returns it with a reason."""

    permission_classes = [roles_permission(Role.COORDINATOR)]

    @extend_schema(request=ReviewIn, responses=OpeningOut)
    @idempotent
    def post(self, request, pk: int):
        opening = get_object_or_404(openings_visible_to(request.user), pk=pk)
        incoming = ReviewIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        reviewed = services.opening_review(
            actor=request.user, opening=opening, **incoming.validated_data
        )
        return Response(OpeningOut(reviewed).data)


class OpeningClose(APIView):
    permission_classes = [roles_permission(*FOR_ENTERPRISE)]

    @extend_schema(request=None, responses=OpeningOut)
    @idempotent
    def post(self, request, pk: int):
        opening = get_object_or_404(openings_visible_to(request.user), pk=pk)
        return Response(
            OpeningOut(services.opening_close(actor=request.user, opening=opening)).data
        )


# Job seekers and applications


@extend_schema_field(OpenApiTypes.STR)
class CountyInput(serializers.Field):
    """A home county: 411624, 沈丘县, or "341221 临泉县" for one outside the table."""

    default_error_messages = {"invalid": _("请填写县（区）名称或6位区划代码")}

    def __init__(self, **kwargs):
        super().__init__(help_text="县（区）名称或6位区划代码；省外填“代码 名称”", **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str | int) or not str(data).strip() or len(str(data)) > 40:
            self.fail("invalid")
        try:
            return CountyLookup()(str(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value):
        return value.code


class SeekerOut(Masked):
    home_county_name = serializers.CharField(source="home_county.label")
    masked_id_fields = ("id_number",)
    masked_phone_fields = ("phone",)

    class Meta:
        model = JobSeeker
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "home_county",
            "home_county_name",
            "skills",
            "wanted_job",
            "registered_at",
        ]


class SeekerIn(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=24)
    phone = serializers.CharField(max_length=20)
    home_county = CountyInput()
    skills = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    wanted_job = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class SeekerListCreate(generics.ListAPIView):
    """Job seekers the caller may see (the recruitment service all; an enterprise those who
    applied to it), ID numbers masked but for the coordinator. Idempotency-Key honoured."""

    serializer_class = SeekerOut
    filter_backends = []

    def get_permissions(self):
        roles = (*RECRUITERS, Role.ENTERPRISE) if self.request.method == "POST" else SEEKER_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return (
            seekers_visible_to(self.request.user)
            .select_related("home_county")
            .order_by("-registered_at", "-id")
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        _record_shown(request, "求职者身份证号（接口）", len(response.data["results"]))
        return response

    @extend_schema(request=SeekerIn, responses={201: SeekerOut})
    @idempotent
    def post(self, request):
        incoming = SeekerIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        seeker = services.seeker_register(actor=request.user, **incoming.validated_data)
        return _created(SeekerOut(seeker, context={"request": request}).data)


class SeekerDetail(generics.RetrieveAPIView):
    serializer_class = SeekerOut
    permission_classes = [roles_permission(*SEEKER_READERS)]

    def get_queryset(self):
        return seekers_visible_to(self.request.user).select_related("home_county")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        _record_shown(request, "求职者身份证号（接口）", 1, kwargs["pk"])
        return response


class JobApplicationOut(serializers.ModelSerializer):
    seeker_name = serializers.CharField(source="seeker.name")
    opening_title = serializers.CharField(source="opening.title")
    enterprise_name = serializers.CharField(source="opening.enterprise.name")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = JobApplication
        fields = [
            "id",
            "opening",
            "opening_title",
            "enterprise_name",
            "seeker",
            "seeker_name",
            "status",
            "status_display",
            "applied_at",
            "interview_at",
            "decided_at",
            "note",
        ]


class JobApplicationIn(serializers.Serializer):
    opening = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    seeker = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ApplicationListCreate(generics.ListAPIView):
    serializer_class = JobApplicationOut
    filter_backends = []

    def get_permissions(self):
        roles = (*RECRUITERS, Role.ENTERPRISE) if self.request.method == "POST" else SEEKER_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return applications_visible_to(self.request.user).select_related(
            "seeker", "opening__enterprise"
        )

    @extend_schema(request=JobApplicationIn, responses={201: JobApplicationOut})
    @idempotent
    def post(self, request):
        incoming = JobApplicationIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        opening = openings_visible_to(request.user).filter(pk=values["opening"]).first()
        if opening is None:
            raise serializers.ValidationError({"opening": [_("没有这个岗位，或无权查看")]})
        seeker = seekers_visible_to(request.user).filter(pk=values["seeker"]).first()
        if seeker is None:
            raise serializers.ValidationError({"seeker": [_("没有这个求职者，或无权查看")]})
        application = services.application_create(
            actor=request.user, opening=opening, seeker=seeker, note=values["note"]
        )
        return _created(JobApplicationOut(application).data)


class MoveIn(serializers.Serializer):
    move = serializers.ChoiceField(choices=list(services.APPLICATION_MOVES))
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ApplicationMove(APIView):
    """The enterprise or the coordinator: interview, hire or reject."""

    permission_classes = [roles_permission(Role.COORDINATOR, Role.ENTERPRISE)]

    @extend_schema(request=MoveIn, responses=JobApplicationOut)
    @idempotent
    def post(self, request, pk: int):
        application = get_object_or_404(applications_visible_to(request.user), pk=pk)
        incoming = MoveIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        moved = services.application_move(
            actor=request.user, application=application, **incoming.validated_data
        )
        return Response(JobApplicationOut(moved).data)


# Returning workers


class WorkerListOut(serializers.ListSerializer):
    """The page's workers' trips and reasons, read together (a fixed number of queries)."""

    def to_representation(self, data):
        workers = list(data.all() if hasattr(data, "all") else data)
        self.child.context["plan_states"] = plan_states(workers)
        return super().to_representation(workers)


class WorkerOut(Masked):
    home_county = serializers.CharField(source="home_county.code")
    home_county_name = serializers.CharField(source="home_county.label")
    enterprise_name = serializers.CharField(source="enterprise.name")
    trip = serializers.SerializerMethodField(help_text="所在车次（计划、已出发或已到达）")
    unplanned_reason = serializers.SerializerMethodField(help_text="未安排的原因代码")
    unplanned_reason_display = serializers.SerializerMethodField(help_text="未安排的原因")
    masked_id_fields = ("id_number",)
    masked_phone_fields = ("phone",)

    class Meta:
        model = ReturningWorker
        list_serializer_class = WorkerListOut
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "home_county",
            "home_county_name",
            "enterprise",
            "enterprise_name",
            "earliest_date",
            "health_status",
            "registered_at",
            "cancelled_at",
            "cancel_reason",
            "trip",
            "unplanned_reason",
            "unplanned_reason_display",
        ]

    def _state(self, worker) -> PlanState:
        states = self.context.get("plan_states")
        if states is None or worker.pk not in states:
            return plan_states([worker])[worker.pk]
        return states[worker.pk]

    def get_trip(self, worker) -> int | None:
        return self._state(worker).trip

    def get_unplanned_reason(self, worker) -> str:
        return self._state(worker).reason

    def get_unplanned_reason_display(self, worker) -> str:
        return self._state(worker).label


class WorkerIn(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), required=False, help_text="企业自己登记时可省略"
    )
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=24)
    phone = serializers.CharField(max_length=20)
    home_county = CountyInput()
    earliest_date = serializers.DateField()
    health_status = serializers.ChoiceField(
        choices=HealthStatus.choices, default=HealthStatus.GREEN
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = enterprises_visible_to(request.user)


class WorkerFilterIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=50)
    state = serializers.ChoiceField(
        choices=["waiting", "planned", "back", "cancelled"], required=False
    )
    county = serializers.CharField(required=False, max_length=6, help_text="区划代码")


class WorkerListCreate(generics.ListAPIView):
    """Workers registered to return, in the caller's scope; registering one honours an
    Idempotency-Key."""

    serializer_class = WorkerOut
    filter_backends = []

    def get_permissions(self):
        roles = FOR_ENTERPRISE if self.request.method == "POST" else SHUTTLE_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        incoming = WorkerFilterIn(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        code = values.pop("county", "")
        if code:
            values["county"] = County.objects.filter(code=code).first()
            if values["county"] is None:
                raise serializers.ValidationError({"county": [_("未知的县（区）代码")]})
        workers = workers_visible_to(self.request.user).select_related("home_county", "enterprise")
        return filter_workers(workers, values).order_by("-registered_at", "-id")

    @extend_schema(parameters=[WorkerFilterIn])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        _record_shown(request, "返岗人员身份证号（接口）", len(response.data["results"]))
        return response

    @extend_schema(request=WorkerIn, responses={201: WorkerOut})
    @idempotent
    def post(self, request):
        incoming = WorkerIn(data=body(request), context={"request": request})
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        enterprise = _own_or_given(request, values)
        worker = services.worker_register(actor=request.user, enterprise=enterprise, **values)
        return _created(WorkerOut(worker, context={"request": request}).data)


class WorkerDetail(generics.RetrieveAPIView):
    serializer_class = WorkerOut
    permission_classes = [roles_permission(*SHUTTLE_READERS)]

    def get_queryset(self):
        return workers_visible_to(self.request.user).select_related("home_county", "enterprise")


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class WorkerCancel(APIView):
    """Cancel a registration; the worker's seat is given up and, if the trip was not confirmed,
    the plan is made again."""

    permission_classes = [roles_permission(*FOR_ENTERPRISE)]

    @extend_schema(request=CancelIn, responses=WorkerOut)
    @idempotent
    def post(self, request, pk: int):
        worker = get_object_or_404(workers_visible_to(request.user), pk=pk)
        incoming = CancelIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        cancelled = services.worker_cancel(
            actor=request.user, worker=worker, reason=incoming.validated_data["reason"]
        )
        return Response(WorkerOut(cancelled, context={"request": request}).data)


class WorkerImport(SpreadsheetImportView):
    """Upload a list of returning workers (.xlsx/.csv: 姓名, 身份证号, 手机号, 户籍县区,
    返岗企业统一社会信用代码, 最早出发日期, 健康状况). dry_run=true only checks; otherwise all
    rows or, on any error, none."""

    permission_classes = [roles_permission(*FOR_ENTERPRISE)]
    run_import = staticmethod(workers_import)


# Vehicles


class VehicleOut(Masked):
    status_display = serializers.CharField(source="get_status_display")
    masked_phone_fields = ("driver_phone",)

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "plate",
            "seats",
            "operator",
            "driver_name",
            "driver_phone",
            "available_from",
            "available_until",
            "status",
            "status_display",
            "withdrawn_on",
            "withdraw_reason",
        ]


class VehicleIn(serializers.Serializer):
    plate = serializers.CharField(max_length=12)
    seats = serializers.IntegerField(min_value=5, max_value=70)
    operator = serializers.CharField(max_length=100)
    driver_name = serializers.CharField(max_length=50)
    driver_phone = serializers.CharField(max_length=20)
    available_from = serializers.DateField()
    available_until = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data):
        until = data.get("available_until")
        if until is not None and until < data["available_from"]:
            raise serializers.ValidationError(
                {"available_until": [_("可用截止日期不能早于起始日期")]}
            )
        return data


class VehicleListCreate(generics.ListAPIView):
    serializer_class = VehicleOut
    filter_backends = []

    def get_permissions(self):
        roles = DISPATCHERS if self.request.method == "POST" else DISTRICT_STAFF
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return vehicles_visible_to(self.request.user)

    @extend_schema(request=VehicleIn, responses={201: VehicleOut})
    @idempotent
    def post(self, request):
        incoming = VehicleIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        vehicle = services.vehicle_register(actor=request.user, **incoming.validated_data)
        return _created(VehicleOut(vehicle, context={"request": request}).data)


class WithdrawIn(serializers.Serializer):
    on = serializers.DateField(help_text="自这一天起不再出车")
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class VehicleWithdraw(APIView):
    """A bus drops out: its trips from that day that have not left are planned again."""

    permission_classes = [roles_permission(*DISPATCHERS)]

    @extend_schema(request=WithdrawIn, responses=VehicleOut)
    @idempotent
    def post(self, request, pk: int):
        vehicle = get_object_or_404(vehicles_visible_to(request.user), pk=pk)
        incoming = WithdrawIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        withdrawn = services.vehicle_withdraw(
            actor=request.user, vehicle=vehicle, **incoming.validated_data
        )
        return Response(VehicleOut(withdrawn, context={"request": request}).data)


# Planning runs


class PlanningRunOut(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    trigger_display = serializers.CharField(source="get_trigger_display")

    class Meta:
        model = PlanningRun
        fields = [
            "id",
            "first_day",
            "last_day",
            "seat_cap",
            "max_wait_days",
            "trigger",
            "trigger_display",
            "status",
            "status_display",
            "requested_at",
            "finished_at",
            "error",
            "workers",
            "planned",
            "trips",
            "kept_trips",
            "vehicles",
            "distance_km",
            "baseline_trips",
            "baseline_vehicles",
            "baseline_distance_km",
            "seconds",
            "unusable_vehicles",
        ]


class UnplannedOut(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name")
    home_county = serializers.CharField(source="worker.home_county.code")
    reason_display = serializers.CharField(source="get_reason_display")

    class Meta:
        model = UnplannedWorker
        fields = ["worker", "worker_name", "home_county", "reason", "reason_display"]


class PlanningRunDetailOut(PlanningRunOut):
    unplanned = UnplannedOut(many=True)

    class Meta(PlanningRunOut.Meta):
        fields = [*PlanningRunOut.Meta.fields, "unplanned"]


class PlanIn(serializers.Serializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    seat_cap = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.1"),
        max_value=Decimal(1),
        default=services.DEFAULT_SEAT_CAP,
        help_text="上座率上限，默认0.5",
    )
    max_wait_days = serializers.IntegerField(
        min_value=0, max_value=7, default=0, help_text="坐不满一辆车时最多等几天凑满再发车"
    )


class RunListCreate(generics.ListAPIView):
    """Planning runs. POST queues one (202): the task worker makes the plan, keeping confirmed
    and running trips; poll the run until its status is done."""

    serializer_class = PlanningRunOut
    filter_backends = []

    def get_permissions(self):
        roles = DISPATCHERS if self.request.method == "POST" else DISTRICT_STAFF
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return runs_visible_to(self.request.user)

    @extend_schema(request=PlanIn, responses={202: PlanningRunOut})
    @idempotent
    def post(self, request):
        incoming = PlanIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        run = services.planning_request(actor=request.user, **incoming.validated_data)
        return Response(PlanningRunOut(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetail(generics.RetrieveAPIView):
    """A run with its figures, the first-fit baseline's, and every worker it could not place
    with the reason."""

    serializer_class = PlanningRunDetailOut
    permission_classes = [roles_permission(*DISTRICT_STAFF)]

    def get_queryset(self):
        return runs_visible_to(self.request.user).prefetch_related("unplanned__worker__home_county")


# Trips


class StopOut(serializers.ModelSerializer):
    place = serializers.CharField(source="place_name")
    county = serializers.CharField(source="county.code", default=None, allow_null=True)

    class Meta:
        model = TripStop
        fields = ["sequence", "kind", "place", "county", "enterprise", "km_from_previous"]


class TripOut(serializers.ModelSerializer):
    number = serializers.CharField()
    plate = serializers.CharField(source="vehicle.plate")
    county_code = serializers.CharField(source="county.code")
    county_name = serializers.CharField(source="county.name")
    status_display = serializers.CharField(source="get_status_display")
    confirmed = serializers.SerializerMethodField()
    passenger_count = serializers.IntegerField(source="riders", default=None, allow_null=True)

    class Meta:
        model = ShuttleTrip
        fields = [
            "id",
            "number",
            "run",
            "date",
            "vehicle",
            "plate",
            "county_code",
            "county_name",
            "capacity",
            "passenger_count",
            "distance_km",
            "empty_km",
            "status",
            "status_display",
            "confirmed",
            "confirmed_at",
            "departed_at",
            "arrived_at",
            "ended_reason",
        ]

    def get_confirmed(self, trip) -> bool:
        return trip.is_kept


class PassengerOut(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.IntegerField(source="worker_id")
    name = serializers.CharField(source="worker.name")
    id_number = serializers.CharField(source="worker.id_number")
    phone = serializers.CharField(source="worker.phone")
    enterprise = serializers.IntegerField(source="worker.enterprise_id")
    enterprise_name = serializers.CharField(source="worker.enterprise.name")
    dropoff = serializers.IntegerField(source="dropoff.sequence")
    boarded = serializers.BooleanField()
    removed = serializers.SerializerMethodField()

    def get_removed(self, passenger) -> bool:
        return passenger.removed_at is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        data["id_number"] = shown_id(user, data["id_number"])
        data["phone"] = shown_phone(user, data["phone"])
        return data


class TripDetailOut(TripOut):
    stops = StopOut(many=True)
    passengers = PassengerOut(many=True)

    class Meta(TripOut.Meta):
        fields = [*TripOut.Meta.fields, "stops", "passengers"]


class TripFilterIn(serializers.Serializer):
    date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ShuttleTrip.Status.choices, required=False)
    run = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class TripList(generics.ListAPIView):
    serializer_class = TripOut
    permission_classes = [roles_permission(*SHUTTLE_READERS)]
    filter_backends = []

    def get_queryset(self):
        incoming = TripFilterIn(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        trips = trips_visible_to(self.request.user).select_related("vehicle", "county")
        for name, value in incoming.validated_data.items():
            trips = trips.filter(**{name: value})
        return trips.annotate(
            riders=Count("passengers", filter=Q(passengers__removed_at__isnull=True))
        ).order_by("date", "vehicle__plate", "id")

    @extend_schema(parameters=[TripFilterIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _visible_trip(request, pk: int) -> ShuttleTrip:
    return get_object_or_404(
        trips_visible_to(request.user).select_related("vehicle", "county"), pk=pk
    )


def _trip_detail(request, trip: ShuttleTrip) -> dict:
    passengers = list(trip_passengers(request.user, trip))
    _record_shown(request, "直通车乘客身份证号（接口）", len(passengers), trip.pk)
    data = TripOut(trip).data
    data["passenger_count"] = sum(1 for p in passengers if p.removed_at is None)
    data["stops"] = StopOut(trip.stops.select_related("county", "enterprise"), many=True).data
    data["passengers"] = PassengerOut(passengers, many=True, context={"request": request}).data
    return data


class TripDetail(APIView):
    """One trip: its plan (vehicle, stops in order) and the passengers the caller may see."""

    permission_classes = [roles_permission(*SHUTTLE_READERS)]

    @extend_schema(responses=TripDetailOut)
    def get(self, request, pk: int):
        return Response(_trip_detail(request, _visible_trip(request, pk)))


class TripActionIn(serializers.Serializer):
    absent = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=100,
        help_text="发车（depart）时未到的乘客编号",
    )
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


TRIP_ACTIONS = {
    "confirm": lambda user, trip, values: services.trip_confirm(actor=user, trip=trip),
    "depart": lambda user, trip, values: services.trip_depart(
        actor=user, trip=trip, absent=values["absent"]
    ),
    "arrive": lambda user, trip, values: services.trip_arrive(actor=user, trip=trip),
    "cancel": lambda user, trip, values: services.trip_cancel(
        actor=user, trip=trip, reason=values["reason"]
    ),
}


class TripAction(APIView):
    """The coordinator moves a trip: confirm (a re-plan keeps it), depart (with the absent
    passengers), arrive, or cancel (with a reason)."""

    permission_classes = [roles_permission(*SHUTTLE_READERS)]

    @extend_schema(request=TripActionIn, responses=TripDetailOut)
    @idempotent
    def post(self, request, pk: int, action: str):
        trip = _visible_trip(request, pk)
        if action not in TRIP_ACTIONS:
            raise exceptions.NotFound(_("未知的操作"))
        if not has_role(request.user, *DISPATCHERS):
            raise exceptions.PermissionDenied(_("只有指挥部可以调度直通车"))
        incoming = TripActionIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        TRIP_ACTIONS[action](request.user, trip, incoming.validated_data)
        return Response(_trip_detail(request, _visible_trip(request, pk)))


class TripManifest(APIView):
    """The passenger manifest as .xlsx (ID numbers masked but for the coordinator)."""

    permission_classes = [roles_permission(*SHUTTLE_READERS)]

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        trip = _visible_trip(request, pk)
        passengers = list(trip_passengers(request.user, trip).filter(removed_at__isnull=True))
        _record_shown(request, "直通车乘客名单导出（接口）", len(passengers), trip.pk)
        response = HttpResponse(
            manifest_workbook(trip, passengers, user=request.user), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="manifest-{trip.number}.xlsx"'
        return response


# Loans


class LoanOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    subsidy_policy_title = serializers.CharField(
        source="subsidy_policy.title", default=None, allow_null=True
    )
    subsidy_policy_number = serializers.CharField(
        source="subsidy_policy.document_number", default=None, allow_null=True
    )
    is_talent = serializers.BooleanField(source="enterprise.is_talent")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = LoanApplication
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "is_talent",
            "amount",
            "purpose",
            "bank",
            "term_months",
            "subsidy_policy",
            "subsidy_policy_title",
            "subsidy_policy_number",
            "subsidy_note",
            "status",
            "status_display",
            "submitted_on",
            "review_started_on",
            "decided_on",
            "disbursed_amount",
            "note",
        ]


class LoanIn(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), required=False, help_text="企业自己申报时可省略"
    )
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=1, max_value=100_000, help_text="万元"
    )
    purpose = serializers.CharField(max_length=200)
    bank = serializers.CharField(max_length=60)
    term_months = serializers.IntegerField(min_value=1, max_value=360)
    subsidy_policy = serializers.PrimaryKeyRelatedField(
        queryset=interest_policies(),
        required=False,
        allow_null=True,
        default=None,
        help_text="政策库中已发布的贷款贴息政策编号",
        error_messages={
            "does_not_exist": _("没有这个已发布的贷款贴息政策：%(pk_value)s"),
            "incorrect_type": _("贴息政策应为政策编号"),
        },
    )
    subsidy_note = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        allow_blank=True,
        help_text="政策库中没有的贴息政策",
    )
    submitted_on = serializers.DateField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = enterprises_visible_to(request.user)


class LoanListCreate(generics.ListAPIView):
    serializer_class = LoanOut
    filter_backends = []

    def get_permissions(self):
        roles = FOR_ENTERPRISE if self.request.method == "POST" else SHUTTLE_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return loans_visible(self.request.user)

    @extend_schema(request=LoanIn, responses={201: LoanOut})
    @idempotent
    def post(self, request):
        incoming = LoanIn(data=body(request), context={"request": request})
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        enterprise = _own_or_given(request, values)
        loan = services.loan_submit(actor=request.user, enterprise=enterprise, **values)
        return _created(LoanOut(loan).data)


def loans_visible(user):
    return loans_visible_to(user).select_related("enterprise", "subsidy_policy")


class LoanDetail(generics.RetrieveAPIView):
    serializer_class = LoanOut
    permission_classes = [roles_permission(*SHUTTLE_READERS)]

    def get_queryset(self):
        return loans_visible(self.request.user)


class LoanMoveIn(serializers.Serializer):
    move = serializers.ChoiceField(choices=list(services.LOAN_MOVES))
    on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    disbursed_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None, min_value=0
    )


class LoanMove(APIView):
    """The coordinator records the bank's steps: review, disburse or return."""

    permission_classes = [roles_permission(Role.COORDINATOR)]

    @extend_schema(request=LoanMoveIn, responses=LoanOut)
    @idempotent
    def post(self, request, pk: int):
        loan = get_object_or_404(loans_visible(request.user), pk=pk)
        incoming = LoanMoveIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        moved = services.loan_move(actor=request.user, loan=loan, **incoming.validated_data)
        return Response(LoanOut(moved).data)


# Figures and counties


class FactorFiguresOut(serializers.Serializer):
    bulletin = serializers.CharField()
    recruitment = serializers.DictField()
    shuttles = serializers.DictField()
    loans = serializers.DictField()


class FactorFigures(APIView):
    """The module's figures and the bulletin sentence they make (17家重点人才企业 …)."""

    permission_classes = [roles_permission(*FIGURE_ROLES)]

    @extend_schema(responses=FactorFiguresOut)
    def get(self, request):
        r, s, loans = (
            recruitment_figures(),
            shuttle_figures(request.user),
            loan_figures(request.user),
        )
        return Response(
            {
                "bulletin": f"{r.bulletin_line}，{s.bulletin_line}，{loans.bulletin_line}。",
                "recruitment": {
                    "enterprises": r.enterprises,
                    "openings": r.openings,
                    "positions": r.positions,
                    "talent_enterprises": r.talent_enterprises,
                    "talent_shortage_positions": r.talent_shortage_positions,
                    "applications": r.applications,
                    "interviews": r.interviews,
                    "hires": r.hires,
                },
                "shuttles": {
                    "brought_back": s.brought_back,
                    "counties": s.counties,
                    "trips": s.trips,
                    "vehicles": s.vehicles,
                    "distance_km": round(s.distance_km, 1),
                    "registered": s.registered,
                    "waiting": s.waiting,
                    "by_county": [
                        {
                            "code": row["worker__home_county__code"],
                            "name": row["worker__home_county__name"],
                            "workers": row["workers"],
                            "trips": row["trips"],
                        }
                        for row in s.by_county
                    ],
                },
                "loans": {
                    "applications": loans.applications,
                    "amount": str(loans.amount),
                    "disbursed": str(loans.disbursed),
                    "talent_applications": loans.talent_applications,
                    "by_bank": [
                        {"bank": row["bank"], "n": row["n"], "amount": str(row["amount"])}
                        for row in loans.by_bank
                    ],
                },
            }
        )


class CountyOut(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = [
            "id",
            "code",
            "name",
            "prefecture",
            "province",
            "longitude",
            "latitude",
            "is_reference",
        ]


class CountyFilterIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=30, help_text="名称或代码")
    missing = serializers.BooleanField(required=False, default=False, help_text="只看缺少坐标的")


class CountyList(generics.ListAPIView):
    """Home counties: the bundled table (Henan) and those added for workers from elsewhere."""

    serializer_class = CountyOut
    permission_classes = [roles_permission(*SHUTTLE_READERS)]
    filter_backends = []

    def get_queryset(self):
        incoming = CountyFilterIn(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        counties = County.objects.all()
        q = incoming.validated_data.get("q", "")
        if q:
            counties = counties.filter(Q(name__contains=q) | Q(code__startswith=q))
        if incoming.validated_data["missing"]:
            counties = counties.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
        return counties

    @extend_schema(parameters=[CountyFilterIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CountyLocationIn(serializers.Serializer):
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=73, max_value=136
    )
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=3, max_value=54)


class CountyDetail(APIView):
    """A county; the coordinator enters the seat's coordinates (GCJ-02) of one outside the table."""

    def get_permissions(self):
        roles = DISPATCHERS if self.request.method == "PATCH" else SHUTTLE_READERS
        return [roles_permission(*roles)()]

    @extend_schema(responses=CountyOut)
    def get(self, request, pk: int):
        return Response(CountyOut(get_object_or_404(County, pk=pk)).data)

    @extend_schema(request=CountyLocationIn, responses=CountyOut)
    def patch(self, request, pk: int):
        county = get_object_or_404(County, pk=pk)
        if county.is_reference:
            raise exceptions.PermissionDenied(_("区划表中的县（区）坐标不能修改"))
        incoming = CountyLocationIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        county.longitude = incoming.validated_data["longitude"]
        county.latitude = incoming.validated_data["latitude"]
        county._history_user = request.user
        county.save(update_fields=["longitude", "latitude"])
        return Response(CountyOut(county).data)
