import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fugong.factors.models import PlanningRun, ShuttleTrip

pytestmark = pytest.mark.django_db


def test_the_command_plans_with_a_distance_table(register, bus, people, tmp_path, capsys):
    register()
    table = tmp_path / "距离.csv"
    enterprise = people.enterprise_a.enterprise
    table.write_text(f"起点,终点,公里\ndistrict,411624,230\n411624,{enterprise.uscc},245.5\n")
    call_command(
        "plan_shuttles", "--from", "2020-02-20", "--to", "2020-02-21", "--distances", str(table)
    )
    assert "已安排 1/1 人" in capsys.readouterr().out
    trip = ShuttleTrip.objects.get()
    assert (trip.empty_km, trip.distance_km) == (230, 475.5)
    assert PlanningRun.objects.get().trigger == "manual"


def test_a_bad_distance_table_is_refused_row_by_row(people, tmp_path):
    table = tmp_path / "距离.csv"
    table.write_text("起点,终点,公里\n411624,火星,12\ndistrict,411624,-3\n")
    with pytest.raises(CommandError, match="第2行") as error:
        call_command(
            "plan_shuttles", "--from", "2020-02-20", "--to", "2020-02-21", "--distances", str(table)
        )
    assert "第3行" in str(error.value) and not PlanningRun.objects.exists()
    with pytest.raises(CommandError, match="不是协调员"):
        call_command(
            "plan_shuttles", "--from", "2020-02-20", "--to", "2020-02-21", "--user", "leader"
        )
