import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fugong.conftest import HUAIHE, JIEFANG, MAZHAI_PARK, MAZHAI_TOWN
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import (
    enterprise_create,
    enterprise_update,
    project_create,
    project_update,
)

pytestmark = pytest.mark.django_db


def new_enterprise(district, **overrides):
    values = {
        "name": " 郑州康师傅食品有限公司 ",
        "uscc": "91110000600037341l",
        "category": "industry_above",
        "region": district.region(MAZHAI_TOWN),
        "park": district.region(MAZHAI_PARK),
        "contact_phone": "+86 138 1234 5678",
        "payroll_headcount": 1860,
    }
    return {**values, **overrides}


class TestEnterpriseCreate:
    def test_it_normalises_and_records_who_created_it(self, people, district):
        enterprise = enterprise_create(actor=people.coordinator, **new_enterprise(district))
        assert enterprise.name == "郑州康师傅食品有限公司"
        assert enterprise.uscc == "91110000600037341L"
        assert enterprise.contact_phone == "13812345678"
        assert enterprise.name_initials == "zzksfspyxgs"
        [created] = enterprise.history.all()
        assert created.history_type == "+" and created.history_user == people.coordinator

    def test_a_duplicate_code_is_refused_in_chinese(self, people, district):
        enterprise_create(actor=people.coordinator, **new_enterprise(district))
        with pytest.raises(ValidationError) as exc:
            enterprise_create(actor=people.coordinator, **new_enterprise(district, name="另一家"))
        assert exc.value.message_dict["uscc"] == ["该统一社会信用代码已登记"]

    def test_an_invalid_code_is_refused_and_nothing_is_written(self, people, district):
        before = Enterprise.objects.count()
        with pytest.raises(ValidationError) as exc:
            enterprise_create(
                actor=people.coordinator, **new_enterprise(district, uscc="91110000600037341X")
            )
        assert "校验位错误" in exc.value.message_dict["uscc"][0]
        assert Enterprise.objects.count() == before

    def test_a_street_officer_may_not_file_an_enterprise_elsewhere(self, people, district):
        with pytest.raises(ValidationError) as exc:
            enterprise_create(
                actor=people.street_officer,
                **new_enterprise(district, park=None, region=district.region(JIEFANG)),
            )
        assert "不在您负责的区域内" in str(exc.value)
        assert not Enterprise.objects.filter(uscc="91110000600037341L").exists()

    def test_a_street_officer_files_in_their_own_street(self, people, district):
        enterprise = enterprise_create(
            actor=people.street_officer,
            **new_enterprise(district, park=None, region=district.region(HUAIHE)),
        )
        assert enterprise.region.code == HUAIHE

    @pytest.mark.parametrize("persona", ["leader", "clerk", "liaison", "enterprise_a"])
    def test_other_roles_may_not_create(self, people, district, persona):
        with pytest.raises(PermissionDenied):
            enterprise_create(actor=getattr(people, persona), **new_enterprise(district))

    def test_a_negative_headcount_is_refused(self, people, district):
        with pytest.raises(ValidationError) as exc:
            enterprise_create(
                actor=people.coordinator, **new_enterprise(district, payroll_headcount=-1)
            )
        assert "payroll_headcount" in exc.value.message_dict


class TestEnterpriseUpdate:
    def test_history_keeps_before_and_after_with_the_editor(self, people):
        enterprise = people.enterprise_a.enterprise
        enterprise_update(
            actor=people.street_officer,
            enterprise=enterprise,
            payroll_headcount=35,
            contact_person="李四",
        )
        latest = enterprise.history.first()
        assert latest.history_user == people.street_officer
        delta = latest.diff_against(latest.prev_record)
        assert {(c.field, c.old, c.new) for c in delta.changes} == {
            ("payroll_headcount", 20, 35),
            ("contact_person", "张三", "李四"),
            ("grade", "", "B"),  # the rules read the headcount: it is graded now
        }

    def test_saving_without_a_change_adds_no_history(self, people):
        enterprise = people.enterprise_a.enterprise
        versions = enterprise.history.count()
        enterprise_update(
            actor=people.coordinator, enterprise=enterprise, contact_phone="138 1234 5678"
        )
        assert enterprise.history.count() == versions

    def test_an_enterprise_may_change_its_contacts(self, people):
        enterprise = people.enterprise_a.enterprise
        enterprise_update(
            actor=people.enterprise_a, enterprise=enterprise, contact_phone="0371-68881234"
        )
        enterprise.refresh_from_db()
        assert enterprise.contact_phone == "0371-68881234"

    def test_an_enterprise_may_not_change_its_category(self, people):
        enterprise = people.enterprise_a.enterprise
        with pytest.raises(ValidationError) as exc:
            enterprise_update(
                actor=people.enterprise_a, enterprise=enterprise, category="industry_above"
            )
        assert exc.value.message_dict == {"category": ["您不能修改此项"]}

    def test_an_enterprise_may_not_touch_another(self, people):
        with pytest.raises(PermissionDenied):
            enterprise_update(
                actor=people.enterprise_b,
                enterprise=people.enterprise_a.enterprise,
                contact_person="X",
            )


class TestProjects:
    def values(self, district, **overrides):
        return {
            "name": "二七区大学路安置房项目",
            "code": "2019-410103-47-01-000001",
            "builder_name": "郑州测试置业有限公司",
            "site_address": "大学路1号",
            "region": district.region(HUAIHE),
            "total_investment": 50000,
            **overrides,
        }

    def test_a_project_needs_a_builder(self, people, district):
        with pytest.raises(ValidationError):
            project_create(actor=people.coordinator, **self.values(district, builder_name=""))

    def test_a_project_code_must_follow_the_national_format(self, people, district):
        with pytest.raises(ValidationError) as exc:
            project_create(actor=people.coordinator, **self.values(district, code="2019-1"))
        assert "项目代码格式" in exc.value.message_dict["code"][0]

    def test_an_update_is_kept_in_history(self, people, district):
        project = project_create(actor=people.coordinator, **self.values(district))
        project_update(actor=people.street_officer, project=project, payroll_headcount=320)
        assert project.history.first().history_user == people.street_officer
        assert project.history.count() == 2
