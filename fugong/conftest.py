"""Fixtures every app's tests share: the demo district's areas and departments, and one persona
per role (plus enterprise B, who must see nothing of enterprise A)."""

from dataclasses import dataclass
from datetime import datetime

import pytest
from django.utils import timezone

from fugong.core import demo as core_demo
from fugong.core.models import Region, User
from fugong.core.notifications import MemoryBackend
from fugong.core.services import user_create
from fugong.enterprises.models import LiaisonAssignment
from fugong.enterprises.tests.factories import EnterpriseFactory
from fugong.resumption.services import report_submit

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FUGONG_OUTBOX_DIR = tmp_path / "outbox"
    MemoryBackend.outbox.clear()


@pytest.fixture
def outbox():
    return MemoryBackend.outbox


@pytest.fixture
def district(db):
    """The Erqi district's streets, towns, parks and departments (no enterprises)."""
    regions = core_demo.load_regions()
    departments = core_demo.load_departments()
    return Districts(regions=regions, departments=departments)


@dataclass
class Districts:
    regions: dict
    departments: dict

    def region(self, code: str) -> Region:
        return self.regions[code]


HUAIHE, JIEFANG, MAZHAI_TOWN = "410103001", "410103002", "410103100"
MAZHAI_PARK = "P410103001"


@dataclass
class People:
    leader: User
    coordinator: User
    clerk: User
    street_officer: User
    park_officer: User
    liaison: User
    enterprise_a: User
    enterprise_b: User
    enforcement: User
    nobody: User


@pytest.fixture
def people(district) -> People:
    """Enterprise A lies in 淮河路街道 and has the liaison; enterprise B lies in 解放路街道."""
    regions, departments = district.regions, district.departments
    company_a = EnterpriseFactory(name="郑州甲方机械有限公司", region=regions[HUAIHE])
    company_b = EnterpriseFactory(
        name="郑州乙方商贸有限公司",
        region=regions[JIEFANG],
        category="services_below",
        industry_section="F",
    )

    def make(username, role, **scope):
        return user_create(
            username=username, role=role, password=PASSWORD, display_name=username, **scope
        )

    liaison = make("liaison", User.Role.LIAISON, department=departments["zzb"])
    LiaisonAssignment.objects.create(
        enterprise=company_a,
        officer=liaison,
        kind="talent",
        is_primary=True,
        started_on="2020-02-10",
    )
    return People(
        leader=make("leader", User.Role.LEADER),
        coordinator=make("coordinator", User.Role.COORDINATOR, department=departments["fgtj"]),
        clerk=make("clerk", User.Role.DEPARTMENT, department=departments["scjg"]),
        street_officer=make("huaihe", User.Role.AREA_OFFICER, areas=[regions[HUAIHE]]),
        park_officer=make("mazhai", User.Role.AREA_OFFICER, areas=[regions[MAZHAI_PARK]]),
        liaison=liaison,
        enterprise_a=make("company_a", User.Role.ENTERPRISE, enterprise=company_a),
        enterprise_b=make("company_b", User.Role.ENTERPRISE, enterprise=company_b),
        enforcement=make("enforcer", User.Role.ENFORCEMENT, department=departments["cg"]),
        nobody=make("nobody", ""),
    )


@pytest.fixture
def login(client):
    def as_user(user: User):
        client.force_login(user)
        return client

    return as_user


CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 15_000
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; never a downloaded browser."""
    import os

    from playwright.sync_api import expect, sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps (make test does)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard does not apply here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    flags = CHROMIUM_FLAGS + (["--no-sandbox"] if os.geteuid() == 0 else [])
    # expect() polls for 5 s by default, the actions wait 15 s (below): on a loaded CI machine a
    # form post and its redirect can outlast 5 s, and the assertion then reads the page before it.
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
        yield instance
        instance.close()


def _open_tab(browser, live_server, **options):
    """A tab that fails its test if the page breaks the Content-Security-Policy or throws."""
    # Reduced motion: Bootstrap then opens and closes collapses at once, so a test never clicks
    # into a section that is still sliding open.
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, reduced_motion="reduce", **options
    )
    tab = context.new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    problems = []
    # The browser reports a CSP violation as an event: turn each into a console error.
    tab.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
    )
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    return context, tab, problems


@pytest.fixture
def page(browser, live_server):
    context, tab, problems = _open_tab(
        browser, live_server, viewport={"width": 1280, "height": 900}
    )
    yield tab
    context.close()
    assert not problems, problems


@pytest.fixture
def phone_page(browser, live_server):
    context, tab, problems = _open_tab(
        browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield tab
    context.close()
    assert not problems, problems


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def at(text: str) -> datetime:
    """'2020-03-23 17:00' in Beijing time."""
    return timezone.make_aware(datetime.fromisoformat(text))


@pytest.fixture
def submit(people):
    """Report as the coordinator (who may report for anyone) unless told otherwise."""

    def report(
        subject,
        when: str,
        status: str,
        *,
        duty: int,
        payroll: int | None = None,
        actor=None,
        **values,
    ):
        return report_submit(
            actor=actor or people.coordinator,
            subject=subject,
            reported_at=at(when),
            status=status,
            workers_on_payroll=subject.payroll_headcount if payroll is None else payroll,
            workers_on_duty=duty,
            **values,
        )

    return report
