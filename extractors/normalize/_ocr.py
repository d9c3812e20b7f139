"""OCR confusion tables shared by the normalizers (typewriter and dot-matrix scans read by tesseract)."""
from __future__ import annotations

# A letter (or mark) tesseract often reads where the page has a digit.
DIGIT_FOR: dict[str, str] = {
    "O": "0", "o": "0", "Q": "0", "D": "0", "@": "0",
    "l": "1", "I": "1", "i": "1", "|": "1", "!": "1", "L": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5", "$": "5",
    "G": "6", "b": "6",
    "T": "7",
    "B": "8",
    "g": "9",
}

# A digit tesseract often reads where the page has a letter.
LETTER_FOR: dict[str, str] = {
    "0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B",
}


def to_digits(s: str, allowed: str | None = None) -> str | None:
    """Map look-alike letters to digits; None if a character cannot be a digit.

    `allowed` limits which confusable characters may be mapped (all of DIGIT_FOR when None).
    """
    out = []
    for ch in s:
        if ch.isdigit():
            out.append(ch)
        elif ch in DIGIT_FOR and (allowed is None or ch in allowed):
            out.append(DIGIT_FOR[ch])
        else:
            return None
    return "".join(out)


def to_letters(s: str) -> str | None:
    """Map look-alike digits to upper-case letters; None if a character cannot be a letter."""
    out = []
    for ch in s.upper():
        if ch.isalpha():
            out.append(ch)
        elif ch in LETTER_FOR:
            out.append(LETTER_FOR[ch])
        else:
            return None
    return "".join(out)
