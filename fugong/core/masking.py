"""Masks for personal data shown to people who need not see it in full."""


def mask_id_number(value: str) -> str:
    """410103199001011234 → 410103********1234"""
    if not value:
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678; 0371-68881234 → 0371-****1234"""
    if not value:
        return value
    if "-" in value:
        area, local = value.split("-", 1)
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**"""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)
