"""Pinyin search keys for Chinese names."""

import re

from pypinyin import Style, lazy_pinyin

_NOT_KEY = re.compile(r"[^a-z0-9]")


def pinyin_keys(name: str) -> tuple[str, str]:
    """康师傅（郑州）饮品有限公司 → ('kangshifuzhengzhouyinpinyouxiangongsi', 'ksfzzypyxgs')."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    full = _NOT_KEY.sub("", "".join(syllables).lower())
    initials = _NOT_KEY.sub("", "".join(s[0] for s in syllables if s).lower())
    return full[:400], initials[:100]
