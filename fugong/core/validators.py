"""Chinese identifiers and phone numbers: normalise what people type, refuse what is wrong,
and say why in words a clerk understands."""

import re
import unicodedata
from datetime import date

import phonenumbers
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

_SEPARATORS = re.compile(r"[\s\-－—_·.]+")
_MOBILE_SHAPE = re.compile(r"1[3-9]\d{9}")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _fold(value: str) -> str:
    """Full-width to half-width (ＡＢ１２ → AB12), upper case, separators removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()


def normalize_uscc(value) -> str:
    """Return the 18-character 统一社会信用代码 or raise ValidationError with the reason."""
    number = _fold(value)
    if not number:
        raise ValidationError(_("统一社会信用代码不能为空"), code="required")
    if len(number) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为%(length)d位") % {"length": len(number)},
            code="uscc_length",
        )
    if not number[:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码前8位（登记机关、机构类别和区划代码）应为数字"), code="uscc_format"
        )
    bad = sorted({c for c in number[8:] if c not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）")
            % {"chars": "、".join(bad)},
            code="uscc_format",
        )
    expected = uscc.calc_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为%(expected)s，实际为%(actual)s")
            % {"expected": expected, "actual": number[17]},
            code="uscc_checksum",
        )
    return number


def complete_uscc(first_17: str) -> str:
    """Append the GB 32100 check digit to the first 17 characters of a USCC."""
    return first_17 + uscc.calc_check_digit(first_17)


def normalize_id_number(value) -> str:
    """Return the 18-digit 居民身份证号码 or raise ValidationError with the reason."""
    number = _fold(value)
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为18位，实际为%(length)d位") % {"length": len(number)}, code="id_length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号前17位应为数字，第18位为数字或X"), code="id_format")
    try:
        ric.get_birth_date(number)
    except StdnumError:
        raise ValidationError(_("身份证号中的出生日期无效"), code="id_birth_date") from None
    expected = ric.calc_check_digit(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误：第18位应为%(expected)s") % {"expected": expected},
            code="id_checksum",
        )
    return number


def normalize_phone(value, *, mobile_only: bool = False) -> str:
    """Return a mobile number as 11 digits or a landline as 0371-68888888.

    An 8-digit landline without area code is taken as Zhengzhou's (0371), where the district is.
    """
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    digits = re.sub(r"[^\d+]", "", raw)
    if not digits:
        raise ValidationError(_("电话号码不能为空"), code="required")
    if len(digits) in (7, 8) and not digits.startswith("0") and not mobile_only:
        digits = "0371" + digits
    try:
        parsed = (
            # The common case, an 11-digit mobile, needs no parsing (imports have many).
            phonenumbers.PhoneNumber(country_code=86, national_number=int(digits))
            if _MOBILE_SHAPE.fullmatch(digits)
            else phonenumbers.parse(digits, "CN")
        )
    except phonenumbers.NumberParseException:
        raise ValidationError(
            _("电话号码格式不正确：%(value)s") % {"value": raw}, code="phone"
        ) from None
    # number_type() checks validity too: UNKNOWN means no such number in China's numbering plan.
    kind = phonenumbers.number_type(parsed) if parsed.country_code == 86 else None
    if kind in (None, phonenumbers.PhoneNumberType.UNKNOWN):
        raise ValidationError(_("电话号码无效：%(value)s") % {"value": raw}, code="phone")
    national = str(parsed.national_number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return national
    if mobile_only:
        raise ValidationError(_("请填写11位手机号：%(value)s") % {"value": raw}, code="mobile")
    if kind != phonenumbers.PhoneNumberType.FIXED_LINE:
        return national  # service numbers such as 400-…: no area code to separate
    area_length = (
        2 if national[:2] in {"10", "20", "21", "22", "23", "24", "25", "27", "28", "29"} else 3
    )
    return f"0{national[:area_length]}-{national[area_length:]}"


# China lies within these; a point outside is a typo or swapped columns.
LONGITUDE_VALIDATORS = [
    MinValueValidator(73, gettext_lazy("经度应在73到136之间（中国境内）")),
    MaxValueValidator(136, gettext_lazy("经度应在73到136之间（中国境内）")),
]
LATITUDE_VALIDATORS = [
    MinValueValidator(3, gettext_lazy("纬度应在3到54之间（中国境内）")),
    MaxValueValidator(54, gettext_lazy("纬度应在3到54之间（中国境内）")),
]


def validate_not_in_future(value: date):
    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天"), code="future")


def validate_uscc(value):
    normalize_uscc(value)


def validate_id_number(value):
    normalize_id_number(value)


def validate_phone(value):
    if value:
        normalize_phone(value)


def validate_mobile(value):
    if value:
        normalize_phone(value, mobile_only=True)


class MinimumLengthPasswordValidator(MinimumLengthValidator):
    """Django's, with a message Django's Chinese catalogue lacks for this wording."""

    def get_error_message(self):
        return _("密码太短，至少需要%(min_length)d个字符") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}


class MixedCharactersPasswordValidator:
    """A password needs letters and digits: ten characters of one kind are too easy to guess."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("密码须同时包含字母和数字"), code="password_mixed")

    def get_help_text(self):
        return _("密码须同时包含字母和数字。")
