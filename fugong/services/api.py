"""The API of enterprises' requests (诉求): filing, the lifecycle actions, the handling units'
queue, the figures as of any moment, thank-you letters and the coordinator's settings. Each
endpoint starts from the scoping function its page uses (`requests_visible_to` …), calls the same
service, and masks the caller's name and number exactly as the page does."""

from abc import ABC, abstractmethod

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import Conflict, body, idempotent
from fugong.core.audit import personal_data_shown
from fugong.core.filters import MAX_ID
from fugong.core.forms import EARLIEST_MOMENT
from fugong.core.models import Department, Region, User
from fugong.core.permissions import can_see_personal_data, roles_permission
from fugong.core.uploads import check_attachments
from fugong.enterprises import api as enterprise_api
from fugong.enterprises.models import Enterprise
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.resumption.models import Report
from fugong.resumption.selectors import reports_visible_to
from fugong.services import calendar, services
from fugong.services.access import actions_available, caller_seen_by, handles, masked_caller
from fugong.services.models import (
    Assignment,
    Attachment,
    CalendarDay,
    Category,
    Channel,
    DeadlinePolicy,
    Escalation,
    Extension,
    Rating,
    RequestStep,
    RoutingRule,
    ServiceRequest,
    Stage,
    TaskForce,
    ThankYouLetter,
    Urgency,
)
from fugong.services.selectors import (
    FIGURE_ROLES,
    figures_as_of,
    filter_requests,
    near_due,
    overdue_now,
    pending_extensions,
    queue_for,
    requests_visible_to,
)
from fugong.services.views import LETTER_ROLES, LIST_ROLES

Role = User.Role
READ_ROLES = (*LIST_ROLES, Role.ENTERPRISE)
DIFFICULTY_ROLES = (Role.COORDINATOR, Role.AREA_OFFICER, Role.LIAISON)
SETTINGS_READERS = (Role.COORDINATOR, Role.LEADER)
CALENDAR_READERS = (Role.COORDINATOR, Role.LEADER, Role.DEPARTMENT)
ACTIONS = [
    "claim",
    "reply",
    "transfer",
    "return",
    "extension",
    "cohandle",
    "route",
    "close",
    "reopen",
    "escalate",
    "rate",
]
ACTIVE_DEPARTMENTS = Department.objects.filter(is_active=True)
ACTIVE_TASK_FORCES = TaskForce.objects.filter(is_active=True)
# Where a routing rule may apply: streets, towns and parks (the district is "no area").
ROUTING_AREAS = Region.objects.exclude(kind__in=[Region.Kind.DISTRICT, Region.Kind.COMMUNITY])
PERSONAL_DATA = "诉求来电号码（接口）"
# The clocks an extension may move (as on Extension.stage).
EXTENSION_STAGES = [
    (Stage.REPLY.value, Stage.REPLY.label),
    (Stage.RESOLVE.value, Stage.RESOLVE.label),
]


class KeepsRefusalReason:
    """A service's refusal ("只有提出诉求的企业可以评价") reaches the client as the service wrote
    it, instead of the generic "没有权限执行此操作"."""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            exc = exceptions.PermissionDenied(str(exc))
        return super().handle_exception(exc)


def _settings_saved(service, **instance):
    """A setting saved by its service; two people saving the same row at once is a 409."""
    try:
        return service(**instance)
    except IntegrityError:
        raise Conflict(_("与已有记录重复，请刷新后重试")) from None


# What goes out


class Percent(serializers.FloatField):
    """A ratio (0–1) as a percentage; empty when there is nothing to judge yet."""

    def to_representation(self, value):
        return round(float(value) * 100, 6)


class AttachmentOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="下载地址（仅能看到该诉求的人可下载）")

    class Meta:
        model = Attachment
        fields = ["id", "step", "original_name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, attachment) -> str:
        path = reverse("api_request_attachment", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class RequestStepOut(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")
    actor_name = serializers.CharField(source="actor.name", default="", help_text="为空表示系统")
    handler_name = serializers.CharField(source="assignment.handler_name", default="")
    data = serializers.DictField()

    class Meta:
        model = RequestStep
        fields = [
            "id",
            "action",
            "action_display",
            "at",
            "actor",
            "actor_name",
            "assignment",
            "handler_name",
            "note",
            "data",
        ]


class ExtensionOut(serializers.ModelSerializer):
    stage_display = serializers.CharField(source="get_stage_display")
    status_display = serializers.CharField(source="get_status_display")
    requested_by_name = serializers.CharField(source="requested_by.name")
    request = serializers.IntegerField(source="assignment.request_id")
    number = serializers.CharField(source="assignment.request.number")
    title = serializers.CharField(source="assignment.request.title")
    enterprise_name = serializers.CharField(source="assignment.request.enterprise.name")
    handler_name = serializers.CharField(source="assignment.handler_name")

    class Meta:
        model = Extension
        fields = [
            "id",
            "assignment",
            "request",
            "number",
            "title",
            "enterprise_name",
            "handler_name",
            "stage",
            "stage_display",
            "current_due",
            "extra_days",
            "reason",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "status",
            "status_display",
            "decided_by",
            "decided_at",
            "decision_note",
            "new_due",
        ]


class RequestExtensionOut(serializers.ModelSerializer):
    """An extension as part of a request's detail."""

    class Meta:
        model = Extension
        fields = [
            "id",
            "stage",
            "current_due",
            "extra_days",
            "reason",
            "requested_at",
            "status",
            "decided_at",
            "decision_note",
            "new_due",
        ]


class EscalationOut(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display")

    class Meta:
        model = Escalation
        fields = ["id", "stage", "level", "level_display", "at", "due", "note"]


class RequestAssignmentOut(serializers.ModelSerializer):
    handler_name = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    status_display = serializers.CharField(source="get_status_display")
    claimed_by_name = serializers.CharField(source="claimed_by.name", default="")
    replied_by_name = serializers.CharField(source="replied_by.name", default="")
    extensions = RequestExtensionOut(many=True)
    escalations = EscalationOut(many=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "department",
            "task_force",
            "handler_name",
            "role",
            "role_display",
            "round",
            "status",
            "status_display",
            "assigned_at",
            "claim_due",
            "reply_due",
            "resolve_due",
            "claimed_at",
            "claimed_by_name",
            "replied_at",
            "replied_by_name",
            "reply",
            "completed_at",
            "ended_at",
            "end_reason",
            "rating",
            "rated_at",
            "extensions",
            "escalations",
        ]


class RequestOut(serializers.ModelSerializer):
    """A request as the list shows it; the caller's name and number are masked for roles that
    need not see them."""

    enterprise_name = serializers.CharField(source="enterprise.name")
    category_display = serializers.CharField(source="get_category_display")
    status_display = serializers.CharField(source="get_status_display")
    visit = serializers.IntegerField(source="visit_id", allow_null=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "enterprise",
            "enterprise_name",
            "category",
            "category_display",
            "title",
            "description",
            "urgency",
            "channel",
            "caller_name",
            "caller_phone",
            "report",
            "visit",
            "raised_by",
            "grade",
            "status",
            "status_display",
            "created_at",
            "closed_at",
            "rating",
            "rating_comment",
            "rated_at",
            "round",
            "reopen_count",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("mask"):
            data["caller_name"], data["caller_phone"] = masked_caller(instance)
        return data


class LetterOut(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name")
    request_number = serializers.CharField(source="request.number", default="")
    enterprise_name = serializers.CharField(source="enterprise.name", default="")

    class Meta:
        model = ThankYouLetter
        fields = [
            "id",
            "department",
            "department_name",
            "request",
            "request_number",
            "enterprise",
            "enterprise_name",
            "sender",
            "received_on",
            "summary",
            "recorded_by",
            "recorded_at",
        ]


class RequestDetailOut(RequestOut):
    """One request with everything its page shows, and the actions the caller may take now."""

    assignments = RequestAssignmentOut(many=True)
    steps = RequestStepOut(many=True)
    attachments = AttachmentOut(many=True)
    letters = LetterOut(many=True)
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=ACTIONS),
        help_text="此刻可执行的办理操作：POST /api/v1/requests/{id}/{action}/",
    )

    class Meta(RequestOut.Meta):
        fields = [
            *RequestOut.Meta.fields,
            "assignments",
            "steps",
            "attachments",
            "letters",
            "actions",
        ]


def _visible(request, pk: int) -> ServiceRequest:
    return get_object_or_404(
        requests_visible_to(request.user).select_related("enterprise", "raised_by", "report"),
        pk=pk,
    )


def _detail(request, pk: int) -> dict:
    """What the detail page shows, the caller masked exactly as there."""
    user = request.user
    service_request = _visible(request, pk)
    assignments = list(
        service_request.assignments.select_related(
            "department", "task_force", "claimed_by", "replied_by"
        ).prefetch_related("extensions", "escalations")
    )
    caller_name, caller_phone, unmasked = caller_seen_by(service_request, user)
    if unmasked and service_request.caller_phone and user.role != Role.ENTERPRISE:
        personal_data_shown(
            request, what=PERSONAL_DATA, object_id=service_request.pk, unmasked=True
        )
    context = {"request": request}
    data = RequestOut(service_request, context=context).data
    data.update(
        caller_name=caller_name,
        caller_phone=caller_phone,
        assignments=RequestAssignmentOut(assignments, many=True).data,
        steps=RequestStepOut(
            service_request.steps.select_related(
                "actor", "assignment__department", "assignment__task_force"
            ),
            many=True,
        ).data,
        attachments=AttachmentOut(
            service_request.attachments.all(), many=True, context=context
        ).data,
        letters=LetterOut(
            service_request.letters.select_related("department", "request", "enterprise"),
            many=True,
        ).data,
        actions=actions_available(service_request, user, assignments),
    )
    return data


# The list, filing and one request


class RequestFilterIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, help_text="编号、标题或企业名称")
    status = serializers.ChoiceField(choices=ServiceRequest.Status.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    department = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="承办部门"
    )
    task_force = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="承办专班"
    )
    enterprise = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    overdue = serializers.BooleanField(required=False, default=False, help_text="只看逾期")

    def validate(self, data):
        if data.get("department") and data.get("task_force"):
            raise serializers.ValidationError({"task_force": [_("承办部门和专班只能指定一个")]})
        return data


def _requests_filtered(user, params) -> QuerySet[ServiceRequest]:
    """The list page's filters, and the enterprise."""
    incoming = RequestFilterIn(data=params)
    incoming.is_valid(raise_exception=True)
    values = incoming.validated_data
    department = task_force = None
    if values.get("department"):
        department = Department.objects.filter(pk=values["department"], is_active=True).first()
        if department is None:
            raise serializers.ValidationError({"department": [_("没有这个承办单位，或已停用")]})
    elif values.get("task_force"):
        task_force = TaskForce.objects.filter(pk=values["task_force"], is_active=True).first()
        if task_force is None:
            raise serializers.ValidationError({"task_force": [_("没有这个承办单位，或已停用")]})
    return filter_requests(
        requests_visible_to(user),
        q=values.get("q", ""),
        status=values.get("status", ""),
        category=values.get("category", ""),
        department=department,
        task_force=task_force,
        overdue=values["overdue"],
        enterprise_id=values.get("enterprise"),
    )


API_CHANNELS = [
    (c.value, c.label) for c in (Channel.API, Channel.PORTAL, Channel.HOTLINE, Channel.VISIT)
]
ENTERPRISE_CHANNELS = (Channel.API, Channel.PORTAL)
STAFF_CHANNELS = (Channel.HOTLINE, Channel.VISIT, Channel.PORTAL)


class Attachments(serializers.ListField):
    """Several files under one multipart name; checked by content (`fugong.core.uploads`)."""

    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.FileField(allow_empty_file=True),
            required=False,
            default=list,
            help_text="图片（JPG/PNG/WebP）或 PDF，每个不超过 10 MB，最多 5 个；multipart 上传",
            **kwargs,
        )

    def to_internal_value(self, data):
        uploads = super().to_internal_value(data)
        try:
            check_attachments(uploads)
        except DjangoValidationError as exc:  # names each bad file and why
            raise serializers.ValidationError(exc.messages) from None
        return uploads


class RequestIn(serializers.Serializer):
    """A request. An enterprise files for itself (channel api or portal); staff file for an
    enterprise they serve, from a hotline call (the caller's number is required), a visit, or a
    difficulty written in a daily report (`report`: its enterprise and channel follow)."""

    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.none(), required=False, help_text="企业自己提交时可省略"
    )
    report = serializers.PrimaryKeyRelatedField(
        queryset=Report.objects.none(),
        required=False,
        allow_null=True,
        help_text="由复工填报中的困难转为诉求时，该填报的编号",
    )
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    channel = serializers.ChoiceField(
        choices=API_CHANNELS, required=False, help_text="企业：api（默认）或 portal；工作人员必填"
    )
    caller_name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    caller_phone = serializers.CharField(
        max_length=20, required=False, default="", allow_blank=True, help_text="热线来电必填"
    )
    attachments = Attachments()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["enterprise"].queryset = enterprises_visible_to(request.user)
            self.fields["report"].queryset = (
                reports_visible_to(request.user)
                .filter(enterprise__isnull=False)
                .exclude(difficulty="")
                .select_related("enterprise")
            )

    def validate(self, data):
        user = self.context["request"].user
        if user.role == Role.ENTERPRISE and not user.is_superuser:
            return self._for_own_enterprise(user, data)
        report = data.get("report")
        if report is not None:
            existing = report.requests.first()
            if existing is not None:
                raise serializers.ValidationError(
                    {"report": [_("该填报中的困难已登记为诉求 %(n)s") % {"n": existing.number}]}
                )
            if data.get("enterprise", report.enterprise) != report.enterprise:
                raise serializers.ValidationError({"enterprise": [_("与该填报的企业不符")]})
            return {**data, "enterprise": report.enterprise, "channel": Channel.REPORT}
        data.pop("report", None)
        if "enterprise" not in data:
            raise serializers.ValidationError({"enterprise": [_("请指定企业")]})
        if data.get("channel") not in STAFF_CHANNELS:
            raise serializers.ValidationError(
                {"channel": [_("请选择来源：热线电话、走访发现或企业网上提交")]}
            )
        return data

    def _for_own_enterprise(self, user, data):
        if data.get("report") or data["caller_name"] or data["caller_phone"]:
            raise serializers.ValidationError(
                {"caller_phone": [_("来电人、来源填报由工作人员登记")]}
            )
        channel = data.get("channel", Channel.API)
        if channel not in ENTERPRISE_CHANNELS:
            raise serializers.ValidationError({"channel": [_("企业通过网上或接口提交诉求")]})
        enterprise = get_object_or_404(Enterprise, pk=user.enterprise_id)
        data.pop("report", None)
        return {**data, "enterprise": enterprise, "channel": channel}


