"""How personal numbers look wherever they are listed."""


def mask_id_number(value: str) -> str:
    """320321194501011234 -> 320321********1234"""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last four digits."""
    digits = str(value or "")
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_name(value: str) -> str:
    """王秀英 -> 王*英, 王英 -> 王*, 欧阳秀英 -> 欧**英: the first and the last character only."""
    name = (value or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
