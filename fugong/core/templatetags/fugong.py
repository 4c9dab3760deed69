from django import template

from fugong.core import masking

register = template.Library()


@register.filter
def mask_phone(value):
    return masking.mask_phone(value) if value and value != "—" else value


@register.filter
def mask_id_number(value):
    return masking.mask_id_number(value) if value else value
