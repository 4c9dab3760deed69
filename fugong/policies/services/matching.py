"""Matching published policies against the register, and telling the enterprises.

A policy is matched against the whole district when it is published, when its rule (or the
moment it judges the resumption situation at) changes, and by hand. Every night the published
policies are matched again, but only against the enterprises that changed since the previous
nightly run: the watermark is that run's start less a safety margin (`WATERMARK_MARGIN`), and
an enterprise changed when its register row was saved since (`updated_at`, which every write of
the register raises) or a report about it was recorded since (`Report.recorded_at`: its current
state, or its situation at a past moment, may have moved). Neither `enterprises` nor `resumption` knows about policies; the policies app
reads their timestamps.

A match that no longer holds is ended (`ended_at`), never deleted; a new match is told to the
enterprise's accounts (portal inbox and text message) and to its service officers, once."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core.bulk import insert_rows
from fugong.core.models import User
from fugong.core.services import notify
from fugong.enterprises.models import Enterprise, LiaisonAssignment
from fugong.policies import rules
from fugong.policies.models import MatchingRun, Policy, PolicyEvent, PolicyMatch
from fugong.resumption.models import Report

CHUNK = 5000  # ids per statement: SQLite allows 32,766 variables
# The nightly run reads changes from the previous run's start less this margin: a register row
# saved (its `updated_at` set) just before that run started but committed after the run had read
# the register was not seen by it, and would be skipped for good without the margin. Looking at
# an hour's changes twice costs next to nothing: matching is idempotent.
WATERMARK_MARGIN = timedelta(hours=1)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def match_policy(
    policy: Policy,
    *,
    run: MatchingRun,
    enterprises: QuerySet | None = None,
    context: rules.Context | None = None,
) -> tuple[int, int]:
    """Bring the policy's active matches in line with its rule, over `enterprises` (a queryset
    of the register; all of it by default). Returns (added, ended).

    The rule is evaluated once, by the database, and compared there with the stored matches:
    only the differences come back to Python, so a policy whose matches did not change costs
    one statement. A policy with no match yet is filled with one INSERT … SELECT."""
    tree = policy.rule or rules.EVERYONE
    scope = Enterprise.objects.all() if enterprises is None else enterprises
    eligible = rules.matching(
        tree, situation_at=policy.situation_as_of, enterprises=scope, context=context
    ).order_by()
    active = PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True).order_by()
    if enterprises is not None:
        active = active.filter(enterprise__in=scope.order_by().values("pk"))
    if not active.exists():
        return _insert_matches(policy, run, eligible), 0
    new, gone = _differences(eligible, active)
    insert_rows(
        PolicyMatch,
        [
            {
                "policy_id": policy.pk,
                "enterprise_id": pk,
                "run_id": run.pk,
                "matched_at": run.started_at,
                "ended_at": None,
                "notified_at": None,
                "read_at": None,
            }
            for pk in new
        ],
    )
    for chunk in _chunks(gone):
        PolicyMatch.objects.filter(
            policy=policy, ended_at__isnull=True, enterprise_id__in=chunk
        ).update(ended_at=run.started_at)
    return len(new), len(gone)


def _differences(eligible: QuerySet, active: QuerySet) -> tuple[list[int], list[int]]:
    """(eligible and not matched, matched and no longer eligible), in one statement: both sets
    are common table expressions used twice, which both databases compute once."""
    eligible_sql, eligible_params = (
        eligible.annotate(eligible_id=F("pk")).values("eligible_id").query.sql_with_params()
    )
    active_sql, active_params = active.values("enterprise_id").query.sql_with_params()
    sql = (
        f"WITH eligible AS ({eligible_sql}), active AS ({active_sql}) "
        "SELECT eligible_id, 1 FROM eligible "
        "WHERE eligible_id NOT IN (SELECT enterprise_id FROM active) "
        "UNION ALL SELECT enterprise_id, 0 FROM active "
        "WHERE enterprise_id NOT IN (SELECT eligible_id FROM eligible)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*eligible_params, *active_params])
        rows = cursor.fetchall()
    return sorted(pk for pk, added in rows if added), sorted(pk for pk, added in rows if not added)


def _insert_matches(policy: Policy, run: MatchingRun, enterprises: QuerySet) -> int:
    """INSERT … SELECT: the new matches go from the enterprise table to the match table
    without passing through Python."""
    named = enterprises.annotate(new_enterprise_id=F("pk")).values("new_enterprise_id")
    subquery, params = named.query.sql_with_params()
    table = PolicyMatch._meta.db_table
    moment = connection.ops.adapt_datetimefield_value(run.started_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (policy_id, enterprise_id, run_id, matched_at) "
            f"SELECT %s, new.new_enterprise_id, %s, %s FROM ({subquery}) new",
            [policy.pk, run.pk, moment, *params],
        )
        return cursor.rowcount


def _start(trigger: str, *, policy: Policy | None = None, since=None, at=None) -> MatchingRun:
    return MatchingRun.objects.create(
        trigger=trigger, policy=policy, started_at=at or timezone.now(), changes_since=since
    )


def _finish(
    run: MatchingRun, *, policies: int, enterprises: int, added: int, ended: int, push: bool
):
    run.policies, run.enterprises, run.added, run.ended = policies, enterprises, added, ended
    run.finished_at = timezone.now()
    run.save(update_fields=["policies", "enterprises", "added", "ended", "finished_at"])
    if added and push:
        transaction.on_commit(lambda: _enqueue_push(run.pk))


def _enqueue_push(run_id: int) -> None:
    from fugong.policies.tasks import push_run

    push_run.enqueue(run_id)


@transaction.atomic
def policy_rematch(
    *,
    policy: Policy,
    trigger: str,
    actor: User | None = None,
    at: datetime | None = None,
    push: bool = True,
) -> MatchingRun:
    """Match one published policy against the whole district, and push the new matches in the
    background once committed (a replay of the past passes `at` and pushes by itself).

    The policy's row is locked first: two runs of one policy (a publish, a rule edit, one by
    hand, the nightly run) go one after the other instead of both inserting or both ending the
    same matches, and the run matches the rule as stored, not a stale copy's."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    if policy.status != Policy.Status.PUBLISHED:
        raise _not_published()
    run = _start(trigger, policy=policy, at=at)
    added, ended = match_policy(policy, run=run)
    examined = Enterprise.objects.count()
    _finish(run, policies=1, enterprises=examined, added=added, ended=ended, push=push)
    PolicyEvent.objects.create(
        policy=policy,
        action=PolicyEvent.Action.MATCH,
        actor=actor,
        at=run.started_at,
        note=_("新增匹配%(added)d家，不再符合%(ended)d家") % {"added": added, "ended": ended},
        data={"run": run.pk, "added": added, "ended": ended},
    )
    return run


