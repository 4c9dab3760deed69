#!/usr/bin/env python
"""Register pages at district scale: times the enterprise list (first page, a deep page, a filter,
a pinyin search) and the detail page against the demo district (27,039 enterprises).

    FUGONG_VAR_DIR=/tmp/fgvar .venv/bin/fugong demo          # once, into an empty database
    FUGONG_VAR_DIR=/tmp/fgvar .venv/bin/python bench/register_pages.py

Baseline in the same run: the same list rendered with Python-side pagination (the whole filtered
queryset loaded, then sliced), which is what the page would cost without database paging.
"""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
os.environ["FUGONG_ALLOWED_HOSTS"] = "testserver"

import django
import django.db

warnings.filterwarnings("ignore", "No directory at")
django.setup()

from django.test import Client  # noqa: E402

from fugong.core.models import User  # noqa: E402
from fugong.enterprises.models import Enterprise  # noqa: E402
from fugong.enterprises.selectors import enterprises_visible_to  # noqa: E402

RUNS = 15


def timed(fn) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    total = Enterprise.objects.count()
    user = User.objects.get(username="coordinator")
    client = Client()
    client.force_login(user)
    last_page = (total + 49) // 50
    some = Enterprise.objects.order_by("id")[total // 2]
    cases = {
        "list, first page": "/enterprises/",
        f"list, page {last_page}": f"/enterprises/?page={last_page}",
        f"list, 规下服务业 in {some.region.name}": "/enterprises/?category=services_below&region="
        + str(some.region_id),
        "list, pinyin search 'ksf'": "/enterprises/?q=ksf",
        "list, name search '烩面'": "/enterprises/?q=烩面",
        "detail page": f"/enterprises/{some.pk}/",
    }
    print(f"{total:,} enterprises ({django.db.connection.vendor})")
    for label, url in cases.items():
        assert client.get(url).status_code == 200
        median, p95 = timed(lambda url=url: client.get(url))
        print(f"{label:<32} median {median:7.1f} ms   p95 {p95:7.1f} ms")

    def naive_first_page():
        rows = list(enterprises_visible_to(user).select_related("region", "park"))
        return rows[:50]

    median, p95 = timed(lambda: client.get("/enterprises/"))
    naive_median, _ = timed(naive_first_page)
    print(
        f"baseline: loading the whole register to show page 1: median {naive_median:.1f} ms "
        f"(the page itself, rendered: {median:.1f} ms)"
    )


if __name__ == "__main__":
    main()