class RequestListCreate(KeepsRefusalReason, generics.ListAPIView):
    """Requests in the caller's scope, newest first, filtered as on the list page. Filing one
    (enterprise, coordinator, area officer, liaison officer) routes it by the routing table and
    honours an Idempotency-Key header; attachments go as multipart `attachments`."""

    serializer_class = RequestOut
    filter_backends = []

    def get_permissions(self):
        roles = services.FILING_ROLES if self.request.method == "POST" else READ_ROLES
        return [roles_permission(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ServiceRequest.objects.none()
        return (
            _requests_filtered(self.request.user, self.request.query_params)
            .select_related("enterprise")
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "mask": not can_see_personal_data(self.request.user),
        }

    @extend_schema(parameters=[RequestFilterIn])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        shown = sum(1 for row in response.data["results"] if row["caller_phone"])
        personal_data_shown(request, what=PERSONAL_DATA, count=shown)
        return response

    @extend_schema(request=RequestIn, responses={201: RequestDetailOut})
    @idempotent
    def post(self, request):
        incoming = RequestIn(data=body(request), context={"request": request})
        incoming.is_valid(raise_exception=True)
        created = services.request_submit(actor=request.user, **incoming.validated_data)
        return Response(_detail(request, created.pk), status=status.HTTP_201_CREATED)


class RequestDetail(APIView):
    """One request: its handling units and clocks, every step, attachments (download through
    their `url`), letters, and the actions the caller may take now."""

    @extend_schema(responses=RequestDetailOut)
    def get(self, request, pk: int):
        return Response(_detail(request, pk))


class PassThroughNegotiation(BaseContentNegotiation):
    """A file goes out whatever the client's Accept header says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RequestAttachmentFile(APIView):
    """An attachment's file, to anyone who may see its request (else 404)."""

    content_negotiation_class = PassThroughNegotiation

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        attachment = get_object_or_404(
            Attachment.objects.filter(request__in=requests_visible_to(request.user)), pk=pk
        )
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=attachment.content_type == "application/pdf",
            filename=attachment.original_name,
        )


# Actions on one request: the request must be visible (else 404); the service decides whether
# this person may act now (403) and whether the move is possible in the request's state (400).


class AssignmentChoice(serializers.Serializer):
    assignment = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="本单位在该诉求上的承办记录；省略时取本单位处于可办理状态的那一条",
    )


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True, help_text="必填"
    )


