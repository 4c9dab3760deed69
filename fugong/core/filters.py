import django_filters
from django import forms

# The largest id a database key holds; a larger number in a query string is a bad request,
# not an overflow deep in the database driver.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A record's id in a query string: a whole number from 1 to MAX_ID."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def record_id(value) -> int | None:
    """A record's id typed in an address or posted by a form, or None when it is not one: ASCII
    digits only ('²' passes str.isdigit but not int()), from 1 to MAX_ID."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def querystring_without_page(request) -> str:
    """The list's filters, for the pager's links to carry."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
