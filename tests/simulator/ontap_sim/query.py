"""ONTAP collection query semantics: ``fields``, field filters, ``order_by``, ``max_records`` paging.

Records are plain nested dicts (the full rendering of an object). Dotted names (``svm.name``, ``nas.path``,
``aggregates.name``) address nested values; a dotted name that crosses a list matches any element.
"""

import copy
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .errors import ApiError, invalid_value

#: Query parameters that are not field filters.
RESERVED_PARAMS = frozenset(["fields", "max_records", "return_records", "return_timeout", "order_by", "action",
                             "start.uuid", "start.index", "validate_only",
                             "continue_on_failure"])


def parse_fields(raw: Optional[str]) -> Optional[List[str]]:
    """Split a ``fields`` parameter (``"name,svm.name"``) into a list; None when absent."""
    if raw is None:
        return None
    return [f.strip() for f in raw.split(",") if f.strip()]


def _pick(src: Any, parts: Sequence[str]) -> Any:
    """Copy of the subtree of ``src`` addressed by ``parts``; ``_MISSING`` when absent."""
    if not parts:
        return copy.deepcopy(src)
    if isinstance(src, list):
        out = [_pick(item, parts) for item in src]
        return [item for item in out if item is not _MISSING]
    if not isinstance(src, dict) or parts[0] not in src:
        return _MISSING
    sub = _pick(src[parts[0]], parts[1:])
    if sub is _MISSING:
        return _MISSING
    return {parts[0]: sub}


class _Missing:  # pylint: disable=too-few-public-methods
    """Marker for an absent value."""


_MISSING = _Missing()


def _merge(dst: Dict[str, Any], src: Mapping[str, Any]) -> None:
    """Deep-merge ``src`` into ``dst`` (lists of dicts are merged element-wise)."""
    for key, value in src.items():
        if key in dst and isinstance(dst[key], dict) and isinstance(value, dict):
            _merge(dst[key], value)
        elif key in dst and isinstance(dst[key], list) and isinstance(value, list) and len(dst[key]) == len(value):
            for target, item in zip(dst[key], value):
                if isinstance(target, dict) and isinstance(item, dict):
                    _merge(target, item)
        else:
            dst[key] = copy.deepcopy(value)


def _drop(record: Dict[str, Any], parts: Sequence[str]) -> None:
    """Remove the value at ``parts`` from ``record`` in place (through lists too)."""
    if isinstance(record, list):
        for item in record:
            _drop(item, parts)
        return
    if not isinstance(record, dict) or parts[0] not in record:
        return
    if len(parts) == 1:
        del record[parts[0]]
        return
    _drop(record[parts[0]], parts[1:])
    if record[parts[0]] == {}:
        del record[parts[0]]


def check_field_names(fields: Optional[List[str]], known: Iterable[str], records: Iterable[Mapping[str, Any]] = ()) -> None:
    """Refuse a ``fields`` name the object does not have, as ONTAP does: 400 code 262197 ``The value "x" is invalid
    for field "fields" (<field,...>)``, target ``fields`` (seen on real clusters for a field a release lacks). A name
    is known when it is a filter field of the collection, a prefix of one (``nas``), under one (``aggregates.name``
    under ``aggregates``), or present in a record; a known field that is not set is simply left out of the answer."""
    if not fields:
        return
    known = set(known)
    prefixes = set()
    for name in known:
        parts = name.split(".")
        prefixes.update(".".join(parts[:index]) for index in range(1, len(parts)))
    for name in fields:
        if name in ("*", "**") or name in known or name in prefixes:
            continue
        if any(name.startswith(item + ".") for item in known):
            continue
        if any(get_values(record, name) for record in records):
            continue
        raise ApiError(400, 'The value "%s" is invalid for field "fields" (<field,...>)' % name, "262197",
                       target="fields")


def select_fields(record: Mapping[str, Any], fields: Optional[List[str]], keys: Iterable[str],
                  expensive: Iterable[str] = (), collection: bool = False) -> Dict[str, Any]:
    """The view of ``record`` that ONTAP returns for ``fields``.

    - ``fields`` None: a collection GET returns the keys (plus ``_links``); a record GET returns every field
      except the expensive ones.
    - ``*`` = all but expensive, ``**`` = all; dotted names select subtrees; keys and ``_links`` are always kept.
    """
    if fields is None and collection:
        fields = []
    if fields is None or "*" in fields or "**" in fields:
        out = copy.deepcopy(dict(record))
        if not fields or "**" not in fields:
            for name in expensive:
                _drop(out, name.split("."))
        extra = [f for f in (fields or []) if f not in ("*", "**")]
    else:
        out = {}
        extra = list(fields)
    for name in list(keys) + ["_links"] + extra:
        sub = _pick(record, name.split("."))
        if isinstance(sub, dict):
            _merge(out, sub)
    return out


def get_values(record: Mapping[str, Any], name: str) -> List[Any]:
    """All values at dotted ``name`` (several when the path crosses a list); empty when absent."""
    values: List[Any] = [record]
    for part in name.split("."):
        nxt: List[Any] = []
        for value in values:
            if isinstance(value, list):
                value_list = value
            else:
                value_list = [value]
            for item in value_list:
                if isinstance(item, dict) and part in item:
                    nxt.append(item[part])
        values = nxt
    flat: List[Any] = []
    for value in values:
        if isinstance(value, list):
            flat.extend(value)
        else:
            flat.append(value)
    return flat


