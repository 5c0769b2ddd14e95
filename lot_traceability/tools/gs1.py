"""GS1 element strings: parse what a scanner sends, build what a label prints.

Pure Python (no Odoo import) so it can be used and tested anywhere.

Supported Application Identifiers (AIs)::

    01    GTIN (14 digits, check digit verified)
    10    batch/lot number (variable, up to 20 characters)
    11    production date (YYMMDD)
    13    packaging date (YYMMDD)
    15    best before date (YYMMDD)
    17    expiration date (YYMMDD)
    21    serial number (variable, up to 20 characters)
    37    count of trade items (variable, up to 8 digits)
    310n  net weight in kg with n decimals (6 digits)

Input forms accepted by :func:`parse`:

* the raw (transmitted) form, with ``\\x1d`` (ASCII 29, GS) as FNC1 separator after
  variable-length values, optionally preceded by a symbology identifier (``]C1`` GS1-128,
  ``]d2`` GS1 DataMatrix, ``]Q3`` GS1 QR Code, ``]e0`` GS1 DataBar, ``]J1`` GS1 DotCode)
  or a leading FNC1; the literal text ``<GS>`` is accepted for the separator;
* the human-readable form with AIs in brackets: ``(01)09506000134352(17)271231(10)ABC``.

Dates ``YYMMDD``: a day ``00`` means the last day of the month; the century follows the
sliding window of the GS1 General Specifications (section 7.12): relative to the current
year, a two-digit year 51 to 99 years ahead is in the previous century, 50 or more years
behind is in the next century, otherwise in the current century.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import quote

__all__ = [
    "GS",
    "GS1Data",
    "GS1Error",
    "GS1CheckDigitError",
    "GS1UnknownAIError",
    "GS1LengthError",
    "GS1DateError",
    "GS1EmptyValueError",
    "GS1FormatError",
    "GS1ElementString",
    "gtin_check_digit",
    "is_valid_gtin",
    "normalize_gtin",
    "gtin14_or_none",
    "parse",
    "shorten",
    "parse_date",
    "format_date",
    "format_element_string",
    "digital_link",
    "split_for_gs1_128",
    "gln_or_none",
    "is_valid_company_prefix",
    "epc_lot_class",
    "sgln",
    "pgln",
    "digital_link_location",
    "digital_link_party",
    "epc_to_digital_link",
]

GS = "\x1d"
GS1_128_MAX_DATA = 48  # GS1 General Specifications 5.4.1: 48 data characters per symbol

SYMBOLOGY_IDENTIFIERS = ("]C1", "]d2", "]Q3", "]e0", "]J1")

# GS1 AI encodable character set 82 (GS1 General Specifications 7.11, figure 7.11-1)
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*")

# Control characters (C0 and DEL) other than GS, the FNC1 separator: a line break or a tab
# in a scan is a scanner or keyboard artefact, never part of a value.
_CONTROL = re.compile(r"[\x00-\x1c\x1e\x1f\x7f]")

# Longest part of a scanned input quoted in an error message.
QUOTE_MAX_LENGTH = 80

# Length of an AI given its first two digits (GS1 General Specifications 3.2), only used
# to name an unknown AI precisely in error messages.
_AI_LENGTH_BY_PREFIX = {
    **{f"{i:02d}": 2 for i in range(0, 3)},
    **{f"{i:02d}": 2 for i in range(10, 23)},
    **{f"{i:02d}": 3 for i in range(23, 31)},
    **{f"{i:02d}": 4 for i in range(31, 37)},
    "37": 2,
    **{f"{i:02d}": 4 for i in range(39, 40)},
    **{f"{i:02d}": 3 for i in range(40, 43)},
    **{f"{i:02d}": 4 for i in range(43, 50)},
    **{f"{i:02d}": 4 for i in range(70, 90)},
    **{f"{i:02d}": 2 for i in range(90, 100)},
}


@dataclass(frozen=True)
class _AI:
    code: str
    title: str
    attr: str
    kind: str  # gtin, alnum, date, int, weight
    length: int  # exact length when fixed, maximum when variable
    fixed: bool


_AIS = {
    "01": _AI("01", "GTIN", "gtin", "gtin", 14, True),
    "10": _AI("10", "batch/lot number", "lot", "alnum", 20, False),
    "11": _AI("11", "production date", "production_date", "date", 6, True),
    "13": _AI("13", "packaging date", "packaging_date", "date", 6, True),
    "15": _AI("15", "best before date", "best_before", "date", 6, True),
    "17": _AI("17", "expiration date", "expiry", "date", 6, True),
    "21": _AI("21", "serial number", "serial", "alnum", 20, False),
    "37": _AI("37", "count of trade items", "count", "int", 8, False),
}
for _n in range(6):
    _AIS[f"310{_n}"] = _AI(f"310{_n}", "net weight (kg)", "net_weight_kg", "weight", 6, True)

# Order of the elements in a built element string: predefined-length AIs first so that
# only the separators between variable-length values are needed (GS1 GenSpecs 5.10.2).
_OUTPUT_ORDER = ("01", "11", "13", "15", "17", "310", "10", "21", "37")


# Errors -----------------------------------------------------------------------------


class GS1Error(ValueError):
    """A GS1 string or value that cannot be read or written; the message says why."""

    def __init__(self, message, ai=None):
        super().__init__(message)
        self.ai = ai


class GS1CheckDigitError(GS1Error):
    """The check digit of a GTIN is wrong."""


class GS1UnknownAIError(GS1Error):
    """An Application Identifier that does not exist or that is not supported here."""


class GS1LengthError(GS1Error):
    """A value too short or too long for its Application Identifier."""


class GS1DateError(GS1Error):
    """A YYMMDD value that is not a real date."""


class GS1EmptyValueError(GS1Error):
    """An Application Identifier without a value, or an empty string."""


class GS1FormatError(GS1Error):
    """Characters not allowed for the AI, repeated AIs, or a malformed bracketed string."""


# Result ------------------------------------------------------------------------------


@dataclass
class GS1Data:
    """Typed values of a parsed GS1 element string (``None`` when the AI is absent)."""

    gtin: str | None = None
    lot: str | None = None
    production_date: datetime.date | None = None
    packaging_date: datetime.date | None = None
    best_before: datetime.date | None = None
    expiry: datetime.date | None = None
    serial: str | None = None
    count: int | None = None
    net_weight_kg: float | None = None
    elements: list = field(default_factory=list)  # [(ai, raw value)] in scan order

    def __getitem__(self, key):
        return getattr(self, key)

    def get(self, key, default=None):
        value = getattr(self, key, None)
        return default if value is None else value

    def as_dict(self):
        return {
            attr: getattr(self, attr)
            for attr in (
                "gtin",
                "lot",
                "production_date",
                "packaging_date",
                "best_before",
                "expiry",
                "serial",
                "count",
                "net_weight_kg",
            )
        }


@dataclass(frozen=True)
class GS1ElementString:
    """An element string in its two forms, and its elements [(ai, value)] in order."""

    raw: str  # FNC1 form: variable-length values followed by GS (``\\x1d``) when not last
    human: str  # human-readable interpretation: ``(01)...(17)...(10)...``
    elements: tuple

    def __str__(self):
        return self.human


# GTIN --------------------------------------------------------------------------------


def gtin_check_digit(digits):
    """Mod-10 check digit (GS1 General Specifications 7.9.1) of a string of digits."""
    total = 0
    for i, digit in enumerate(reversed(digits)):
        total += int(digit) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def is_valid_gtin(code):
    """True for a GTIN-8, -12, -13 or -14 (digits only) with a valid check digit."""
    code = (code or "").strip()
    return (
        len(code) in (8, 12, 13, 14)
        and code.isascii()
        and code.isdigit()
        and gtin_check_digit(code[:-1]) == code[-1]
    )


def gtin14_or_none(code):
    """The GTIN-14 of ``code`` when it is a valid GTIN (8, 12, 13 or 14 digits), else None."""
    return code.strip().zfill(14) if is_valid_gtin(code) else None


def normalize_gtin(code):
    """The GTIN-14 of a GTIN-8, -12, -13 or -14 (left-padded with zeros).

    Raise :class:`GS1LengthError` or :class:`GS1CheckDigitError` when it is not a GTIN.
    """
    code = (code or "").strip()
    if not code:
        raise GS1EmptyValueError("The GTIN is empty.", ai="01")
    if not (code.isascii() and code.isdigit()):
        raise GS1FormatError(f"The GTIN {_quote(code)} must contain digits only.", ai="01")
    if len(code) not in (8, 12, 13, 14):
        raise GS1LengthError(
            f"The GTIN {shorten(code)} has {len(code)} digits; a GTIN has 8, 12, 13 or 14 digits.",
            ai="01",
        )
    expected = gtin_check_digit(code[:-1])
    if expected != code[-1]:
        raise GS1CheckDigitError(
            f"The GTIN {code} has a wrong check digit: {code[-1]} instead of {expected}. "
            "The barcode was misread or mistyped.",
            ai="01",
        )
    return code.zfill(14)


# Dates -------------------------------------------------------------------------------


def _century_year(yy, today):
    """Four-digit year of a two-digit year, GS1 General Specifications 7.12."""
    current = today.year
    century, current_yy = divmod(current, 100)
    diff = yy - current_yy
    if 51 <= diff <= 99:
        century -= 1
    elif -99 <= diff <= -50:
        century += 1
    return century * 100 + yy


def parse_date(value, ai="17", today=None):
    """Date of a YYMMDD value; day 00 is the last day of the month."""
    title = _AIS[ai].title if ai in _AIS else "date"
    if len(value) != 6 or not (value.isascii() and value.isdigit()):
        raise GS1LengthError(
            f"AI ({ai}) {title}: {_quote(value)} is not a date in the form YYMMDD (6 digits).",
            ai=ai,
        )
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    year = _century_year(yy, today or datetime.date.today())
    if not 1 <= mm <= 12:
        raise GS1DateError(f"AI ({ai}) {title}: {value} has no month {mm:02d}.", ai=ai)
    last_day = calendar.monthrange(year, mm)[1]
    if dd == 0:
        dd = last_day
    if dd > last_day:
        raise GS1DateError(
            f"AI ({ai}) {title}: {value} is not a valid date "
            f"({year}-{mm:02d} has {last_day} days).",
            ai=ai,
        )
    return datetime.date(year, mm, dd)


def format_date(value):
    """YYMMDD of a date or datetime."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        raise GS1DateError(f"{value!r} is not a date.")
    return value.strftime("%y%m%d")


