"""返岗直通车 pages: registering workers (one by one or a spreadsheet), the fleet, planning runs
with their comparison to the first-fit baseline, trips with their manifests, and the counties
that still need coordinates."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fugong.core.audit import personal_data_shown
from fugong.core.excel import xlsx_response
from fugong.core.filters import querystring_without_page, record_id
from fugong.core.forms import apply_errors, form_errors
from fugong.core.import_pages import import_job_page
from fugong.core.models import ImportJob
from fugong.core.permissions import has_role, role_required
from fugong.core.services import import_job_finish, import_job_start
from fugong.enterprises.forms import ImportUploadForm
from fugong.enterprises.models import Enterprise
from fugong.factors import forms, services
from fugong.factors.access import (
    DISPATCHERS,
    FOR_ENTERPRISE,
    SHUTTLE_READERS,
    STAFF,
    Role,
    may_dispatch,
    sees_id_numbers,
    sees_phones,
)
from fugong.factors.exports import manifest_workbook
from fugong.factors.importing import template_workbook, workers_import
from fugong.factors.models import (
    County,
    PlanningRun,
    ReturningWorker,
    ShuttleTrip,
    TripPassenger,
    UnplannedWorker,
)
from fugong.factors.selectors import (
    passengers_visible_to,
    plan_states,
    runs_visible_to,
    seat_of,
    trips_visible_to,
    vehicles_visible_to,
    workers_visible_to,
)
from fugong.factors.views.common import acted

DISTRICT_STAFF = (Role.LEADER, Role.COORDINATOR, Role.DEPARTMENT)


def _masking(user) -> dict:
    return {"full_ids": sees_id_numbers(user), "full_phones": sees_phones(user)}


def _record_shown(request, what: str, count: int, object_id=None) -> None:
    if count and (sees_id_numbers(request.user) or sees_phones(request.user)):
        personal_data_shown(request, what=what, count=count, object_id=object_id)


# Workers


def _seated():
    return TripPassenger.objects.filter(
        worker=OuterRef("pk"), removed_at__isnull=True, trip__status__in=ShuttleTrip.ACTIVE_STATUSES
    )


def filter_workers(workers, data: dict):
    q, state, county = data.get("q", ""), data.get("state", ""), data.get("county")
    if q:
        workers = workers.filter(Q(name__icontains=q) | Q(enterprise__name__icontains=q))
    if county is not None:
        workers = workers.filter(home_county=county)
    seated = _seated()
    if state == "cancelled":
        workers = workers.filter(cancelled_at__isnull=False)
    elif state == "waiting":
        workers = workers.filter(cancelled_at__isnull=True).exclude(Exists(seated))
    elif state == "planned":
        workers = workers.filter(Exists(seated.exclude(trip__status=ShuttleTrip.Status.ARRIVED)))
    elif state == "back":
        workers = workers.filter(
            Exists(seated.filter(boarded=True, trip__status=ShuttleTrip.Status.ARRIVED))
        )
    return workers


@role_required(*SHUTTLE_READERS)
def worker_list(request):
    form = forms.WorkerFilterForm(request.GET or None)
    workers = workers_visible_to(request.user).select_related("home_county", "enterprise")
    if form.is_valid():
        workers = filter_workers(workers, form.cleaned_data)
    workers = workers.annotate(on_trip=Exists(_seated())).order_by("-registered_at", "-id")
    page = Paginator(workers, 50).get_page(request.GET.get("page"))
    states = plan_states(page.object_list)
    for worker in page.object_list:
        worker.state = states[worker.pk]
    _record_shown(request, "返岗人员身份证号", len(page.object_list))
    return render(
        request,
        "factors/worker_list.html",
        {
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "may_register": has_role(request.user, *FOR_ENTERPRISE),
            **_masking(request.user),
        },
    )


@role_required(*FOR_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def worker_new(request):
    form = forms.WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        enterprise = values.pop("enterprise", None) or get_object_or_404(
            Enterprise, pk=request.user.enterprise_id
        )
        try:
            worker = services.worker_register(actor=request.user, enterprise=enterprise, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记返岗：%(name)s") % {"name": worker.name})
            return redirect("factors:worker_detail", pk=worker.pk)
    return render(request, "factors/worker_form.html", {"form": form})


@role_required(*SHUTTLE_READERS)
def worker_detail(request, pk: int):
    worker = get_object_or_404(
        workers_visible_to(request.user).select_related("home_county", "enterprise"), pk=pk
    )
    _record_shown(request, "返岗人员身份证号", 1, worker.pk)
    return render(
        request,
        "factors/worker_detail.html",
        {
            "worker": worker,
            "seat": seat_of(worker),
            "state": plan_states([worker])[worker.pk],
            "may_cancel": worker.is_active and has_role(request.user, *FOR_ENTERPRISE),
            "cancel_form": forms.ReasonForm(),
            **_masking(request.user),
        },
    )


@require_POST
@role_required(*FOR_ENTERPRISE)
def worker_cancel(request, pk: int):
    worker = get_object_or_404(workers_visible_to(request.user), pk=pk)
    return acted(
        request,
        lambda: services.worker_cancel(
            actor=request.user, worker=worker, reason=request.POST.get("reason", "")
        ),
        done=_("返岗登记已取消"),
        back="factors:worker_detail",
        pk=pk,
    )


_IMPORT_PAGE = {
    "title": gettext_lazy("批量登记返岗人员"),
    "intro": gettext_lazy("企业一次登记多名需要接回的员工。"),
    "template_url": reverse_lazy("factors:worker_import_template"),
    "upload_url": reverse_lazy("factors:worker_import"),
    "show_updates": False,
}
IMPORT_KIND = "returning_workers"


@role_required(*FOR_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def worker_import(request):
    max_bytes = settings.FUGONG_UPLOAD_MAX_BYTES
    form = ImportUploadForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    form.fields["file"].label = _("返岗人员名单")
    if request.method == "POST" and form.is_valid():
        job = import_job_start(
            kind=IMPORT_KIND, upload=form.cleaned_data["file"], actor=request.user
        )
        with job.file.open("rb") as handle:
            result = workers_import(actor=request.user, file=handle, dry_run=True)
        import_job_finish(job=job, result=result.as_dict(), applied=False)
        return redirect("factors:worker_import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(kind=IMPORT_KIND, uploaded_by=request.user)[:10]
    return render(request, "core/import_upload.html", {"form": form, "jobs": jobs, **_IMPORT_PAGE})


@role_required(*FOR_ENTERPRISE)
@require_http_methods(["GET", "POST"])
def worker_import_job(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, kind=IMPORT_KIND, uploaded_by=request.user)
    return import_job_page(
        request,
        job,
        run_import=lambda file: workers_import(actor=request.user, file=file),
        done_message=lambda result: _("已登记返岗人员 %(n)d 名") % {"n": result.created},
        page=_IMPORT_PAGE,
    )


@role_required(*FOR_ENTERPRISE)
def worker_import_template(request):
    return xlsx_response(template_workbook(), "returning-workers-template.xlsx")


# Vehicles


@role_required(*DISTRICT_STAFF)
@require_http_methods(["GET", "POST"])
def vehicle_list(request):
    may_edit = may_dispatch(request.user)
    form = forms.VehicleForm(request.POST or None) if may_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.vehicle_register(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("车辆已登记"))
                return redirect("factors:vehicles")
    vehicles = vehicles_visible_to(request.user).annotate(
        trip_count=Count("trips", filter=Q(trips__status__in=ShuttleTrip.ACTIVE_STATUSES))
    )
    return render(
        request,
        "factors/vehicle_list.html",
        {
            "vehicles": vehicles,
            "form": form,
            "withdraw_form": forms.WithdrawForm(initial={"on": timezone.localdate()}),
            **_masking(request.user),
        },
    )


@require_POST
@role_required(*DISPATCHERS)
def vehicle_withdraw(request, pk: int):
    vehicle = get_object_or_404(vehicles_visible_to(request.user), pk=pk)
    form = forms.WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("factors:vehicles")
    return acted(
        request,
        lambda: services.vehicle_withdraw(actor=request.user, vehicle=vehicle, **form.cleaned_data),
        done=_("车辆已退出，受影响的车次已重新规划"),
        back="factors:vehicles",
    )


# Planning runs


@role_required(*DISTRICT_STAFF)
@require_http_methods(["GET", "POST"])
def run_list(request):
    may_plan = may_dispatch(request.user)
    form = forms.PlanForm(request.POST or None) if may_plan else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = services.planning_request(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已开始规划，完成后会通知您"))
                if run.unusable_vehicles:
                    messages.warning(request, unusable_warning(run))
                return redirect("factors:run_detail", pk=run.pk)
    runs = runs_visible_to(request.user).select_related("requested_by")
    page = Paginator(runs, 20).get_page(request.GET.get("page"))
    return render(request, "factors/run_list.html", {"page": page, "form": form})


def unusable_warning(run: PlanningRun) -> str:
    return _("%(n)d辆车按上座率上限一名乘客也不能载，未参与规划") % {"n": run.unusable_vehicles}


@role_required(*DISTRICT_STAFF)
def run_detail(request, pk: int):
    run = get_object_or_404(runs_visible_to(request.user), pk=pk)
    trips = run.trip_set.select_related("vehicle", "county").annotate(
        riders=Count("passengers", filter=Q(passengers__removed_at__isnull=True))
    )
    unplanned = run.unplanned.select_related("worker__home_county", "worker__enterprise")
    if request.htmx:
        # The page polls while the run is queued, then reloads itself once to show the plan.
        if run.status == PlanningRun.Status.QUEUED:
            return render(request, "factors/run_status.html", {"run": run})
        return HttpResponse(headers={"HX-Refresh": "true"})
    return render(
        request,
        "factors/run_detail.html",
        {
            "run": run,
            "trips": trips,
            "unplanned": Paginator(unplanned, 100).get_page(request.GET.get("page")),
            "reasons": [
                (UnplannedWorker.Reason(row["reason"]).label, row["n"])
                for row in run.unplanned.values("reason").annotate(n=Count("id")).order_by("-n")
            ],
            "saved_km": run.baseline_distance_km - run.distance_km,
            "unusable_warning": unusable_warning(run) if run.unusable_vehicles else "",
        },
    )


# Trips


@role_required(*SHUTTLE_READERS)
def trip_list(request):
    form = forms.TripFilterForm(request.GET or None)
    trips = trips_visible_to(request.user).select_related("vehicle", "county")
    if form.is_valid():
        data = form.cleaned_data
        if data["date"]:
            trips = trips.filter(date=data["date"])
        if data["status"]:
            trips = trips.filter(status=data["status"])
        if data["county"]:
            trips = trips.filter(county=data["county"])
    trips = trips.annotate(
        riders=Count(
            "passengers",
            filter=Q(passengers__removed_at__isnull=True)
            & Q(passengers__in=passengers_visible_to(request.user)),
        )
    ).order_by("-date", "vehicle__plate", "id")
    page = Paginator(trips, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "factors/trip_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


def _visible_trip(request, pk: int) -> ShuttleTrip:
    return get_object_or_404(
        trips_visible_to(request.user).select_related("vehicle", "county", "run"), pk=pk
    )


def trip_passengers(user, trip: ShuttleTrip):
    """The passengers this person may see on the trip (an enterprise: its own)."""
    return (
        passengers_visible_to(user)
        .filter(trip=trip)
        .select_related("worker__home_county", "worker__enterprise", "dropoff__enterprise")
    )


@role_required(*SHUTTLE_READERS)
def trip_detail(request, pk: int):
    trip = _visible_trip(request, pk)
    passengers = list(trip_passengers(request.user, trip))
    _record_shown(request, "直通车乘客身份证号", len(passengers), trip.pk)
    return render(
        request,
        "factors/trip_detail.html",
        {
            "trip": trip,
            "stops": trip.stops.select_related("county", "enterprise"),
            "passengers": passengers,
            "on_board": sum(1 for p in passengers if p.removed_at is None),
            "may_dispatch": may_dispatch(request.user),
            "cancel_form": forms.ReasonForm(),
            "is_staff": has_role(request.user, *STAFF),
            **_masking(request.user),
        },
    )


def _absent_ids(post) -> list[int]:
    """The passengers ticked as absent; a value that is not a record id refuses the departure
    rather than counting that passenger as boarded."""
    ids = [record_id(value) for value in post.getlist("absent")]
    if not all(ids):
        raise ValidationError({"absent": [_("未到乘客的选择有误，请刷新页面后重新登记")]})
    return ids


TRIP_ACTIONS = {
    "confirm": (
        lambda u, t, p: services.trip_confirm(actor=u, trip=t),
        _("车次已确认，企业已收到通知"),
    ),
    "depart": (
        lambda u, t, p: services.trip_depart(actor=u, trip=t, absent=_absent_ids(p)),
        _("已登记发车"),
    ),
    "arrive": (lambda u, t, p: services.trip_arrive(actor=u, trip=t), _("已登记到达")),
    "cancel": (
        lambda u, t, p: services.trip_cancel(actor=u, trip=t, reason=p.get("reason", "")),
        _("车次已取消，已通知企业；乘客待重新规划"),
    ),
}


@require_POST
@role_required(*SHUTTLE_READERS)
def trip_action(request, pk: int, action: str):
    trip = _visible_trip(request, pk)
    if action not in TRIP_ACTIONS or not may_dispatch(request.user):
        raise PermissionDenied
    run, done = TRIP_ACTIONS[action]
    return acted(
        request,
        lambda: run(request.user, trip, request.POST),
        done=done,
        back="factors:trip_detail",
        pk=pk,
    )


@role_required(*SHUTTLE_READERS)
def trip_manifest(request, pk: int):
    trip = _visible_trip(request, pk)
    passengers = list(trip_passengers(request.user, trip).filter(removed_at__isnull=True))
    _record_shown(request, "直通车乘客名单导出", len(passengers), trip.pk)
    content = manifest_workbook(trip, passengers, user=request.user)
    return xlsx_response(content, f"manifest-{trip.number}.xlsx")


# Counties without coordinates


def _county_id(value: str) -> int:
    """The posted county's id; anything else is no county (404), not a crash."""
    pk = record_id(value)
    if pk is None:
        raise Http404(_("没有这个县（区）"))
    return pk


@role_required(*DISTRICT_STAFF)
@require_http_methods(["GET", "POST"])
def counties(request):
    """Home counties that are not in the bundled table: the planner cannot route from them until
    their seat's coordinates are entered."""
    missing = County.objects.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
    editing = None
    if request.method == "POST":
        if not may_dispatch(request.user):
            raise PermissionDenied
        editing = get_object_or_404(
            County, pk=_county_id(request.POST.get("county", "")), is_reference=False
        )
    form = forms.CountyLocationForm(request.POST or None, instance=editing)
    if editing is not None and form.is_valid():
        form.instance._history_user = request.user
        form.save()
        messages.success(request, _("已保存%(name)s的坐标") % {"name": editing.name})
        return redirect("factors:counties")
    waiting = dict(
        ReturningWorker.objects.filter(cancelled_at__isnull=True, home_county__in=missing)
        .values_list("home_county")
        .annotate(n=Count("id"))
    )
    rows = [(county, waiting.get(county.pk, 0)) for county in missing]
    return render(
        request,
        "factors/counties.html",
        {
            "rows": rows,
            "form": form,
            "may_edit": may_dispatch(request.user),
            "reference_count": County.objects.filter(is_reference=True).count(),
        },
    )
