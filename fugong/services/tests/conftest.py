"""A routing table and two more departments' clerks on top of the shared personas: 市场监管局
(people.clerk) receives licence and permit requests, 人社局 (rs_clerk) labour ones, and the Mazhai
park's labour requests go to a task force."""

from dataclasses import dataclass

import pytest

from fugong.conftest import PASSWORD, at
from fugong.core.models import User
from fugong.core.services import user_create
from fugong.services import services
from fugong.services.models import Channel, RoutingRule, TaskForce


@dataclass
class Desk:
    scjg: object
    rs: object
    sw: object
    rs_clerk: User
    sw_clerk: User
    task_force: TaskForce
    tf_member: User


@pytest.fixture
def desk(people, district):
    departments = district.departments

    def clerk(username, department):
        return user_create(
            username=username,
            role=User.Role.DEPARTMENT,
            password=PASSWORD,
            display_name=username,
            department=department,
        )

    rs_clerk = clerk("rs_clerk", departments["rs"])
    sw_clerk = clerk("sw_clerk", departments["sw"])
    tf_member = clerk("tf_member", departments["kj"])
    task_force = TaskForce.objects.create(name="马寨用工专班", lead_department=departments["rs"])
    task_force.members.add(tf_member)
    RoutingRule.objects.create(category="permits", department=departments["scjg"])
    RoutingRule.objects.create(category="labour", department=departments["rs"])
    RoutingRule.objects.create(
        category="labour", area=district.region("P410103001"), task_force=task_force
    )
    return Desk(
        scjg=departments["scjg"],
        rs=departments["rs"],
        sw=departments["sw"],
        rs_clerk=rs_clerk,
        sw_clerk=sw_clerk,
        task_force=task_force,
        tf_member=tf_member,
    )


@pytest.fixture
def file_request(people, desk):
    """Enterprise A files a request (a permit one, to 市场监管局, unless told otherwise)."""

    def file(category="permits", when=None, actor=None, enterprise=None, **extra):
        actor = actor or people.enterprise_a
        return services.request_submit(
            actor=actor,
            enterprise=enterprise or actor.enterprise or people.enterprise_a.enterprise,
            category=category,
            title=extra.pop("title", "营业执照地址变更"),
            description=extra.pop("description", "公司迁入二七区，需办理调档和营业执照变更。"),
            channel=extra.pop("channel", Channel.PORTAL),
            at=at(when) if when else None,
            **extra,
        )

    return file


def lead(request):
    return request.assignments.get(status__in=["pending", "in_progress", "replied"], role="lead")
