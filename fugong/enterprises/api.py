from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import body, idempotent, import_response
from fugong.core.audit import personal_data_shown
from fugong.core.history import history_entries
from fugong.core.masking import mask_phone
from fugong.core.models import User
from fugong.core.permissions import can_see_personal_data, roles_permission
from fugong.enterprises import services
from fugong.enterprises.filters import EnterpriseFilter, ProjectFilter
from fugong.enterprises.models import ConstructionProject, Enterprise
from fugong.enterprises.selectors import (
    enterprises_visible_to,
    parks_choosable_by,
    projects_visible_to,
    regions_choosable_by,
)
from fugong.enterprises.views import PROJECT_ROLES, REGISTER_ROLES

Role = User.Role


class MaskedContact:
    """Masks the contact phone for viewers who may not see personal data."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("mask") and data.get("contact_phone"):
            data["contact_phone"] = mask_phone(data["contact_phone"])
        return data


class EnterpriseOut(MaskedContact, serializers.ModelSerializer):
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
            "region",
            "region_name",
            "park",
            "park_name",
            "category",
            "category_display",
            "industry_section",
            "payroll_headcount",
            "is_key",
            "is_talent",
            "is_epidemic_supplies",
            "grade",
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


def expected_version(request) -> int | None:
    """The version a client edits from: `If-Match: "3"` or `"version": 3` in the body. Without
    either, the change applies to whatever is current (last write wins, as the client asked)."""
    raw = request.headers.get("If-Match", "").strip().strip("W/").strip('"') or body(request).get(
        "version"
    )
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise serializers.ValidationError({"version": ["版本号应为整数"]}) from None


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


class EnterpriseImport(APIView):
    """Upload a register file (.xlsx/.csv). With dry_run=true nothing is written and the result
    tells what would happen; otherwise all rows are written or, on any error, none."""

    parser_classes = [MultiPartParser]
    permission_classes = [roles_permission(Role.COORDINATOR)]

    @extend_schema(
        request=inline_serializer(
            "EnterpriseImportIn",
            fields={
                "file": serializers.FileField(),
                "dry_run": serializers.BooleanField(default=False),
            },
        ),
        responses={200: dict, 201: dict, 400: dict},
    )
    @idempotent
    def post(self, request):
        return import_response(request, services.enterprises_import)


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
