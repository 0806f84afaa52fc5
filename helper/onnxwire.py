"""Just enough of protobuf's wire format to read ONNX models and put edited ones together.

Why not the ``onnx`` package: it is a 16 MB install with its own protobuf runtime, for the two
small edits the engine makes to models in memory (helper/subnormals.py, helper/headcut.py).
Field numbers are onnx.proto's; a message is a sequence of fields, each a key (field number and
wire type) and a value, and an edited message is re-assembled from the original fields' bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

VARINT, I64, LEN, I32 = 0, 1, 2, 5

# ModelProto, OperatorSetIdProto, StringStringEntryProto
MODEL_OPSET, MODEL_GRAPH, MODEL_METADATA = 8, 7, 14
OPSET_DOMAIN, OPSET_VERSION = 1, 2
ENTRY_KEY, ENTRY_VALUE = 1, 2
# GraphProto
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT, GRAPH_VALUE_INFO = 1, 5, 11, 12, 13
GRAPH_NAME = 2
# NodeProto
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE, NODE_ATTRIBUTE = 1, 2, 3, 4, 5
# AttributeProto, and its type codes
ATTR_NAME, ATTR_I, ATTR_T, ATTR_G, ATTR_INTS, ATTR_TENSORS, ATTR_GRAPHS, ATTR_TYPE = 1, 3, 5, 6, 8, 10, 11, 20
ATTR_TYPE_INT, ATTR_TYPE_INTS = 2, 7
# TensorProto
TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_FLOAT_DATA, TENSOR_NAME, TENSOR_RAW_DATA = 1, 2, 4, 8, 9
FLOAT, INT64 = 1, 7
# ValueInfoProto, TypeProto, TypeProto.Tensor
VALUE_NAME, VALUE_TYPE, TYPE_TENSOR, TENSOR_ELEM_TYPE = 1, 2, 1, 1


class MalformedModel(ValueError):
    """The bytes are not a protobuf message of the expected shape."""


class Field(NamedTuple):
    """One field of a message: ``start:end`` is its value (a varint's is ``value``), and
    ``head:end`` the whole field, key included, to copy it unchanged into another message.
    (A tuple: a model has thousands of fields, and a frozen dataclass is 3× slower to make.)"""

    number: int
    kind: int
    head: int
    start: int
    end: int
    value: int = 0


def fields(message: memoryview | bytes) -> Iterator[Field]:
    """The fields of ``message`` in order."""
    pos, end = 0, len(message)
    while pos < end:
        head = pos
        key, pos = _varint(message, pos)
        number, kind = key >> 3, key & 7
        if kind == VARINT:
            value, after = _varint(message, pos)
            yield Field(number, kind, head, pos, after, value)
            pos = after
            continue
        if kind == LEN:
            size, pos = _varint(message, pos)
        elif kind in (I64, I32):
            size = 8 if kind == I64 else 4
        else:
            raise MalformedModel(f"unsupported protobuf wire type {kind}")
        if pos + size > end:
            raise MalformedModel("a field runs past the end of its message")
        yield Field(number, kind, head, pos, pos + size)
        pos += size


def first_string(message: memoryview | bytes, number: int) -> str | None:
    """The first value of a string field, reading no further than it (a tensor's name comes
    before its data, a value's name first of all)."""
    for f in fields(message):
        if f.number == number and f.kind == LEN:
            return bytes(message[f.start : f.end]).decode("utf-8", "replace")
    return None


def strings(message: memoryview | bytes, number: int) -> list[str]:
    """The values of a repeated string field."""
    try:
        return [
            bytes(message[f.start : f.end]).decode("utf-8")
            for f in fields(message)
            if f.number == number and f.kind == LEN
        ]
    except UnicodeDecodeError:
        raise MalformedModel("a name is not UTF-8") from None


def varints(message: memoryview | bytes, number: int) -> list[int]:
    """The values of a repeated integer field, packed or not."""
    values: list[int] = []
    for f in fields(message):
        if f.number != number:
            continue
        if f.kind == VARINT:
            values.append(f.value)
        elif f.kind == LEN:
            pos = f.start
            while pos < f.end:
                value, pos = _varint(message, pos)
                values.append(value)
    return values


def metadata(model: memoryview | bytes) -> dict[str, str]:
    """The model's ``metadata_props`` (key → value)."""
    entries = {}
    for f in fields(model):
        if (f.number, f.kind) == (MODEL_METADATA, LEN):
            entry = model[f.start : f.end]
            key, value = strings(entry, ENTRY_KEY), strings(entry, ENTRY_VALUE)
            if key:
                entries[key[0]] = value[0] if value else ""
    return entries


def encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def len_field(number: int, payload: bytes) -> bytes:
    return encode_varint(number << 3 | LEN) + encode_varint(len(payload)) + payload


def varint_field(number: int, value: int) -> bytes:
    return encode_varint(number << 3 | VARINT) + encode_varint(value)


def float_tensor(name: str, dims: tuple[int, ...], data: bytes) -> bytes:
    """A TensorProto of float32 ``data`` (little-endian, row-major)."""
    return (
        b"".join(varint_field(TENSOR_DIMS, d) for d in dims)
        + varint_field(TENSOR_DATA_TYPE, FLOAT)
        + len_field(TENSOR_NAME, name.encode())
        + len_field(TENSOR_RAW_DATA, data)
    )


def int64_tensor(name: str, values: tuple[int, ...]) -> bytes:
    """A one-dimensional int64 TensorProto."""
    data = b"".join(v.to_bytes(8, "little", signed=True) for v in values)
    return (
        varint_field(TENSOR_DIMS, len(values))
        + varint_field(TENSOR_DATA_TYPE, INT64)
        + len_field(TENSOR_NAME, name.encode())
        + len_field(TENSOR_RAW_DATA, data)
    )


def node(op_type: str, inputs: list[str], outputs: list[str], name: str, attributes: bytes = b"") -> bytes:
    """A NodeProto; ``attributes`` are already encoded (``int_attribute``, ``ints_attribute``)."""
    return (
        b"".join(len_field(NODE_INPUT, n.encode()) for n in inputs)
        + b"".join(len_field(NODE_OUTPUT, n.encode()) for n in outputs)
        + len_field(NODE_NAME, name.encode())
        + len_field(NODE_OP_TYPE, op_type.encode())
        + attributes
    )


def int_attribute(name: str, value: int) -> bytes:
    """A node's integer attribute, as the field to append to the node."""
    body = len_field(ATTR_NAME, name.encode()) + varint_field(ATTR_I, value & (1 << 64) - 1)
    return len_field(NODE_ATTRIBUTE, body + varint_field(ATTR_TYPE, ATTR_TYPE_INT))


def ints_attribute(name: str, values: tuple[int, ...]) -> bytes:
    body = len_field(ATTR_NAME, name.encode())
    body += b"".join(varint_field(ATTR_INTS, v & (1 << 64) - 1) for v in values)
    return len_field(NODE_ATTRIBUTE, body + varint_field(ATTR_TYPE, ATTR_TYPE_INTS))


def opset_version(model: memoryview | bytes) -> int | None:
    """The model's version of the default ("ai.onnx") operator set."""
    for f in fields(model):
        if (f.number, f.kind) == (MODEL_OPSET, LEN):
            entry = model[f.start : f.end]
            domain = first_string(entry, OPSET_DOMAIN) or ""
            if domain in ("", "ai.onnx"):
                versions = varints(entry, OPSET_VERSION)
                return versions[0] if versions else None
    return None


def float_value_info(name: str) -> bytes:
    """A ValueInfoProto: a float tensor of any shape."""
    tensor_type = len_field(TYPE_TENSOR, varint_field(TENSOR_ELEM_TYPE, FLOAT))
    return len_field(VALUE_NAME, name.encode()) + len_field(VALUE_TYPE, tensor_type)


def _varint(message: memoryview | bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(message) or shift > 63:
            raise MalformedModel("a varint runs past the end of its message")
        byte = message[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
