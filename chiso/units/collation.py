"""Vietnamese alphabetical order for names of units and people.

Sorting by code points puts "Phường Đông Sơn" after "Phường Tân Dân" and "Hà" after
"Hoằng": Vietnamese dictionaries order the letters a ă â b c d đ e ê g h i k l m n
o ô ơ p q r s t u ư v x y, and compare tones only between otherwise equal words
(level, grave, hook, tilde, acute, dot below).
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Combining marks that make a letter of its own (ă, â, ê, ô, ơ, ư) and the tone marks.
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}


def _letters(text: str) -> tuple[list[tuple[int, str]], list[int]]:
    letters: list[tuple[int, str]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.casefold()):
        if char in TONES:
            if tones:
                tones[-1] = TONES[char]
            continue
        if char in LETTER_MARKS and letters:
            # Join the base letter and its mark again (a + breve = ă) and re-rank it.
            _, previous = letters[-1]
            joined = unicodedata.normalize("NFC", previous + char)
            letters[-1] = (_RANK.get(joined, 1000 + ord(joined[0])), joined)
            continue
        letters.append((_RANK.get(char, 1000 + ord(char)), char))
        tones.append(0)
    return letters, tones


def vietnamese_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A sort key: letters in Vietnamese order first, then tones, then the text itself."""
    letters, tones = _letters(text)
    return tuple(rank for rank, _ in letters), tuple(tones), text
