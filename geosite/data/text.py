"""Vietnamese text as planners receive it: legacy encodings, NFC, names without diacritics.

Older shapefiles from cadastral and planning offices store their attribute tables in
pre-Unicode Vietnamese encodings, read by GIS software as Latin-1 gibberish:

=============  ==========================  ==========================================
encoding       "Đồng Nai" reads as          how it stores a letter
=============  ==========================  ==========================================
TCVN3 (ABC)    ``§ång Nai``                one byte per letter (TCVN 5712:1993, VN3)
VNI-Windows    ``Ñoàng Nai``               base letter + one byte per diacritic
=============  ==========================  ==========================================

:func:`legacy_to_unicode` converts one string; :func:`convert_columns` converts the text
columns of a table, either with a declared encoding or by detecting it per column, and
returns a report of what was converted. Every string is normalised to NFC so composed and
decomposed diacritics compare equal.

Sources of the tables
---------------------
TCVN3: the TCVN 5712:1993 code table as implemented by the GNU C library's ``TCVN5712-1``
charmap (``iconv -f TCVN5712-1``); the ABC fonts (TCVN3, "VN3") use its lower-case letters
and the seven upper-case base letters ``Ă Â Ê Ô Ơ Ư Đ`` at the same byte values. The
upper-case toned letters of the full table (bytes 0x80-0x9F and a few in 0xA0-0xFF, unused
by ABC) are decoded too; the C0 control positions are not. ABC's upper-case "H" fonts show
lower-case codes as capitals, so all-capital names typed with them come out in lower case.
VNI-Windows: the composition rule of the VNI fonts (a Latin base letter followed by a
diacritic byte; ``ñ``/``Ñ`` for ``đ``/``Đ``, ``ô``/``ö`` for ``ơ``/``ư``, single bytes for
toned ``i`` and ``ỵ``), cross-checked against the public xvnkb keyboard driver's ``vni.h``
table and the published example of the ``vietnamese-conversion`` package ("Xin chaøo caùc
baïn" is "Xin chào các bạn").

Examples
--------
>>> legacy_to_unicode("§ång Nai", "tcvn3"), legacy_to_unicode("Ñoàng Nai", "vni")
('Đồng Nai', 'Đồng Nai')
>>> fold("Bà Rịa - Vũng Tàu")
'ba ria vung tau'
>>> match_name("long thanh", ["Long Thành", "Nhơn Trạch"])
'Long Thành'
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal, get_args

import pandas as pd

from geosite.errors import DataNotFoundError, ParameterError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "Conversion",
    "Detected",
    "LegacyEncoding",
    "TextEncoding",
    "convert_columns",
    "detect_encoding",
    "fold",
    "legacy_to_unicode",
    "looks_legacy",
    "match_name",
    "name_key",
    "nfc",
    "parse_encoding",
]

logger = logging.getLogger(__name__)

#: Pre-Unicode Vietnamese encodings geosite converts.
LegacyEncoding = Literal["tcvn3", "vni", "cp1258"]

#: What a layer's ``encoding`` may say: a legacy encoding, ``"unicode"`` (convert nothing,
#: only normalise to NFC) or ``"auto"`` (detect per column and report).
TextEncoding = Literal["auto", "unicode", "tcvn3", "vni", "cp1258"]

_ALIASES: Final[dict[str, TextEncoding]] = {
    "auto": "auto",
    "detect": "auto",
    "unicode": "unicode",
    "utf8": "unicode",
    "utf-8": "unicode",
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "abc": "tcvn3",
    "tcvn5712": "tcvn3",
    "tcvn-5712": "tcvn3",
    "vn3": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
    "vniwindows": "vni",
    "cp1258": "cp1258",
    "cp-1258": "cp1258",
    "windows-1258": "cp1258",
    "windows1258": "cp1258",
}

# TCVN 5712:1993 bytes 0x80-0xFF (GNU libc TCVN5712-1 charmap), 16 per row.
_TCVN3_HIGH: Final = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"
    "éẹềểễếệìỉỄẾỒĩíịò"
    "Ổỏõóọồổỗốộờởỡớợù"
    "ỖủũúụừửữứựỳỷỹýỵỐ"
)
_TCVN3_TABLE: Final[dict[int, str]] = {0x80 + i: c for i, c in enumerate(_TCVN3_HIGH)}

# Combining marks: tones in VNI's order (acute, grave, hook, tilde, dot below), then the
# modifiers circumflex, breve and horn.
_TONES: Final = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"

# VNI-Windows diacritic bytes as Latin-1 characters, lower-case forms (upper-case
# letters use the upper-case forms): plain tones, circumflex + tone, breve + tone.
_VNI_TONE: Final = "ùøûõï"
_VNI_CIRCUMFLEX: Final = "â"
_VNI_CIRCUMFLEX_TONE: Final = "áàåãä"
_VNI_BREVE: Final = "ê"
_VNI_BREVE_TONE: Final = "éèúüë"
_VNI_I: Final = "íìæóò"  # i with the five tones, one byte each


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


def _vni_sequences() -> dict[str, str]:
    """Return every VNI-Windows sequence (1-2 characters) with its Unicode letter."""
    lower: dict[str, str] = {"ñ": "đ", "ô": "ơ", "ö": "ư", "î": _compose("y", "\u0323")}
    lower.update({b: _compose("i", t) for b, t in zip(_VNI_I, _TONES, strict=True)})
    bases = {"a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "ô": "ơ", "ö": "ư"}
    for seq, letter in bases.items():
        lower.update({seq + b: _compose(letter, t) for b, t in zip(_VNI_TONE, _TONES, strict=True)})
    for seq in "aeo":
        lower[seq + _VNI_CIRCUMFLEX] = _compose(seq, _CIRCUMFLEX)
        pairs = zip(_VNI_CIRCUMFLEX_TONE, _TONES, strict=True)
        lower.update({seq + b: _compose(seq, _CIRCUMFLEX, t) for b, t in pairs})
    lower["a" + _VNI_BREVE] = _compose("a", _BREVE)
    pairs = zip(_VNI_BREVE_TONE, _TONES, strict=True)
    lower.update({"a" + b: _compose("a", _BREVE, t) for b, t in pairs})
    table = dict(lower)
    for seq, letter in lower.items():
        table[seq.upper()] = letter.upper()
        if len(seq) == 2:  # mixed-case sequences come from mixing fonts; the base sets the case
            table[seq[0] + seq[1].upper()] = letter
            table[seq[0].upper() + seq[1]] = letter.upper()
    return table


_VNI_TABLE: Final[dict[str, str]] = _vni_sequences()
_VNI_PATTERN: Final = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_TABLE, key=len, reverse=True))
)


def _vietnamese_letters() -> frozenset[str]:
    vowels = "aăâeêioôơuưy"
    letters = {"đ", "Đ"}
    for vowel in vowels:
        for mark in ("", *_TONES):
            letter = _compose(vowel, mark)
            letters.update((letter, letter.upper()))
    return frozenset(letters)


_VIETNAMESE: Final = _vietnamese_letters()

#: Characters Windows-1252 puts at bytes 0x80-0x9F: legacy bytes read as Windows-1252.
_CP1252_EXTRAS: Final = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C (composed diacritics).

    Examples
    --------
    >>> decomposed = "Thu\u0309 \u0110u\u031b\u0301c"
    >>> decomposed == "Thủ Đức", nfc(decomposed) == "Thủ Đức"
    (False, True)
    """
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Return ``text`` without diacritics, case or punctuation, for matching names.

    ``đ`` folds to ``d``; dashes, dots and repeated spaces fold to one space.

    Examples
    --------
    >>> fold("  TP. Hồ Chí Minh "), fold("Đồng Nai")
    ('tp ho chi minh', 'dong nai')
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.split(r"[^0-9a-z]+", stripped.casefold())
    return " ".join(w for w in words if w)


