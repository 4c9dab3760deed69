import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fugong.conftest import HUAIHE
from fugong.core.excel import write_xlsx
from fugong.core.models import ImportJob
from fugong.core.tests.factories import uscc_for
from fugong.enterprises.importing import HEADERS
from fugong.enterprises.models import Enterprise
from fugong.enterprises.tests.factories import EnterpriseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

STAFF = ["leader", "coordinator", "clerk", "street_officer", "park_officer", "liaison"]


@pytest.mark.parametrize("persona", [*STAFF, "enforcement"])
def test_the_home_page_renders_for_every_staff_role(people, login, persona):
    response = login(getattr(people, persona)).get(reverse("home"))
    assert response.status_code == 200
    assert "企业（可见范围）" in response.content.decode()


def test_an_enterprise_user_is_sent_to_its_portal(people, login):
    client = login(people.enterprise_a)
    assert client.get(reverse("home")).url == reverse("portal")
    page = client.get(reverse("portal")).content.decode()
    assert "郑州甲方机械有限公司" in page and "郑州乙方商贸有限公司" not in page


def test_anonymous_visitors_are_asked_to_log_in(client, district):
    for name in ("home", "enterprises:list", "enterprises:project_list", "portal"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_logging_in_with_the_form_works(client, people):
    response = client.post(
        reverse("login"), {"username": "coordinator", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("persona", STAFF)
def test_list_and_detail_pages_render_for_register_readers(people, login, persona):
    client = login(getattr(people, persona))
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 200
    visible = response.context["page"].object_list
    for enterprise in visible:
        assert client.get(reverse("enterprises:detail", args=[enterprise.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["enterprise_a", "enforcement", "nobody"])
def test_the_register_is_closed_to_other_roles(people, login, persona):
    client = login(getattr(people, persona))
    assert client.get(reverse("enterprises:list")).status_code == 403
    assert client.get(reverse("enterprises:import")).status_code == 403


class TestSearch:
    @pytest.fixture
    def register(self, people, district):
        EnterpriseFactory(name="郑州康师傅食品有限公司", uscc=uscc_for(555_000_777))
        EnterpriseFactory(name="花花牛乳业集团股份有限公司")

    @pytest.mark.parametrize(
        "term", ["康师傅", "ksf", "KSF", "kangshifu", uscc_for(555_000_777)[:16]]
    )
    def test_it_finds_by_name_pinyin_initials_or_code(self, people, login, register, term):
        response = login(people.coordinator).get(reverse("enterprises:list"), {"q": term})
        assert [e.name for e in response.context["page"]] == ["郑州康师傅食品有限公司"]

    def test_an_htmx_request_gets_only_the_results(self, people, login, register):
        response = login(people.coordinator).get(
            reverse("enterprises:list"), {"q": "hhn"}, HTTP_HX_REQUEST="true"
        )
        html = response.content.decode()
        assert "<html" not in html and "花花牛乳业集团股份有限公司" in html

    def test_filters_combine(self, people, login, register):
        response = login(people.coordinator).get(
            reverse("enterprises:list"), {"category": "services_below", "region": ""}
        )
        assert [e.name for e in response.context["page"]] == ["郑州乙方商贸有限公司"]


def test_the_list_page_needs_a_fixed_number_of_queries(
    people, login, district, django_assert_max_num_queries
):
    EnterpriseFactory.create_batch(60)
    client = login(people.coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("enterprises:list"))
    assert len(response.context["page"].object_list) == 50


def test_the_detail_page_shows_history_with_the_editor(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.street_officer)
    response = client.post(
        reverse("enterprises:edit", args=[a.pk]),
        {
            "name": a.name,
            "uscc": a.uscc,
            "category": a.category,
            "region": a.region_id,
            "payroll_headcount": 42,
            "contact_phone": "13912345678",
            "status": "operating",
            "industry_section": "C",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(reverse("enterprises:detail", args=[a.pk])).content.decode()
    assert "在册职工人数：<del>20</del> → <ins>42</ins>" in page
    assert "huaihe" in page


def test_a_leader_sees_phone_numbers_masked_even_in_history(people, login):
    a = people.enterprise_a.enterprise
    from fugong.enterprises.services import enterprise_update

    enterprise_update(actor=people.coordinator, enterprise=a, contact_phone="13912345678")
    page = login(people.leader).get(reverse("enterprises:detail", args=[a.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert "13812345678" not in page and "138****5678" in page


def test_an_enterprise_edits_only_its_contact_fields(people, login):
    a = people.enterprise_a.enterprise
    client = login(people.enterprise_a)
    form = client.get(reverse("enterprises:edit", args=[a.pk])).context["form"]
    assert set(form.fields) == {
        "legal_representative",
        "contact_person",
        "contact_phone",
        "address",
        "payroll_headcount",
        "version",
    }
    response = client.post(
        reverse("enterprises:edit", args=[a.pk]),
        {
            "contact_person": "王经理",
            "contact_phone": "13700001111",
            "payroll_headcount": 25,
            "category": "industry_above",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.contact_person, a.category) == ("王经理", "industry_below")


def test_an_invalid_form_shows_the_chinese_reason(people, login, district):
    client = login(people.coordinator)
    response = client.post(
        reverse("enterprises:create"),
        {
            "name": "新企业",
            "uscc": "91410103MA44XXXX1X",
            "category": "industry_below",
            "region": district.region(HUAIHE).pk,
            "payroll_headcount": -3,
            "status": "operating",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "校验位错误" in errors["uscc"][0]
    assert "payroll_headcount" in errors
    assert not Enterprise.objects.filter(name="新企业").exists()


def test_a_coordinator_registers_an_enterprise_in_the_browser(people, login, district):
    client = login(people.coordinator)
    response = client.post(
        reverse("enterprises:create"),
        {
            "name": "郑州新登记有限公司",
            "uscc": uscc_for(4242).lower(),
            "category": "services_above",
            "region": district.region(HUAIHE).pk,
            "payroll_headcount": 80,
            "status": "operating",
        },
    )
    created = Enterprise.objects.get(name="郑州新登记有限公司")
    assert response.url == reverse("enterprises:detail", args=[created.pk])
    assert created.uscc == uscc_for(4242)


class TestImportInTheBrowser:
    def upload(self, client, rows, name="名录.xlsx"):
        content = write_xlsx(sheets=[("名录", HEADERS, rows)])
        return client.post(
            reverse("enterprises:import"), {"file": SimpleUploadedFile(name, content)}
        )

    def good_row(self, n=1):
        values = {
            "企业名称": "郑州导入测试有限公司",
            "统一社会信用代码": uscc_for(5000 + n),
            "企业类别": "规下工业",
            "行业门类": "C",
            "所属街道": "淮河路街道",
            "在册职工人数": 12,
            "重点企业": "否",
            "人才企业": "否",
            "防疫物资企业": "否",
            "经营状态": "在营",
        }
        return [values.get(header, "") for header in HEADERS]

    def test_upload_previews_then_confirm_imports(self, people, login):
        client = login(people.coordinator)
        response = self.upload(client, [self.good_row()])
        job = ImportJob.objects.get()
        assert response.url == reverse("enterprises:import_job", args=[job.pk])
        preview = client.get(response.url).content.decode()
        assert "确认导入" in preview and job.status == "previewed"
        assert not Enterprise.objects.filter(name="郑州导入测试有限公司").exists()

        client.post(reverse("enterprises:import_job", args=[job.pk]))
        job.refresh_from_db()
        assert job.status == "applied"
        assert Enterprise.objects.filter(name="郑州导入测试有限公司").exists()

    def test_a_file_with_errors_is_refused_and_lists_them(self, people, login):
        client = login(people.coordinator)
        bad = self.good_row(2)
        bad[HEADERS.index("在册职工人数")] = -1
        response = self.upload(client, [self.good_row(), bad])
        page = client.get(response.url).content.decode()
        assert "发现 1 处错误" in page and "不能小于0" in page and "确认导入" not in page
        job = ImportJob.objects.get()
        assert job.status == "refused"
        client.post(reverse("enterprises:import_job", args=[job.pk]))
        assert not Enterprise.objects.filter(name="郑州导入测试有限公司").exists()

    def test_a_wrong_file_type_gets_a_clear_message(self, people, login):
        client = login(people.coordinator)
        response = client.post(
            reverse("enterprises:import"),
            {
                "file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
            },
        )
        assert "文件类型不支持" in client.get(response.url).content.decode()

    def test_an_oversized_upload_is_refused_before_it_is_stored(self, people, login, settings):
        settings.FUGONG_UPLOAD_MAX_BYTES = 100
        client = login(people.coordinator)
        response = self.upload(client, [self.good_row()])
        assert response.status_code == 200
        assert "文件过大" in response.context["form"].errors["file"][0]
        assert not ImportJob.objects.exists()

    def test_the_template_downloads(self, people, login):
        response = login(people.coordinator).get(reverse("enterprises:import_template"))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


class TestProjectPages:
    def test_a_street_officer_registers_a_project_with_a_builder_from_the_register(
        self, people, login, district
    ):
        client = login(people.street_officer)
        builder = people.enterprise_a.enterprise
        response = client.post(
            reverse("enterprises:project_create"),
            {
                "name": "淮河路安置房项目",
                "code": "2020-410103-47-01-000077",
                "builder": builder.pk,
                "site_address": "淮河路1号",
                "region": district.region(HUAIHE).pk,
                "total_investment": "12000",
                "payroll_headcount": 150,
                "status": "under_construction",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        page = client.get(response.url).content.decode()
        assert "郑州甲方机械有限公司" in page

    def test_the_builder_picker_offers_matches_within_scope(self, people, login):
        client = login(people.street_officer)
        html = client.get(
            reverse("enterprises:picker_options"), {"field": "builder", "picker_q": "zz"}
        ).content.decode()
        assert "郑州甲方机械有限公司" in html and "郑州乙方商贸有限公司" not in html

    def test_enforcement_reads_projects_but_cannot_edit(self, people, login, district):
        project = ProjectFactory()
        client = login(people.enforcement)
        assert client.get(reverse("enterprises:project_list")).status_code == 200
        assert (
            client.get(reverse("enterprises:project_detail", args=[project.pk])).status_code == 200
        )
        assert client.get(reverse("enterprises:project_edit", args=[project.pk])).status_code == 403
        assert client.get(reverse("enterprises:project_export")).status_code == 200
