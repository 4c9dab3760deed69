from hypothesis import given
from hypothesis import strategies as st

from fugong.core.masking import mask_id_number, mask_name, mask_phone


def test_id_numbers_keep_the_region_and_the_last_four():
    assert mask_id_number("410103199001011234") == "410103********1234"


def test_mobiles_keep_the_first_three_and_last_four():
    assert mask_phone("13856785678") == "138****5678"


def test_landlines_keep_the_area_code_and_last_four():
    assert mask_phone("0371-68881234") == "0371-****1234"


def test_names_keep_the_surname():
    assert mask_name("张三丰") == "张**"


def test_empty_values_stay_empty():
    assert mask_phone("") == "" and mask_id_number("") == "" and mask_name("") == ""


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_a_masked_mobile_never_shows_its_middle(number):
    masked = mask_phone(number)
    assert masked[3:7] == "****" and len(masked) == 11
