#!/usr/bin/env python
"""Requests figures benchmark: 200,000 enterprise requests filed over 60 days by 3,000
enterprises, worked by 11 departments and a task force (claims, replies, transfers, returns,
co-handlers, extensions, ratings, reopenings, closings, thank-you letters), with every step, all
generated here; then the figures (`fugong.services.selectors.figures_as_of`: clocks by handler and
by category, ranking, request counts) as of a few moments, as a district leader sees them.

The world is written in bulk, not through the services (which would take hours at this size),
but row for row as the services would have written it had they run through those 60 days: the
same statuses, deadlines from the same deadline table and working-day calendar, the same steps
with the same notes and data. Not generated: escalations, notifications, attachments (no figure
reads them).

Baseline in the same run: `fugong.services.tests.reference.figures_by_loop`, the tests' reading
of the same figures one request at a time (one query per request), at one moment; its result is
compared with the figures', field by field.

    .venv/bin/python bench/requests_figures.py                   # SQLite (a fresh file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fugong_bench_requests \\
        .venv/bin/python bench/requests_figures.py               # PostgreSQL (that database is
                                                                 # dropped and created afresh)
    .venv/bin/python bench/requests_figures.py --requests 20000  # a smaller world

Target (issue 4): the figures as of T in under 500 ms on both databases; the ratio to the naive
per-request loop printed.
"""

import argparse
import gc
import heapq
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_enterprises import fresh_database, setup_django  # noqa: E402

REQUESTS = 200_000
ENTERPRISES = 3_000
DAYS = 60
SEED = 4
START = datetime(2020, 2, 3)  # the first working day after the extended Spring Festival
# Moments measured: days after START at 15:30, and the end of the data ("now").
MOMENT_DAYS = (9, 23, 37, 51)
LOOP_MOMENT = 3  # index of the moment the per-request loop is run and compared at
RUNS = 7  # timed runs per moment, after one warm-up run
TARGET_MS = 500

# Who receives which category (the routing table); labour requests from the Mazhai park go to
# its task force; "other" has no rule and waits for the coordinator.
ROUTES = {
    "policy": "fgtj",
    "labour": "rs",
    "finance": "cz",
    "materials": "sw",
    "logistics": "yjgl",
    "epidemic_supplies": "wjw",
    "permits": "scjg",
    "utilities": "cg",
}
HANDLING = ["fgtj", "sw", "kj", "rs", "scjg", "cg", "sthj", "yjgl", "zfbz", "cz", "wjw"]
CATEGORY_WEIGHTS = {
    "policy": 18,
    "labour": 16,
    "finance": 14,
    "materials": 10,
    "logistics": 10,
    "epidemic_supplies": 8,
    "permits": 12,
    "utilities": 7,
    "other": 5,
}
TITLES = {
    "policy": ["社保费减免政策咨询", "稳岗补贴申领条件", "房租减免政策适用范围"],
    "labour": ["外地员工返岗困难", "招工二十人需求", "员工健康证明办理"],
    "finance": ["流动资金贷款对接", "贷款延期还本付息", "贴息申请进度"],
    "materials": ["上游原材料供应中断", "包装材料短缺", "钢材采购受阻"],
    "logistics": ["成品运输通行证", "物流车辆进出受限", "快递无法揽收"],
    "epidemic_supplies": ["口罩储备不足", "测温枪采购困难", "消毒液短缺"],
    "permits": ["营业执照地址变更", "食品经营许可证延续", "复工备案材料咨询"],
    "utilities": ["厂区用电增容", "燃气开通申请", "供水压力不足"],
    "other": ["周边道路施工影响经营", "园区班车恢复", "其他困难"],
}
REPLIES = [
    "已电话联系企业，按政策办理完毕。",
    "已协调相关单位现场解决。",
    "已将政策文件和办理流程发送企业，企业表示清楚。",
    "已列入专班台账，问题已解决。",
]
PERSON_CHANNELS = {"hotline": 22, "visit": 12, "api": 6}


def local(naive: datetime) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(naive)


def hours(n: float) -> timedelta:
    return timedelta(seconds=int(n * 3600))


class Unit:
    """A handling unit: a department or the task force, with its clerk and its habits."""

    def __init__(self, code, name, clerk_id, *, department_id=None, task_force_id=None, rng):
        self.code = code
        self.name = name
        self.clerk_id = clerk_id
        self.department_id = department_id
        self.task_force_id = task_force_id
        self.speed = rng.uniform(0.5, 1.9)  # multiplies every delay
        self.mood = rng.uniform(0.4, 2.0)  # multiplies the chance of an unsatisfied rating