def _not_published():
    from django.core.exceptions import ValidationError

    return ValidationError(_("只有已发布的政策才进行匹配"))


def changed_enterprises(since: datetime) -> QuerySet[Enterprise]:
    """Enterprises whose register row or whose reports changed after `since`."""
    reported = Report.objects.filter(recorded_at__gt=since, enterprise__isnull=False)
    return Enterprise.objects.filter(
        Q(updated_at__gt=since) | Q(pk__in=reported.values("enterprise_id"))
    )


# Past this many changed enterprises the nightly run matches the whole register: as fast, and
# the ids stay well inside SQLite's limit on a statement's parameters.
FULL_MATCH_ABOVE = 5000


def _changed_scope(since: datetime | None) -> tuple[QuerySet | None, int]:
    """The changed enterprises, read once, and how many; None (everyone) the first time or
    when many changed."""
    if since is None:
        return None, Enterprise.objects.count()
    ids = list(
        changed_enterprises(since).order_by().values_list("pk", flat=True)[: FULL_MATCH_ABOVE + 1]
    )
    if len(ids) > FULL_MATCH_ABOVE:
        return None, Enterprise.objects.count()
    return Enterprise.objects.filter(pk__in=ids), len(ids)


def night_start(moment: datetime) -> datetime:
    """When tonight's run becomes due: FUGONG_POLICY_MATCH_HOUR o'clock, Beijing time, of the
    day `moment` falls on."""
    day = timezone.localtime(moment).date()
    return timezone.make_aware(datetime.combine(day, time(settings.FUGONG_POLICY_MATCH_HOUR)))


def nightly_due(moment: datetime) -> bool:
    """The nightly run is due once per day, from FUGONG_POLICY_MATCH_HOUR on; a day the machine
    was off is caught up at the next chance."""
    start = night_start(moment)
    if moment < start:
        start -= timedelta(days=1)
    return not MatchingRun.objects.filter(
        trigger=MatchingRun.Trigger.NIGHTLY, started_at__gte=start, finished_at__isnull=False
    ).exists()


