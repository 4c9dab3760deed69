from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import idempotent, import_response
from fugong.core.models import Department, Notification, Region, User
from fugong.core.services import notification_mark_read


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "kind", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name"]


class MeSerializer(serializers.ModelSerializer):
    areas = RegionSerializer(many=True)
    role_display = serializers.CharField(source="get_role_display")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "role",
            "role_display",
            "department",
            "areas",
            "enterprise",
        ]


class MeView(APIView):
    """The logged-in user with role and scope."""

    api_key_scopes = ("reports",)

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class RegionListView(generics.ListAPIView):
    """The district's streets, towns, communities and parks (reference data, open to all users)."""

    serializer_class = RegionSerializer
    queryset = Region.objects.filter(is_active=True).order_by("sort_order", "code")
    filterset_fields = ["kind", "parent"]
    pagination_class = None


class DepartmentListView(generics.ListAPIView):
    serializer_class = DepartmentSerializer
    queryset = Department.objects.filter(is_active=True)
    pagination_class = None


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at", "delivery_status"]


class NotificationList(generics.ListAPIView):
    """The caller's inbox, newest first (?unread=true for unread only)."""

    serializer_class = NotificationOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        inbox = Notification.objects.filter(recipient=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            inbox = inbox.filter(read_at__isnull=True)
        return inbox


class NotificationRead(APIView):
    """Mark one of the caller's notifications as read."""

    @extend_schema(request=None, responses=NotificationOut)
    def post(self, request, pk: int):
        try:
            notification = notification_mark_read(user=request.user, notification_id=pk)
        except Notification.DoesNotExist:
            raise NotFound() from None
        return Response(NotificationOut(notification).data)


class SpreadsheetImportView(APIView):
    """A spreadsheet import endpoint: POST the `file`, `dry_run=true` to only check. Subclasses
    name the import (`run_import(actor=, file=, dry_run=)`) and who may use it."""

    parser_classes = [MultiPartParser]
    run_import: Callable  # staticmethod(the import service)

    @extend_schema(
        request=inline_serializer(
            "SpreadsheetImportIn",
            {"file": serializers.FileField(), "dry_run": serializers.BooleanField(default=False)},
        ),
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    @idempotent
    def post(self, request):
        return import_response(request, self.run_import)