class World:
    """Requests, assignments, steps and extensions as rows, in memory, then written in bulk."""

    def __init__(self, *, rng, units, rule_ids, task_force_unit, coordinator_id, now):
        from fugong.services import calendar, services

        self.rng = rng
        self.units = units  # code → Unit (departments)
        self.rule_ids = rule_ids  # category → RoutingRule pk; ("labour", "park") for the park
        self.task_force_unit = task_force_unit
        self.coordinator_id = coordinator_id
        self.now = now
        self.counter = itertools.count()
        self.requests, self.assignments, self.steps, self.extensions = [], [], [], []
        self.periods = []  # UnassignedPeriod rows
        self.deadline_days = cache(services.deadline_days)
        self.due_after_day = cache(calendar.nth_working_day_after)
        self.end_of_day = cache(calendar.end_of_day)
        self.calendar = calendar

    def due_after(self, moment: datetime, days: int) -> datetime:
        """`calendar.due_after`, remembered per day (it reads the local calendar each time)."""
        from django.utils import timezone

        day = self.due_after_day(timezone.localtime(moment).date(), days)
        return self.end_of_day(day)

    def extend(self, due: datetime, days: int) -> datetime:
        return self.due_after(due, days)

    def step(self, request, action, *, actor, at, assignment=None, note="", **data):
        self.steps.append(
            (
                at,
                next(self.counter),
                request["id"],
                assignment,
                action,
                actor,
                note,
                {k: v for k, v in data.items() if v not in (None, "")},
            )
        )