def parse_encoding(value: str, *, what: str = "encoding") -> TextEncoding:
    """Return the canonical name of a text encoding a scenario may declare.

    Parameters
    ----------
    value
        ``"auto"``, ``"unicode"``/``"utf-8"``, ``"tcvn3"`` (also ``"abc"``, ``"tcvn"``) or
        ``"vni"`` (also ``"vni-windows"``); case is ignored.
    what
        Name of the argument or scenario key, used in the error message.

    Raises
    ------
    ParameterError
        If the encoding is not one of these.

    Examples
    --------
    >>> parse_encoding("ABC"), parse_encoding("VNI-Windows")
    ('tcvn3', 'vni')
    """
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    found = _ALIASES.get(key)
    if found is None:
        msg = (
            f"{what}: {value!r} is not a text encoding geosite converts; use 'tcvn3' "
            "(TCVN3/ABC fonts such as .VnTime), 'vni' (VNI-Windows fonts such as VNI-Times), "
            "'cp1258' (Windows-1258), 'unicode', or 'auto' to detect it per column"
        )
        raise ParameterError(msg)
    return found


def _as_bytes(text: str) -> bytes | None:
    """Return the bytes a legacy string was read from (as Latin-1 or Windows-1252)."""
    for codec in ("latin-1", "cp1252"):
        try:
            return text.encode(codec)
        except UnicodeEncodeError:
            continue
    return None


