"""The nearest name to a misspelt one, for "did you mean ...?" (difflib, nothing of ours).

Used wherever a name a person typed is not one mockswitch knows: a function called or named
in a fault rule, a flag or command, a setting in a TOML file.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

# difflib's similarity ratio a candidate needs to be offered (its default: 0.6).
CLOSE_ENOUGH = 0.6


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `word`, if any is close enough; a difference of case alone
    always is."""
    names = tuple(dict.fromkeys(name for name in candidates if name != word))
    folded = word.casefold()
    same_but_case = [name for name in names if name.casefold() == folded]
    if same_but_case:
        return same_but_case[0]
    # No name can be close to a word this much longer (difflib's ratio is at most
    # 2 * shorter / (both lengths)), and reading a long word costs difflib time per character:
    # a client's 2 MB "function name" must not hold the event loop, nor the cache below.
    if not names or len(word) > len(max(names, key=len)) * (2 / CLOSE_ENOUGH - 1) + 1:
        return None
    return _closest(word, names)


# difflib takes about 80 us a candidate for names as long as a function's, and a client sent
# to a wrong name sends it again and again: its answer is kept (the last few hundred words).
@functools.lru_cache(maxsize=256)
def _closest(word: str, names: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(word, names, n=1, cutoff=CLOSE_ENOUGH)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "`") -> str:
    """` (did you mean `x`?)`, or "" when nothing is near: to append to a sentence."""
    found = nearest(word, candidates)
    return f" (did you mean {quote}{found}{quote}?)" if found is not None else ""
