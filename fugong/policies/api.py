"""The API of the policy library: policies (with their condition tree as JSON, checked against
the whitelist `GET /policy-rule-attributes/` lists), publishing and matching, the matched
enterprises and why one enterprise meets a policy or not, applications and their review, payout
lists with their notice and objections, the take-up figures, and the public list. Every endpoint
starts from the scoping function its page uses and calls the same service."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, parsers, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from fugong.core.api import body, expected_version, idempotent
from fugong.core.audit import personal_data_shown
from fugong.core.filters import MAX_ID
from fugong.core.masking import mask_name, mask_phone
from fugong.core.models import Department, User
from fugong.core.permissions import can_see_personal_data, roles_permission
from fugong.enterprises.selectors import enterprises_visible_to
from fugong.policies import rules, services
from fugong.policies.models import (
    Application,
    ApplicationStep,
    Kind,
    Level,
    Mode,
    Objection,
    ObjectionStep,
    PayoutBatch,
    PayoutLine,
    Policy,
    PolicyMatch,
)
from fugong.policies.selectors import (
    EDITOR_ROLES,
    FIGURE_ROLES,
    STAFF_ROLES,
    applications_visible_to,
    batches_visible_to,
    eligible_policies,
    matches_visible_to,
    may_edit,
    may_review,
    not_applied,
    objections_visible_to,
    policies_visible_to,
    public_notices,
    public_policies,
    received_by,
    search_policies,
    take_up_figures,
)
from fugong.policies.views import benefit_text, client_key

Role = User.Role
REVIEWERS = (Role.COORDINATOR, Role.DEPARTMENT)


class KeepsRefusalReason:
    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied) and str(exc):
            exc = exceptions.PermissionDenied(str(exc))
        return super().handle_exception(exc)


class BoundedJSONParser(parsers.JSONParser):
    """JSON whose nesting is deeper than Python's parser recurses is a 400, not a crash: a
    condition tree may be pasted from anywhere."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("请求内容嵌套过深")) from None


class RuleField(serializers.JSONField):
    """The condition tree as posted; its shape and size are `rules.validate`'s to judge (which
    stops at the size limit), so the serializer does not walk it (`json.dumps` would recurse as
    deep as the tree)."""

    def to_internal_value(self, data):
        return data


POLICY_PARSERS = [BoundedJSONParser, parsers.FormParser, parsers.MultiPartParser]


# Policies


class PolicyOut(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display")
    kind_display = serializers.CharField(source="get_kind_display")
    mode_display = serializers.CharField(source="get_mode_display")
    status_display = serializers.CharField(source="get_status_display")
    department_name = serializers.CharField(source="department.name")
    conditions = serializers.SerializerMethodField(help_text="享受条件（文字）")
    benefit = serializers.SerializerMethodField(help_text="享受标准（文字）")

    class Meta:
        model = Policy
        fields = [
            "id",
            "title",
            "document_number",
            "issuer",
            "level",
            "level_display",
            "kind",
            "kind_display",
            "is_example",
            "summary",
            "full_text",
            "department",
            "department_name",
            "contact_phone",
            "effective_on",
            "expires_on",
            "mode",
            "mode_display",
            "benefit_kind",
            "benefit_amount",
            "benefit_percent",
            "benefit_cap",
            "benefit_note",
            "benefit",
            "rule",
            "conditions",
            "situation_as_of",
            "review_days",
            "objection_days",
            "status",
            "status_display",
            "published_at",
            "expired_at",
            "version",
        ]

    def get_conditions(self, policy) -> str:
        return rules.describe(policy.rule or rules.EVERYONE)

    def get_benefit(self, policy) -> str:
        return benefit_text(policy)


class PolicyIn(serializers.ModelSerializer):
    rule = RuleField(
        required=False,
        help_text='条件树：{"all": [...]}、{"any": [...]}、{"not": {...}} 或 '
        '{"attr": "payroll_headcount", "op": "gte", "value": 50}；可用的 attr 与 op 见 '
        "/api/v1/policy-rule-attributes/",
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True)
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "document_number",
            "issuer",
            "level",
            "kind",
            "is_example",
            "summary",
            "full_text",
            "department",
            "contact_phone",
            "effective_on",
            "expires_on",
            "mode",
            "benefit_kind",
            "benefit_amount",
            "benefit_percent",
            "benefit_cap",
            "benefit_note",
            "rule",
            "situation_as_of",
            "review_days",
            "objection_days",
        ]


class PolicyFilterIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, help_text="名称、文号或拼音首字母")
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    status = serializers.ChoiceField(choices=Policy.Status.choices, required=False)


def _filtered(policies, params):
    incoming = PolicyFilterIn(data=params)
    incoming.is_valid(raise_exception=True)
    values = incoming.validated_data
    policies = search_policies(policies, values.get("q", ""))
    for name in ("level", "kind", "mode", "status"):
        if values.get(name):
            policies = policies.filter(**{name: values[name]})
    return policies.select_related("department")


class PolicyListCreate(KeepsRefusalReason, generics.ListAPIView):
    """The library in the caller's scope (drafts only for their coordinators and department),
    newest first. Registering one (coordinator, or a department for its own) makes a draft;
    its `rule` is checked against the whitelist, errors name the node (「条件2.1：…」)."""

    serializer_class = PolicyOut
    filter_backends = []
    parser_classes = POLICY_PARSERS

    def get_permissions(self):
        roles = EDITOR_ROLES if self.request.method == "POST" else (*STAFF_ROLES, Role.ENTERPRISE)
        return [roles_permission(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Policy.objects.none()
        return _filtered(policies_visible_to(self.request.user), self.request.query_params)

    @extend_schema(parameters=[PolicyFilterIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PolicyIn, responses={201: PolicyOut})
    @idempotent
    def post(self, request):
        incoming = PolicyIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        policy = services.policy_create(
            actor=request.user, policy=Policy(**incoming.validated_data)
        )
        return Response(PolicyOut(policy).data, status=status.HTTP_201_CREATED)


def _visible_policy(request, pk: int) -> Policy:
    return get_object_or_404(policies_visible_to(request.user).select_related("department"), pk=pk)


class PolicyDetail(KeepsRefusalReason, APIView):
    """One policy. PATCH edits it (its department or the coordinator); a published policy whose
    rule changes is matched again at once."""

    parser_classes = POLICY_PARSERS

    def get_permissions(self):
        roles = EDITOR_ROLES if self.request.method == "PATCH" else (*STAFF_ROLES, Role.ENTERPRISE)
        return [roles_permission(*roles)()]

    @extend_schema(responses=PolicyOut)
    def get(self, request, pk: int):
        """An enterprise reading a policy it was told about is recorded, as in its portal."""
        policy = _visible_policy(request, pk)
        if policy.is_public:
            services.match_mark_read(user=request.user, policy=policy)
        return Response(PolicyOut(policy).data)

    @extend_schema(request=PolicyIn(partial=True), responses=PolicyOut)
    def patch(self, request, pk: int):
        """With `If-Match: "<version>"` (or `"version"` in the body), an edit made from an older
        version is refused with a 409 instead of overwriting the newer one."""
        policy = _visible_policy(request, pk)
        version = expected_version(request)
        incoming = PolicyIn(policy, data=body(request), partial=True)
        incoming.is_valid(raise_exception=True)
        for name, value in incoming.validated_data.items():
            setattr(policy, name, value)
        saved = services.policy_update(actor=request.user, policy=policy, expected_version=version)
        return Response(PolicyOut(saved).data)


class RunOut(serializers.Serializer):
    policy = PolicyOut()
    added = serializers.IntegerField(help_text="新增匹配")
    ended = serializers.IntegerField(help_text="不再符合")


def _policy_action(action: str, description: str):
    def run(user, policy):
        if action == "publish":
            return services.policy_publish(actor=user, policy=policy)
        if action == "expire":
            services.policy_expire(actor=user, policy=policy)
            return None
        if not may_edit(user, policy):
            raise exceptions.PermissionDenied(_("只有指挥部或该政策的联系部门可以执行此操作"))
        return services.policy_rematch(policy=policy, trigger="manual", actor=user)

    @extend_schema_view(post=extend_schema(request=None, responses=RunOut, description=description))
    class PolicyAction(KeepsRefusalReason, APIView):
        permission_classes = [roles_permission(*EDITOR_ROLES)]

        @idempotent
        def post(self, request, pk: int):
            policy = _visible_policy(request, pk)
            result = run(request.user, policy)
            policy.refresh_from_db()
            return Response(
                RunOut(
                    {
                        "policy": policy,
                        "added": result.added if result else 0,
                        "ended": result.ended if result else 0,
                    }
                ).data
            )

    PolicyAction.__name__ = f"Policy{action.title()}"
    return PolicyAction


PolicyPublish = _policy_action(
    "publish", "发布草稿：与全区企业匹配，并推送给符合条件的企业和服务专员。"
)
PolicyExpire = _policy_action("expire", "设为到期：不再匹配、推送或受理申请，已有匹配保留。")
PolicyRematch = _policy_action("rematch", "与全区企业重新匹配。")


class MatchOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    uscc = serializers.CharField(source="enterprise.uscc")
    region_name = serializers.CharField(source="enterprise.region.name")

    class Meta:
        model = PolicyMatch
        fields = [
            "id",
            "policy",
            "enterprise",
            "enterprise_name",
            "uscc",
            "region_name",
            "matched_at",
            "ended_at",
            "notified_at",
            "read_at",
        ]


class MatchFilterIn(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[("active", "符合条件"), ("not_applied", "符合条件但未申请")],
        required=False,
        default="active",
    )


class PolicyMatches(generics.ListAPIView):
    """The enterprises that meet the policy now, within the caller's scope; `state=not_applied`
    keeps those that have not applied (the officers' list to chase)."""

    serializer_class = MatchOut
    filter_backends = []
    permission_classes = [roles_permission(*STAFF_ROLES)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PolicyMatch.objects.none()
        policy = _visible_policy(self.request, self.kwargs["pk"])
        incoming = MatchFilterIn(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        if incoming.validated_data["state"] == "not_applied":
            return not_applied(policy, self.request.user)
        return (
            matches_visible_to(self.request.user)
            .filter(policy=policy, ended_at__isnull=True)
            .select_related("enterprise__region")
            .order_by("id")
        )

    @extend_schema(parameters=[MatchFilterIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ExplanationOut(serializers.Serializer):
    met = serializers.BooleanField()
    text = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="下一层的条件")


def _explanation(node: rules.Explanation) -> dict:
    return {
        "met": node.met,
        "text": node.text,
        "children": [_explanation(child) for child in node.children],
    }


class EligibilityOut(serializers.Serializer):
    enterprise = serializers.IntegerField()
    met = serializers.BooleanField()
    verdict = serializers.CharField(help_text="如：不符合：用工人数≥50人（实际32人）")
    explanation = ExplanationOut()


class EnterpriseIn(serializers.Serializer):
    enterprise = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="企业；企业用户可省略"
    )


class PolicyExplain(APIView):
    """Whether one enterprise (in the caller's scope) meets the policy now, condition by
    condition, with the actual values."""

    permission_classes = [roles_permission(*STAFF_ROLES, Role.ENTERPRISE)]

    @extend_schema(parameters=[EnterpriseIn], responses=EligibilityOut)
    def get(self, request, pk: int):
        policy = _visible_policy(request, pk)
        incoming = EnterpriseIn(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        enterprise_id = incoming.validated_data.get("enterprise") or request.user.enterprise_id
        if not enterprise_id:
            raise serializers.ValidationError({"enterprise": [_("请指定企业")]})
        enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=enterprise_id)
        explanation = services.eligibility(policy, enterprise)
        return Response(
            {
                "enterprise": enterprise.pk,
                "met": explanation.met,
                "verdict": explanation.verdict,
                "explanation": _explanation(explanation),
            }
        )


class AttributeOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    operators = serializers.ListField(child=serializers.CharField())
    choices = serializers.ListField(child=serializers.ListField(), help_text="[值, 名称]")
    needs_situation = serializers.BooleanField(help_text="按复工情况时点判断")


class RuleAttributes(APIView):
    """The enterprise attributes a rule may compare, with the operators and values each allows."""

    permission_classes = [roles_permission(*STAFF_ROLES)]

    @extend_schema(responses=AttributeOut(many=True))
    def get(self, request):
        return Response(
            [
                {
                    "key": a.key,
                    "label": str(a.label),
                    "kind": a.kind,
                    "operators": list(a.operators),
                    "choices": [[str(k), str(v)] for k, v in a.choices()] if a.choices else [],
                    "needs_situation": a.needs_situation,
                }
                for a in rules.ATTRIBUTES.values()
            ]
        )


class TakeUpOut(serializers.Serializer):
    policy = serializers.IntegerField(source="policy.pk", allow_null=True, default=None)
    title = serializers.CharField(source="policy.title", default="合计")
    matched = serializers.IntegerField()
    notified = serializers.IntegerField()
    read = serializers.IntegerField()
    applied = serializers.IntegerField()
    approved = serializers.IntegerField()
    paid = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    take_up_rate = serializers.FloatField(allow_null=True, help_text="应享尽享：已兑现 ÷ 符合条件")
    take_up_text = serializers.CharField(help_text="应享尽享率，如页面所示：50.0%、—")


class PolicyFiguresOut(serializers.Serializer):
    policies = TakeUpOut(many=True)
    total = TakeUpOut()


class PolicyFigures(APIView):
    """Per policy and in total: matched, notified, read, applied, approved, paid, amount and the
    take-up rate (应享尽享), within the caller's scope."""

    permission_classes = [roles_permission(*FIGURE_ROLES)]

    @extend_schema(responses=PolicyFiguresOut)
    def get(self, request):
        rows, total = take_up_figures(request.user)
        return Response(PolicyFiguresOut({"policies": rows, "total": total}).data)


# Applications


class StepOut(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")
    actor_name = serializers.CharField(source="actor.name")

    class Meta:
        model = ApplicationStep
        fields = ["id", "action", "action_display", "actor", "actor_name", "at", "note", "data"]


class ApplicationOut(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title")
    enterprise_name = serializers.CharField(source="enterprise.name")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "policy",
            "policy_title",
            "enterprise",
            "enterprise_name",
            "status",
            "status_display",
            "submitted_at",
            "due_at",
            "prefilled",
            "statement",
            "declared_base",
            "requested_amount",
            "approved_amount",
            "paid_amount",
            "paid_on",
            "decided_at",
            "decision_note",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context.get("user")
        unmasked = user is not None and (
            can_see_personal_data(user) or may_review(user, instance.policy)
        )
        if unmasked and data["prefilled"].get("contact_phone"):
            self.context.setdefault("unmasked", []).append(instance.pk)
        if user is not None and not unmasked:
            prefilled = dict(data["prefilled"])
            prefilled["contact_phone"] = mask_phone(prefilled.get("contact_phone", ""))
            prefilled["contact_person"] = mask_name(prefilled.get("contact_person", ""))
            prefilled["legal_representative"] = mask_name(prefilled.get("legal_representative", ""))
            data["prefilled"] = prefilled
        return data


class ApplicationDetailOut(ApplicationOut):
    steps = StepOut(many=True)
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=list(services.APPLICATION_MOVES)),
        help_text="此刻可执行的操作：POST /api/v1/policy-applications/{id}/{action}/",
    )

    class Meta(ApplicationOut.Meta):
        fields = [*ApplicationOut.Meta.fields, "steps", "actions"]


def _record_unmasked(request, context: dict, *, object_id=None) -> None:
    """The applications shown with the contact's phone in full, recorded as the page does."""
    shown = context.get("unmasked") or []
    if shown and request.user.role != Role.ENTERPRISE:
        personal_data_shown(
            request,
            what="政策申请联系电话",
            object_id=object_id,
            count=len(shown),
            unmasked=True,
        )


def _application_detail(request, application: Application) -> dict:
    context = {"user": request.user}
    data = ApplicationOut(application, context=context).data
    _record_unmasked(request, context, object_id=application.pk)
    data["steps"] = StepOut(application.steps.select_related("actor"), many=True).data
    data["actions"] = services.actions_available(application, request.user)
    return data


class ApplicationIn(serializers.Serializer):
    policy = serializers.PrimaryKeyRelatedField(queryset=Policy.objects.none())
    statement = serializers.CharField(max_length=2000)
    declared_base = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    requested_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = public_policies()


class ApplicationFilterIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Application.Status.choices, required=False)
    policy = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ApplicationListCreate(KeepsRefusalReason, generics.ListAPIView):
    """Applications in the caller's scope, the nearest review deadline first. An enterprise
    applies for a published `apply` policy it meets (a refusal names the conditions it misses);
    honours an Idempotency-Key header."""

    serializer_class = ApplicationOut
    filter_backends = []

    def get_permissions(self):
        roles = (
            (Role.ENTERPRISE,) if self.request.method == "POST" else (*STAFF_ROLES, Role.ENTERPRISE)
        )
        return [roles_permission(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        incoming = ApplicationFilterIn(data=self.request.query_params)
        incoming.is_valid(raise_exception=True)
        applications = applications_visible_to(self.request.user).select_related(
            "policy", "enterprise"
        )
        for name in ("status", "policy"):
            if incoming.validated_data.get(name):
                applications = applications.filter(**{name: incoming.validated_data[name]})
        return applications.order_by("due_at", "id")

    def get_serializer_context(self):
        if not hasattr(self, "_context"):
            self._context = {**super().get_serializer_context(), "user": self.request.user}
        return self._context

    @extend_schema(parameters=[ApplicationFilterIn])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        _record_unmasked(request, self.get_serializer_context())
        return response

    @extend_schema(request=ApplicationIn, responses={201: ApplicationDetailOut})
    @idempotent
    def post(self, request):
        incoming = ApplicationIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        application = services.application_submit(actor=request.user, **incoming.validated_data)
        return Response(_application_detail(request, application), status=status.HTTP_201_CREATED)


def _visible_application(request, pk: int) -> Application:
    return get_object_or_404(
        applications_visible_to(request.user).select_related("policy", "enterprise"), pk=pk
    )


class ApplicationDetail(APIView):
    @extend_schema(responses=ApplicationDetailOut)
    def get(self, request, pk: int):
        return Response(_application_detail(request, _visible_application(request, pk)))


class PolicyNoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ResubmitIn(PolicyNoteIn):
    declared_base = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )


class PolicyReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ApproveIn(PolicyNoteIn):
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="核定金额；省略按政策标准",
    )


class PayIn(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


APPLICATION_ACTIONS = {
    "ask": (PolicyNoteIn, REVIEWERS, "要求补充材料（联系部门或指挥部），note 必填。"),
    "resubmit": (ResubmitIn, (Role.ENTERPRISE,), "补充材料（申请企业），审核时限重新计算。"),
    "approve": (ApproveIn, REVIEWERS, "审核通过，核定金额不超过政策上限。"),
    "reject": (PolicyReasonIn, REVIEWERS, "审核不通过，reason 必填。"),
    "pay": (PayIn, REVIEWERS, "登记兑现。"),
    "withdraw": (serializers.Serializer, (Role.ENTERPRISE,), "撤回申请（申请企业）。"),
}


def _application_action(action: str):
    input_class, roles, description = APPLICATION_ACTIONS[action]
    service = getattr(services, f"application_{action}")

    @extend_schema_view(
        post=extend_schema(
            request=input_class, responses=ApplicationDetailOut, description=description
        )
    )
    class ApplicationAction(KeepsRefusalReason, APIView):
        permission_classes = [roles_permission(*roles)]

        @idempotent
        def post(self, request, pk: int):
            application = _visible_application(request, pk)
            incoming = input_class(data=body(request))
            incoming.is_valid(raise_exception=True)
            updated = service(
                actor=request.user, application=application, **incoming.validated_data
            )
            return Response(_application_detail(request, updated))

    ApplicationAction.__name__ = f"Application{action.title()}"
    return ApplicationAction


APPLICATION_ACTION_VIEWS = {action: _application_action(action) for action in APPLICATION_ACTIONS}


# Payout lists


class LineOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")
    uscc = serializers.CharField(source="enterprise.uscc")

    class Meta:
        model = PayoutLine
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "uscc",
            "amount",
            "basis",
            "excluded",
            "excluded_reason",
        ]


class ObjectionStepOut(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display")
    actor_name = serializers.CharField(source="actor.name", default="", allow_null=True)

    class Meta:
        model = ObjectionStep
        fields = ["action", "action_display", "actor", "actor_name", "at", "note"]


class ObjectionOut(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    steps = ObjectionStepOut(many=True, read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id",
            "batch",
            "line",
            "name",
            "phone",
            "content",
            "filed_at",
            "status",
            "status_display",
            "reply",
            "handled_at",
            "steps",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("mask"):
            data["phone"] = mask_phone(data["phone"])
        return data


class BatchOut(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "policy",
            "policy_title",
            "status",
            "status_display",
            "created_at",
            "notice_starts_at",
            "notice_ends_at",
            "confirmed_at",
            "paid_on",
        ]


class BatchDetailOut(BatchOut):
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    line_count = serializers.IntegerField(help_text="清单明细数（含已剔除）")
    included = serializers.IntegerField(help_text="未剔除的企业数")
    objections = ObjectionOut(many=True)
    actions = serializers.ListField(child=serializers.CharField())

    class Meta(BatchOut.Meta):
        fields = [
            *BatchOut.Meta.fields,
            "total",
            "line_count",
            "included",
            "objections",
            "actions",
        ]


def _batch_detail(request, batch: PayoutBatch) -> dict:
    data = BatchOut(batch).data
    data["total"] = str(services.batch_total(batch))
    # The lines themselves page through GET /payout-batches/{id}/lines/: a district-wide list
    # has tens of thousands.
    data["line_count"] = batch.lines.count()
    data["included"] = batch.lines.filter(excluded=False).count()
    unmasked = can_see_personal_data(request.user)
    objections = list(batch.objections.prefetch_related("steps__actor"))
    data["objections"] = ObjectionOut(objections, many=True, context={"mask": not unmasked}).data
    if unmasked and objections:
        personal_data_shown(
            request, what="公示异议人电话", object_id=batch.pk, count=len(objections)
        )
    data["actions"] = services.batch_actions_available(batch, request.user)
    return data


class BatchIn(serializers.Serializer):
    policy = serializers.PrimaryKeyRelatedField(queryset=Policy.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = public_policies()


class BatchListCreate(KeepsRefusalReason, generics.ListAPIView):
    """Payout lists of auto-grant policies (免申即享). Making one lists the policy's current
    matches not on an earlier list, each with its amount and basis."""

    serializer_class = BatchOut
    filter_backends = []

    def get_permissions(self):
        roles = REVIEWERS if self.request.method == "POST" else (Role.LEADER, *REVIEWERS)
        return [roles_permission(*roles)()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayoutBatch.objects.none()
        return batches_visible_to(self.request.user).select_related("policy")

    @extend_schema(request=BatchIn, responses={201: BatchDetailOut})
    @idempotent
    def post(self, request):
        incoming = BatchIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        batch = services.payout_batch_create(actor=request.user, **incoming.validated_data)
        return Response(_batch_detail(request, batch), status=status.HTTP_201_CREATED)


def _visible_batch(request, pk: int) -> PayoutBatch:
    return get_object_or_404(batches_visible_to(request.user).select_related("policy"), pk=pk)


class BatchDetail(APIView):
    permission_classes = [roles_permission(Role.LEADER, *REVIEWERS)]

    @extend_schema(responses=BatchDetailOut)
    def get(self, request, pk: int):
        return Response(_batch_detail(request, _visible_batch(request, pk)))


class BatchLines(generics.ListAPIView):
    """A payout list's lines (enterprise, USCC, amount, basis, taken off or not), page by
    page."""

    serializer_class = LineOut
    filter_backends = []
    permission_classes = [roles_permission(Role.LEADER, *REVIEWERS)]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayoutLine.objects.none()
        batch = _visible_batch(self.request, self.kwargs["pk"])
        return batch.lines.select_related("enterprise").order_by("id")


class PaidOnIn(serializers.Serializer):
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


BATCH_ACTIONS = {
    "notice": (
        serializers.Serializer,
        services.payout_notice_start,
        "开始公示，公示期为政策的公示工作日数。",
    ),
    "confirm": (
        serializers.Serializer,
        services.payout_confirm,
        "公示期满且异议都已处理后确认清单。",
    ),
    "pay": (PaidOnIn, services.payout_mark_paid, "登记已拨付。"),
}


def _batch_action(action: str):
    input_class, service, description = BATCH_ACTIONS[action]

    @extend_schema_view(
        post=extend_schema(request=input_class, responses=BatchDetailOut, description=description)
    )
    class BatchAction(KeepsRefusalReason, APIView):
        permission_classes = [roles_permission(*REVIEWERS)]

        @idempotent
        def post(self, request, pk: int):
            batch = _visible_batch(request, pk)
            incoming = input_class(data=body(request))
            incoming.is_valid(raise_exception=True)
            updated = service(actor=request.user, batch=batch, **incoming.validated_data)
            return Response(_batch_detail(request, updated))

    BatchAction.__name__ = f"Batch{action.title()}"
    return BatchAction


BATCH_ACTION_VIEWS = {action: _batch_action(action) for action in BATCH_ACTIONS}


class HandleIn(serializers.Serializer):
    uphold = serializers.BooleanField(help_text="true：异议成立，从清单剔除所涉企业")
    reply = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class _ObjectionStep(KeepsRefusalReason, APIView):
    """A reviewer's step on an objection of a list they may see: `step(...)` with the body."""

    permission_classes = [roles_permission(*REVIEWERS)]
    incoming_class: type[serializers.Serializer]
    step: staticmethod  # the service: objection_handle or objection_withdraw

    def post(self, request, pk: int):
        objection = get_object_or_404(objections_visible_to(request.user), pk=pk)
        incoming = self.incoming_class(data=body(request))
        incoming.is_valid(raise_exception=True)
        changed = self.step(actor=request.user, objection=objection, **incoming.validated_data)
        return Response(ObjectionOut(changed).data)


class ObjectionHandle(_ObjectionStep):
    incoming_class, step = HandleIn, staticmethod(services.objection_handle)

    @extend_schema(request=HandleIn, responses=ObjectionOut)
    @idempotent
    def post(self, request, pk: int):
        return super().post(request, pk)


class ObjectionWithdrawIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ObjectionWithdraw(_ObjectionStep):
    """Record that the objector withdrew: an upheld objection no longer keeps its enterprise off
    the list (until the list is confirmed)."""

    incoming_class, step = ObjectionWithdrawIn, staticmethod(services.objection_withdraw)

    @extend_schema(request=ObjectionWithdrawIn, responses=ObjectionOut)
    @idempotent
    def post(self, request, pk: int):
        return super().post(request, pk)


# For one enterprise


class EligibleOut(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title")
    mode = serializers.CharField(source="policy.mode")
    mode_display = serializers.CharField(source="policy.get_mode_display")
    benefit = serializers.SerializerMethodField(help_text="享受标准（文字）")

    class Meta:
        model = PolicyMatch
        fields = [
            "policy",
            "policy_title",
            "mode",
            "mode_display",
            "benefit",
            "matched_at",
            "notified_at",
            "read_at",
        ]

    def get_benefit(self, match) -> str:
        return benefit_text(match.policy)


class ReceivedOut(serializers.Serializer):
    policy = serializers.IntegerField(source="policy.pk")
    policy_title = serializers.CharField(source="policy.title")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    on = serializers.DateField(allow_null=True, help_text="兑现或拨付日期")
    how = serializers.CharField(help_text="已兑现（申请）或免申即享")


class EnterprisePoliciesOut(serializers.Serializer):
    enterprise = serializers.IntegerField()
    eligible = EligibleOut(many=True)
    received = ReceivedOut(many=True)


class EnterprisePolicies(APIView):
    """What one enterprise is eligible for now and what it has received, as its portal shows:
    an enterprise sees only itself, officers the enterprises in their scope."""

    permission_classes = [roles_permission(*STAFF_ROLES, Role.ENTERPRISE)]

    @extend_schema(responses=EnterprisePoliciesOut)
    def get(self, request, pk: int):
        enterprise = get_object_or_404(enterprises_visible_to(request.user), pk=pk)
        return Response(
            EnterprisePoliciesOut(
                {
                    "enterprise": enterprise.pk,
                    "eligible": eligible_policies(enterprise.pk),
                    "received": received_by(enterprise.pk),
                }
            ).data
        )


# Public (no login)


class PublicNoticeOut(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "policy",
            "policy_title",
            "status",
            "status_display",
            "notice_starts_at",
            "notice_ends_at",
        ]


class PublicNoticeDetailOut(PublicNoticeOut):
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    enterprises = serializers.IntegerField(help_text="清单上的企业数")
    open = serializers.BooleanField(help_text="此刻可以提出异议")

    class Meta(PublicNoticeOut.Meta):
        fields = [*PublicNoticeOut.Meta.fields, "total", "enterprises", "open"]


class PublicLineOut(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name")

    class Meta:
        model = PayoutLine
        fields = ["id", "enterprise_name", "amount"]


class PublicNoticeList(generics.ListAPIView):
    """公示: payout lists that are, or have been, publicly noticed, newest first (no login)."""

    serializer_class = PublicNoticeOut
    filter_backends = []
    permission_classes = [AllowAny]
    authentication_classes = []

    def get_queryset(self):
        return public_notices().select_related("policy").order_by("-notice_starts_at", "-id")


class PublicNoticeDetail(APIView):
    """One noticed list: its total, how many enterprises, whether objections are open now."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses=PublicNoticeDetailOut)
    def get(self, request, pk: int):
        batch = get_object_or_404(public_notices().select_related("policy"), pk=pk)
        data = PublicNoticeOut(batch).data
        data["total"] = str(services.batch_total(batch))
        data["enterprises"] = batch.lines.filter(excluded=False).count()
        data["open"] = (
            batch.status == PayoutBatch.Status.NOTICE and timezone.now() <= batch.notice_ends_at
        )
        return Response(data)


class PublicNoticeLines(generics.ListAPIView):
    """The enterprises on a noticed list and their amounts, as the public page shows them
    (an enterprise taken off after an objection is not listed); `id` is what an objection
    names as its `line`."""

    serializer_class = PublicLineOut
    filter_backends = []
    permission_classes = [AllowAny]
    authentication_classes = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PayoutLine.objects.none()
        batch = get_object_or_404(public_notices(), pk=self.kwargs["pk"])
        return batch.lines.filter(excluded=False).select_related("enterprise").order_by("id")


class PublicPolicyList(generics.ListAPIView):
    """Published and expired policies, for anyone, with the same search as the public page."""

    serializer_class = PolicyOut
    filter_backends = []
    permission_classes = [AllowAny]
    authentication_classes = []

    def get_queryset(self):
        return _filtered(public_policies(), self.request.query_params)

    @extend_schema(parameters=[PolicyFilterIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ObjectionIn(serializers.Serializer):
    line = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_ID,
        help_text="清单明细编号；省略表示针对整份清单",
    )
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    content = serializers.CharField(max_length=1000)


class FiledOut(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()


class PublicObjection(APIView):
    """Object to a noticed payout list (anyone, no login), during its objection window."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=ObjectionIn, responses={201: FiledOut, 200: FiledOut})
    def post(self, request, pk: int):
        """Idempotent: the same Idempotency-Key, or the same phone on the same enterprise, gets
        the objection already filed (200). Limited per phone and per client (429)."""
        batch = get_object_or_404(public_notices(), pk=pk)
        incoming = ObjectionIn(data=body(request))
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        line_id = values.pop("line")
        line = None
        if line_id is not None:
            line = batch.lines.filter(pk=line_id, excluded=False).first()
            if line is None:
                raise serializers.ValidationError({"line": [_("该企业不在这份清单中")]})
        try:
            objection = services.objection_file(
                batch=batch,
                line=line,
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                client=client_key(request),
                **values,
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "throttled":
                raise exceptions.Throttled(detail="；".join(exc.messages)) from None
            raise
        return Response(
            {"id": objection.pk, "message": _("异议已收到")},
            status=status.HTTP_201_CREATED if objection.created else status.HTTP_200_OK,
        )
