from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import body, expected_version, idempotent
from fugong.core.api_views import SpreadsheetImportView
from fugong.core.audit import personal_data_shown
from fugong.core.history import history_entries
from fugong.core.masking import mask_phone
from fugong.core.models import Region, User
from fugong.core.permissions import can_see_personal_data, roles_permission
from fugong.enterprises import services
from fugong.enterprises.filters import (
    AssignmentFilter,
    EnterpriseFilter,
    ProjectFilter,
    VisitFilter,
)
from fugong.enterprises.models import (
    ConstructionProject,
    Enterprise,
    GradeRule,
    LiaisonAssignment,
    Visit,
)
from fugong.enterprises.selectors import (
    ASSIGNMENT_READERS,
    COVERAGE_GROUPS,
    VISIT_READERS,
    assignments_visible_to,
    coverage,
    enterprises_managed_by,
    enterprises_visible_to,
    enterprises_visitable_by,
    liaison_officers,
    parks_choosable_by,
    projects_visible_to,
    regions_choosable_by,
    uncovered_enterprises,
    visits_visible_to,
)
from fugong.enterprises.tasks import recompute_grades
from fugong.enterprises.views import (
    ASSIGNING_ROLES,
    COVERAGE_ROLES,
    PROJECT_ROLES,
    REGISTER_ROLES,
    VISITING_ROLES,
)

Role = User.Role


