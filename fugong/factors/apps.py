from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactorsConfig(AppConfig):
    name = "fugong.factors"
    label = "factors"
    verbose_name = _("送要素：招聘、返岗直通车、贷款")
