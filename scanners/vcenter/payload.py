"""Managed objects as plain JSON-able data (`Fetched`), from pyVmomi objects or straight from
a PropertyCollector answer's XML.

pyVmomi's SOAP deserializer builds a Python object for each XML element through Python
callbacks (tens of microseconds each): for a 1,000-VM page, parsing cost more than the whole
network exchange. So the PropertyCollector's answers are parsed here with ElementTree's C
parser, and pyVmomi's type metadata still decides what is a list, a number or a reference;
`plain()` does the same for objects pyVmomi has deserialized, and the two agree.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyVmomi import Iso8601, VmomiSupport

VIM = "{urn:vim25}"
XSI_TYPE = f"{{{VmomiSupport.XMLNS_XSI}}}type"
REFERENCE = "ManagedObjectReference"


@dataclass(frozen=True)
class Fetched:
    """One managed object as read: its moref id, its type and its properties as plain data."""

    ref: str
    type: str
    props: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "type": self.type, "props": self.props}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fetched:
        return cls(ref=data["ref"], type=data["type"], props=dict(data["props"]))


def plain(value: Any) -> Any:
    """A pyVmomi value as plain data: objects as dicts of their set fields, morefs as ids."""
    if isinstance(value, VmomiSupport.ManagedObject):
        return value._moId
    if isinstance(value, VmomiSupport.DataObject):
        fields = {}
        for prop in type(value)._GetPropertyList():
            item = plain(getattr(value, prop.name))
            if item is not None and item != [] and prop.name not in _HIDDEN:
                fields[prop.name] = item
        return fields
    # pyVmomi's enums are str subclasses and its long an int subclass: keep the plain types.
    for primitive in (bool, int, float, str):
        if isinstance(value, primitive):
            return primitive(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return str(value)


# Every DataObject has these; they never carry anything the transforms read.
_HIDDEN = frozenset({"dynamicType", "dynamicProperty"})


Reader = Callable[[ElementTree.Element], Any]


@functools.cache
def _wsdl_type(name: str) -> Any:
    """The pyVmomi type an xsi:type names ("xsd:int", "GuestNicInfo", "ArrayOf...")."""
    prefix, _, local = name.rpartition(":")
    if local == REFERENCE:
        return VmomiSupport.ManagedObject
    if local == f"ArrayOf{REFERENCE}":
        return VmomiSupport.CreateArrayType(VmomiSupport.ManagedObject)
    namespace = VmomiSupport.XMLNS_XSD if prefix == "xsd" else VmomiSupport.XMLNS_VMODL_BASE
    try:
        return VmomiSupport.GetWsdlType(namespace, local)
    except KeyError:
        return VmomiSupport.GuessWsdlType(local)


def _value(element: ElementTree.Element, declared: Any) -> Any:
    """One element's value, typed by its xsi:type or else by the field's declared type."""
    xsi = element.get(XSI_TYPE)
    return _reader(_wsdl_type(xsi) if xsi else declared)(element)


@functools.cache
def _reader(kind: Any) -> Reader:
    """How to read an element of one pyVmomi type: decided once per type."""
    if issubclass(kind, VmomiSupport.ManagedObject):
        return _element_text
    if issubclass(kind, VmomiSupport.Array):
        item = kind.Item
        return lambda element: [_value(child, item) for child in element]
    if issubclass(kind, VmomiSupport.DataObject):
        return functools.partial(_data_object, kind)
    if issubclass(kind, bool):
        return lambda element: element.text == "true"
    if issubclass(kind, int):
        return lambda element: int(element.text or 0)
    if issubclass(kind, float):
        return lambda element: float(element.text or 0)
    if issubclass(kind, datetime):
        return _timestamp
    return _element_text


def _element_text(element: ElementTree.Element) -> str:
    """A string or moref id element's text, "" for an empty element (as pyVmomi reads it)."""
    return element.text or ""


def _timestamp(element: ElementTree.Element) -> str:
    parsed = Iso8601.ParseISO8601(element.text or "")
    return parsed.isoformat() if parsed else (element.text or "")


@functools.cache
def _field(kind: Any, name: str) -> tuple[bool, Any] | None:
    """(is a list, item or value type) of a DataObject's field; None to skip it."""
    if name in _HIDDEN:
        return None
    try:
        info = VmomiSupport.GetPropertyInfo(kind, name)
    except AttributeError:
        # The vCenter sends only the negotiated version's fields; skip any other, not fail.
        return None
    if issubclass(info.type, VmomiSupport.Array):
        return True, info.type.Item
    return False, info.type


def _data_object(kind: Any, element: ElementTree.Element) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for child in element:
        name = child.tag.removeprefix(VIM)
        field = _field(kind, name)
        if field is None:
            continue
        is_list, declared = field
        if is_list:
            # A list field's items are repeated elements named as the field.
            fields.setdefault(name, []).append(_value(child, declared))
        else:
            fields[name] = _value(child, declared)
    return fields


def fetched_from_xml(objects: ElementTree.Element) -> Fetched:
    """One `objects` element of a RetrieveResult (missing properties are left out)."""
    reference = objects.find(f"{VIM}obj")
    if reference is None or reference.text is None:
        raise ValueError("RetrieveResult object without obj")
    props = {}
    for prop in objects.iterfind(f"{VIM}propSet"):
        name, value = prop.find(f"{VIM}name"), prop.find(f"{VIM}val")
        if name is not None and name.text and value is not None:
            props[name.text] = _value(value, object)
    return Fetched(ref=reference.text, type=reference.get("type", ""), props=props)


def retrieve_result_from_xml(document: bytes) -> tuple[list[Fetched], str | None]:
    """The objects and continuation token of a (Continue)RetrievePropertiesEx response."""
    root = ElementTree.fromstring(document)
    result = root.find(f".//{VIM}returnval")
    if result is None:  # no objects matched: vCenter returns no returnval at all
        return [], None
    objects = [fetched_from_xml(item) for item in result.iterfind(f"{VIM}objects")]
    return objects, result.findtext(f"{VIM}token") or None
