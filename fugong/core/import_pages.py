"""The page of one uploaded spreadsheet, shared by every import: it shows the pre-check (row
errors, counts) and, on confirmation, imports the kept file if the check passed."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fugong.core.models import ImportJob
from fugong.core.services import import_job_finish

SHOWN_ERRORS = 500


def import_job_page(
    request,
    job: ImportJob,
    *,
    run_import: Callable,
    done_message: Callable[[object], str],
    page: dict,
):
    """`run_import(file)` imports the kept file and returns a result with `ok` and `as_dict()`;
    `done_message(result)` says what was imported; `page` holds the titles and links."""
    if request.method == "POST":
        if job.status != ImportJob.Status.PREVIEWED or not job.summary.get("ok"):
            messages.error(request, _("这份文件不能导入：请先修正错误后重新上传"))
            return redirect(request.path)
        with job.file.open("rb") as handle:
            result = run_import(handle)
        import_job_finish(job=job, result=result.as_dict(), applied=result.ok)
        if result.ok:
            messages.success(request, done_message(result))
        else:
            messages.error(request, _("导入未完成，未写入任何数据"))
        return redirect(request.path)
    return render(
        request,
        "core/import_job.html",
        {
            "job": job,
            "errors": job.errors[:SHOWN_ERRORS],
            "more_errors": max(len(job.errors) - SHOWN_ERRORS, 0),
            **page,
        },
    )
