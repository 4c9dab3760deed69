from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "fugong.services"
    label = "services"
    verbose_name = _("送服务：企业诉求")