class Life:
    """One request, its events applied in time order, as the services apply them."""

    def __init__(self, world: World, request: dict, *, enterprise, account_id, park_id):
        self.w = world
        self.rng = world.rng
        self.r = request
        self.enterprise = enterprise
        self.account_id = account_id
        self.park_id = park_id
        self.active: list[dict] = []
        self.events: list = []
        self.epoch = 0  # which "all units answered" the pending rating or auto-close is for
        self.gave_back: set[str] = set()
        self.waiting: int | None = None  # index of its open UnassignedPeriod in world.periods

    def at(self, when, method, *args) -> None:
        if when <= self.w.now:
            heapq.heappush(self.events, (when, next(self.w.counter), method, args))

    def run(self) -> None:
        self.at(self.r["created_at"], self.submit)
        while self.events:
            when, _n, method, args = heapq.heappop(self.events)
            method(when, *args)

    # request_submit, request_route, request_add_cohandler

    def submit(self, t):
        w, rng, r = self.w, self.rng, self.r
        w.step(r, "submit", actor=r["raised_by_id"], at=t, channel=r["channel"])
        category = r["category"]
        if category == "labour" and self.park_id is not None:
            unit, rule = w.task_force_unit, w.rule_ids[("labour", "park")]
        elif category in ROUTES:
            unit, rule = w.units[ROUTES[category]], w.rule_ids[category]
        else:
            unit = rule = None
        if unit is None:
            self.wait(t)
            self.at(t + hours(rng.uniform(0.3, 8)), self.route)
        else:
            lead = self.assign(t, unit, role="lead", actor=None)
            w.step(
                r, "route", actor=None, at=t, assignment=lead, note="按分派规则自动分派", rule=rule
            )
            self.refresh(t)
        if rng.random() < 0.08:
            self.at(t + hours(rng.uniform(0.5, 30)), self.cohandle)
        if rng.random() < 0.005:
            self.at(t + hours(rng.uniform(4, 300)), self.coordinator_close)

    def route(self, t):
        if self.r["status"] != "unassigned":
            return
        choices = [code for code in HANDLING if code not in self.gave_back] or HANDLING
        lead = self.assign(t, self.w.units[self.rng.choice(choices)], role="lead", actor="coord")
        self.w.step(
            self.r, "route", actor=self.w.coordinator_id, at=t, assignment=lead, withdrawn=[]
        )
        self.refresh(t)

    def cohandle(self, t):
        if self.r["status"] not in ("pending", "in_progress"):
            return
        unit = self.other_unit()
        co = self.assign(t, unit, role="co", actor="coord")
        self.w.step(self.r, "cohandle", actor=self.w.coordinator_id, at=t, assignment=co)
        self.refresh(t)

    def other_unit(self, besides: Unit | None = None) -> Unit:
        """A department not working on the request now (nor `besides`)."""
        busy = {a["unit"].code for a in self.active} | {besides.code if besides else ""}
        return self.w.units[self.rng.choice([c for c in HANDLING if c not in busy])]

    def assign(self, t, unit: Unit, *, role, actor, hops=0) -> dict:
        w, r = self.w, self.r
        claim, reply, resolve = w.deadline_days(r["category"], r["grade"])
        a = {
            "seq": next(w.counter),
            "request_id": r["id"],
            "role": role,
            "category": r["category"],
            "round": r["round"],
            "status": "pending",
            "assigned_at": t,
            "assigned_by_id": w.coordinator_id if actor == "coord" else actor,
            "claim_due": w.due_after(t, claim),
            "reply_due": w.due_after(t, reply),
            "resolve_due": w.due_after(t, resolve),
            "claimed_at": None,
            "claimed_by_id": None,
            "replied_at": None,
            "replied_by_id": None,
            "reply": "",
            "completed_at": None,
            "ended_at": None,
            "end_reason": "",
            "rating": "",
            "rated_at": None,
            "last_extended_at": None,
            "department_id": unit.department_id,
            "task_force_id": unit.task_force_id,
            "unit": unit,
            "hops": hops,
        }
        w.assignments.append(a)
        self.active.append(a)
        delay = self.delay(unit, [(0.6, 0.2, 6), (0.25, 6, 30), (0.11, 30, 96)])
        if delay is not None:
            self.at(t + delay, self.claim, a)
        return a

    def delay(self, unit: Unit, mixture) -> timedelta | None:
        """A delay in hours from a mixture of uniform ranges; None (never) for what is left."""
        roll = self.rng.random()
        for weight, low, high in mixture:
            if roll < weight:
                return hours(self.rng.uniform(low, high) * unit.speed)
            roll -= weight
        return None

    def refresh(self, t):
        """`_refresh_status`."""
        if self.r["status"] == "closed":
            return
        statuses = {a["status"] for a in self.active}
        if not statuses:
            status = "unassigned"
        elif statuses == {"replied"}:
            status = "replied"
        elif statuses & {"in_progress", "replied"}:
            status = "in_progress"
        else:
            status = "pending"
        self.set_status(status, t)

    def set_status(self, status, t):
        """`_set_status`: a request's waits for a unit are kept as periods."""
        if status == self.r["status"]:
            return
        if self.r["status"] == "unassigned" and self.waiting is not None:
            self.w.periods[self.waiting]["ended_at"] = t
            self.waiting = None
        elif status == "unassigned":
            self.wait(t)
        self.r["status"] = status

    def wait(self, t):
        self.waiting = len(self.w.periods)
        self.w.periods.append({"request_id": self.r["id"], "started_at": t, "ended_at": None})

    def end(self, a, status, t, reason=""):
        a["status"], a["ended_at"] = status, t
        if reason:
            a["end_reason"] = reason
        self.active.remove(a)

    # assignment_claim, _transfer, _return, _reply; extension_request, _decide

    def claim(self, t, a):
        if a["status"] != "pending":
            return
        unit, rng = a["unit"], self.rng
        a["status"], a["claimed_at"], a["claimed_by_id"] = "in_progress", t, unit.clerk_id
        self.w.step(self.r, "claim", actor=unit.clerk_id, at=t, assignment=a)
        self.refresh(t)
        roll = rng.random()
        if a["role"] == "lead" and a["round"] == 1 and a["hops"] < 2 and roll < 0.06:
            self.at(t + hours(rng.uniform(0.5, 30) * unit.speed), self.transfer, a)
            return
        if roll > 0.985:
            self.at(t + hours(rng.uniform(0.5, 24) * unit.speed), self.give_back, a)
            return
        wait = timedelta(0)
        if rng.random() < 0.03:
            asked = t + hours(rng.uniform(1, 30))
            self.at(asked, self.ask_extension, a)
            wait = hours(rng.uniform(24, 96))
        delay = self.delay(unit, [(0.55, 2, 36), (0.3, 36, 100), (0.12, 100, 260)])
        if delay is not None:
            self.at(t + wait + delay, self.reply, a)

    def transfer(self, t, a):
        if a["status"] not in ("pending", "in_progress"):
            return
        unit = a["unit"]
        target = self.other_unit(besides=unit)
        reason = f"不属本单位职责，转{target.name}办理"
        self.end(a, "transferred", t, reason)
        successor = self.assign(t, target, role=a["role"], actor=unit.clerk_id, hops=a["hops"] + 1)
        self.w.step(
            self.r,
            "transfer",
            actor=unit.clerk_id,
            at=t,
            assignment=a,
            note=reason,
            to=target.name,
            successor=successor,
        )
        self.refresh(t)

    def give_back(self, t, a):
        if a["status"] not in ("pending", "in_progress"):
            return
        reason = "诉求内容不属本单位职责，请重新分派"
        self.end(a, "returned", t, reason)
        self.gave_back.add(a["unit"].code)
        self.w.step(self.r, "return", actor=a["unit"].clerk_id, at=t, assignment=a, note=reason)
        self.refresh(t)
        if self.r["status"] == "unassigned":
            self.at(t + hours(self.rng.uniform(0.5, 8)), self.route)

    def ask_extension(self, t, a):
        if a["status"] not in ("pending", "in_progress") or a.get("asking"):
            return
        extra = self.rng.choice([2, 3, 5])
        reason = "需协调上级部门，申请延期答复"
        extension = {
            "assignment": a,
            "stage": "reply",
            "current_due": a["reply_due"],
            "extra_days": extra,
            "reason": reason,
            "requested_by_id": a["unit"].clerk_id,
            "requested_at": t,
            "status": "pending",
            "decided_by_id": None,
            "decided_at": None,
            "decision_note": "",
            "new_due": None,
            "reply_due_before": None,
            "resolve_due_before": None,
        }
        a["asking"] = True
        self.w.extensions.append(extension)
        self.w.step(
            self.r,
            "extension_request",
            actor=a["unit"].clerk_id,
            at=t,
            assignment=a,
            note=reason,
            stage="reply",
            extra_days=extra,
        )
        self.at(t + hours(self.rng.uniform(1, 16)), self.decide_extension, extension)

    def decide_extension(self, t, extension):
        a = extension["assignment"]
        a["asking"] = False
        coordinator = self.w.coordinator_id
        extension["decided_by_id"], extension["decided_at"] = coordinator, t
        # `extension_decide` approves only while the clock runs; an answered one is refused.
        running = a["status"] in ("pending", "in_progress")
        if running and self.rng.random() < 0.85:
            new_due = self.w.extend(a["reply_due"], extension["extra_days"])
            extension["status"], extension["new_due"] = "approved", new_due
            extension["reply_due_before"] = a["reply_due"]
            extension["resolve_due_before"] = a["resolve_due"]
            a["reply_due"] = new_due
            a["resolve_due"] = max(a["resolve_due"], new_due)
            a["last_extended_at"] = t
            self.w.step(
                self.r,
                "extension_approve",
                actor=coordinator,
                at=t,
                assignment=a,
                new_due=new_due.isoformat(),
            )
        else:
            note = "理由不充分，请按期答复" if running else "已答复，无需延期"
            extension["status"], extension["decision_note"] = "rejected", note
            self.w.step(
                self.r, "extension_reject", actor=coordinator, at=t, assignment=a, note=note
            )

    def reply(self, t, a):
        if a["status"] != "in_progress":
            return
        unit = a["unit"]
        text = self.rng.choice(REPLIES)
        a["status"], a["replied_at"], a["replied_by_id"], a["reply"] = (
            "replied",
            t,
            unit.clerk_id,
            text,
        )
        self.w.step(self.r, "reply", actor=unit.clerk_id, at=t, assignment=a, note=text)
        self.refresh(t)
        if self.r["status"] == "replied":
            self.epoch += 1
            if self.rng.random() < 0.8:
                self.at(t + hours(self.rng.uniform(0.5, 72)), self.rate, self.epoch)
            else:
                due = self.w.due_after(t, 5)  # RATING_WINDOW_DAYS after the last reply
                self.at(due + hours(self.rng.uniform(0.02, 1)), self.close_unrated, self.epoch)

    # request_rate, request_close_unrated, request_close

    def rate(self, t, epoch):
        r, rng = self.r, self.rng
        if r["status"] != "replied" or epoch != self.epoch:
            return
        lead = next((a for a in self.active if a["role"] == "lead"), self.active[0])
        roll = rng.random()
        unsatisfied = 0.09 * lead["unit"].mood
        rating = (
            "unsatisfied"
            if roll < unsatisfied
            else ("basic" if roll < unsatisfied + 0.2 else "satisfied")
        )
        by_phone = rng.random() < 0.1
        actor = self.w.coordinator_id if by_phone else self.account_id
        comment = "答复未解决实际问题" if rating == "unsatisfied" else ""
        answered = list(self.active)
        for a in answered:
            a["rating"], a["rated_at"] = rating, t
        r["rating"], r["rating_comment"], r["rated_at"] = rating, comment, t
        self.w.step(
            r, "rate", actor=actor, at=t, note=comment, rating=rating, by_phone=by_phone or None
        )
        if rating == "unsatisfied" and r["reopen_count"] == 0:
            for a in answered:
                self.end(a, "reopened", t, "企业不满意，重新办理")
            r["reopen_count"] += 1
            r["round"] += 1
            self.w.step(r, "reopen", actor=actor, at=t, note=comment, by="rating")
            for a in answered:
                self.assign(t, a["unit"], role=a["role"], actor=actor)
            self.refresh(t)
        else:
            self.complete(t, answered, actor=actor, note="")

    def close_unrated(self, t, epoch):
        if self.r["status"] == "replied" and epoch == self.epoch:
            self.complete(t, list(self.active), actor=None, note="企业逾期未评价，系统自动办结")

    def coordinator_close(self, t):
        if self.r["status"] != "closed":
            note = "企业问题已自行解决，申请撤回"
            self.complete(t, list(self.active), actor=self.w.coordinator_id, note=note)

    def complete(self, t, answered, *, actor, note):
        for a in answered:
            if a["status"] == "replied":
                self.end(a, "done", t)
                a["completed_at"] = t
            else:
                self.end(a, "cancelled", t, note or "诉求办结")
        self.set_status("closed", t)
        self.r["closed_at"] = t
        self.w.step(self.r, "close", actor=actor, at=t, note=note)