def legacy_to_unicode(text: str, encoding: LegacyEncoding) -> str:
    """Convert a string stored in a legacy Vietnamese encoding to Unicode (NFC).

    Parameters
    ----------
    text
        The string as a GIS reader returns it: each byte of the legacy encoding shown as a
        Latin-1 (or Windows-1252) character, e.g. ``"§ång Nai"``.
    encoding
        ``"tcvn3"`` or ``"vni"``.

    Returns
    -------
    str
        The Unicode text; a string with characters outside Latin-1 and Windows-1252 was not
        read from a legacy encoding and is only normalised.

    Examples
    --------
    >>> legacy_to_unicode("Long Thµnh", "tcvn3")
    'Long Thành'
    >>> legacy_to_unicode("Xin chaøo caùc baïn", "vni")
    'Xin chào các bạn'
    """
    if encoding not in get_args(LegacyEncoding):
        msg = f"encoding must be 'tcvn3', 'vni' or 'cp1258', not {encoding!r}"
        raise ParameterError(msg)
    data = _as_bytes(text)
    if data is None:
        return nfc(text)
    latin = data.decode("latin-1")
    if encoding == "cp1258":
        # Windows-1258 stores tones as combining marks after the vowel; NFC composes them.
        return nfc(data.decode("cp1258", errors="replace"))
    if encoding == "tcvn3":
        return nfc("".join(_TCVN3_TABLE.get(b, chr(b)) for b in data))
    return nfc(_VNI_PATTERN.sub(lambda m: _VNI_TABLE[m.group(0)], latin))


