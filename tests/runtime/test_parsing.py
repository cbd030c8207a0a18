"""Reading answers leniently by default and strictly on request: open enums, unions, field checks."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from codegen.runtime import errors
from codegen.runtime.core import parsing as _parsing
from codegen.runtime.core.vendor_facts import LEGACY_SPELLINGS


class Status(_parsing.OpenStrEnum):
    DONE = "done"
    RUNNING = "running"


class Level(_parsing.OpenIntEnum):
    LOW = 1
    HIGH = 2


def test_a_value_the_spec_does_not_list_is_kept_as_a_member_of_its_own(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        new = Status("paused-by-a-newer-server")
        again = Status("paused-by-a-newer-server")
    assert isinstance(new, Status) and new is again, "one member per value"
    assert not new.is_known and Status.DONE.is_known
    assert new == "paused-by-a-newer-server" and new.value == "paused-by-a-newer-server"
    assert all(new != member for member in Status) and list(Status) == [Status.DONE, Status.RUNNING]
    assert len([r for r in caplog.records if "paused-by-a-newer-server" in r.getMessage()]) == 1, "logged once"
    assert Level(7).value == 7 and not Level(7).is_known and Level(2) is Level.HIGH


@pytest.mark.parametrize("wrong", [None, 3, True, b"done"])
def test_a_value_of_the_wrong_type_is_still_an_error(wrong: object) -> None:
    with pytest.raises(ValueError):
        Status(wrong)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Level("2")  # type: ignore[arg-type]


def test_strictly_an_unlisted_value_is_an_error_and_a_listed_one_is_not() -> None:
    with _parsing.strict_validation():
        assert _parsing.is_strict()
        with pytest.raises(ValueError):
            Status("new-in-strict")
        assert Status("done") is Status.DONE
    assert not _parsing.is_strict()
    with _parsing.strict_validation(False):
        assert not Status("new-when-lenient").is_known


class Client:
    def __init__(self, strict: bool) -> None:
        self.strict_response_validation = strict


def test_parse_follows_the_clients_strictness() -> None:
    seen: list[bool] = []

    def parser(*, client: Any, response: Any) -> str:
        seen.append(_parsing.is_strict())
        return "parsed"

    assert _parsing.parse(parser, Client(True), None) == _parsing.parse(parser, Client(False), None) == "parsed"  # type: ignore[arg-type]
    assert seen == [True, False]


def test_a_union_is_parsed_strictly_first_so_the_fitting_variant_wins() -> None:
    def first_lenient_match(data: object) -> object:
        assert isinstance(data, dict)
        for variant, values in (("a", {"done"}), ("b", {"running"})):
            try:
                status = Status(data["status"])
            except ValueError:
                continue
            if status.is_known and status.value not in values:
                continue  # a listed value of the other variant
            if not status.is_known and not _parsing.is_strict():
                return (variant, "kept")
            return (variant, status.value)
        raise ValueError("no variant")

    assert _parsing.parse_union(first_lenient_match, {"status": "running"}) == ("b", "running")
    assert _parsing.parse_union(first_lenient_match, {"status": "unlisted"}) == ("a", "kept"), "lenient fallback"
    with _parsing.strict_validation(), pytest.raises(ValueError):
        _parsing.parse_union(first_lenient_match, {"status": "unlisted"})


def test_fields_of_checks_the_object_and_its_required_fields_and_renames_legacy_spellings() -> None:
    with pytest.raises(errors.InvalidField) as caught:
        _parsing.fields_of(["not", "an object"], required=(), legacy={})
    assert caught.value.field == "" and caught.value.expected == "a JSON object"
    with pytest.raises(errors.InvalidField) as caught:
        _parsing.fields_of({"a": 1}, required=("a", "b"), legacy={})
    assert caught.value.field == "b"
    source = {"messege": "hi", "x": 1}
    fields = _parsing.fields_of(source, required=("message",), legacy={"message": "messege"})
    assert fields == {"message": "hi", "x": 1} and source == {"messege": "hi", "x": 1}, "the answer is left alone"
    both = _parsing.fields_of({"message": "new", "messege": "old"}, required=(), legacy={"message": "messege"})
    assert both["message"] == "new"


def test_a_legacy_spelling_is_tolerated_only_for_a_declared_field_whose_spelling_is_not_declared_too() -> None:
    for field, spelling in LEGACY_SPELLINGS.items():
        assert _parsing.legacy_spellings((field, "status")) == {field: spelling}
        assert _parsing.legacy_spellings((field, spelling)) == {}, "a declared spelling is a field of its own"
        assert _parsing.legacy_spellings((spelling,)) == {}
        assert _parsing.legacy_spellings(("status",)) == {}


def test_a_union_value_no_parsed_variant_fits_is_kept_only_when_a_plain_variant_allows_it() -> None:
    assert _parsing.plain_variant("hook", ["str", "None"]) == "hook"
    assert _parsing.plain_variant(2, ["float"]) == 2 and _parsing.plain_variant(2.5, ["float"]) == 2.5
    assert _parsing.plain_variant({"any": 1}, ["Any"]) == {"any": 1}
    for value, variants in ((5, ["None"]), (5, ["str", "None"]), (True, ["int"]), ("1", ["bool"]), ({}, [])):
        with pytest.raises(TypeError):
            _parsing.plain_variant(value, variants)


def test_typed_accepts_its_types_and_no_bool_for_a_number() -> None:
    assert _parsing.typed(3, int) == 3 and _parsing.typed(3, int, float) == 3 and _parsing.typed(True, bool) is True
    for value, types in ((True, (int,)), ("3", (int, float)), (None, (str,)), (1.5, (int,))):
        with pytest.raises(TypeError):
            _parsing.typed(value, *types)


def test_a_credential_is_masked_and_what_is_not_a_value_is_shown() -> None:
    assert _parsing.masked("sk-secret") == "'***'" and "secret" not in _parsing.masked("sk-secret")
    assert _parsing.masked(None) == "None"