def match_nightly(*, force: bool = False) -> MatchingRun | None:
    """Expire what is past its date, then re-match every published policy against the
    enterprises changed since the last nightly run (all of them the first time). Does nothing
    when tonight's run is already done, so the scheduler may enqueue it every few minutes; two
    workers starting it at once run it one after the other, and the second does nothing."""
    if not force and not nightly_due(timezone.now()):
        return None
    from fugong.policies.services.library import expire_due

    expire_due()
    with transaction.atomic():
        published = Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("pk")
        policies = list(published.select_for_update())  # rule edits and other runs wait
        if not force and not nightly_due(timezone.now()):
            return None
        previous = (
            MatchingRun.objects.filter(
                trigger=MatchingRun.Trigger.NIGHTLY, finished_at__isnull=False
            )
            .order_by("-started_at")
            .first()
        )
        since = previous.started_at - WATERMARK_MARGIN if previous else None
        run = _start(MatchingRun.Trigger.NIGHTLY, since=since)
        scope, examined = _changed_scope(since)
        context = rules.Context.load()
        added = ended = 0
        for policy in policies:
            new, gone = match_policy(policy, run=run, enterprises=scope, context=context)
            added, ended = added + new, ended + gone
        _finish(
            run,
            policies=len(policies),
            enterprises=examined,
            added=added,
            ended=ended,
            push=True,
        )
    return run


# Push


def _portal_link(policy: Policy) -> str:
    return reverse("policies:portal_detail", args=[policy.pk])


def push_matches(*, run_id: int, at: datetime | None = None) -> int:
    """Tell the enterprises a run matched (their accounts) and their service officers (one
    message per officer and policy); each match is told once. Returns how many were told."""
    matches = PolicyMatch.objects.filter(
        run_id=run_id, ended_at__isnull=True, notified_at__isnull=True
    )
    told = 0
    for policy_id in matches.values_list("policy_id", flat=True).distinct().order_by():
        policy = Policy.objects.get(pk=policy_id)
        ids = list(matches.filter(policy=policy).values_list("enterprise_id", flat=True))
        for chunk in _chunks(ids):
            told += _push_chunk(policy, chunk, run_id, at or timezone.now())
    return told


@transaction.atomic
def _push_chunk(policy: Policy, enterprise_ids: list[int], run_id: int, now: datetime) -> int:
    accounts = defaultdict(list)
    for user in User.objects.filter(
        role=User.Role.ENTERPRISE, enterprise_id__in=enterprise_ids, is_active=True
    ):
        accounts[user.enterprise_id].append(user)
    officers = defaultdict(set)
    for officer_id, enterprise_id in LiaisonAssignment.objects.filter(
        enterprise_id__in=enterprise_ids, ended_on__isnull=True, officer__is_active=True
    ).values_list("officer_id", "enterprise_id"):
        officers[officer_id].add(enterprise_id)
    recipients = [user for users in accounts.values() for user in users]
    if recipients:
        notify(
            recipients=recipients,
            title=_("惠企政策：%(title)s") % {"title": policy.title[:60]},
            body=_("贵企业符合「%(title)s」的条件（%(mode)s）。%(summary)s")
            % {
                "title": policy.title,
                "mode": policy.get_mode_display(),
                "summary": policy.summary[:120],
            },
            link=_portal_link(policy),
        )
    names = dict(Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "name"))
    for officer in User.objects.filter(pk__in=officers):
        served = sorted(names[pk] for pk in officers[officer.pk])
        notify(
            recipients=[officer],
            title=_("服务企业可享政策：%(title)s") % {"title": policy.title[:50]},
            body=_("您服务的%(n)d家企业符合「%(title)s」：%(names)s。请提醒企业及时享受。")
            % {
                "n": len(served),
                "title": policy.title,
                "names": "、".join(served[:5]) + ("等" if len(served) > 5 else ""),
            },
            link=reverse("policies:detail", args=[policy.pk]),
        )
    reached = set(accounts) | {pk for served in officers.values() for pk in served}
    PolicyMatch.objects.filter(
        run_id=run_id, policy=policy, enterprise_id__in=reached, notified_at__isnull=True
    ).update(notified_at=now)
    if reached:
        PolicyEvent.objects.create(
            policy=policy,
            action=PolicyEvent.Action.PUSH,
            at=now,
            note=_("推送%(n)d家企业") % {"n": len(reached)},
            data={"run": run_id, "enterprises": len(reached), "accounts": len(recipients)},
        )
    return len(reached)


def match_mark_read(*, user: User, policy: Policy, at: datetime | None = None) -> None:
    """The enterprise opened the policy in its portal: its match is read (the first time)."""
    if user.role != User.Role.ENTERPRISE or not user.enterprise_id:
        return
    PolicyMatch.objects.filter(
        policy=policy, enterprise_id=user.enterprise_id, ended_at__isnull=True, read_at=None
    ).update(read_at=at or timezone.now())