#: Size suffixes ONTAP accepts in numeric query values (``size=>1GB``), binary multiples.
SIZE_SUFFIXES = {"KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4, "PB": 1024 ** 5}


def _as_number(text: str) -> Optional[float]:
    """``text`` as a number; ``KB``/``MB``/``GB``/``TB``/``PB`` suffixes (binary) allowed; None otherwise."""
    text = text.strip()
    factor = 1
    suffix = text[-2:].upper()
    if suffix in SIZE_SUFFIXES:
        text, factor = text[:-2], SIZE_SUFFIXES[suffix]
    try:
        return float(text) * factor
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _compare(value: Any, op: str, operand: str) -> bool:
    """``value <op> operand``: numerically when both are numbers, else as strings (case-sensitive)."""
    num = _as_number(operand)
    if _is_number(value) and num is not None:
        left: Any = value
        right: Any = num
    else:
        left, right = str(value), operand
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _wildcard(pattern: str) -> "re.Pattern[str]":
    """``*`` (greedy, any characters) is the only wildcard; everything else is literal."""
    return re.compile("^%s$" % ".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _match_one(value: Any, pattern: str) -> bool:
    """Does one value match one alternative (no ``|``, no leading ``!``)?"""
    if isinstance(value, bool):
        return str(value).lower() == pattern.lower()
    for op in ("<=", ">=", "<", ">"):
        if pattern.startswith(op):
            return _compare(value, op, pattern[len(op):])
    if ".." in pattern:
        low, high = pattern.split("..", 1)
        return _compare(value, ">=", low) and _compare(value, "<=", high)
    if _is_number(value):
        num = _as_number(pattern)
        return num is not None and float(value) == num
    if "*" in pattern:
        return bool(_wildcard(pattern).match(str(value)))
    return str(value) == pattern


def check_query(name: str, query: str) -> None:
    """400 code 2 for a filter value ONTAP's REST API does not parse: ``{``/``}`` (the CLI's extended queries)."""
    if "{" in query or "}" in query:
        raise ApiError(400, 'Invalid query "%s=%s": extended queries ("{" and "}") are not supported.' % (name, query),
                       "2", target=name)


def matches(record: Mapping[str, Any], name: str, query: str) -> bool:
    """ONTAP query match of field ``name`` against ``query`` (see README "Query operators").

    ``a|b`` alternatives (OR), each optionally negated with a leading ``!``; ``*`` greedy wildcard; ``<``, ``<=``,
    ``>``, ``>=`` and ``low..high`` on numbers (with size suffixes) and strings; ``null`` / ``!null`` test whether
    the field is set; ``!*`` matches records where the field is not set. A value in double quotes
    (``"a|b"``) is matched literally. Strings compare case-sensitively. A negated alternative never matches a record
    where the field is not set (ONTAP: "fields that are not set are generally excluded from matching queries").
    """
    values = get_values(record, name)
    if len(query) >= 2 and query.startswith('"') and query.endswith('"'):
        literal = query[1:-1]
        return any(str(v).lower() == literal.lower() if isinstance(v, bool) else
                   (float(v) == _as_number(literal) if _is_number(v) else str(v) == literal) for v in values)
    for alternative in query.split("|"):
        negate = alternative.startswith("!")
        pattern = alternative[1:] if negate else alternative
        if negate:
            if pattern in ("null", ""):
                hit = bool(values)
            elif pattern == "*":
                hit = not values
            else:
                hit = bool(values) and all(not _match_one(v, pattern) for v in values)
        elif pattern == "null":
            hit = not values
        else:
            hit = any(_match_one(v, pattern) for v in values)
        if hit:
            return True
    return False


def filter_records(records: Iterable[Mapping[str, Any]], filters: Mapping[str, str],
                   known_fields: Optional[Iterable[str]] = None) -> List[Mapping[str, Any]]:
    """Records matching every filter; unknown filter names give 400 code 2 when ``known_fields`` is given."""
    if known_fields is not None:
        known = set(known_fields)
        for name in filters:
            if name not in known and not any(k.startswith(name + ".") for k in known):
                raise ApiError(400, 'Unexpected argument "%s".' % name, "2", target=name)
    for name, query in filters.items():
        check_query(name, query)
    return [r for r in records if all(matches(r, n, q) for n, q in filters.items())]


def _sort_key(value: Any) -> Tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, str(value).lower())


def order_records(records: List[Mapping[str, Any]], order_by: Optional[str],
                  default: Sequence[str]) -> List[Mapping[str, Any]]:
    """Sort by ``order_by`` (``"name desc,size"``) or by the ``default`` field names."""
    specs: List[Tuple[str, bool]] = []
    if order_by:
        for item in order_by.split(","):
            bits = item.strip().split()
            if not bits:
                continue
            if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
                raise invalid_value("order_by", order_by)
            specs.append((bits[0], len(bits) == 2 and bits[1].lower() == "desc"))
    specs.extend((name, False) for name in default)
    result = list(records)
    for name, desc in reversed(specs):
        result.sort(key=lambda r, n=name: _sort_key((get_values(r, n) or [None])[0]), reverse=desc)
    return result


def parse_int(name: str, raw: Optional[str], default: Optional[int], low: int = 0,
              high: Optional[int] = None) -> Optional[int]:
    """Integer query parameter in ``low..high``; 400 code 262197 otherwise (message shows ``<low..high>``)."""
    if raw is None or raw == "":
        return default
    allowed = "<%d..%s>" % (low, high if high is not None else "")
    try:
        value = int(raw)
    except ValueError:
        raise invalid_value(name, raw, allowed) from None
    if value < low or (high is not None and value > high):
        raise invalid_value(name, raw, allowed)
    return value


def parse_bool(name: str, raw: Optional[str], default: bool) -> bool:
    """Boolean query parameter (``true``/``false``); 400 code 262197 otherwise."""
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid_value(name, raw, "true|false")