class NoteIn(serializers.Serializer):
    note = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True, help_text="必填"
    )


class HandlerIn(serializers.Serializer):
    """A department or a task force: exactly one."""

    department = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_DEPARTMENTS, required=False, allow_null=True, default=None
    )
    task_force = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_TASK_FORCES, required=False, allow_null=True, default=None
    )


class ClaimIn(AssignmentChoice):
    pass


class ReplyIn(AssignmentChoice):
    reply = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True, help_text="必填"
    )
    attachments = Attachments()


class TransferIn(AssignmentChoice, HandlerIn, ReasonIn):
    pass


class ReturnIn(AssignmentChoice, ReasonIn):
    pass


class ExtensionIn(AssignmentChoice):
    stage = serializers.ChoiceField(choices=EXTENSION_STAGES)
    extra_days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, help_text="必填"
    )


class CohandleIn(HandlerIn):
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class RouteIn(HandlerIn):
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=ACTIVE_DEPARTMENTS, many=True, required=False, default=list
    )
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class RateIn(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, help_text="不满意时必填"
    )


PENDING_OR_WORKING = (Assignment.Status.PENDING, Assignment.Status.IN_PROGRESS)
HANDLING = roles_permission(Role.DEPARTMENT)


def _handler(values) -> dict:
    return {"department": values["department"], "task_force": values["task_force"]}


class RequestAction(KeepsRefusalReason, APIView, ABC):
    """POST one action; the answer is the request as it is afterwards. A retry with the same
    Idempotency-Key gets the first answer instead of acting twice."""

    input_class: type[serializers.Serializer] = serializers.Serializer
    # An action of the unit handling the request: whoever else sees the request is refused
    # (403) before the input is read.
    by_handler = False

    @abstractmethod
    def act(self, user, service_request, values):
        """Call the service for this action; a returned value goes to `respond`."""

    def respond(self, request, pk: int, result) -> Response:
        return Response(_detail(request, pk))

    @idempotent
    def post(self, request, pk: int):
        service_request = _visible(request, pk)
        self.service_request = service_request
        self.handled = _handled_by(request.user, service_request) if self.by_handler else []
        incoming = self.input_class(data=body(request))
        incoming.is_valid(raise_exception=True)
        result = self.act(request.user, service_request, incoming.validated_data)
        return self.respond(request, pk, result)

    def assignment(self, values, *statuses) -> Assignment:
        """The caller's unit's part the action applies to: the one named, else the first of
        theirs in a state the action starts from, else any active one of theirs (so that the
        service says why the move is not possible now)."""
        if values.get("assignment"):
            chosen = (
                self.service_request.assignments.select_related("department", "task_force")
                .filter(pk=values["assignment"])
                .first()
            )
            if chosen is None:
                raise serializers.ValidationError({"assignment": [_("该诉求没有这条承办记录")]})
            return chosen  # the service checks that the caller handles it
        return next((a for a in self.handled if a.status in statuses), self.handled[0])


def _handled_by(user, service_request) -> list[Assignment]:
    handled = [
        a
        for a in service_request.assignments.filter(
            status__in=Assignment.ACTIVE_STATUSES
        ).select_related("department", "task_force")
        if handles(user, a)
    ]
    if not handled:
        raise exceptions.PermissionDenied(_("只有正在承办该诉求的单位可以办理"))
    return handled


def _action_schema(input_class, description: str):
    return extend_schema_view(
        post=extend_schema(request=input_class, responses=RequestDetailOut, description=description)
    )


@_action_schema(ClaimIn, "签收（承办单位）。")
class RequestClaim(RequestAction):
    permission_classes = [HANDLING]
    input_class = ClaimIn
    by_handler = True

    def act(self, user, service_request, values):
        services.assignment_claim(
            actor=user, assignment=self.assignment(values, Assignment.Status.PENDING)
        )


@_action_schema(ReplyIn, "答复（承办单位），可附图片或 PDF；各单位都答复后请企业评价。")
class RequestReply(RequestAction):
    permission_classes = [HANDLING]
    input_class = ReplyIn
    by_handler = True

    def act(self, user, service_request, values):
        services.assignment_reply(
            actor=user,
            assignment=self.assignment(values, Assignment.Status.IN_PROGRESS),
            reply=values["reply"],
            attachments=values["attachments"],
        )


@_action_schema(TransferIn, "转办给另一承办部门或专班（承办单位）。")
class RequestTransfer(RequestAction):
    permission_classes = [HANDLING]
    input_class = TransferIn
    by_handler = True

    def act(self, user, service_request, values):
        services.assignment_transfer(
            actor=user,
            assignment=self.assignment(values, *PENDING_OR_WORKING),
            reason=values["reason"],
            **_handler(values),
        )


