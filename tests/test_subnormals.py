"""Subnormal weights are flushed to zero in the model bytes, and nothing else is touched.

The models are built with the ``onnx`` package (a test dependency only), an encoder
independent of our wire-format walk, and read back with it after the flush.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from helper import arena, models
from helper.config import EngineConfig
from helper.errors import ModelError
from helper.subnormals import MalformedModel, flush_subnormal_weights

TINY = np.finfo(np.float32).tiny  # smallest normal float32


def _is_subnormal(values: np.ndarray) -> np.ndarray:
    return (values != 0) & (np.abs(values) < TINY)


def _model() -> onnx.ModelProto:
    """y = (x * w_raw + w_packed) then an If whose branches add constants with subnormals."""
    w_raw = np.array([1.5, 1e-39, -3e-40, TINY, 0.0, -2.0], dtype=np.float32)
    w_packed = helper.make_tensor("w_packed", TensorProto.FLOAT, [6], [1e-41, 2.0, -1e-45, 3.0, 0.5, 1e-38])
    # An int32 tensor whose bit patterns are those of subnormal floats must stay as it is.
    ints = helper.make_tensor("ints", TensorProto.INT32, [3], [1, 5, 0x007FFFFF])
    inner_const = helper.make_node(
        "Constant", [], ["c"], value=numpy_helper.from_array(np.array([7e-40] * 6, np.float32), "cv")
    )
    branch = helper.make_graph(
        [inner_const, helper.make_node("Add", ["z", "c"], ["out"])],
        "branch",
        [],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [6])],
    )
    nodes = [
        helper.make_node("Mul", ["x", "w_raw"], ["m"]),
        helper.make_node("Add", ["m", "w_packed"], ["z"]),
        helper.make_node("Constant", [], ["flag"], value=numpy_helper.from_array(np.array(True), "f")),
        helper.make_node("If", ["flag"], ["y"], then_branch=branch, else_branch=branch),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [6])],
        initializer=[numpy_helper.from_array(w_raw, "w_raw"), w_packed, ints],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _all_float_tensors(model: onnx.ModelProto) -> list[np.ndarray]:
    found = []

    def walk(graph: onnx.GraphProto) -> None:
        found.extend(numpy_helper.to_array(t) for t in graph.initializer if t.data_type == TensorProto.FLOAT)
        for node in graph.node:
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                    found.append(numpy_helper.to_array(attr.t))
                if attr.type == onnx.AttributeProto.GRAPH:
                    walk(attr.g)

    walk(model.graph)
    return found


def test_every_subnormal_becomes_zero_and_the_rest_is_untouched():
    model = _model()
    before = _all_float_tensors(model)
    expected = sum(int(_is_subnormal(t).sum()) for t in before)
    assert expected == 2 + 3 + 6 + 6  # raw, packed (1e-38 too), the Constant in each If branch

    data = bytearray(model.SerializeToString())
    assert flush_subnormal_weights(data) == expected
    flushed = onnx.load_from_string(bytes(data))
    after = _all_float_tensors(flushed)
    for old, new in zip(before, after, strict=True):
        assert not _is_subnormal(new).any()
        kept = ~_is_subnormal(old)
        assert np.array_equal(old[kept], new[kept])
        assert np.all(new[~kept] == 0)
    ints = next(t for t in flushed.graph.initializer if t.name == "ints")
    assert list(numpy_helper.to_array(ints)) == [1, 5, 0x007FFFFF]
    assert flush_subnormal_weights(data) == 0  # a second pass finds nothing


def test_flushed_model_still_runs_and_computes_the_same():
    data = _model().SerializeToString()
    fixed = bytearray(data)
    flush_subnormal_weights(fixed)
    x = np.arange(6, dtype=np.float32)
    y_before = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    y_after = ort.InferenceSession(bytes(fixed), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(y_after, y_before, atol=1e-37)


def test_the_shipped_detector_has_subnormals_and_gives_the_same_map_without_them(engine):
    """The reason for the module: PP-OCRv6's detector has them; its output does not change."""
    det = models.verify(models.default_models().det)
    raw = det.read_bytes()
    fixed = bytearray(raw)
    assert flush_subnormal_weights(fixed) > 100_000
    rng = np.random.default_rng(7)
    x = rng.uniform(-1, 1, size=(1, 3, 160, 320)).astype(np.float32)
    before = ort.InferenceSession(raw, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    after = ort.InferenceSession(bytes(fixed), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(after, before, atol=1e-6)


@pytest.mark.parametrize(
    "data",
    [
        b"\x3a\xff\x01abc",  # graph field whose length runs past the end
        b"\x3a\x03\x2a\x01",  # an initializer cut short inside the graph
        b"\x3b",  # wire type 3 (deprecated groups)
        b"\x38\xff\xff",  # a varint that never ends
    ],
)
def test_malformed_bytes_raise_a_clear_error(data):
    with pytest.raises(MalformedModel):
        flush_subnormal_weights(bytearray(data))


def test_a_model_file_that_is_not_onnx_is_refused_with_the_fix(tmp_path):
    bogus = tmp_path / "bogus.onnx"
    bogus.write_bytes(b"\x3a\xff\x01abc")
    model = models.ModelFile("det", bogus, sha256=None, size=None, fix="reinstall it")
    with pytest.raises(ModelError, match=r"not an ONNX model.*Fix: reinstall it"):
        models.open_session(model, threads=1, budget=arena.Budget(EngineConfig().arena_budget))