# Parsing -----------------------------------------------------------------------------


def shorten(text, size=QUOTE_MAX_LENGTH):
    """``text`` cut to ``size`` characters (with an ellipsis), to quote it in a message."""
    text = str(text)
    return text if len(text) <= size else text[:size] + "…"


def _quote(text):
    return repr(shorten(text))


def _unknown_ai(data, pos):
    digits = re.match(r"\d*", data[pos : pos + 4]).group()
    if len(digits) < 2:
        snippet = data[pos : pos + 6].replace(GS, "<GS>")
        return GS1FormatError(
            f"Expected an Application Identifier (digits) at position {pos + 1}, found {snippet!r}."
        )
    length = _AI_LENGTH_BY_PREFIX.get(digits[:2], 2)
    ai = digits[:length]
    return GS1UnknownAIError(
        f"Application Identifier ({ai}) at position {pos + 1} is unknown or not supported "
        f"here. Supported: {', '.join(_supported_names())}.",
        ai=ai,
    )


def _supported_names():
    return [f"({code})" for code in _AIS if not code.startswith("310")] + ["(310n)"]


def _match_ai(data, pos):
    for size in (2, 4):
        ai = data[pos : pos + size]
        if ai in _AIS:
            return _AIS[ai]
    return None


def _convert(ai, value, today):
    """Typed value of one element, with the checks of its AI."""
    if value == "":
        raise GS1EmptyValueError(f"AI ({ai.code}) {ai.title} has no value.", ai=ai.code)
    if ai.fixed and len(value) != ai.length:
        raise GS1LengthError(
            f"AI ({ai.code}) {ai.title} must have exactly {ai.length} characters, "
            f"got {len(value)} ({_quote(value)}).",
            ai=ai.code,
        )
    if not ai.fixed and len(value) > ai.length:
        raise GS1LengthError(
            f"AI ({ai.code}) {ai.title} has at most {ai.length} characters, "
            f"got {len(value)} ({_quote(value)}). A separator (FNC1/GS) may be missing.",
            ai=ai.code,
        )
    if ai.kind in ("gtin", "date", "int", "weight") and not (value.isascii() and value.isdigit()):
        raise GS1FormatError(
            f"AI ({ai.code}) {ai.title} must contain digits only, got {_quote(value)}.",
            ai=ai.code,
        )
    if ai.kind == "gtin":
        return normalize_gtin(value)
    if ai.kind == "date":
        return parse_date(value, ai.code, today)
    if ai.kind == "int":
        return int(value)
    if ai.kind == "weight":
        decimals = int(ai.code[3])
        return round(int(value) / 10**decimals, decimals)
    if not _CSET82.fullmatch(value):
        raise GS1FormatError(
            f"AI ({ai.code}) {ai.title} {_quote(value)} contains characters that GS1 does not "
            "allow (letters, digits and ! \" % & ' ( ) * + , - . / : ; < = > ? _ only).",
            ai=ai.code,
        )
    return value


