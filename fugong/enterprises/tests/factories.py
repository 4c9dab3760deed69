from datetime import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from fugong.core.models import Region
from fugong.core.tests.factories import uscc_for
from fugong.enterprises.models import ConstructionProject, Enterprise


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"郑州测试{n}号机械有限公司")
    uscc = factory.Sequence(uscc_for)
    category = Enterprise.Category.INDUSTRY_BELOW
    industry_section = "C"
    region = factory.LazyFunction(lambda: Region.objects.get(code="410103001"))
    contact_person = "张三"
    contact_phone = "13812345678"
    payroll_headcount = 20

    @factory.post_generation
    def name_keys(self, create, extracted, **kwargs):
        self.refresh_name_keys()
        if create:
            self.save(update_fields=["name_pinyin", "name_initials"])

    registered = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _register(obj, create, extracted)
    )


REGISTERED_AT = timezone.make_aware(datetime(2020, 1, 1, 9, 0))


def _register(obj, create, when):
    """Date the record's registration (created_at is set on insert; reports cannot precede it)."""
    obj.created_at = when or REGISTERED_AT
    if create:
        type(obj).objects.filter(pk=obj.pk).update(created_at=obj.created_at)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConstructionProject
        skip_postgeneration_save = True

    registered = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _register(obj, create, extracted)
    )

    name = factory.Sequence(lambda n: f"测试{n}号安置房项目")
    code = factory.Sequence(lambda n: f"2019-410103-47-01-{n:06d}")
    builder_name = "郑州测试置业有限公司"
    site_address = "郑州市二七区大学路1号"
    region = factory.LazyFunction(lambda: Region.objects.get(code="410103001"))
    total_investment = Decimal("10000")
    payroll_headcount = 100
