"""Read a Vietnamese page as a person would: is any English prose left in it?

English prose shows itself by its function words ("the", "of", "is", ...), which no Vietnamese
sentence uses; words Vietnamese uses too are left out: "in" (to print), "to" (big, as in
"phóng to", zoom in), "an" (in names such as An Sương). What may stay English is
allowed by name, narrowly: proper names and product names in :data:`ALLOWED`, and text that
the page itself marks as quoted in English (``lang="en"``) in the places that say so.
"""

from __future__ import annotations

import re

#: English words that no Vietnamese text of geosite uses.
FUNCTION_WORDS = (
    "the",
    "of",
    "and",
    "is",
    "are",
    "with",
    "for",
    "from",
    "than",
    "by",
    "not",
    "at",
    "or",
    "be",
    "this",
    "that",
    "which",
    "its",
    "into",
    "each",
    "only",
    "if",
    "otherwise",
    "exact",
    "upper",
    "bound",
    "measurable",
    "excluded",
    "away",
    "beyond",
)
_WORDS = re.compile(r"\b(" + "|".join(FUNCTION_WORDS) + r")\b", re.IGNORECASE)

#: Names that are written the same in every language.
ALLOWED = ("OpenStreetMap", "Leaflet", "geosite")


def english_words(text: str) -> list[str]:
    """Return the English function words in ``text``, each with the words around it."""
    for name in ALLOWED:
        text = text.replace(name, " ")
    return [
        " ".join(text[max(0, m.start() - 40) : m.end() + 40].split()) for m in _WORDS.finditer(text)
    ]