def build(count: int, log) -> dict:
    """The district, 3,000 enterprises with accounts, the routing table, and `count` requests
    with everything that happened to them until the end of the 60 days."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from fugong.core import demo as core_demo
    from fugong.core.bulk import create_with_history
    from fugong.core.models import User
    from fugong.core.services import user_create
    from fugong.enterprises import demo as enterprise_demo
    from fugong.enterprises.services import grade_rules_ensure_defaults
    from fugong.services.models import RoutingRule, TaskForce

    call_command("migrate", verbosity=0)
    regions = core_demo.load_regions()
    departments = core_demo.load_departments()
    grade_rules_ensure_defaults()
    coordinator = user_create(username="coordinator", role="coordinator", password=None)
    leader = user_create(username="leader", role="leader", password=None)
    rng = random.Random(SEED)
    clerks = {
        code: user_create(
            username=f"clerk_{code}", role="department", password=None, department=department
        )
        for code, department in departments.items()
    }
    units = {
        code: Unit(
            code,
            departments[code].name,
            clerks[code].pk,
            department_id=departments[code].pk,
            rng=rng,
        )
        for code in HANDLING
    }
    task_force = TaskForce.objects.create(name="马寨用工专班", lead_department=departments["rs"])
    member = user_create(
        username="tf_member", role="department", password=None, department=departments["kj"]
    )
    task_force.members.add(member)
    tf_unit = Unit("task_force", task_force.name, member.pk, task_force_id=task_force.pk, rng=rng)
    park = regions[enterprise_demo.MAZHAI_PARK]
    rule_ids = {
        category: RoutingRule.objects.create(category=category, department=departments[code]).pk
        for category, code in ROUTES.items()
    }
    rule_ids[("labour", "park")] = RoutingRule.objects.create(
        category="labour", area=park, task_force=task_force
    ).pk

    started = time.perf_counter()
    register = enterprise_demo.DemoRegister(regions)
    everyone = register.build_enterprises()
    in_park = [e for e in everyone if e.park_id == park.pk]
    others = [e for e in everyone if e.park_id != park.pk]
    enterprises = in_park + rng.sample(others, ENTERPRISES - len(in_park))
    registered = local(START - timedelta(days=30))
    for enterprise in enterprises:
        enterprise.created_at = registered
    create_with_history(
        enterprises, key="uscc", actor=coordinator, reason="演示数据", at=registered
    )
    accounts = [
        User(
            username=f"e{enterprise.pk}",
            display_name=f"{enterprise.name}（企业账号）",
            role=User.Role.ENTERPRISE,
            enterprise=enterprise,
            password=make_password(None),
        )
        for enterprise in enterprises
    ]
    create_with_history(accounts, key="username", actor=coordinator, reason="演示数据")
    account_of = {user.enterprise_id: user.pk for user in accounts}
    callers = [(register.person(), register.mobile()) for _n in range(2000)]
    seconds = time.perf_counter() - started
    log(f"  register: {len(enterprises):,} enterprises and accounts in {seconds:.1f} s")

    started = time.perf_counter()
    now = local(START + timedelta(days=DAYS))
    world = World(
        rng=rng,
        units=units,
        rule_ids=rule_ids,
        task_force_unit=tf_unit,
        coordinator_id=coordinator.pk,
        now=now,
    )
    # Busy enterprises file many requests, most file a few; weekends are quieter.
    weights = [rng.paretovariate(1.2) for _e in enterprises]
    day_weights = [0.35 if (START + timedelta(days=d)).weekday() >= 5 else 1 for d in range(DAYS)]
    moments = sorted(
        local(START + timedelta(days=day, seconds=rng.randrange(8 * 3600, 20 * 3600)))
        for day in rng.choices(range(DAYS), weights=day_weights, k=count)
    )
    filers = rng.choices(enterprises, weights=weights, k=count)
    categories = rng.choices(
        list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()), k=count
    )
    for pk, (created, enterprise, category) in enumerate(
        zip(moments, filers, categories, strict=True), 1
    ):
        channel = rng.choices(
            ["portal", *PERSON_CHANNELS], weights=[60, *PERSON_CHANNELS.values()]
        )[0]
        caller = rng.choice(callers) if channel == "hotline" else ("", "")
        request = {
            "id": pk,
            "number": f"SQ{timezone.localtime(created):%Y%m%d}{pk:06d}",
            "enterprise_id": enterprise.pk,
            "category": category,
            "title": rng.choice(TITLES[category]),
            "description": f"{enterprise.name}：{rng.choice(TITLES[category])}，请协调解决。",
            "urgency": rng.choices(["normal", "urgent", "critical"], weights=[85, 12, 3])[0],
            "channel": channel,
            "caller_name": caller[0],
            "caller_phone": caller[1],
            "report_id": None,
            "raised_by_id": account_of[enterprise.pk] if channel == "portal" else coordinator.pk,
            "grade": enterprise.grade or "B",
            "status": "unassigned",
            "created_at": created,
            "closed_at": None,
            "rating": "",
            "rating_comment": "",
            "rated_at": None,
            "round": 1,
            "reopen_count": 0,
        }
        world.requests.append(request)
        Life(
            world,
            request,
            enterprise=enterprise,
            account_id=account_of[enterprise.pk],
            park_id=enterprise.park_id if enterprise.park_id == park.pk else None,
        ).run()
        if pk % 50_000 == 0:
            log(f"  simulated {pk:,} requests")
    letters = thank_you_letters(world, rng, coordinator.pk, enterprises, departments)
    log(
        f"  simulated {count:,} requests, {len(world.assignments):,} assignments, "
        f"{len(world.steps):,} steps in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    write(world, letters, coordinator)
    log(f"  written in {time.perf_counter() - started:.1f} s")
    # Only a summary is kept: millions of live Python objects would slow every garbage
    # collection during the measurements that follow.
    return {
        "leader": leader,
        "clerk": clerks["rs"],
        "now": now,
        "summary": (
            f"{count:,} requests, {len(world.assignments):,} assignments (clocks), "
            f"{len(world.steps):,} steps\n{describe(world, len(letters))}"
        ),
    }


def thank_you_letters(world: World, rng, coordinator_id, enterprises, departments) -> list[dict]:
    """About one closed, satisfied request in 250 brings its department a letter of thanks; a few
    letters thank a department for its service in general."""
    by_id = {d.pk: d for d in departments.values()}
    by_enterprise = {e.pk: e for e in enterprises}
    leads = {}
    for a in world.assignments:
        if a["status"] == "done" and a["role"] == "lead" and a["department_id"]:
            leads[a["request_id"]] = a["department_id"]
    letters = []
    last_day = (world.now - timedelta(days=1)).date()
    for request in world.requests:
        department_id = leads.get(request["id"])
        if (
            department_id is None
            or request["rating"] != "satisfied"
            or request["closed_at"] is None
            or rng.random() > 0.004
        ):
            continue
        received_on = (request["closed_at"] + timedelta(days=rng.randint(1, 10))).date()
        if received_on > last_day:  # not arrived yet
            continue
        enterprise = by_enterprise[request["enterprise_id"]]
        letters.append(
            letter(len(letters) + 1, department_id, request, enterprise, received_on, by_id)
        )
    for _n in range(40):
        department_id = by_id[rng.choice(list(by_id))].pk
        enterprise = rng.choice(enterprises)
        received_on = (START + timedelta(days=rng.randrange(5, DAYS))).date()
        letters.append(
            letter(len(letters) + 1, department_id, None, enterprise, received_on, by_id)
        )
    for row in letters:
        row["recorded_by_id"] = coordinator_id
        if row["request_id"]:
            world.step(
                {"id": row["request_id"]},
                "thanks",
                actor=coordinator_id,
                at=row["recorded_at"],
                note=row["summary"],
            )
    return letters


def letter(pk, department_id, request, enterprise, received_on, departments) -> dict:
    name = departments[department_id].name
    return {
        "id": pk,
        "department_id": department_id,
        "request_id": request["id"] if request else None,
        "enterprise_id": enterprise.pk,
        "sender": enterprise.name,
        "received_on": received_on,
        "summary": f"感谢{name}在疫情期间高效服务企业复工复产",
        "recorded_at": local(
            datetime.combine(received_on, datetime.min.time()) + timedelta(hours=16)
        ),
    }


def write(world: World, letters: list[dict], coordinator) -> None:
    """Rows in the order a live system would have created them (ids rise with time). The rows
    refer to one another by id, so they are written with their ids, through the same COPY /
    executemany path as `fugong.core.bulk.insert_rows` (which leaves ids to the database)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from fugong.core.bulk import _insert, _insert_history
    from fugong.services.models import (
        Assignment,
        Extension,
        RequestStep,
        ServiceRequest,
        ThankYouLetter,
        UnassignedPeriod,
    )

    world.assignments.sort(key=lambda a: (a["assigned_at"], a["seq"]))
    for pk, a in enumerate(world.assignments, 1):
        a["id"] = pk
    world.steps.sort(key=lambda s: (s[0], s[1]))
    world.extensions.sort(key=lambda e: e["requested_at"])
    for pk, e in enumerate(world.extensions, 1):
        e["id"], e["assignment_id"] = pk, e["assignment"]["id"]

    def steps():
        for pk, (at, _n, request_id, assignment, action, actor, note, data) in enumerate(
            world.steps, 1
        ):
            if isinstance(data.get("successor"), dict):
                data["successor"] = data["successor"]["id"]
            yield {
                "id": pk,
                "request_id": request_id,
                "assignment_id": assignment["id"] if assignment else None,
                "action": action,
                "actor_id": actor,
                "at": at,
                "note": note,
                "data": data,
            }

    def put(model, rows):
        fields = model._meta.concrete_fields
        defaults = {f.attname: f.get_default() for f in fields}  # fields this bench leaves empty
        _insert(model, fields, ([row.get(k, defaults[k]) for k in defaults] for row in rows))

    with transaction.atomic():
        put(ServiceRequest, world.requests)
        put(Assignment, world.assignments)
        put(RequestStep, steps())
        put(Extension, world.extensions)
        world.periods.sort(key=lambda p: p["started_at"])
        put(UnassignedPeriod, ({"id": pk, **p} for pk, p in enumerate(world.periods, 1)))
        put(ThankYouLetter, letters)
        by_moment = {}
        for row in letters:
            by_moment.setdefault(row["recorded_at"], []).append(row)
        for moment, rows in by_moment.items():
            _insert_history(ThankYouLetter, rows, user=coordinator, reason="", at=moment)
        models = [
            ServiceRequest,
            Assignment,
            RequestStep,
            Extension,
            ThankYouLetter,
            UnassignedPeriod,
        ]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def describe(world: World, letters: int) -> str:
    requests = Counter(r["status"] for r in world.requests)
    assignments = Counter(a["status"] for a in world.assignments)
    co = sum(a["role"] == "co" for a in world.assignments)
    reopened = sum(r["reopen_count"] > 0 for r in world.requests)
    return (
        f"  requests by status: {dict(requests)}\n"
        f"  assignments by status: {dict(assignments)}\n"
        f"  co-handling clocks {co:,}, reopened requests {reopened:,}, "
        f"extensions {len(world.extensions):,}, letters {letters:,}"
    )