def _normalize_input(code):
    if code is None:
        code = ""
    if not isinstance(code, str):
        raise GS1FormatError("The GS1 barcode must be text.")
    code = code.strip("\r\n\t ")
    code = re.sub(r"<GS>", GS, code, flags=re.IGNORECASE)
    code = code.replace("\xf1", GS)  # FNC1 as sent by some keyboard-wedge scanners
    for prefix in SYMBOLOGY_IDENTIFIERS:
        if code.startswith(prefix):
            code = code[len(prefix) :]
            break
    return code.lstrip(GS)


def _split_raw(data):
    """[(ai, value)] of a raw element string with GS separators."""
    elements = []
    pos = 0
    while pos < len(data):
        if data[pos] == GS:  # separator after a predefined-length value: tolerated
            pos += 1
            continue
        ai = _match_ai(data, pos)
        if ai is None:
            raise _unknown_ai(data, pos)
        start = pos + len(ai.code)
        if ai.fixed:
            value = data[start : start + ai.length]
            if GS in value or len(value) < ai.length:
                value = value.split(GS, 1)[0]
                raise GS1LengthError(
                    f"AI ({ai.code}) {ai.title} must have exactly {ai.length} characters, "
                    f"got {len(value)} ({_quote(value)}).",
                    ai=ai.code,
                )
            pos = start + ai.length
        else:
            end = data.find(GS, start)
            end = len(data) if end == -1 else end
            value = data[start:end]
            pos = end + 1
        elements.append((ai.code, value))
    return elements


