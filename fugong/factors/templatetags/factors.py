"""Masking personal data in 送要素's templates: `{{ value|id_for:full_ids }}`."""

from django import template

from fugong.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def id_for(value: str, full: bool) -> str:
    return value if full else mask_id_number(value)


@register.filter
def phone_for(value: str, full: bool) -> str:
    return value if full else mask_phone(value)
