from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from fugong.core.validators import (
    USCC_ALPHABET,
    complete_uscc,
    normalize_id_number,
    normalize_phone,
    normalize_uscc,
)

VALID_USCC = "91110000600037341L"


def message(exc_info) -> str:
    return "；".join(exc_info.value.messages)


class TestUscc:
    def test_it_accepts_a_valid_code(self):
        assert normalize_uscc(VALID_USCC) == VALID_USCC

    def test_it_normalises_lower_case_spaces_and_full_width_characters(self):
        assert normalize_uscc(" 9111 0000-6000 3734 1l ") == VALID_USCC
        assert normalize_uscc("９１１１００００６０００３７３４１Ｌ") == VALID_USCC

    def test_it_names_the_length_when_too_short(self):
        with pytest.raises(ValidationError) as exc:
            normalize_uscc("9111000060003734")
        assert "应为18位，实际为16位" in message(exc)

    def test_it_names_forbidden_letters(self):
        with pytest.raises(ValidationError) as exc:
            normalize_uscc("91110000600O37341L")
        assert "不允许的字符：O" in message(exc)

    def test_it_gives_the_expected_check_digit(self):
        with pytest.raises(ValidationError) as exc:
            normalize_uscc("91110000600037341X")
        assert "第18位应为L，实际为X" in message(exc)

    def test_it_refuses_an_empty_value(self):
        with pytest.raises(ValidationError):
            normalize_uscc("  ")

    @given(
        st.text(alphabet=USCC_ALPHABET[:10], min_size=8, max_size=8),
        st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
    )
    def test_any_code_with_its_check_digit_is_valid(self, head, organisation):
        code = complete_uscc(head + organisation)
        assert normalize_uscc(code.lower()) == code

    @given(
        st.text(alphabet=USCC_ALPHABET[:10], min_size=8, max_size=8),
        st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
        st.sampled_from(USCC_ALPHABET),
    )
    def test_any_other_check_digit_is_refused(self, head, organisation, wrong):
        code = complete_uscc(head + organisation)
        if wrong == code[-1]:
            return
        with pytest.raises(ValidationError):
            normalize_uscc(code[:-1] + wrong)


class TestIdNumber:
    def test_it_accepts_a_valid_number_and_lower_case_x(self):
        assert normalize_id_number("41010319900101090x") == "41010319900101090X"

    def test_it_refuses_a_wrong_check_digit(self):
        with pytest.raises(ValidationError) as exc:
            normalize_id_number("410103199001010021")
        assert "校验位错误" in message(exc)

    def test_it_refuses_an_impossible_birth_date(self):
        with pytest.raises(ValidationError) as exc:
            normalize_id_number("410103199013010026")
        assert "出生日期无效" in message(exc)

    def test_it_names_the_length(self):
        with pytest.raises(ValidationError) as exc:
            normalize_id_number("1101051949123100")
        assert "应为18位" in message(exc)

    @given(
        st.dates(min_value=date(1920, 1, 1), max_value=date(2019, 12, 31)),
        st.integers(min_value=0, max_value=999),
    )
    def test_a_number_built_with_its_check_digit_is_valid(self, born, sequence):
        body = f"410103{born:%Y%m%d}{sequence:03d}"
        number = body + ric.calc_check_digit(body)
        assert normalize_id_number(number) == number


class TestPhone:
    @pytest.mark.parametrize(
        "raw, expected",
        [
            ("13812345678", "13812345678"),
            ("+86 138-1234-5678", "13812345678"),
            ("０３７１－６８８８１２３４", "0371-68881234"),
            ("(0371)68881234", "0371-68881234"),
            ("68881234", "0371-68881234"),
            ("010-62751234", "010-62751234"),
            ("400-610-0000", "4006100000"),
        ],
    )
    def test_it_normalises(self, raw, expected):
        assert normalize_phone(raw) == expected

    @pytest.mark.parametrize("raw", ["12345", "1381234567", "23812345678", "abc"])
    def test_it_refuses_what_is_not_a_phone_number(self, raw):
        with pytest.raises(ValidationError):
            normalize_phone(raw)

    def test_mobile_only_refuses_a_landline(self):
        with pytest.raises(ValidationError) as exc:
            normalize_phone("0371-68881234", mobile_only=True)
        assert "11位手机号" in message(exc)
