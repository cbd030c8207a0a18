from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import errors
from ..models.clear_action_response_status import ClearActionResponseStatus

T = TypeVar("T", bound="ClearActionResponse")


@_attrs_define
class ClearActionResponse:
    """
    Attributes:
        status (ClearActionResponseStatus): Status of the clear action
        message (str): Result message Example: Cache cleared successfully.
    """

    status: ClearActionResponseStatus
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise errors.InvalidField("", "a JSON object", errors.describe_value(src_dict))
        d = dict(src_dict)
        if "status" not in d:
            raise errors.InvalidField("status", "a value (the field is required)", "nothing")
        try:
            status = ClearActionResponseStatus(d.pop("status"))

        except errors.InvalidField as error:
            raise error.inside("status") from None
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise errors.InvalidField(
                "status", 'one of "success", "error"', errors.describe_value(src_dict.get("status"))
            ) from error

        if "message" not in d and "messege" in d:
            d["message"] = d.pop("messege")
        if "message" not in d:
            raise errors.InvalidField("message", "a value (the field is required)", "nothing")
        try:
            message = d.pop("message")
            if not isinstance(message, str):
                raise TypeError("wrong type")
        except errors.InvalidField as error:
            raise error.inside("message") from None
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise errors.InvalidField("message", "str", errors.describe_value(src_dict.get("message"))) from error

        clear_action_response = cls(
            status=status,
            message=message,
        )

        clear_action_response.additional_properties = d
        return clear_action_response

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
