from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.models import Department, Region, User


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
