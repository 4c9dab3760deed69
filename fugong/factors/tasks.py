from django.urls import reverse
from django.utils.translation import gettext as _

from fugong.compat import task
from fugong.core.services import notify


@task()
def plan_shuttles(run_id: int) -> dict:
    """Make a queued shuttle plan (seconds for a few thousand workers, so not inside a web
    request) and tell the coordinator who asked."""
    from fugong.factors.services.shuttles import execute_run

    run = execute_run(run_id)
    if run.status == run.Status.FAILED:
        notify(
            recipients=[run.requested_by],
            title=_("直通车规划失败"),
            body=run.error,
            link=reverse("factors:run_detail", args=[run.pk]),
        )
        return {"run": run.pk, "status": run.status}
    notify(
        recipients=[run.requested_by],
        title=_("直通车规划完成"),
        body=_("安排 %(planned)d 人，%(trips)d 车次，用车 %(vehicles)d 辆，总里程 %(km).0f 公里。")
        % {
            "planned": run.planned,
            "trips": run.trips,
            "vehicles": run.vehicles,
            "km": run.distance_km,
        },
        link=reverse("factors:run_detail", args=[run.pk]),
    )
    return {"run": run.pk, "status": run.status}
