"""A policy's attachments: checked by their content, and no file left behind: a deleted
attachment takes its file with it (once the deletion is committed), and a save that fails after
the upload was stored leaves no file either."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from fugong.policies import services
from fugong.policies.models import PolicyAttachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="通知.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "policies"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_file_that_is_not_what_it_says_is_refused(make_policy, people):
    policy = make_policy()
    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="不是图片"):
        services.policy_update(actor=people.coordinator, policy=policy, attachments=[fake])
    assert not stored_files() and not PolicyAttachment.objects.exists()


def test_a_deleted_attachment_takes_its_file_once_committed(
    make_policy, people, django_capture_on_commit_callbacks
):
    policy = make_policy()
    services.policy_update(actor=people.coordinator, policy=policy, attachments=[pdf()])
    [attachment] = policy.attachments.all()
    [path] = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=people.coordinator, attachment=attachment)
    assert not path.exists() and not PolicyAttachment.objects.exists()


def test_a_deletion_rolled_back_keeps_the_file(make_policy, people):
    policy = make_policy()
    services.policy_update(actor=people.coordinator, policy=policy, attachments=[pdf()])
    [attachment] = policy.attachments.all()
    [path], kept = stored_files(), attachment.pk
    with transaction.atomic():
        services.attachment_delete(actor=people.coordinator, attachment=attachment)
        transaction.set_rollback(True)
    assert path.exists() and PolicyAttachment.objects.filter(pk=kept).exists()


def test_a_save_that_fails_after_storing_the_upload_leaves_no_file(make_policy, people):
    policy = make_policy(publish=True)
    policy.rule = {"all": [{"attr": "payroll_headcount", "op": "gte", "value": 5}]}
    with (
        mock.patch(
            "fugong.policies.services.library.policy_rematch", side_effect=RuntimeError("boom")
        ),
        pytest.raises(RuntimeError),
    ):
        services.policy_update(actor=people.coordinator, policy=policy, attachments=[pdf()])
    assert not stored_files() and not PolicyAttachment.objects.exists()


def test_the_edit_page_deletes_an_attachment(
    client, make_policy, people, policy_desk, django_capture_on_commit_callbacks
):
    policy = make_policy()
    services.policy_update(actor=people.coordinator, policy=policy, attachments=[pdf()])
    [attachment] = policy.attachments.all()
    url = reverse("policies:attachment_delete", args=[attachment.pk])
    client.force_login(people.clerk)  # another department
    assert client.post(url).status_code in (403, 404)
    client.force_login(policy_desk.rs_clerk)
    edit = client.get(reverse("policies:edit", args=[policy.pk])).content.decode()
    assert url in edit
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not PolicyAttachment.objects.exists() and not stored_files()
