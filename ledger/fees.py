"""Fee categories of 一(二): what a service voucher may and may never pay for."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from ledger.errors import CategoryNotCoveredError, InvalidInputError


class FeeCategory(StrEnum):
    APPLICATION_SERVICE = "APPLICATION_SERVICE"  # 应用服务费
    DEVICE_ACCESS = "DEVICE_ACCESS"  # 设备接入费
    NETWORK_RENOVATION = "NETWORK_RENOVATION"  # 网络改造费
    # Never covered (the policy names them so that claims for them can be recognised and refused):
    AUTOMATION_EQUIPMENT = "AUTOMATION_EQUIPMENT"  # 自动化和智能化设备
    NON_CLOUD_SOFTWARE = "NON_CLOUD_SOFTWARE"


# The policy names these so that claims for them can be recognised and refused, whatever a year covers.
NEVER_COVERED = frozenset({FeeCategory.AUTOMATION_EQUIPMENT, FeeCategory.NON_CLOUD_SOFTWARE})


def parse_category(value: object) -> FeeCategory:
    try:
        return FeeCategory(value)
    except ValueError:
        raise InvalidInputError(
            f"fee category must be one of {', '.join(c.value for c in FeeCategory)}, got {value!r}"
        ) from None


def require_covered(value: object, covered: Collection[FeeCategory] | None = None) -> FeeCategory:
    """A category vouchers may pay for: never one the policy excludes, and, given a year's ``covered`` categories,
    one of them."""
    category = parse_category(value)
    if category in NEVER_COVERED:
        raise CategoryNotCoveredError(
            f"{category.value} is not covered by service vouchers: automation/intelligent equipment and non-cloud "
            "software never are (一(二))"
        )
    if covered is not None and category not in covered:
        raise CategoryNotCoveredError(
            f"{category.value} is not covered this programme year: {', '.join(sorted(c.value for c in covered))} are"
        )
    return category