def timed(function, *args, **kwargs) -> tuple[float, object]:
    began = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - began) * 1000, result


def differences(figures, reference) -> list[str]:
    """Where `figures_as_of` and the per-request loop disagree (an empty list: nowhere)."""
    from fugong.services.tests.reference import FIELDS

    cells = reference["cells"]
    found = []

    def compare(label, ours, theirs):
        if ours != theirs:
            found.append(f"{label}: figures {ours} != loop {theirs}")

    compare("requests", figures.requests, reference["totals"]["requests"])
    compare("closed", figures.closed, reference["totals"]["closed"])
    compare("unassigned", figures.unassigned, reference["totals"]["unassigned"])
    for handler in figures.by_handler:
        compare(
            handler.name,
            {name: getattr(handler, name) for name in FIELDS},
            {
                name: sum(v[name] for k, v in cells.items() if k[0] == handler.key)
                for name in FIELDS
            },
        )
    for row in figures.by_category:
        compare(
            row.category,
            {name: getattr(row, name) for name in FIELDS},
            {
                name: sum(v[name] for k, v in cells.items() if k[1] == row.category)
                for name in FIELDS
            },
        )
    compare(
        "all clocks",
        {name: getattr(figures.clocks, name) for name in FIELDS},
        {name: sum(v[name] for v in cells.values()) for name in FIELDS},
    )
    handlers = {h.key for h in figures.by_handler if h.received}
    compare("handlers", handlers, {k[0] for k in cells})
    return found


