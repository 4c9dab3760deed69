from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fugong.core"
    label = "core"
    verbose_name = _("基础数据")

    def ready(self):
        from fugong.core import schema  # noqa: F401  (registers the API key scheme)
