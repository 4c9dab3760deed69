"""Publishing matches a policy against the register and tells the enterprises; a change of the
rule or of an enterprise re-matches only what changed; the nightly run works once a night."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fugong.core.models import Notification
from fugong.enterprises.models import Enterprise
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.policies import services
from fugong.policies.models import MatchingRun, Policy, PolicyEvent, PolicyMatch
from fugong.policies.services.matching import WATERMARK_MARGIN
from fugong.policies.tasks import nightly_matching

pytestmark = pytest.mark.django_db

BIG = {"all": [{"attr": "payroll_headcount", "op": "gte", "value": 50}]}


def active(policy):
    return set(
        PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True).values_list(
            "enterprise__name", flat=True
        )
    )


def test_publishing_matches_the_district_and_tells_enterprises_and_officers(make_policy, people):
    big = people.enterprise_a.enterprise
    Enterprise.objects.filter(pk=big.pk).update(payroll_headcount=80)
    policy = make_policy(rule=BIG, publish=True)
    assert policy.status == Policy.Status.PUBLISHED and policy.published_at
    assert active(policy) == {big.name}
    match = PolicyMatch.objects.get(policy=policy)
    assert match.notified_at is not None
    told = Notification.objects.filter(title__contains=policy.title[:10])
    assert set(told.values_list("recipient__username", flat=True)) == {"company_a", "liaison"}
    assert [e.action for e in policy.events.all()] == ["create", "publish", "match", "push"]


def test_only_a_draft_is_published_and_only_by_its_department_or_the_coordinator(
    make_policy, people
):
    policy = make_policy()
    with pytest.raises(PermissionDenied):
        services.policy_publish(actor=people.clerk, policy=policy)
    services.policy_publish(actor=people.coordinator, policy=policy)
    with pytest.raises(ValidationError, match="只有草稿可以发布"):
        services.policy_publish(actor=people.coordinator, policy=policy)


def test_a_rule_edit_re_matches_that_policy(make_policy, people):
    policy = make_policy(publish=True)
    assert len(active(policy)) == 2
    policy.rule = BIG
    services.policy_update(actor=people.coordinator, policy=policy)
    assert active(policy) == set()
    assert PolicyMatch.objects.filter(policy=policy, ended_at__isnull=False).count() == 2
    assert policy.events.filter(action=PolicyEvent.Action.RULE).exists()
    assert MatchingRun.objects.filter(policy=policy, trigger="rule").exists()


def test_the_nightly_run_looks_only_at_enterprises_changed_since_the_last(
    make_policy, people, submit
):
    policy = make_policy(rule=BIG, publish=True)
    first = services.match_nightly(force=True)
    assert first.enterprises == Enterprise.objects.count()  # the first run reads everyone
    Enterprise.objects.update(updated_at=first.started_at - timedelta(hours=2))
    grown = people.enterprise_b.enterprise
    grown.payroll_headcount = 60
    grown.save()
    untouched = EnterpriseFactory(payroll_headcount=99)
    Enterprise.objects.filter(pk=untouched.pk).update(
        updated_at=first.started_at - timedelta(hours=2)
    )
    second = services.match_nightly(force=True)
    assert second.changes_since == first.started_at - WATERMARK_MARGIN
    assert second.enterprises == 1 and second.added == 1
    assert active(policy) == {grown.name}  # the untouched one waits for a full match
    services.policy_rematch(policy=policy, trigger="manual", actor=people.coordinator)
    assert active(policy) == {grown.name, untouched.name}


def test_a_report_recorded_since_the_last_run_counts_as_a_change(make_policy, people, submit):
    working = {"all": [{"attr": "resumption_status", "op": "eq", "value": "resumed"}]}
    policy = make_policy(rule=working, publish=True)
    first = services.match_nightly(force=True)
    assert active(policy) == set()
    Enterprise.objects.update(updated_at=first.started_at - timedelta(hours=2))
    a = people.enterprise_a.enterprise
    submit(a, "2020-03-10 10:00", "resumed", duty=a.payroll_headcount)
    run = services.match_nightly(force=True)
    assert run.enterprises == 1 and active(policy) == {a.name}


def test_the_nightly_task_works_once_a_night(make_policy, settings):
    settings.FUGONG_POLICY_MATCH_HOUR = 1
    make_policy(publish=True)
    night = timezone.make_aware(timezone.datetime(2026, 3, 2, 0, 30))
    with mock.patch("django.utils.timezone.now", return_value=night):
        # 00:30: the night has not begun; yesterday's run has not happened either: catch up.
        assert nightly_matching.call() is not None
        assert nightly_matching.call() is None
    later = night + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert nightly_matching.call() is not None  # 02:30: tonight's run
        assert nightly_matching.call() is None
    assert MatchingRun.objects.filter(trigger="nightly").count() == 2


def test_the_nightly_run_expires_policies_past_their_date(make_policy):
    policy = make_policy(publish=True)
    Policy.objects.filter(pk=policy.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    services.match_nightly(force=True)
    policy.refresh_from_db()
    assert policy.status == Policy.Status.EXPIRED and policy.expired_at
    assert policy.events.filter(action="expire", actor__isnull=True).exists()


def test_reading_the_policy_in_the_portal_is_recorded(make_policy, people):
    policy = make_policy(publish=True)
    services.match_mark_read(user=people.enterprise_a, policy=policy)
    services.match_mark_read(user=people.coordinator, policy=policy)
    read = PolicyMatch.objects.filter(policy=policy, read_at__isnull=False)
    assert list(read.values_list("enterprise_id", flat=True)) == [people.enterprise_a.enterprise_id]


def test_the_command_runs_the_nightly_matching_now(make_policy, capsys):
    from django.core.management import call_command

    make_policy(publish=True)
    call_command("match_policies")
    assert "已匹配 1 项政策" in capsys.readouterr().out
    call_command("match_policies", "--if-due")
    assert "今晚已完成匹配" in capsys.readouterr().out
