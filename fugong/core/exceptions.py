from django.utils import timezone
from django.utils.translation import gettext as _


class StaleRecord(Exception):
    """Someone saved the record after the editor opened it: their change is not overwritten."""

    def __init__(self, record):
        latest = record.history.select_related("history_user").first()
        who = str(latest.history_user) if latest and latest.history_user else _("其他人")
        when = timezone.localtime(latest.history_date).strftime("%m-%d %H:%M") if latest else ""
        super().__init__(
            _(
                "%(who)s已于%(when)s修改了这条记录，您编辑的是旧版本。为避免覆盖对方的修改，"
                "本次未保存：请刷新页面，在最新内容上重新修改。"
            )
            % {"who": who, "when": when}
        )
        self.record = record
