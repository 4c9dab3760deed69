import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fugong.services.models import Attachment, ServiceRequest

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_photos_and_pdfs_are_kept_with_their_real_type(file_request):
    request = file_request(attachments=[upload("现场.png", PNG), upload("申请表.pdf", PDF)])
    kinds = set(request.attachments.values_list("original_name", "content_type"))
    assert kinds == {("申请表.pdf", "application/pdf"), ("现场.png", "image/png")}
    assert all(a.step.action == "submit" for a in request.attachments.all())


def test_a_file_of_another_type_is_refused_whatever_its_name(file_request):
    with pytest.raises(ValidationError, match="不是图片"):
        file_request(attachments=[upload("照片.jpg", b"MZ\x90\x00 this is an executable")])
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused(file_request, settings):
    settings.FUGONG_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="超过上限"):
        file_request(attachments=[upload("大图.png", PNG + b"\0" * 2048)])
    assert not ServiceRequest.objects.exists()


def test_too_many_files_are_refused(file_request):
    with pytest.raises(ValidationError, match="最多"):
        file_request(attachments=[upload(f"{n}.png", PNG) for n in range(6)])


def test_every_bad_file_is_named_at_once(file_request):
    with pytest.raises(ValidationError) as error:
        file_request(
            attachments=[upload("a.png", b"not a png"), upload("b.pdf", io.BytesIO(b"").read())]
        )
    assert len(error.value.messages) == 2