def measure(count: int, loop: bool) -> None:
    from django.db import connection

    from fugong.services import selectors
    from fugong.services.models import Assignment, ServiceRequest
    from fugong.services.selectors import figures_as_of
    from fugong.services.tests.reference import FIELDS, figures_by_loop

    def log(message):
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    built = build(count, log)
    gc.collect()
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # fresh planner statistics, as a running system has
        cursor.execute("ANALYZE")
    leader, clerk, now = built["leader"], built["clerk"], built["now"]
    moments = [local(START + timedelta(days=d, hours=15, minutes=30)) for d in MOMENT_DAYS]
    moments.append(now)

    load = os.getloadavg()[0]
    print(f"database: {connection.vendor}; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"built in {build_seconds:.0f} s: {built['summary']}")

    figures_as_of(moments[-1], user=leader)  # warm the caches once, as a live server would be
    everything, per_moment = [], {}
    for moment in moments:
        runs = [timed(figures_as_of, moment, user=leader)[0] for _run in range(RUNS)]
        per_moment[moment] = runs
        everything += runs
    ranked = sorted(everything)
    print(f"figures_as_of, district leader, {len(moments)} moments × {RUNS} runs (warm):")
    for moment, runs in per_moment.items():
        figures = figures_as_of(moment, user=leader)
        print(
            f"  {moment:%Y-%m-%d %H:%M}: median {statistics.median(runs):.0f} ms, "
            f"max {max(runs):.0f} ms ({figures.requests:,} requests, "
            f"{figures.clocks.received:,} clocks, {len(figures.by_handler)} handlers)"
        )
    median = statistics.median(everything)
    p95 = ranked[max(0, int(0.95 * len(ranked)) - 1)]
    met = "met" if p95 < TARGET_MS else "NOT met"
    print(
        f"  all: median {median:.0f} ms, p95 {p95:.0f} ms, max {ranked[-1]:.0f} ms "
        f"(target < {TARGET_MS} ms: {met}; load average {os.getloadavg()[0]:.1f})"
    )
    # Where the time goes, now: the clocks (one GROUP BY over assignments joined to their
    # requests) and the request counts (one GROUP BY over requests).
    clocks = [timed(selectors._clock_rows, Assignment.objects.all(), now)[0] for _r in range(RUNS)]
    counts = [
        timed(
            selectors._request_counts, ServiceRequest.objects.all(), now, selectors._category_rows()
        )[0]
        for _r in range(RUNS)
    ]
    print(
        f"  of which, now: clocks by handler and category {statistics.median(clocks):.0f} ms, "
        f"request counts {statistics.median(counts):.0f} ms (medians)"
    )
    department = [timed(figures_as_of, moments[-1], user=clerk)[0] for _run in range(RUNS)]
    print(
        f"  a department's own figures (区人社局), now: median {statistics.median(department):.0f} ms"
    )

    if not loop:
        return
    moment = moments[LOOP_MOMENT]
    loop_ms, reference = timed(figures_by_loop, moment)
    figures = figures_as_of(moment, user=leader)
    found = differences(figures, reference)
    ours = statistics.median(per_moment[moment])
    print(
        f"per-request loop (figures_by_loop) as of {moment:%Y-%m-%d %H:%M}: {loop_ms:,.0f} ms "
        f"→ ratio {loop_ms / ours:,.0f}x ({ours:.0f} ms)"
    )
    if found:
        print("  DIFFERENT from figures_as_of:")
        for line in found[:20]:
            print(f"    {line}")
        sys.exit(1)
    print(
        f"  same figures: {len(figures.by_handler)} handlers × {len(FIELDS)} fields, "
        f"{len(figures.by_category)} categories, request totals"
    )


def database_url(work: Path) -> str:
    url = os.environ.get("DATABASE_URL", "sqlite://")
    if not url.startswith("postgres"):
        return fresh_database("sqlite://", "fugong_bench_requests", work)
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "fugong_bench_requests"
    if name == "postgres":
        name = "fugong_bench_requests"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    return fresh_database(maintenance, name, work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--no-loop", action="store_true", help="skip the per-request loop")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fugong-bench-"))
    setup_django(work, database_url(work))
    try:
        measure(args.requests, loop=not args.no_loop)
    finally:
        from django.db import connection

        connection.close()
        shutil.rmtree(work, ignore_errors=True)  # the SQLite file is 300 MB at full size


if __name__ == "__main__":
    main()
