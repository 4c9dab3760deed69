from fugong.compat import task
from fugong.policies.services import match_nightly, push_matches


@task()
def push_run(run_id: int) -> int:
    """Tell the enterprises a matching run found, and their officers (each match once)."""
    return push_matches(run_id=run_id)


@task()
def nightly_matching() -> dict[str, int] | None:
    """Expire policies past their date and re-match what changed since the last night. The
    scheduler enqueues it every few minutes; it works once a night (from
    FUGONG_POLICY_MATCH_HOUR) and is a no-op the rest of the time."""
    run = match_nightly()
    if run is None:
        return None
    return {"policies": run.policies, "enterprises": run.enterprises, "added": run.added}
