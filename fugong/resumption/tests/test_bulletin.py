import io

import pytest
from django.core.management import call_command
from docx import Document

from fugong.conftest import JIEFANG, at
from fugong.core.excel import read_table
from fugong.enterprises.tests.factories import EnterpriseFactory, ProjectFactory
from fugong.resumption.bulletin import bulletin_docx, bulletin_text, bulletin_xlsx, moment_text
from fugong.resumption.selectors import DISTRICT, figures_as_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_district(people, district, submit):
    """One entity of each category, all back with their whole workforce by 23 March 17:00."""
    a, b = people.enterprise_a.enterprise, people.enterprise_b.enterprise  # 规下工业, 规下服务业
    others = [
        EnterpriseFactory(category="industry_above", payroll_headcount=300),
        EnterpriseFactory(category="services_above", payroll_headcount=80),
        ProjectFactory(payroll_headcount=150, region=district.region(JIEFANG)),
    ]
    for entity in (a, b, *others):
        submit(entity, "2020-03-01 09:00", "partly", duty=max(1, entity.payroll_headcount // 3))
        submit(entity, "2020-03-23 16:30", "resumed", duty=entity.payroll_headcount)


def test_when_everything_has_resumed_it_reads_like_the_seed_article(small_district):
    text = bulletin_text(figures_as_of(at("2020-03-23 17:00"), user=DISTRICT))
    assert text == (
        "截至3月23日17时，全区1家规模以上工业企业、1家规下工业、1家规上服务业企业、"
        "1家规下服务业、1个建设工程全部复工，用工复工率均为100%。"
    )


def test_before_that_it_gives_each_category_and_the_areas_behind(small_district):
    text = bulletin_text(figures_as_of(at("2020-03-01 12:00"), user=DISTRICT))
    assert text.startswith("截至3月1日12时，全区规模以上工业企业1家，全部复工，用工复工率33.3%；")
    assert "规下工业1家，全部复工，用工复工率30.0%" in text
    assert "复工进度靠后" not in text  # every area has resumed, if not at full strength


def test_the_areas_furthest_behind_are_named(people, district, submit):
    for _ in range(3):
        EnterpriseFactory(region=district.region(JIEFANG))
    submit(people.enterprise_a.enterprise, "2020-03-01 09:00", "partly", duty=4)
    text = bulletin_text(figures_as_of(at("2020-03-01 12:00"), user=DISTRICT))
    assert text.endswith("复工进度靠后的是解放路街道（复工率0.0%）。")
    assert "规下工业4家，已复工1家，复工率25.0%，用工复工率5.0%" in text


def test_a_shortfall_is_never_rounded_up_to_everything(people, district, submit):
    EnterpriseFactory.create_batch(2, payroll_headcount=1000)
    for enterprise in people.enterprise_a.enterprise.__class__.objects.all():
        submit(enterprise, "2020-03-23 10:00", "resumed", duty=enterprise.payroll_headcount)
    last = people.enterprise_a.enterprise.__class__.objects.filter(payroll_headcount=1000).first()
    submit(last, "2020-03-23 11:00", "resumed", duty=999)
    text = bulletin_text(figures_as_of(at("2020-03-23 12:00"), user=DISTRICT))
    assert "用工复工率99.9%" in text and "全部复工" in text and "均为100%" not in text


def test_moments_are_written_the_chinese_way():
    assert moment_text(at("2020-03-23 17:00")) == "3月23日17时"
    assert moment_text(at("2020-03-23 17:30")) == "3月23日17时30分"


def test_the_word_and_excel_versions_carry_the_same_figures(small_district):
    figures = figures_as_of(at("2020-03-01 12:00"), user=DISTRICT)
    document = Document(io.BytesIO(bulletin_docx(figures)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "复工复产情况通报" in paragraphs and bulletin_text(figures) in paragraphs
    assert document.tables[0].rows[1].cells[0].text == "规上工业"
    workbook = io.BytesIO(bulletin_xlsx(figures))
    workbook.name = "b.xlsx"
    table = read_table(workbook)
    assert table.rows[-1][1]["类别"] == "合计" and table.rows[-1][1]["单位数"] == 5


def test_the_command_prints_the_paragraph(small_district, capsys):
    call_command("bulletin", "--as-of", "2020-03-23 17:00")
    assert capsys.readouterr().out.strip().startswith("截至3月23日17时，全区1家规模以上工业企业")


def test_the_command_writes_files(small_district, tmp_path):
    target = tmp_path / "b.docx"
    call_command(
        "bulletin", "--as-of", "2020-03-01 12:00", "--format", "docx", "--output", str(target)
    )
    assert Document(str(target)).paragraphs[1].text.startswith("截至3月1日12时")


def test_a_bad_moment_is_a_clear_error(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="时间格式"):
        call_command("bulletin", "--as-of", "3月23日")