_BRACKET_AI = re.compile(r"\((\d{2,4})\)")


def _split_bracketed(data):
    """[(ai, value)] of a human-readable string ``(01)...(10)...``."""
    parts = _BRACKET_AI.split(data)
    if parts[0].strip():
        raise GS1FormatError(
            f"Text {_quote(parts[0].strip())} before the first bracketed Application Identifier."
        )
    elements = []
    for ai_code, value in zip(parts[1::2], parts[2::2], strict=True):
        if ai_code not in _AIS:
            length = _AI_LENGTH_BY_PREFIX.get(ai_code[:2], 2)
            raise GS1UnknownAIError(
                f"Application Identifier ({ai_code}) is unknown or not supported here"
                + (" (or has a wrong length)" if len(ai_code) != length else "")
                + f". Supported: {', '.join(_supported_names())}.",
                ai=ai_code,
            )
        elements.append((ai_code, value.strip(" " + GS)))
    return elements


def parse(code, today=None):
    """Parse a GS1 element string (raw FNC1/GS form or bracketed form) to :class:`GS1Data`.

    ``today`` (a date) anchors the century of two-digit years; default: today.
    Raise a :class:`GS1Error` subclass with a message for the user on any problem.
    """
    data = _normalize_input(code)
    if not data:
        raise GS1EmptyValueError("The GS1 barcode is empty.")
    control = _CONTROL.search(data)
    if control:
        raise GS1FormatError(
            f"The barcode contains a control character ({control.group()!r}), such as a "
            "line break or a tab: scan it again, or type it on one line."
        )
    if data.startswith("("):
        elements = _split_bracketed(data)
    else:
        elements = _split_raw(data)
    result = GS1Data(elements=elements)
    seen = {}
    for ai_code, raw_value in elements:
        ai = _AIS[ai_code]
        value = _convert(ai, raw_value, today)
        previous = seen.get(ai.attr)
        if previous is not None:
            if previous[1] != value:
                raise GS1FormatError(
                    f"The {ai.title} appears twice with different values "
                    f"(({previous[0]}){previous[2]} and ({ai_code}){raw_value}).",
                    ai=ai_code,
                )
            continue
        seen[ai.attr] = (ai_code, value, raw_value)
        setattr(result, ai.attr, value)
    return result


# Building ----------------------------------------------------------------------------


