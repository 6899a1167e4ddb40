"""Fixed reference data about the parties: Guangdong's 21 prefecture-level cities, carriers, provider kinds."""

from __future__ import annotations

from enum import StrEnum

from ledger.errors import UnknownCityError

# GB/T 2260 codes of the 21 prefecture-level cities of Guangdong.
CITIES: dict[str, tuple[str, str]] = {
    "440100": ("广州", "Guangzhou"),
    "440200": ("韶关", "Shaoguan"),
    "440300": ("深圳", "Shenzhen"),
    "440400": ("珠海", "Zhuhai"),
    "440500": ("汕头", "Shantou"),
    "440600": ("佛山", "Foshan"),
    "440700": ("江门", "Jiangmen"),
    "440800": ("湛江", "Zhanjiang"),
    "440900": ("茂名", "Maoming"),
    "441200": ("肇庆", "Zhaoqing"),
    "441300": ("惠州", "Huizhou"),
    "441400": ("梅州", "Meizhou"),
    "441500": ("汕尾", "Shanwei"),
    "441600": ("河源", "Heyuan"),
    "441700": ("阳江", "Yangjiang"),
    "441800": ("清远", "Qingyuan"),
    "441900": ("东莞", "Dongguan"),
    "442000": ("中山", "Zhongshan"),
    "445100": ("潮州", "Chaozhou"),
    "445200": ("揭阳", "Jieyang"),
    "445300": ("云浮", "Yunfu"),
}

# Shenzhen is a separately planned city (计划单列市) with its own budget: its enterprises may be registered
# but never receive a provincial voucher, and it holds no provincial quota.
SHENZHEN = "440300"
VOUCHER_CITIES = tuple(code for code in CITIES if code != SHENZHEN)


def check_city(code: object) -> str:
    if not isinstance(code, str) or code not in CITIES:
        raise UnknownCityError(f"{code!r} is not one of Guangdong's 21 prefecture-level city codes (GB/T 2260)")
    return code


def city_name(code: str | None, lang: str = "zh") -> str:
    """A city's name as an official document writes it: 广州市 (each of the 21 is a prefecture-level city, 地级市),
    or Guangzhou in English; empty for a code that is not one of them."""
    if code not in CITIES:
        return ""
    zh, en = CITIES[code]
    return f"{zh}市" if lang == "zh" else en


class Carrier(StrEnum):
    CHINA_TELECOM = "CHINA_TELECOM"  # 中国电信广东分公司
    CHINA_MOBILE = "CHINA_MOBILE"  # 中国移动广东公司
    CHINA_UNICOM = "CHINA_UNICOM"  # 中国联通广东省分公司


class ProviderKind(StrEnum):
    """Kinds in the supply resource pool (供给资源池); the yearly quota is configured per provider, not per kind."""

    NATIONAL_PLATFORM = "NATIONAL_PLATFORM"  # national cross-industry, cross-field platform
    CARRIER = "CARRIER"
    PLATFORM = "PLATFORM"  # 平台商
    SERVICE = "SERVICE"  # 服务商


def parse_enum(enum: type[StrEnum], value: object, what: str) -> StrEnum:
    from ledger.errors import InvalidInputError

    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInputError(f"{what} must be one of {allowed}, got {value!r}") from None