@_action_schema(ReturnIn, "退回指挥部（非本单位职责）。")
class RequestReturn(RequestAction):
    permission_classes = [HANDLING]
    input_class = ReturnIn
    by_handler = True

    def act(self, user, service_request, values):
        services.assignment_return(
            actor=user,
            assignment=self.assignment(values, *PENDING_OR_WORKING),
            reason=values["reason"],
        )


@extend_schema_view(
    post=extend_schema(
        request=ExtensionIn,
        responses={201: ExtensionOut},
        description="申请延长答复或办结期限（承办单位），由指挥部审批。",
    )
)
class RequestExtension(RequestAction):
    permission_classes = [HANDLING]
    input_class = ExtensionIn
    by_handler = True

    def act(self, user, service_request, values):
        return services.extension_request(
            actor=user,
            assignment=self.assignment(values, *PENDING_OR_WORKING),
            stage=values["stage"],
            extra_days=values["extra_days"],
            reason=values["reason"],
        )

    def respond(self, request, pk, result):
        return Response(ExtensionOut(result).data, status=status.HTTP_201_CREATED)


@_action_schema(CohandleIn, "增加协办单位（指挥部或主办单位）。")
class RequestCohandle(RequestAction):
    permission_classes = [roles_permission(Role.COORDINATOR, Role.DEPARTMENT)]
    input_class = CohandleIn

    def act(self, user, service_request, values):
        services.request_add_cohandler(
            actor=user, request=service_request, note=values["note"], **_handler(values)
        )


@_action_schema(RouteIn, "分派或改派（指挥部）；原承办单位的办理被撤回。")
class RequestRoute(RequestAction):
    permission_classes = [roles_permission(Role.COORDINATOR)]
    input_class = RouteIn

    def act(self, user, service_request, values):
        services.request_route(
            actor=user,
            request=service_request,
            co_departments=values["co_departments"],
            note=values["note"],
            **_handler(values),
        )


@_action_schema(NoteIn, "办结（指挥部），须说明理由。")
class RequestClose(RequestAction):
    permission_classes = [roles_permission(Role.COORDINATOR)]
    input_class = NoteIn

    def act(self, user, service_request, values):
        services.request_close(actor=user, request=service_request, note=values["note"])


@_action_schema(ReasonIn, "重新打开已办结的诉求（指挥部）。")
class RequestReopen(RequestAction):
    permission_classes = [roles_permission(Role.COORDINATOR)]
    input_class = ReasonIn

    def act(self, user, service_request, values):
        services.request_reopen(actor=user, request=service_request, reason=values["reason"])


@_action_schema(NoteIn, "督办（区领导或指挥部）：通知仍在办理的各单位。")
class RequestEscalate(RequestAction):
    permission_classes = [roles_permission(Role.LEADER, Role.COORDINATOR)]
    input_class = NoteIn

    def act(self, user, service_request, values):
        services.request_escalate(actor=user, request=service_request, note=values["note"])


@_action_schema(RateIn, "评价（提出诉求的企业，或指挥部电话回访）。")
class RequestRate(RequestAction):
    permission_classes = [roles_permission(Role.ENTERPRISE, Role.COORDINATOR)]
    input_class = RateIn

    def act(self, user, service_request, values):
        services.request_rate(
            actor=user, request=service_request, rating=values["rating"], comment=values["comment"]
        )


class ExtensionList(generics.ListAPIView):
    """Extension requests waiting for the coordinator, oldest first."""

    permission_classes = [roles_permission(Role.COORDINATOR)]
    serializer_class = ExtensionOut
    filter_backends = []

    def get_queryset(self):
        return pending_extensions()


class DecisionIn(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True, help_text="不同意时必填"
    )


class ExtensionDecide(KeepsRefusalReason, APIView):
    """Approve (the deadline moves by the working days asked for) or refuse (with a reason)."""

    permission_classes = [roles_permission(Role.COORDINATOR)]

    @extend_schema(request=DecisionIn, responses=ExtensionOut)
    @idempotent
    def post(self, request, pk: int):
        extension = get_object_or_404(Extension, pk=pk)
        incoming = DecisionIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        extension = services.extension_decide(
            actor=request.user, extension=extension, **incoming.validated_data
        )
        return Response(ExtensionOut(extension).data)


# The handling unit's queue and the difficulties waiting to become requests


class QueueItemOut(serializers.ModelSerializer):
    request = serializers.IntegerField(source="request_id")
    number = serializers.CharField(source="request.number")
    title = serializers.CharField(source="request.title")
    enterprise_name = serializers.CharField(source="request.enterprise.name")
    category = serializers.ChoiceField(choices=Category.choices, source="request.category")
    urgency = serializers.ChoiceField(choices=Urgency.choices, source="request.urgency")
    handler_name = serializers.CharField()
    due = serializers.DateTimeField(help_text="当前环节的期限")
    overdue = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField(help_text="一天内到期")
    extension_pending = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "request",
            "number",
            "title",
            "enterprise_name",
            "category",
            "urgency",
            "handler_name",
            "role",
            "status",
            "assigned_at",
            "due",
            "overdue",
            "due_soon",
            "extension_pending",
        ]

    def get_overdue(self, assignment) -> bool:
        return assignment.pk in self.context["overdue"]

    def get_due_soon(self, assignment) -> bool:
        return assignment.pk in self.context["soon"]

    def get_extension_pending(self, assignment) -> bool:
        return assignment.pk in self.context["waiting"]


