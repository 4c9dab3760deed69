from django.utils.translation import gettext_lazy as _

from fugong.enterprises.models import Enterprise

CONSTRUCTION = "construction"
# The five categories of the seed article's sentence, in its order.
CATEGORIES = [*Enterprise.Category.choices, (CONSTRUCTION, _("建设工程"))]
CATEGORY_LABELS = dict(CATEGORIES)
