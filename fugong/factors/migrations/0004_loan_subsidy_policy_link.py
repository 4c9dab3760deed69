"""A loan's interest subsidy policy becomes a link to the policy library (policies.Policy of kind
贷款贴息). The text typed so far is kept as 贴息说明; where it names a loan-interest policy of the
library (its 文号 or its title), the loan is linked to that policy."""

import django.db.models.deletion
from django.db import migrations, models

NOTE_HELP = "政策库中没有的贴息政策，写名称或文号，如 郑政〔2020〕3号"


def link_named_policies(apps, schema_editor):
    Loan = apps.get_model("factors", "LoanApplication")
    Policy = apps.get_model("policies", "Policy")
    policies = list(
        Policy.objects.filter(kind="loan_interest", status="published").order_by(
            models.F("published_at").desc(nulls_last=True), "id"
        )
    )
    for loan in Loan.objects.exclude(subsidy_note="").filter(subsidy_policy__isnull=True):
        note = loan.subsidy_note.strip()
        match = next(
            (
                p
                for p in policies
                if (p.document_number and p.document_number in note) or p.title == note
            ),
            None,
        )
        if match is not None:
            Loan.objects.filter(pk=loan.pk).update(subsidy_policy=match)


class Migration(migrations.Migration):
    dependencies = [
        ("factors", "0003_run_unusable_vehicles"),
        ("policies", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("loanapplication", "subsidy_policy", "subsidy_note"),
        migrations.RenameField("historicalloanapplication", "subsidy_policy", "subsidy_note"),
        migrations.AlterField(
            model_name="historicalloanapplication",
            name="subsidy_note",
            field=models.CharField(
                blank=True, help_text=NOTE_HELP, max_length=200, verbose_name="贴息说明"
            ),
        ),
        migrations.AlterField(
            model_name="loanapplication",
            name="subsidy_note",
            field=models.CharField(
                blank=True, help_text=NOTE_HELP, max_length=200, verbose_name="贴息说明"
            ),
        ),
        migrations.AddField(
            model_name="historicalloanapplication",
            name="subsidy_policy",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="政策库中已发布的贷款贴息政策",
                limit_choices_to={"kind": "loan_interest"},
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="policies.policy",
                verbose_name="贴息政策",
            ),
        ),
        migrations.AddField(
            model_name="loanapplication",
            name="subsidy_policy",
            field=models.ForeignKey(
                blank=True,
                help_text="政策库中已发布的贷款贴息政策",
                limit_choices_to={"kind": "loan_interest"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="policies.policy",
                verbose_name="贴息政策",
            ),
        ),
        migrations.RunPython(link_named_policies, migrations.RunPython.noop),
    ]
