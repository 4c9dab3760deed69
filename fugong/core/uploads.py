"""Attachments people upload (photos of a damaged supply, a scanned letter): checked by their
content, not their name, and limited in size before anything is stored."""

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What a request or a letter may carry: photos and PDF documents.
ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


@dataclass(frozen=True)
class CheckedUpload:
    upload: object
    content_type: str
    extension: str
    size: int


def attachment_max_bytes() -> int:
    return settings.FUGONG_ATTACHMENT_MAX_BYTES


def check_attachment(upload) -> CheckedUpload:
    """The upload's real type, or a ValidationError in Chinese naming the file and the cause."""
    name = getattr(upload, "name", "") or _("附件")
    limit = attachment_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("附件「%(name)s」有 %(size).1f MB，超过上限 %(limit).0f MB")
            % {"name": name, "size": upload.size / 2**20, "limit": limit / 2**20},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("附件「%(name)s」是空文件") % {"name": name}, code="empty")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("附件「%(name)s」不是图片（JPG/PNG/WebP）或 PDF 文件，请检查文件类型")
            % {"name": name},
            code="wrong_type",
        )
    return CheckedUpload(
        upload=upload,
        content_type=kind.mime,
        extension=ATTACHMENT_TYPES[kind.mime],
        size=upload.size,
    )


def check_attachments(uploads, *, limit: int | None = None) -> list[CheckedUpload]:
    """Every upload checked; all problems reported together so nothing is half-stored."""
    limit = limit or settings.FUGONG_ATTACHMENTS_PER_STEP
    uploads = list(uploads)
    if len(uploads) > limit:
        raise ValidationError(
            _("一次最多上传 %(limit)d 个附件") % {"limit": limit}, code="too_many"
        )
    checked, problems = [], []
    for upload in uploads:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    return checked
