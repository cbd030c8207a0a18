from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import errors
from ..types import Unset

T = TypeVar("T", bound="ApiKeyRequest")


def _masked(value: object) -> str:
    """repr of a secret field: never the value itself."""
    return repr(value) if isinstance(value, Unset) else "'***'"


@_attrs_define
class ApiKeyRequest:
    """
    Attributes:
        key (str): Your enterprise API key used for request authorization Example: enterprise_api_key.
    """

    key: str = _attrs_field(repr=_masked)
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "key": key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise errors.InvalidField("", "a JSON object", errors.describe_value(src_dict))
        d = dict(src_dict)
        if "key" not in d:
            raise errors.InvalidField("key", "a value (the field is required)", "nothing")
        try:
            key = d.pop("key")
            if not isinstance(key, str):
                raise TypeError("wrong type")
        except errors.InvalidField as error:
            raise error.inside("key") from None
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise errors.InvalidField("key", "str", "a value of the wrong type") from error

        api_key_request = cls(
            key=key,
        )

        api_key_request.additional_properties = d
        return api_key_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
