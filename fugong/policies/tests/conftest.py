"""A policy desk on top of the shared personas: 区人社局 (rs_clerk) keeps its own policies; the
coordinator keeps the rest."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from fugong.conftest import PASSWORD
from fugong.core.models import User
from fugong.core.services import user_create
from fugong.policies import services
from fugong.policies.models import Policy


@dataclass
class PolicyDesk:
    rs: object
    rs_clerk: User


@pytest.fixture
def policy_desk(people, district):
    rs = district.departments["rs"]
    rs_clerk = user_create(
        username="rs_clerk",
        role=User.Role.DEPARTMENT,
        password=PASSWORD,
        display_name="rs_clerk",
        department=rs,
    )
    return PolicyDesk(rs=rs, rs_clerk=rs_clerk)


@pytest.fixture
def make_policy(people, policy_desk, django_capture_on_commit_callbacks):
    """A draft (published when asked) by 区人社局's clerk, open to everyone unless a rule says."""

    def make(*, publish=False, actor=None, **values):
        defaults = {
            "title": "中小微企业稳岗补贴（示例）",
            "issuer": "二七区人力资源和社会保障局",
            "level": "district",
            "kind": "job_retention",
            "is_example": True,
            "summary": "不裁员或少裁员的中小微企业，按在册职工人数给予补贴。",
            "department": policy_desk.rs,
            "effective_on": date(2020, 2, 1),
            "mode": "apply",
            "benefit_kind": "per_worker",
            "benefit_amount": Decimal("500"),
            "benefit_cap": Decimal("30000"),
            "rule": {"all": []},
        }
        policy = services.policy_create(
            actor=actor or policy_desk.rs_clerk, policy=Policy(**{**defaults, **values})
        )
        if publish:  # the push runs after commit: run it, as the worker would
            with django_capture_on_commit_callbacks(execute=True):
                services.policy_publish(actor=actor or policy_desk.rs_clerk, policy=policy)
            policy.refresh_from_db()
        return policy

    return make