class MaskedContact:
    """Masks the contact phone for viewers who may not see personal data."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("mask") and data.get("contact_phone"):
            data["contact_phone"] = mask_phone(data["contact_phone"])
        return data


class EnterpriseOut(MaskedContact, serializers.ModelSerializer):
    effective_grade = serializers.CharField(read_only=True)
    region_name = serializers.CharField(source="region.name")
    park_name = serializers.CharField(source="park.name", default="")
    category_display = serializers.CharField(source="get_category_display")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "legal_representative",
            "contact_person",
            "contact_phone",
            "address",
            "longitude",
            "latitude",
            "region",
            "region_name",
            "park",
            "park_name",
            "category",
            "category_display",
            "industry_section",
            "payroll_headcount",
            "founded_on",
            "is_key",
            "is_talent",
            "is_epidemic_supplies",
            "grade",
            "effective_grade",
            "grade_overridden",
            "grade_reason",
            "status",
            "created_at",
            "updated_at",
            "version",
        ]


class EnterpriseIn(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = list(services.ENTERPRISE_FIELDS)

    # Accept what people paste (spaces, lower case, full-width); the service normalises and checks.
    uscc = serializers.CharField(max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, ("region", "park"))


def limit_choices(serializer, names) -> None:
    """Choices limited to what the requesting user may pick (the schema has no request)."""
    request = serializer.context.get("request")
    if request is None:
        return
    user = request.user
    choosable = {
        "region": regions_choosable_by,
        "park": parks_choosable_by,
        "builder": enterprises_visible_to,
    }
    for name in names:
        serializer.fields[name].queryset = choosable[name](user)


class RecordsPersonalData:
    """API views whose responses show contact phones: unmasked ones are recorded."""

    personal_data = ""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(response.data, dict)
        ):
            rows = response.data.get("results")
            personal_data_shown(
                request,
                what=self.personal_data,
                count=len(rows) if rows is not None else 1,
                object_id=None if rows is not None else response.data.get("id"),
            )
        return response


def _context(request) -> dict:
    return {"request": request, "mask": not can_see_personal_data(request.user)}


class EnterpriseListCreate(RecordsPersonalData, generics.ListCreateAPIView):
    personal_data = "企业联系电话（接口）"

    """The register in the caller's scope; filters as on the list page. Creating needs the
    coordinator or area officer role and honours an Idempotency-Key header."""

    filterset_class = EnterpriseFilter

    def get_permissions(self):
        roles = (
            (Role.COORDINATOR, Role.AREA_OFFICER)
            if self.request.method == "POST"
            else REGISTER_ROLES
        )
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return enterprises_visible_to(self.request.user).select_related("region", "park")

    def get_serializer_class(self):
        return EnterpriseIn if self.request.method == "POST" else EnterpriseOut

    def get_serializer_context(self):
        return _context(self.request)

    @extend_schema(request=EnterpriseIn, responses={201: EnterpriseOut})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = EnterpriseIn(data=request.data, context=_context(request))
        serializer.is_valid(raise_exception=True)
        enterprise = services.enterprise_create(actor=request.user, **serializer.validated_data)
        return Response(
            EnterpriseOut(enterprise, context=_context(request)).data,
            status=status.HTTP_201_CREATED,
        )


class EnterpriseDetail(RecordsPersonalData, generics.RetrieveUpdateAPIView):
    personal_data = "企业联系电话（接口）"

    """One enterprise. PATCH changes the given fields (an enterprise may change only its contacts
    and headcount); every change is kept in its history."""

    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return enterprises_visible_to(self.request.user).select_related("region", "park")

    def get_serializer_class(self):
        return EnterpriseIn if self.request.method == "PATCH" else EnterpriseOut

    def get_serializer_context(self):
        return _context(self.request)

    @extend_schema(request=EnterpriseIn, responses=EnterpriseOut)
    def patch(self, request, *args, **kwargs):
        enterprise = self.get_object()
        serializer = EnterpriseIn(data=request.data, partial=True, context=_context(request))
        serializer.is_valid(raise_exception=True)
        enterprise = services.enterprise_update(
            actor=request.user,
            enterprise=enterprise,
            expected_version=expected_version(request),
            **serializer.validated_data,
        )
        return Response(EnterpriseOut(enterprise, context=_context(request)).data)


class HistoryEntryOut(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField()
    changes = inline_serializer(
        "HistoryChange",
        fields={
            "label": serializers.CharField(),
            "old": serializers.CharField(),
            "new": serializers.CharField(),
        },
        many=True,
    )


class EnterpriseHistory(APIView):
    """Who changed what and when, newest first (personal data masked as on the page)."""

    @extend_schema(responses=HistoryEntryOut(many=True))
    def get(self, request, pk: int):
        enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=pk)
        maskers = {} if can_see_personal_data(request.user) else {"contact_phone": mask_phone}
        entries = history_entries(enterprise, maskers=maskers)
        return Response(HistoryEntryOut(entries, many=True).data)


class EnterpriseImport(SpreadsheetImportView):
    """Upload a register file (.xlsx/.csv). With dry_run=true nothing is written and the result
    tells what would happen; otherwise all rows are written or, on any error, none."""

    permission_classes = [roles_permission(Role.COORDINATOR)]
    run_import = staticmethod(services.enterprises_import)


class ProjectOut(MaskedContact, serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name")
    builder_display = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = ConstructionProject
        fields = [
            "id",
            "name",
            "code",
            "builder",
            "builder_name",
            "builder_display",
            "site_address",
            "region",
            "region_name",
            "park",
            "total_investment",
            "planned_start",
            "contact_person",
            "contact_phone",
            "payroll_headcount",
            "status",
            "status_display",
            "created_at",
            "updated_at",
            "version",
        ]


class ProjectIn(serializers.ModelSerializer):
    class Meta:
        model = ConstructionProject
        fields = list(services.PROJECT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, ("region", "park", "builder"))


class ProjectListCreate(RecordsPersonalData, generics.ListCreateAPIView):
    personal_data = "项目负责人电话（接口）"

    filterset_class = ProjectFilter

    def get_permissions(self):
        roles = (
            (Role.COORDINATOR, Role.AREA_OFFICER)
            if self.request.method == "POST"
            else PROJECT_ROLES
        )
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return projects_visible_to(self.request.user).select_related("region", "park", "builder")

    def get_serializer_context(self):
        return _context(self.request)

    def get_serializer_class(self):
        return ProjectIn if self.request.method == "POST" else ProjectOut

    @extend_schema(request=ProjectIn, responses={201: ProjectOut})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = ProjectIn(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        project = services.project_create(actor=request.user, **serializer.validated_data)
        return Response(
            ProjectOut(project, context=_context(request)).data, status=status.HTTP_201_CREATED
        )


class ProjectDetail(RecordsPersonalData, generics.RetrieveUpdateAPIView):
    personal_data = "项目负责人电话（接口）"

    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return projects_visible_to(self.request.user).select_related("region", "park", "builder")

    def get_serializer_context(self):
        return _context(self.request)

    def get_serializer_class(self):
        return ProjectIn if self.request.method == "PATCH" else ProjectOut

    @extend_schema(request=ProjectIn, responses=ProjectOut)
    def patch(self, request, *args, **kwargs):
        project = self.get_object()
        serializer = ProjectIn(data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        project = services.project_update(
            actor=request.user,
            project=project,
            expected_version=expected_version(request),
            **serializer.validated_data,
        )
        return Response(ProjectOut(project, context=_context(request)).data)


# Grading (ABC等级划定)

GRADE_READERS = (Role.COORDINATOR, Role.LEADER)


class GradeRuleSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Enterprise.Category.choices),
        required=False,
        help_text="企业类别（任一）；空列表为不限类别",
    )
    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = GradeRule
        fields = [
            "id",
            "order",
            "grade",
            "categories",
            "is_key",
            "is_talent",
            "headcount_below",
            "note",
            "description",
        ]


class GradeRuleListCreate(generics.ListCreateAPIView):
    """The grading rules in the order they are tried (first match wins; none matching gives B).
    Changing them changes no grade until the grades are recomputed."""

    serializer_class = GradeRuleSerializer
    pagination_class = None
    queryset = GradeRule.objects.all()

    def get_permissions(self):
        roles = (Role.COORDINATOR,) if self.request.method == "POST" else GRADE_READERS
        return [roles_permission(*roles)()]

    @extend_schema(responses={201: GradeRuleSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = GradeRuleSerializer(data=body(request))
        serializer.is_valid(raise_exception=True)
        rule = services.grade_rule_create(actor=request.user, **serializer.validated_data)
        return Response(GradeRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class GradeRuleDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = GradeRuleSerializer
    queryset = GradeRule.objects.all()
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_permissions(self):
        roles = GRADE_READERS if self.request.method in ("GET", "HEAD") else (Role.COORDINATOR,)
        return [roles_permission(*roles)()]

    def patch(self, request, *args, **kwargs):
        rule = self.get_object()
        serializer = GradeRuleSerializer(rule, data=body(request), partial=True)
        serializer.is_valid(raise_exception=True)
        rule = services.grade_rule_update(
            actor=request.user, rule=rule, **serializer.validated_data
        )
        return Response(GradeRuleSerializer(rule).data)

    def delete(self, request, *args, **kwargs):
        services.grade_rule_delete(actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


GradeRecountOut = inline_serializer(
    "GradeRecount",
    fields={
        "dry_run": serializers.BooleanField(),
        "changed": serializers.IntegerField(),
        "overridden": serializers.IntegerField(),
        "by_grade": serializers.DictField(child=serializers.IntegerField()),
        "moves": inline_serializer(
            "GradeMove",
            fields={
                "old": serializers.CharField(),
                "new": serializers.CharField(),
                "count": serializers.IntegerField(),
            },
            many=True,
        ),
    },
)


class GradeRecomputeQueuedOut(serializers.Serializer):
    task = serializers.CharField()
    status = serializers.CharField()
    notify = serializers.CharField(help_text="完成后收到通知的账号")


class GradesRecompute(APIView):
    """Apply the rules to every enterprise not graded by hand. With dry_run=true the counts come
    back at once and nothing is written; otherwise the work is queued (202) and the caller is
    notified with the counts when it is done."""

    permission_classes = [roles_permission(Role.COORDINATOR)]

    @extend_schema(
        request=inline_serializer(
            "GradesRecomputeIn", fields={"dry_run": serializers.BooleanField(default=False)}
        ),
        responses={200: GradeRecountOut, 202: GradeRecomputeQueuedOut},
    )
    def post(self, request):
        serializer = DryRunIn(data=body(request))
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["dry_run"]:
            result = services.grades_recompute(actor=request.user, dry_run=True)
            return Response(result.as_dict())
        queued = recompute_grades.enqueue(request.user.pk)
        return Response(
            {"task": str(queued.id), "status": "queued", "notify": request.user.username},
            status=status.HTTP_202_ACCEPTED,
        )


class DryRunIn(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False)


class GradeOut(serializers.ModelSerializer):
    effective_grade = serializers.CharField()

    class Meta:
        model = Enterprise
        fields = ["id", "grade", "effective_grade", "grade_overridden", "grade_reason", "version"]


class GradeOverrideIn(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Enterprise.Grade.choices)
    reason = serializers.CharField(max_length=300)


class EnterpriseGrade(APIView):
    """An enterprise's grade. POST sets it by hand (a reason is required); DELETE hands the
    enterprise back to the rules, which grade it at once."""

    def _enterprise(self, request, pk: int) -> Enterprise:
        enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=pk)
        if not enterprises_managed_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied
        return enterprise

    @extend_schema(responses=GradeOut)
    def get(self, request, pk: int):
        enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=pk)
        return Response(GradeOut(enterprise).data)

    @extend_schema(request=GradeOverrideIn, responses=GradeOut)
    def post(self, request, pk: int):
        enterprise = self._enterprise(request, pk)
        serializer = GradeOverrideIn(data=body(request))
        serializer.is_valid(raise_exception=True)
        enterprise = services.grade_override(
            actor=request.user, enterprise=enterprise, **serializer.validated_data
        )
        return Response(GradeOut(enterprise).data)

    @extend_schema(responses=GradeOut)
    def delete(self, request, pk: int):
        enterprise = services.grade_override_clear(
            actor=request.user, enterprise=self._enterprise(request, pk)
        )
        return Response(GradeOut(enterprise).data)


# Service officers (服务专员)


class AssignmentOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    officer_username = serializers.CharField(source="officer.username")
    officer_name = serializers.CharField(source="officer.name")
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = LiaisonAssignment
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "officer",
            "officer_username",
            "officer_name",
            "kind",
            "kind_display",
            "is_primary",
            "started_on",
            "ended_on",
        ]


class AssignmentIn(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none())
    officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    kind = serializers.ChoiceField(choices=LiaisonAssignment.Kind.choices)
    is_primary = serializers.BooleanField(default=False)
    started_on = serializers.DateField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = enterprises_managed_by(request.user)
            self.fields["officer"].queryset = liaison_officers()


class AssignmentListCreate(generics.ListCreateAPIView):
    """Service officers' assignments (current and ended) of the enterprises in the caller's
    scope. Creating one needs the coordinator, or an area officer for their area; a new primary
    officer replaces the current primary of that kind."""

    filterset_class = AssignmentFilter
    serializer_class = AssignmentOut

    def get_permissions(self):
        roles = ASSIGNING_ROLES if self.request.method == "POST" else ASSIGNMENT_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return (
            assignments_visible_to(self.request.user)
            .select_related("enterprise", "officer")
            .order_by("enterprise_id", "kind", "-is_primary", "id")
        )

    @extend_schema(request=AssignmentIn, responses={201: AssignmentOut})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = AssignmentIn(data=body(request), context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = services.liaison_assign(actor=request.user, **serializer.validated_data)
        return Response(AssignmentOut(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentEnd(APIView):
    """End an assignment (today unless ended_on is given); it is kept with its dates."""

    @extend_schema(
        request=inline_serializer(
            "AssignmentEndIn", fields={"ended_on": serializers.DateField(required=False)}
        ),
        responses=AssignmentOut,
    )
    def post(self, request, pk: int):
        assignment = get_object_or_404(assignments_visible_to(request.user), pk=pk)
        if not enterprises_managed_by(request.user).filter(pk=assignment.enterprise_id).exists():
            raise PermissionDenied
        serializer = AssignmentEndIn(data=body(request))
        serializer.is_valid(raise_exception=True)
        assignment = services.liaison_assignment_end(
            actor=request.user, assignment=assignment, **serializer.validated_data
        )
        return Response(AssignmentOut(assignment).data)


class AssignmentMakePrimary(APIView):
    """Make this officer the primary one of their kind for the enterprise (the previous primary
    stays assigned, no longer primary)."""

    @extend_schema(request=None, responses=AssignmentOut)
    def post(self, request, pk: int):
        assignment = get_object_or_404(assignments_visible_to(request.user), pk=pk)
        if not enterprises_managed_by(request.user).filter(pk=assignment.enterprise_id).exists():
            raise PermissionDenied
        assignment = services.liaison_assignment_make_primary(
            actor=request.user, assignment=assignment
        )
        return Response(AssignmentOut(assignment).data)


class AssignmentEndIn(serializers.Serializer):
    ended_on = serializers.DateField(required=False)


class AssignmentImport(SpreadsheetImportView):
    """Upload an assignment file (.xlsx/.csv: 统一社会信用代码, 专员账号, 类型, 是否主责,
    开始日期). With dry_run=true nothing is written; otherwise all rows or, on any error, none."""

    permission_classes = [roles_permission(*ASSIGNING_ROLES)]
    run_import = staticmethod(services.liaison_assignments_import)


class CoverageRowOut(serializers.Serializer):
    area = serializers.IntegerField(allow_null=True)
    area_name = serializers.CharField()
    targets = serializers.IntegerField()
    uncovered = serializers.IntegerField()
    missing = serializers.DictField(child=serializers.IntegerField())


def _coverage_row(row) -> dict:
    return {
        "area": row.area.pk if row.area else None,
        "area_name": row.area.name if row.area else "",
        "targets": row.targets,
        "uncovered": row.uncovered,
        "missing": row.missing,
    }


class CoverageIn(serializers.Serializer):
    group = serializers.ChoiceField(choices=list(COVERAGE_GROUPS), default="all")
    kind = serializers.ChoiceField(
        choices=LiaisonAssignment.Kind.choices, required=False, allow_blank=True
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.filter(kind__in=[*Region.SUBDISTRICT_KINDS, Region.Kind.PARK]),
        required=False,
        allow_null=True,
    )


class CoverageView(APIView):
    """Key, talent and A-grade enterprises without an active officer (goal: none), in total and
    by street/town and park; `missing` counts those lacking an officer of each kind."""

    permission_classes = [roles_permission(*COVERAGE_ROLES)]

    @extend_schema(
        parameters=[CoverageIn],
        responses=inline_serializer(
            "Coverage",
            fields={
                "group": serializers.CharField(),
                "complete": serializers.BooleanField(),
                "total": CoverageRowOut(),
                "by_area": CoverageRowOut(many=True),
                "by_park": CoverageRowOut(many=True),
            },
        ),
    )
    def get(self, request):
        params = CoverageIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        result = coverage(request.user, params.validated_data["group"])
        return Response(
            {
                "group": result.group,
                "complete": result.complete,
                "total": _coverage_row(result.total),
                "by_area": [_coverage_row(r) for r in result.by_area],
                "by_park": [_coverage_row(r) for r in result.by_park],
            }
        )


class UncoveredOut(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name")
    park_name = serializers.CharField(source="park.name", default="")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "uscc",
            "category",
            "region",
            "region_name",
            "park",
            "park_name",
            "is_key",
            "is_talent",
            "grade",
        ]


class UncoveredList(generics.ListAPIView):
    """The enterprises behind a coverage number: targets of `group` with no active officer (of
    `kind`, when given), in `area` when given. Their count equals the number."""

    permission_classes = [roles_permission(*COVERAGE_ROLES)]
    serializer_class = UncoveredOut
    filter_backends = []

    @extend_schema(parameters=[CoverageIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = CoverageIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        return (
            uncovered_enterprises(
                self.request.user,
                group=values["group"],
                kind=values.get("kind", ""),
                area=values.get("area"),
            )
            .select_related("region", "park")
            .order_by("name", "id")
        )


# Visits (走访)


class VisitOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    officer_name = serializers.CharField(source="officer.name")
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Visit
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "officer",
            "officer_name",
            "visited_on",
            "kind",
            "kind_display",
            "findings",
            "created_at",
            "recorded_by",
        ]


class VisitIn(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.none())
    visited_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Visit.Kind.choices)
    findings = serializers.CharField(max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = enterprises_visitable_by(request.user)


class VisitListCreate(generics.ListCreateAPIView):
    """Visits to the enterprises in the caller's scope, newest first. Recording one needs the
    coordinator, an area officer (their area) or a liaison officer (their enterprises), and
    honours an Idempotency-Key header."""

    filterset_class = VisitFilter
    serializer_class = VisitOut

    def get_permissions(self):
        roles = VISITING_ROLES if self.request.method == "POST" else VISIT_READERS
        return [roles_permission(*roles)()]

    def get_queryset(self):
        return visits_visible_to(self.request.user).select_related("enterprise", "officer")

    @extend_schema(request=VisitIn, responses={201: VisitOut})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = VisitIn(data=body(request), context={"request": request})
        serializer.is_valid(raise_exception=True)
        visit = services.visit_record(actor=request.user, **serializer.validated_data)
        return Response(VisitOut(visit).data, status=status.HTTP_201_CREATED)


class VisitDetail(generics.RetrieveAPIView):
    serializer_class = VisitOut

    def get_queryset(self):
        return visits_visible_to(self.request.user).select_related("enterprise", "officer")
