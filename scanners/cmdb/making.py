"""Records from values the column readers already typed, without the model's per-row cost.

The readers (`values.parser_for`) give each field a value of the very type its annotation
names: text, int, float, date, an aware datetime, one of a Literal's values, a tuple of text.
For such a value pydantic's validation keeps the value as it is, so its only work left is the
field constraints (`min_length`, `max_length`), and those are checked here against the bounds
the model's own fields declare, never restated. A row that fails one is built by the model
itself, so its errors are the model's, word for word. A record class or field this module
cannot vouch for (another type, a validator, a config beyond `extra` and `frozen`) always goes
through the model. `many` does the same for a clean batch, a column at a time.
tests/cmdb/test_fast_path.py and test_batches.py run both ways over hostile rows and compare.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from datetime import date, datetime
from itertools import compress, repeat
from operator import is_not, setitem
from typing import Any, Literal, get_args, get_origin

from annotated_types import MaxLen, MinLen
from pydantic import AwareDatetime, BaseModel
from pydantic.fields import FieldInfo

from scanners.cmdb.values import without_none

# Annotations whose values the readers make ready-typed (see `values.parser_for`).
_READY = frozenset({str, int, float, date, datetime, AwareDatetime})
_CONFIG = frozenset({"extra", "frozen"})
_ALWAYS = ("external_id", "scope", "extra")  # every record is given these
_new = object.__new__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_consume = deque[Any](maxlen=0).extend  # runs a `map` for its calls' effects


def _fields_sets(values: dict[str, Sequence[Any]], gaps: set[str], count: int) -> list[set[str]]:
    """Each row's `model_fields_set`: the fields every record is given, and those with a
    value in the row."""
    sets = list(map(set, repeat({*_ALWAYS, *values.keys() - gaps}, count)))
    for name in gaps:
        column = values[name]
        _consume(map(set.add, compress(sets, map(is_not, column, repeat(None))), repeat(name)))
    return sets


class RecordMaker:
    """Builds `record`s from a key, a scope, typed field values and extras; raises the model's
    `ValidationError` for values it rejects."""

    def __init__(self, record: type[BaseModel], fields: tuple[str, ...], fast: bool = True):
        self.record = record
        model_fields = record.model_fields
        checked = (*fields, "external_id")
        self.fast = fast and _vouched(record, checked)
        self._defaults = {n: f.default for n, f in model_fields.items()}
        self._factories = tuple(
            (n, f.default_factory)
            for n, f in model_fields.items()
            if f.default_factory is not None and n not in _ALWAYS
        )
        self._lengths = {n: _lengths(model_fields[n]) for n in checked if model_fields[n].metadata}
        self._needed = frozenset(
            n for n, f in model_fields.items() if f.is_required() and n not in _ALWAYS
        )

    def __call__(
        self, key: str, scope: str, values: dict[str, Any], extra: dict[str, Any]
    ) -> BaseModel:
        if not self.fast or not self._passes(key, values):
            return self.record(external_id=key, scope=scope, extra=extra, **values)
        made = _new(self.record)
        fields = made.__dict__
        fields.update(self._defaults)  # in the model's field order, as validation leaves it
        fields.update(values)
        fields["external_id"], fields["scope"], fields["extra"] = key, scope, extra
        for name, factory in self._factories:
            if name not in values:
                fields[name] = factory()  # type: ignore[call-arg]
        _set_fields_set(made, {*_ALWAYS, *values})
        _set_extra(made, None)
        _set_private(made, None)
        return made

    def many(
        self,
        keys: Sequence[str],
        scope: str,
        values: dict[str, Sequence[Any]],
        gaps: set[str],
        extras: list[Any],
    ) -> list[BaseModel] | None:
        """The fast path's records for a batch, from a column per field (None where a row has
        no value; `gaps`: the fields with a None), built a column at a time by C-level `map`;
        None if a row lacks a field the model must be given or any value is outside its
        field's length bounds (the model then words why, row by row). Only when `fast`."""
        if not self._needed <= values.keys() - gaps or not self._all_pass(keys, values):
            return None
        count = len(keys)
        # In the model's field order, as validation leaves it.
        dicts = list(map(dict.copy, repeat(self._defaults | {"scope": scope}, count)))
        for name, column in {"external_id": keys, "extra": extras, **values}.items():
            if name in gaps:
                column = self._defaulted(name, column)
            _consume(map(setitem, dicts, repeat(name), column))
        for name, factory in self._factories:
            if name not in values:
                made = [factory() for _ in range(count)]  # type: ignore[call-arg]
                _consume(map(setitem, dicts, repeat(name), made))
        records = list(map(_new, repeat(self.record, count)))
        _consume(map(_set_dict, records, dicts))
        _consume(map(_set_fields_set, records, _fields_sets(values, gaps, count)))
        _consume(map(_set_extra, records, repeat(None, count)))
        _consume(map(_set_private, records, repeat(None, count)))
        return records

    def _defaulted(self, name: str, column: Sequence[Any]) -> Sequence[Any]:
        """A field's column with each blank (None) as the field's default, as the model has it."""
        factory = dict(self._factories).get(name)
        if factory is not None:
            return [factory() if value is None else value for value in column]  # type: ignore[call-arg]
        default = self._defaults[name]
        return column if default is None else list(map({None: default}.get, column, column))

    def _all_pass(self, keys: Sequence[str], values: dict[str, Sequence[Any]]) -> bool:
        """Whether every constrained field's values are within its length bounds."""
        for name, (shortest, longest) in self._lengths.items():
            column = keys if name == "external_id" else values.get(name)
            if column is None:
                continue
            lengths = list(map(len, compress(column, map(is_not, column, repeat(None)))))
            if lengths and not (shortest <= min(lengths) and max(lengths) <= longest):
                return False
        return True

    def _passes(self, key: str, values: dict[str, Any]) -> bool:
        """Whether every constrained field's value is within its length bounds."""
        for name, (shortest, longest) in self._lengths.items():
            value = key if name == "external_id" else values.get(name)
            if value is not None and not shortest <= len(value) <= longest:
                return False
        return True


def _lengths(field: FieldInfo) -> tuple[int, float]:
    """A text field's length bounds, from its `min_length` and `max_length`."""
    shortest, longest = 0, math.inf
    for rule in field.metadata:
        if isinstance(rule, MinLen):
            shortest = max(shortest, rule.min_length)
        elif isinstance(rule, MaxLen):
            longest = min(longest, rule.max_length)
    return shortest, longest


def _vouched(record: type[BaseModel], fields: tuple[str, ...]) -> bool:
    """Whether validation would keep these fields' ready-typed values unchanged."""
    decorators = record.__pydantic_decorators__
    if (
        set(record.model_config) - _CONFIG
        or record.model_config.get("extra") != "forbid"
        or record.__private_attributes__
        or record.model_post_init is not BaseModel.model_post_init
        or decorators.validators
        or decorators.field_validators
        or decorators.model_validators
        or decorators.root_validators
    ):
        return False
    return all(_ready(record.model_fields[f]) for f in fields)


def _ready(field: FieldInfo) -> bool:
    if not all(isinstance(rule, MinLen | MaxLen) for rule in field.metadata):
        return False  # a constraint `_lengths` does not know
    kind = without_none(field.annotation)
    if get_origin(kind) is Literal:
        return all(isinstance(v, str) for v in get_args(kind))
    if get_origin(kind) is tuple:
        return get_args(kind) == (str, ...)
    return kind in _READY
