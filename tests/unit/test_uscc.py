"""USCC (统一社会信用代码) validation, GB 32100-2015: the check character is what makes a typo detectable."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import InvalidUSCCError
from ledger.uscc import ALPHABET, make_uscc, validate_uscc

# Codes of real companies, as printed on their business licences (public register) — an independent check of the
# algorithm, not figures produced by this code.
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司, Shenzhen
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴(中国)有限公司
    "91350100M000100Y43",  # the standard's worked example
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_licence_codes_are_accepted(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", REAL_CODES)
def test_changing_any_single_character_is_detected(code):
    for position in range(18):
        for replacement in ALPHABET:
            if replacement == code[position]:
                continue
            corrupted = code[:position] + replacement + code[position + 1 :]
            with pytest.raises(InvalidUSCCError):
                validate_uscc(corrupted)


def test_check_character_by_hand():
    # Weights 3^i mod 31 over the first 17 characters; check = 31 - (Σ value × weight mod 31), 31 → 0.
    body = "91350100M000100Y4"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, weights))
    assert ALPHABET[(31 - total % 31) % 31] == "3"
    assert make_uscc(body) == "91350100M000100Y43"


@pytest.mark.parametrize(
    "bad",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43", "91350100M000100O43", None, 913501],
)
def test_malformed_codes_are_refused_with_a_clear_code(bad):
    with pytest.raises(InvalidUSCCError) as excinfo:
        validate_uscc(bad)
    assert excinfo.value.code == "INVALID_USCC"


def test_lower_case_and_padding_are_normalised():
    assert validate_uscc("  91350100m000100y43 ") == "91350100M000100Y43"


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_every_completed_body_validates_and_every_other_check_character_fails(body):
    code = make_uscc(body)
    assert validate_uscc(code) == code
    for other in ALPHABET.replace(code[-1], ""):
        with pytest.raises(InvalidUSCCError):
            validate_uscc(body + other)


@pytest.mark.parametrize("code", ["９１４４０３００１９２２０３８２１６", "914403001922038216\u200b", "9144030071526726ＸＧ"])
def test_a_code_typed_in_full_width_forms_or_with_an_invisible_character_is_refused_never_another_party(code):
    # Parties are keyed by the validated code (ids.enterprise_id, ids.provider_id): a code that is not plain GB 32100
    # characters is refused rather than derived into a second id for the same company.
    with pytest.raises(InvalidUSCCError):
        validate_uscc(code)