class RequestQueue(generics.ListAPIView):
    """The caller's department's (and task forces') open work, the nearest deadline first."""

    permission_classes = [roles_permission(Role.DEPARTMENT)]
    serializer_class = QueueItemOut
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return queue_for(self.request.user)

    def list(self, request, *args, **kwargs):
        mine = self.get_queryset()
        page = self.paginate_queryset(mine)
        ids = [a.pk for a in page]
        context = {
            "overdue": set(overdue_now(mine).filter(pk__in=ids).values_list("pk", flat=True)),
            "soon": set(near_due(mine).filter(pk__in=ids).values_list("pk", flat=True)),
            "waiting": set(
                Extension.objects.filter(
                    assignment_id__in=ids, status=Extension.Status.PENDING
                ).values_list("assignment_id", flat=True)
            ),
        }
        return self.get_paginated_response(QueueItemOut(page, many=True, context=context).data)


class DifficultyOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")

    class Meta:
        model = Report
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "reported_at",
            "difficulty_category",
            "difficulty",
        ]


class DifficultyList(generics.ListAPIView):
    """Difficulties written in daily reports that nobody has turned into a request yet; file
    one with `report` set to its id."""

    permission_classes = [roles_permission(*DIFFICULTY_ROLES)]
    serializer_class = DifficultyOut
    filter_backends = []

    def get_queryset(self):
        return (
            reports_visible_to(self.request.user)
            .filter(enterprise__isnull=False, superseded_at__isnull=True, requests__isnull=True)
            .exclude(difficulty="")
            .select_related("enterprise")
            .order_by("-reported_at", "-id")
        )


# Figures as of a moment


class ClockFiguresOut(serializers.Serializer):
    received = serializers.IntegerField(help_text="承办记录数（一件诉求可有多家承办）")
    claim_decided = serializers.IntegerField()
    claimed_on_time = serializers.IntegerField()
    reply_decided = serializers.IntegerField()
    replied = serializers.IntegerField()
    replied_on_time = serializers.IntegerField()
    resolve_decided = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    overdue = serializers.IntegerField()
    letters = serializers.IntegerField(help_text="感谢信")
    claim_on_time_rate = Percent(allow_null=True, help_text="按时签收率（百分比）")
    reply_on_time_rate = Percent(allow_null=True, help_text="按时答复率（百分比）")
    resolve_on_time_rate = Percent(allow_null=True, help_text="按时办结率（百分比）")
    satisfaction_rate = Percent(allow_null=True, help_text="满意率（百分比）")
    claim_rate_text = serializers.CharField(help_text="如页面所示：一位小数，未全部按时不显示100%")
    reply_rate_text = serializers.CharField()
    resolve_rate_text = serializers.CharField()
    satisfaction_text = serializers.CharField()
    average_reply_days = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="综合得分（0–1）")


class HandlerFiguresOut(ClockFiguresOut):
    key = serializers.CharField(help_text="d<部门编号> 或 t<专班编号>")
    name = serializers.CharField()


class RequestCategoryFiguresOut(ClockFiguresOut):
    category = serializers.CharField()
    label = serializers.CharField()
    requests = serializers.IntegerField()
    closed = serializers.IntegerField()


class RequestFiguresOut(serializers.Serializer):
    at = serializers.DateTimeField()
    requests = serializers.IntegerField(help_text="截至时点受理的诉求")
    open = serializers.IntegerField()
    closed = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    average_close_days = serializers.FloatField(allow_null=True)
    clocks = ClockFiguresOut()
    by_handler = HandlerFiguresOut(many=True)
    by_category = RequestCategoryFiguresOut(many=True)
    red_list = HandlerFiguresOut(many=True, help_text="红榜")
    black_list = HandlerFiguresOut(many=True, help_text="黑榜")


class AsOfIn(serializers.Serializer):
    at = serializers.DateTimeField(required=False, help_text="截至时点（ISO 8601），默认现在")

    def validate_at(self, moment):
        if moment > timezone.now():
            raise serializers.ValidationError(_("截至时点不能晚于现在"))
        if moment < EARLIEST_MOMENT:
            raise serializers.ValidationError(_("截至时点应在2000年1月1日以后"))
        return moment