# Vowel groups of Vietnamese syllables (tone marks removed), after the onset: those that may
# be followed by a final consonant, and those that end the syllable.
_CLOSED_NUCLEI: Final = [
    "a",
    "ă",
    "â",
    "e",
    "ê",
    "i",
    "o",
    "ô",
    "ơ",
    "u",
    "ư",
    "y",
    "iê",
    "yê",
    "oa",
    "oă",
    "oe",
    "oo",
    "uâ",
    "uê",
    "uô",
    "ươ",
    "uy",
    "uyê",
]
_OPEN_NUCLEI: Final = [
    "ai",
    "ao",
    "au",
    "ay",
    "âu",
    "ây",
    "eo",
    "êu",
    "ia",
    "iu",
    "oi",
    "ôi",
    "ơi",
    "ua",
    "ui",
    "ưa",
    "ưi",
    "ưu",
    "iêu",
    "yêu",
    "oai",
    "oay",
    "oao",
    "oeo",
    "uây",
    "uôi",
    "ươi",
    "ươu",
    "uya",
    "uyu",
    "uơ",
]
_SYLLABLE: Final = re.compile(
    "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    "(?:(?:" + "|".join(sorted(_CLOSED_NUCLEI, key=len, reverse=True)) + ")"
    "(?:ng|nh|ch|[ckmnpt])?"
    "|(?:" + "|".join(sorted(_OPEN_NUCLEI, key=len, reverse=True)) + "))"
)


def _toneless(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def _implausible(text: str) -> int:
    """Count what does not look like Vietnamese in ``text``.

    Characters from the Latin-1 upper half (and C1 controls, Windows-1252 extras and
    combining marks) that are not Vietnamese letters, and words that are not Vietnamese
    syllables (more than one tone, or letters in an impossible order).
    """
    bad = 0
    for char in text:
        code = ord(char)
        if char in _VIETNAMESE or code < 0x80:
            continue
        if code <= 0xFF or unicodedata.combining(char) or char in _CP1252_EXTRAS:
            bad += 1
    for word in re.findall(r"[^\W\d_]+", text):
        tones = sum(1 for c in unicodedata.normalize("NFD", word) if c in _TONES)
        bad += tones > 1 or _SYLLABLE.fullmatch(_toneless(word)) is None
    return bad


#: What :func:`detect_encoding` may find: ``"utf8"`` is Unicode text whose UTF-8 bytes were
#: read as Latin-1 (``"Ä\x90á»\x93ng Nai"`` for "Đồng Nai").
Detected = Literal["unicode", "tcvn3", "vni", "cp1258", "utf8"]


def _misread_utf8(text: str) -> str | None:
    """Return ``text`` decoded as UTF-8 if its characters are UTF-8 bytes, else ``None``."""
    data = _as_bytes(text)
    if data is None:
        return None
    try:
        return nfc(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _convert(text: str, encoding: Detected) -> str:
    if encoding == "unicode":
        return nfc(text)
    if encoding == "utf8":
        return _misread_utf8(text) or nfc(text)
    return legacy_to_unicode(text, encoding)


def detect_encoding(values: Iterable[str]) -> Detected:
    r"""Return the encoding the strings ``values`` were most likely stored in.

    Text whose characters are all valid UTF-8 bytes was UTF-8 read as Latin-1 (a file read
    byte for byte); otherwise a column is converted from TCVN3 or VNI only when its text does
    not read as Vietnamese as it is and reads better after conversion; ties keep the text.

    Examples
    --------
    >>> detect_encoding(["§ång Nai", "Long Thµnh"]), detect_encoding(["Ñoàng Nai"])
    ('tcvn3', 'vni')
    >>> detect_encoding(["Tân Phú", "Đồng Nai"]), detect_encoding(["Ä\x90á»\x93ng Nai"])
    ('unicode', 'utf8')
    """
    texts = [v for v in values if isinstance(v, str) and v]
    wide = [v for v in texts if any(ord(c) >= 0x80 for c in v)]
    if not wide:
        return "unicode"  # plain ASCII reads the same in every encoding
    if all(_misread_utf8(v) is not None for v in wide):
        return "utf8"
    as_is = sum(_implausible(v) for v in texts)
    if as_is == 0:
        return "unicode"
    best: Detected = "unicode"
    best_score = as_is
    for encoding in get_args(LegacyEncoding):
        score = sum(_implausible(legacy_to_unicode(v, encoding)) for v in texts)
        if score < best_score:
            best, best_score = encoding, score
    return best


#: Distinct values of a column looked at to detect its encoding.
_DETECT_SAMPLE: Final = 5000
DETECT_SAMPLE: Final = _DETECT_SAMPLE

#: Symbols of the Latin-1 upper half that Unicode text uses as themselves (10°N, ©, the
#: multiplication sign), not evidence of legacy bytes.
_PLAIN_SYMBOLS: Final = frozenset("\u00a0°±\u00d7©®«»½¼¾")


def looks_legacy(values: Iterable[object]) -> bool:
    """Return whether text may be legacy bytes read as Latin-1, with evidence.

    Evidence is a character of the Latin-1 upper half (or a C1 control) that is not a
    Vietnamese letter nor a plain symbol, as ``§`` in TCVN3's ``§ång Nai`` or ``Ñ`` in VNI's
    ``Ñoàng Nai``. Text holding a letter legacy bytes can never give (``ư``, ``đ``, ``ạ``...)
    is Unicode already. Used before detecting the encoding of a layer that declares none,
    so Unicode text with an en dash or an accented word is left alone.

    Examples
    --------
    >>> looks_legacy(["§ång Nai"]), looks_legacy(["Long Thành \u2013 50 ha"])
    (True, False)
    >>> looks_legacy(["Ñoàng Nai", "Đồng Nai"])
    False
    """
    evidence = False
    for value in values:
        if not isinstance(value, str):
            continue
        for char in value:
            code = ord(char)
            if code < 0x80 or char in _PLAIN_SYMBOLS:
                continue
            if code > 0xFF and char not in _CP1252_EXTRAS:
                return False  # a letter or sign only Unicode text holds
            if code <= 0xFF and char not in _VIETNAMESE:
                evidence = True
    return evidence


@dataclass(frozen=True, slots=True)
class Conversion:
    """What :func:`convert_columns` did to one column.

    Parameters
    ----------
    column
        The column converted.
    encoding
        The encoding it was converted from (``"utf8"``: UTF-8 read as Latin-1).
    detected
        Whether the encoding was detected (``encoding: auto``) rather than declared.
    changed
        How many values changed.
    examples
        Up to three ``(before, after)`` pairs.
    """

    column: str
    encoding: Detected
    detected: bool
    changed: int
    examples: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        how = "detected" if self.detected else "declared"
        shown = ", ".join(f"{a!r} -> {b!r}" for a, b in self.examples)
        return (
            f"column {self.column!r}: {self.changed} value(s) converted from {self.encoding} "
            f"({how}), e.g. {shown}"
        )


def convert_columns(
    frame: pd.DataFrame,
    *,
    encoding: TextEncoding = "auto",
    columns: Sequence[str] | None = None,
    layer: str = "layer",
) -> tuple[pd.DataFrame, list[Conversion]]:
    """Convert the text columns of ``frame`` to Unicode NFC; report what changed.

    Parameters
    ----------
    frame
        A table or GeoDataFrame; it is not modified.
    encoding
        ``"tcvn3"`` or ``"vni"`` to convert every text column from that encoding,
        ``"unicode"`` to only normalise to NFC, ``"auto"`` to detect each column's encoding.
    columns
        The columns to convert; every column of strings if omitted.
    layer
        The layer's name, for the log.

    Returns
    -------
    (pandas.DataFrame, list of Conversion)
        A converted copy, and one entry per column whose values changed other than by NFC.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["§ång Nai", "Long Thµnh"], "code": [1, 2]})
    >>> out, report = convert_columns(df)
    >>> out["name"].tolist(), report[0].encoding
    (['Đồng Nai', 'Long Thành'], 'tcvn3')
    """
    encoding = parse_encoding(encoding)
    out = frame.copy()
    if columns is None:
        columns = [
            str(c)
            for c in frame.columns
            if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)
        ]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = f"layer {layer!r} has no column(s) {missing} to convert; its columns are " + str(
            [str(c) for c in frame.columns]
        )
        raise ParameterError(msg)
    report: list[Conversion] = []
    for column in columns:
        values = frame[column]
        # Distinct values only: a million parcels have a few thousand distinct names.
        distinct = list(dict.fromkeys(v for v in values.tolist() if isinstance(v, str)))
        if not distinct:
            continue
        sample = distinct[:_DETECT_SAMPLE]
        chosen = detect_encoding(sample) if encoding == "auto" else encoding
        table = {v: _convert(v, chosen) for v in distinct}
        out[column] = values.map(lambda v, t=table: t[v] if isinstance(v, str) else v)
        if chosen == "unicode":
            continue
        changed = [(a, b) for a, b in table.items() if nfc(a) != b]
        if changed:
            count = int(values.isin([a for a, _ in changed]).sum())
            entry = Conversion(column, chosen, encoding == "auto", count, tuple(changed[:3]))
            logger.info("layer %r: %s", layer, entry)
            report.append(entry)
    return out, report


_ADMIN_PREFIXES: Final = (
    "thanh pho",
    "tinh",
    "tp",
    "quan",
    "huyen",
    "thi xa",
    "thi tran",
    "phuong",
    "xa",
    "dac khu",
)


def _without_prefix(folded: str) -> str:
    for prefix in _ADMIN_PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return folded


def _strip_unit_prefix(name: str) -> str:
    """Return ``name`` (NFC, diacritics kept) without a leading administrative prefix."""
    words = nfc(name).split()
    folded = fold(name)
    bare = _without_prefix(folded)
    if bare == folded:
        return " ".join(words)
    drop = len(folded.split()) - len(bare.split())
    return " ".join(words[drop:]) if drop < len(words) else " ".join(words)


def name_key(name: str, *, ignore_unit_prefix: bool = False) -> str:
    """Return the key two names share when they match without diacritics.

    Examples
    --------
    >>> name_key("Tỉnh Đồng Nai", ignore_unit_prefix=True), name_key("TP. Thủ Đức")
    ('dong nai', 'tp thu duc')
    """
    folded = fold(name)
    return _without_prefix(folded) if ignore_unit_prefix else folded


def match_name(
    query: str,
    choices: Iterable[str],
    *,
    what: str = "name",
    ignore_unit_prefix: bool = False,
) -> str:
    """Return the one choice that ``query`` names, with or without diacritics.

    An exact match (after NFC and ignoring case) wins; otherwise names are compared without
    diacritics, case and punctuation ("Long Thanh" finds "Long Thành"). A query that matches
    two names this way is refused rather than guessed.

    Parameters
    ----------
    query
        The name as the user wrote it.
    choices
        The names that exist.
    what
        What is named ("province", "candidate"), for messages.
    ignore_unit_prefix
        Also ignore administrative prefixes such as "Tỉnh", "Thành phố", "Huyện", "Xã"
        ("Đồng Nai" finds "Tỉnh Đồng Nai").

    Raises
    ------
    ParameterError
        If the query matches several names without diacritics; the message lists them.
    DataNotFoundError
        If nothing matches; the message suggests close names.

    Examples
    --------
    >>> match_name("Dong Nai", ["Tỉnh Đồng Nai", "Tỉnh Bình Phước"], ignore_unit_prefix=True)
    'Tỉnh Đồng Nai'
    """
    names = list(dict.fromkeys(choices))
    wanted = nfc(query).strip().casefold()
    exact = [n for n in names if nfc(n).strip().casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    if not exact and ignore_unit_prefix:
        # With its diacritics but without "Phường", "Xã"...: "Sa Pa" is not "Sa Pả".
        bare = _strip_unit_prefix(query).casefold()
        exact = [n for n in names if _strip_unit_prefix(n).casefold() == bare]
        if len(exact) == 1:
            return exact[0]

    def key(name: str) -> str:
        return name_key(name, ignore_unit_prefix=ignore_unit_prefix)

    target = key(query)
    found = exact or [n for n in names if key(n) == target]
    if len(found) == 1:
        return found[0]
    if found:
        listed = " and ".join(repr(n) for n in found)
        msg = (
            f"{what} {query!r} is ambiguous: it matches {listed} when diacritics are ignored; "
            "write the name exactly as listed, with its diacritics"
        )
        raise ParameterError(msg)
    folded_names = {key(n): n for n in names}
    hints = [folded_names[h] for h in difflib.get_close_matches(target, folded_names, n=3)]
    msg = f"no {what} named {query!r}"
    msg += f"; did you mean {' or '.join(repr(h) for h in hints)}?" if hints else ""
    if len(names) <= 12:
        msg += f" ({what}s: {', '.join(repr(n) for n in names)})"
    raise DataNotFoundError(msg)
