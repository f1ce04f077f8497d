"""Read a Vietnamese page as a person would: is any English prose left in it?

English prose shows itself by its function words ("the", "of", "is", ...), which no Vietnamese
sentence uses; words Vietnamese uses too are left out: "in" (to print), "to" (big, as in
"phóng to", zoom in), "an" (in names such as An Sương). What may stay English is
allowed by name, narrowly: proper names and product names in :data:`ALLOWED`, and text that
the page itself marks as quoted in English (``lang="en"``) in the places that say so.
"""

from __future__ import annotations

import html
import json
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


#: A snake_case identifier in quotes (``'trunk_truck'``): a key of the scenario or the code,
#: which a reader should see in words of their language instead.
_QUOTED_KEY = re.compile(
    r"[\"'\u2018\u2019\u201c\u201d\u00ab\u00bb]([a-z][a-z0-9]*(?:_[a-z0-9]+)+)"
    r"[\"'\u2018\u2019\u201c\u201d\u00ab\u00bb]"
)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def quoted_keys(text: str) -> list[str]:
    """Return the quoted snake_case identifiers in ``text``, each with the words around it."""
    return [
        " ".join(text[max(0, m.start() - 60) : m.end() + 20].split())
        for m in _QUOTED_KEY.finditer(text)
    ]


def map_texts(page: str) -> str:
    """Return the texts a web map shows from its data: popups, tooltips, legend, layer names.

    They travel as JSON strings in the page's own script lines (``var geosite_data_...``,
    ``geosite.featureLayer(...)``, ``geosite.legend(...)``); the embedded libraries are left
    out, and so are the strings that are only keys (no space in them).
    """
    texts = []
    for line in page.splitlines():
        if "geosite" not in line or len(line) > 5_000_000:
            continue
        for literal in _JSON_STRING.findall(line):
            try:
                text = json.loads(literal)
            except ValueError:
                continue
            if " " in text:
                texts.append(html.unescape(text))
    return "\n".join(texts)
