"""Matching one policy serialises on the policy's row, so two runs (publish, rule edit, by hand,
nightly) cannot interleave and duplicate or drop matches, and a run matches the rule as stored,
not as a stale copy had it. The nightly watermark keeps a margin: a change saved just before a
run started but committed after it had read the register is seen the next night."""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet

from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.policies import services
from fugong.policies.models import Policy, PolicyMatch
from fugong.policies.services.matching import WATERMARK_MARGIN

BIG = {"all": [{"attr": "payroll_headcount", "op": "gte", "value": 50}]}


def active(policy):
    return set(
        PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True).values_list(
            "enterprise_id", flat=True
        )
    )


@pytest.mark.django_db
def test_a_rematch_locks_the_policy_row(make_policy, people):
    policy = make_policy(publish=True)
    locked_models = []
    original = QuerySet.select_for_update

    def spy(queryset, *args, **kwargs):
        locked_models.append(queryset.model)
        return original(queryset, *args, **kwargs)

    with mock.patch.object(QuerySet, "select_for_update", spy):
        services.policy_rematch(policy=policy, trigger="manual", actor=people.coordinator)
    assert Policy in locked_models


@pytest.mark.django_db
def test_a_rematch_with_a_stale_copy_matches_the_stored_rule(make_policy, people):
    big = EnterpriseFactory(payroll_headcount=80)
    policy = make_policy(publish=True)
    stale = Policy.objects.get(pk=policy.pk)  # a page loaded before the edit below
    policy.rule = BIG
    services.policy_update(actor=people.coordinator, policy=policy)
    services.policy_rematch(policy=stale, trigger="manual", actor=people.coordinator)
    assert active(policy) == {big.pk}


@pytest.mark.django_db
def test_a_rematch_of_a_policy_expired_meanwhile_is_refused(make_policy, people):
    policy = make_policy(publish=True)
    stale = Policy.objects.get(pk=policy.pk)
    services.policy_expire(actor=people.coordinator, policy=policy)
    with pytest.raises(Exception, match="只有已发布的政策"):
        services.policy_rematch(policy=stale, trigger="manual", actor=people.coordinator)


@pytest.mark.django_db
def test_a_change_saved_just_before_the_nightly_run_is_seen_the_next_night(make_policy, people):
    policy = make_policy(rule=BIG, publish=True)
    first = services.match_nightly(force=True)
    # Saved a moment before the first run started, committed after it had read the register.
    late = EnterpriseFactory(payroll_headcount=70)
    type(late).objects.filter(pk=late.pk).update(updated_at=first.started_at - timedelta(seconds=5))
    PolicyMatch.objects.filter(policy=policy, enterprise=late).delete()  # the run did not see it
    second = services.match_nightly(force=True)
    assert second.changes_since == first.started_at - WATERMARK_MARGIN
    assert late.pk in active(policy) and second.added == 1


@pytest.mark.django_db(transaction=True)
def test_two_rematches_of_one_policy_run_one_after_the_other(make_policy, people):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; row locks need PostgreSQL")
    policy = make_policy(publish=True)
    EnterpriseFactory.create_batch(3, payroll_headcount=60)
    from fugong.policies.services import matching

    real_match, release = matching.match_policy, threading.Event()
    entered = []  # the runs that got past the policy's lock into matching, in order

    def match_policy(*args, **kwargs):
        name = threading.current_thread().name
        entered.append(name)
        if name == "first":
            release.wait(timeout=30)  # the first run is busy matching
        return real_match(*args, **kwargs)

    def rematch():
        try:
            services.policy_rematch(policy=policy, trigger="manual", actor=people.coordinator)
        finally:
            connection.close()

    with mock.patch.object(matching, "match_policy", match_policy):
        first = threading.Thread(target=rematch, name="first")
        second = threading.Thread(target=rematch, name="second")
        first.start()
        for _tick in range(100):  # until the first holds the lock and is matching
            if entered:
                break
            time.sleep(0.1)
        second.start()
        time.sleep(1.5)
        assert entered == ["first"]  # the second waits for the first's row lock
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)
    assert entered == ["first", "second"]
    matches = PolicyMatch.objects.filter(policy=policy, ended_at__isnull=True)
    assert matches.count() == matches.values("enterprise").distinct().count() == 5