class RequestFigures(APIView):
    """Requests and their handling as known at `at`: the same numbers as the figures page, its
    export, and the red and black lists, within what the caller may see."""

    permission_classes = [roles_permission(*FIGURE_ROLES)]

    @extend_schema(parameters=[AsOfIn], responses=RequestFiguresOut)
    def get(self, request):
        incoming = AsOfIn(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        moment = incoming.validated_data.get("at") or timezone.now()
        figures = figures_as_of(moment, user=request.user)
        return Response(RequestFiguresOut(figures).data)


# Thank-you letters


class LetterIn(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    sender = serializers.CharField(max_length=100)
    received_on = serializers.DateField()
    summary = serializers.CharField(max_length=1000)
    request_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="相关诉求编号"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # none while the schema is generated
        if request is None:
            return
        user = request.user
        if user.role == Role.DEPARTMENT and not user.is_superuser:
            self.fields["department"].queryset = Department.objects.filter(pk=user.department_id)
        self._visible = requests_visible_to(user)

    def validate_request_number(self, number):
        number = number.strip()
        if not number:
            return None
        found = self._visible.filter(number=number).first()
        if found is None:
            raise serializers.ValidationError(
                _("没有编号为 %(number)s 的诉求") % {"number": number}
            )
        return found


class LetterListCreate(KeepsRefusalReason, generics.ListAPIView):
    """Thank-you letters, newest first (a department sees its own). The coordinator or the
    department thanked records one."""

    serializer_class = LetterOut
    filter_backends = []

    def get_permissions(self):
        roles = (
            (Role.COORDINATOR, Role.DEPARTMENT) if self.request.method == "POST" else LETTER_ROLES
        )
        return [roles_permission(*roles)()]

    def get_queryset(self):
        letters = ThankYouLetter.objects.select_related("department", "request", "enterprise")
        if getattr(self, "swagger_fake_view", False):
            return letters.none()
        user = self.request.user
        if user.role == Role.DEPARTMENT and not user.is_superuser:
            letters = letters.filter(department_id=user.department_id)
        return letters

    @extend_schema(request=LetterIn, responses={201: LetterOut})
    @idempotent
    def post(self, request):
        incoming = LetterIn(data=body(request), context={"request": request})
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        letter = services.letter_record(
            actor=request.user, request=values.pop("request_number"), **values
        )
        return Response(LetterOut(letter).data, status=status.HTTP_201_CREATED)


# Settings: routing table, deadlines, calendar (the coordinator keeps them; leaders read them)


def _settings_permissions(request, readers) -> list:
    roles = readers if request.method in ("GET", "HEAD", "OPTIONS") else (Role.COORDINATOR,)
    return [roles_permission(*roles)()]


class RoutingRuleOut(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display")
    area_name = serializers.CharField(source="area.name", default="", help_text="空为全区")
    handler_name = serializers.CharField()

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "category",
            "category_display",
            "area",
            "area_name",
            "department",
            "task_force",
            "handler_name",
        ]


class RoutingRuleIn(HandlerIn):
    category = serializers.ChoiceField(choices=Category.choices)
    area = serializers.PrimaryKeyRelatedField(
        queryset=ROUTING_AREAS,
        required=False,
        allow_null=True,
        default=None,
        help_text="街道、乡镇或园区；空为全区",
    )


def _routing_rule_saved(request, rule: RoutingRule) -> RoutingRule:
    if (rule.department_id is None) == (rule.task_force_id is None):
        raise serializers.ValidationError({"department": [_("请指定一个承办部门或服务专班")]})
    district_wide = RoutingRule.objects.filter(category=rule.category, area__isnull=True)
    if rule.area_id is None and district_wide.exclude(pk=rule.pk).exists():
        raise serializers.ValidationError(
            {"area": [_("「%(c)s」已有全区分派规则") % {"c": rule.get_category_display()}]}
        )
    return _settings_saved(services.routing_rule_save, actor=request.user, rule=rule)


class RoutingRuleListCreate(KeepsRefusalReason, generics.ListAPIView):
    """The routing table: category × area → the unit that receives a request (the rule for the
    enterprise's own street or park wins over the district-wide one)."""

    serializer_class = RoutingRuleOut
    pagination_class = None
    filter_backends = []
    queryset = RoutingRule.objects.select_related("area", "department", "task_force")

    def get_permissions(self):
        return _settings_permissions(self.request, SETTINGS_READERS)

    @extend_schema(request=RoutingRuleIn, responses={201: RoutingRuleOut})
    @idempotent
    def post(self, request):
        incoming = RoutingRuleIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        rule = _routing_rule_saved(request, RoutingRule(**incoming.validated_data))
        return Response(RoutingRuleOut(rule).data, status=status.HTTP_201_CREATED)


class RoutingRuleDetail(KeepsRefusalReason, APIView):
    """One rule. PATCH changes it (naming a department replaces a task force and vice versa)."""

    def get_permissions(self):
        return _settings_permissions(self.request, SETTINGS_READERS)

    @extend_schema(responses=RoutingRuleOut)
    def get(self, request, pk: int):
        return Response(RoutingRuleOut(get_object_or_404(RoutingRule, pk=pk)).data)

    @extend_schema(request=RoutingRuleIn(partial=True), responses=RoutingRuleOut)
    def patch(self, request, pk: int):
        rule = get_object_or_404(RoutingRule, pk=pk)
        incoming = RoutingRuleIn(data=body(request), partial=True)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        if values.get("department"):
            values["task_force"] = None
        elif values.get("task_force"):
            values["department"] = None
        for name, value in values.items():
            setattr(rule, name, value)
        return Response(RoutingRuleOut(_routing_rule_saved(request, rule)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.routing_rule_delete(actor=request.user, rule=get_object_or_404(RoutingRule, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeadlinePolicySerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = DeadlinePolicy
        fields = [
            "id",
            "category",
            "category_display",
            "grade",
            "claim_days",
            "reply_days",
            "resolve_days",
        ]
        # The service checks the rules (unique per category and grade, claim ≤ reply ≤ resolve)
        # in full_clean, with the model's own messages.
        validators = []


def _policy_saved(request, policy: DeadlinePolicy) -> DeadlinePolicy:
    return _settings_saved(services.deadline_policy_save, actor=request.user, policy=policy)


class DeadlinePolicyListCreate(KeepsRefusalReason, generics.ListAPIView):
    """Working days to claim, reply to and resolve a request of each category; a row for a grade
    overrides the category's general row. With no row: 1, 3 and 10 working days."""

    serializer_class = DeadlinePolicySerializer
    pagination_class = None
    filter_backends = []
    queryset = DeadlinePolicy.objects.all()

    def get_permissions(self):
        return _settings_permissions(self.request, SETTINGS_READERS)

    @extend_schema(responses={201: DeadlinePolicySerializer})
    @idempotent
    def post(self, request):
        incoming = DeadlinePolicySerializer(data=body(request))
        incoming.is_valid(raise_exception=True)
        policy = _policy_saved(request, DeadlinePolicy(**incoming.validated_data))
        return Response(DeadlinePolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class DeadlinePolicyDetail(KeepsRefusalReason, APIView):
    def get_permissions(self):
        return _settings_permissions(self.request, SETTINGS_READERS)

    @extend_schema(responses=DeadlinePolicySerializer)
    def get(self, request, pk: int):
        return Response(DeadlinePolicySerializer(get_object_or_404(DeadlinePolicy, pk=pk)).data)

    @extend_schema(
        request=DeadlinePolicySerializer(partial=True), responses=DeadlinePolicySerializer
    )
    def patch(self, request, pk: int):
        policy = get_object_or_404(DeadlinePolicy, pk=pk)
        incoming = DeadlinePolicySerializer(policy, data=body(request), partial=True)
        incoming.is_valid(raise_exception=True)
        for name, value in incoming.validated_data.items():
            setattr(policy, name, value)
        return Response(DeadlinePolicySerializer(_policy_saved(request, policy)).data)


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "is_working_day", "name"]
        validators = []  # the service checks the date is not adjusted twice (full_clean)

    def validate_date(self, value):
        if not 2000 <= value.year <= 2100:
            raise serializers.ValidationError(_("日期应在2000年至2100年之间"))
        return value


class NationalDayOut(serializers.Serializer):
    date = serializers.DateField()
    is_working_day = serializers.BooleanField()
    name = serializers.CharField()


class CalendarYearOut(serializers.Serializer):
    year = serializers.IntegerField()
    national = NationalDayOut(many=True, help_text="国家日历中不同于周一至周五的日子")
    local = CalendarDaySerializer(many=True, help_text="本区调整")


class CalendarYearIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


def _day_saved(request, day: CalendarDay) -> CalendarDay:
    return _settings_saved(services.calendar_day_save, actor=request.user, day=day)


class CalendarDayListCreate(KeepsRefusalReason, APIView):
    """A year's working-day calendar: the national exceptions and the district's own changes,
    which the coordinator adds (a local holiday, or a make-up working day)."""

    def get_permissions(self):
        return _settings_permissions(self.request, CALENDAR_READERS)

    @extend_schema(
        operation_id="v1_calendar_days_year", parameters=[CalendarYearIn], responses=CalendarYearOut
    )
    def get(self, request):
        incoming = CalendarYearIn(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        year = incoming.validated_data.get("year") or timezone.localdate().year
        national = [
            {"date": day, "is_working_day": working, "name": name}
            for day, working, name in calendar.national_exceptions(year)
        ]
        local = CalendarDay.objects.filter(date__year=year)
        return Response(CalendarYearOut({"year": year, "national": national, "local": local}).data)

    @extend_schema(request=CalendarDaySerializer, responses={201: CalendarDaySerializer})
    @idempotent
    def post(self, request):
        incoming = CalendarDaySerializer(data=body(request))
        incoming.is_valid(raise_exception=True)
        day = _day_saved(request, CalendarDay(**incoming.validated_data))
        return Response(CalendarDaySerializer(day).data, status=status.HTTP_201_CREATED)


class CalendarDayDetail(KeepsRefusalReason, APIView):
    def get_permissions(self):
        return _settings_permissions(self.request, CALENDAR_READERS)

    @extend_schema(responses=CalendarDaySerializer)
    def get(self, request, pk: int):
        return Response(CalendarDaySerializer(get_object_or_404(CalendarDay, pk=pk)).data)

    @extend_schema(request=CalendarDaySerializer(partial=True), responses=CalendarDaySerializer)
    def patch(self, request, pk: int):
        day = get_object_or_404(CalendarDay, pk=pk)
        incoming = CalendarDaySerializer(day, data=body(request), partial=True)
        incoming.is_valid(raise_exception=True)
        for name, value in incoming.validated_data.items():
            setattr(day, name, value)
        return Response(CalendarDaySerializer(_day_saved(request, day)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.calendar_day_delete(actor=request.user, day=get_object_or_404(CalendarDay, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Visits with the requests raised during them


class RaisedRequestIn(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=2000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)


class VisitWithRequestsIn(enterprise_api.VisitIn):
    requests = RaisedRequestIn(many=True, required=False, max_length=5)


class VisitWithRequestsOut(enterprise_api.VisitOut):
    requests = serializers.SerializerMethodField()

    class Meta(enterprise_api.VisitOut.Meta):
        fields = [*enterprise_api.VisitOut.Meta.fields, "requests"]

    def get_requests(self, visit) -> list[dict]:
        return [{"id": r.pk, "number": r.number} for r in visit.requests.all()]


class VisitListCreate(enterprise_api.VisitListCreate):
    """Visits to the enterprises in the caller's scope, newest first. Recording one needs the
    coordinator, an area officer (their area) or a liaison officer (their enterprises); the
    requests raised during the visit (up to five) are filed with it, all or nothing. Honours an
    Idempotency-Key header."""

    serializer_class = VisitWithRequestsOut

    def get_queryset(self):
        return super().get_queryset().prefetch_related("requests")

    @extend_schema(request=VisitWithRequestsIn, responses={201: VisitWithRequestsOut})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = VisitWithRequestsIn(data=body(request), context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        visit, _filed = services.visit_record_with_requests(
            actor=request.user, requests=values.pop("requests", []), **values
        )
        return Response(VisitWithRequestsOut(visit).data, status=status.HTTP_201_CREATED)
