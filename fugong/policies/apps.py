from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "fugong.policies"
    label = "policies"
    verbose_name = _("送政策：惠企政策")