def _weight_element(net_weight_kg):
    """(310n, 6-digit value): the fewest decimals (0 to 5) that give the weight exactly,
    else the most decimals that fit in 6 digits (rounded)."""
    if net_weight_kg is None or net_weight_kg < 0:
        raise GS1FormatError(f"Net weight {net_weight_kg!r} kg cannot be encoded.", ai="310n")
    fitting = None
    for decimals in range(6):
        scaled = net_weight_kg * 10**decimals
        if round(scaled) >= 10**6:
            break
        fitting = decimals
        if abs(scaled - round(scaled)) < 1e-6:
            break
    if fitting is None:
        raise GS1LengthError(
            f"Net weight {net_weight_kg} kg is too large for AI (310n) (at most 999999 kg).",
            ai="310n",
        )
    return f"310{fitting}", f"{round(net_weight_kg * 10**fitting):06d}"


def format_element_string(
    gtin=None,
    lot=None,
    production_date=None,
    packaging_date=None,
    best_before=None,
    expiry=None,
    serial=None,
    count=None,
    net_weight_kg=None,
):
    """Build the element string of a label in raw (FNC1 = GS) and human-readable forms.

    Values are checked like :func:`parse` checks them (GTIN check digit, lengths,
    characters). Empty values are left out.
    """
    values = {}
    if gtin:
        values["01"] = normalize_gtin(gtin)
    for ai_code, date in (
        ("11", production_date),
        ("13", packaging_date),
        ("15", best_before),
        ("17", expiry),
    ):
        if date:
            values[ai_code] = format_date(date)
    if net_weight_kg is not None:
        ai_code, value = _weight_element(net_weight_kg)
        values[ai_code] = value
    if lot:
        values["10"] = str(lot)
    if serial:
        values["21"] = str(serial)
    if count is not None:
        values["37"] = str(int(count))
    if not values:
        raise GS1EmptyValueError("Nothing to encode: no GTIN, lot, date or quantity.")
    elements = []
    for prefix in _OUTPUT_ORDER:
        for ai_code, value in values.items():
            if ai_code.startswith(prefix) and (len(prefix) == 3 or ai_code == prefix):
                _convert(_AIS[ai_code], value, None)  # same checks as when scanning
                elements.append((ai_code, value))
    return _element_string(elements)


def _element_string(elements):
    raw = ""
    for i, (ai_code, value) in enumerate(elements):
        raw += ai_code + value
        if not _AIS[ai_code].fixed and i < len(elements) - 1:
            raw += GS
    human = "".join(f"({ai_code}){value}" for ai_code, value in elements)
    return GS1ElementString(raw=raw, human=human, elements=tuple(elements))


def split_for_gs1_128(element_string, max_data=GS1_128_MAX_DATA):
    """Split an element string into as few as possible that each fit one GS1-128 symbol.

    GS1-128 carries at most 48 data characters (AIs, values and inner separators).
    """
    chunks, current = [], []
    for element in element_string.elements:
        candidate = _element_string([*current, element])
        if current and len(candidate.raw) > max_data:
            chunks.append(_element_string(current))
            current = [element]
        else:
            current.append(element)
    if current:
        chunks.append(_element_string(current))
    return chunks


def digital_link(
    gtin, lot=None, expiry=None, serial=None, base_url="https://id.gs1.org", **attributes
):
    """GS1 Digital Link URI of a GTIN with its lot (and serial), expiry as query ``17``.

    ``https://id.gs1.org/01/09506000134352/10/ABC%2F1?17=271231``. The GTIN is written
    with 14 digits; lot and serial are percent-encoded as GS1 Digital Link 1.x requires
    (every character other than letters, digits and ``-._~``). Extra data attributes
    (e.g. ``{"11": "250101"}``) go to the query string, after ``17``.
    """
    uri = f"{base_url.rstrip('/')}/01/{normalize_gtin(gtin)}"
    for ai_code, value in (("10", lot), ("21", serial)):
        if value:
            _convert(_AIS[ai_code], str(value), None)
            uri += f"/{ai_code}/{quote(str(value), safe='')}"
    query = []
    if expiry:
        query.append(("17", format_date(expiry)))
    query.extend((str(k), str(v)) for k, v in attributes.items() if v not in (None, ""))
    if query:
        uri += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query)
    return uri


# EPC identifiers ---------------------------------------------------------------------

# Characters of a lot number escaped in an EPC URI (GS1 Tag Data Standard, table A-1).
_EPC_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


def gln_or_none(code):
    """A 13-digit Global Location Number with a valid check digit, else None."""
    code = (code or "").strip() if isinstance(code, str) else ""
    return code if len(code) == 13 and is_valid_gtin(code) else None


