from django.urls import reverse
from django.utils.translation import gettext as _

from fugong.compat import task
from fugong.core.models import User
from fugong.core.services import notify
from fugong.enterprises.services import GradeRecount, grades_recompute


@task()
def recompute_grades(requested_by: int) -> dict:
    """Apply the grade rules to the whole register (seconds for a district's tens of thousands of
    enterprises, so not inside a web request) and tell the coordinator who asked."""
    actor = User.objects.get(pk=requested_by)
    result = grades_recompute(actor=actor)
    notify(
        recipients=[actor],
        title=_("重新评级完成"),
        body=recount_summary(result),
        link=reverse("enterprises:grade_rules"),
    )
    return result.as_dict()


def recount_summary(result: GradeRecount) -> str:
    return _(
        "%(changed)d 家企业等级改变，%(overridden)d 家人工评级的企业保持不变。"
        "现有 A 级 %(a)d 家、B 级 %(b)d 家、C 级 %(c)d 家。"
    ) % {
        "changed": result.changed,
        "overridden": result.overridden,
        "a": result.by_grade["A"],
        "b": result.by_grade["B"],
        "c": result.by_grade["C"],
    }