def is_valid_company_prefix(prefix):
    """True for a GS1 company prefix: 6 to 12 digits."""
    return (
        isinstance(prefix, str) and prefix.isascii() and prefix.isdigit() and 6 <= len(prefix) <= 12
    )


def _owned_by(digits, prefix):
    return bool(prefix) and is_valid_company_prefix(prefix) and digits.startswith(prefix)


def epc_lot_class(gtin, lot, prefix=None):
    """EPC class of a lot of a GTIN: ``urn:epc:class:lgtin:...`` when ``prefix`` (the
    company's GS1 company prefix) starts the GTIN, else the GS1 Digital Link URI
    ``https://id.gs1.org/01/{gtin14}/10/{lot}`` (the prefix of another company's GTIN is
    not guessed). Raise :class:`GS1Error` for a GTIN or lot a GS1 key cannot carry."""
    gtin = normalize_gtin(gtin)
    _convert(_AIS["10"], str(lot), None)
    if _owned_by(gtin[1:13], prefix):
        escaped = "".join(_EPC_ESCAPES.get(char, char) for char in lot)
        return f"urn:epc:class:lgtin:{prefix}.{gtin[0]}{gtin[1 + len(prefix) : 13]}.{escaped}"
    return digital_link(gtin, lot=lot)


def sgln(gln, extension="0", prefix=None):
    """EPC URI of a location (``urn:epc:id:sgln:...``) of a GLN under the company prefix,
    else its GS1 Digital Link (``https://id.gs1.org/414/{gln}[/254/{extension}]``)."""
    if not gln_or_none(gln):
        raise GS1CheckDigitError(f"{_quote(gln)} is not a GLN.", ai="414")
    if _owned_by(gln[:12], prefix):
        escaped = "".join(_EPC_ESCAPES.get(char, char) for char in str(extension))
        return f"urn:epc:id:sgln:{prefix}.{gln[len(prefix) : 12]}.{escaped}"
    return digital_link_location(gln, extension)


def pgln(gln, prefix=None):
    """EPC URI of a party (``urn:epc:id:pgln:...``) of a GLN under the company prefix, else
    its GS1 Digital Link (``https://id.gs1.org/417/{gln}``)."""
    if not gln_or_none(gln):
        raise GS1CheckDigitError(f"{_quote(gln)} is not a GLN.", ai="417")
    if _owned_by(gln[:12], prefix):
        return f"urn:epc:id:pgln:{prefix}.{gln[len(prefix) : 12]}"
    return digital_link_party(gln)


def digital_link_location(gln, extension="0", base_url="https://id.gs1.org"):
    """GS1 Digital Link URI of a physical location (AI 414, extension AI 254)."""
    uri = f"{base_url.rstrip('/')}/414/{gln}"
    if extension and str(extension) != "0":
        uri += f"/254/{quote(str(extension), safe='')}"
    return uri


def digital_link_party(gln, base_url="https://id.gs1.org"):
    """GS1 Digital Link URI of a party (AI 417)."""
    return f"{base_url.rstrip('/')}/417/{gln}"


def epc_to_digital_link(uri):
    """The GS1 Digital Link form of an ``urn:epc:class:lgtin``, ``urn:epc:id:sgln`` or
    ``urn:epc:id:pgln`` URI (how the EPCIS event hash compares identifiers); any other URI
    unchanged."""
    for scheme, builder in (
        ("urn:epc:class:lgtin:", _lgtin_to_digital_link),
        ("urn:epc:id:sgln:", _sgln_to_digital_link),
        ("urn:epc:id:pgln:", _pgln_to_digital_link),
    ):
        if uri.startswith(scheme):
            return builder(uri[len(scheme) :].split("."))
    return uri


def _unescape_epc(text):
    for char, escape in _EPC_ESCAPES.items():
        text = text.replace(escape, char)
    return text


def _lgtin_to_digital_link(parts):
    prefix, item, lot = parts[0], parts[1], ".".join(parts[2:])
    digits = item[0] + prefix + item[1:]
    return digital_link(digits + gtin_check_digit(digits), lot=_unescape_epc(lot))


def _sgln_to_digital_link(parts):
    digits = parts[0] + parts[1]
    return digital_link_location(digits + gtin_check_digit(digits), _unescape_epc(parts[2]))


def _pgln_to_digital_link(parts):
    digits = parts[0] + parts[1]
    return digital_link_party(digits + gtin_check_digit(digits))
