"""helper/headcut.py: the recogniser's head split into a cut body and the full head.

Small models are built with the ``onnx`` package (a test-only dependency), an encoder
independent of our own wire code; the shipped recogniser is split too, and its halves must
give the whole model's numbers.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from helper import arena, models
from helper.config import EngineConfig
from helper.headcut import split_head
from helper.ocr.recognize import outside_han_and_kana
from helper.onnxwire import MalformedModel

CLASSES, DIM = 7, 5


def _session(data: bytes) -> ort.InferenceSession:
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def _weights() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    return rng.normal(size=(DIM, CLASSES)).astype(np.float32), rng.normal(size=CLASSES).astype(np.float32)


def _model(last: str = "Softmax", share_weight: bool = False, opset: int = 11) -> bytes:
    """x → Relu → MatMul(W) → Add(b) → Identity → Softmax(axis=2), as a Paddle export ends."""
    weight, bias = _weights()
    axis = {"axis": 2} if last == "Softmax" else {}
    nodes = [
        helper.make_node("Relu", ["x"], ["relu"], name="relu"),
        helper.make_node("MatMul", ["features", "W"], ["scores"], name="matmul"),
        helper.make_node("Add", ["scores", "b"], ["logits"], name="add"),
        helper.make_node("Identity", ["logits"], ["same"], name="identity"),
        helper.make_node(last, ["same"], ["probs"], name="last", **axis),
    ]
    if share_weight:  # W also read before the head: cutting it would change the features
        nodes[1:1] = [
            helper.make_node("MatMul", ["relu", "W"], ["early"], name="early"),
            helper.make_node("ReduceSum", ["early"], ["summed"], name="sum", axes=[2], keepdims=1),
            helper.make_node("Add", ["relu", "summed"], ["features"], name="mix"),
        ]
    else:
        nodes.insert(1, helper.make_node("Identity", ["relu"], ["features"], name="features"))
    outputs = [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", "T", CLASSES])]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "T", DIM])],
        outputs,
        [numpy_helper.from_array(weight, "W"), numpy_helper.from_array(bias, "b")],
        value_info=[helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", "T", CLASSES])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7 if opset < 18 else 8
    helper.set_model_props(model, {"character": "abc"})
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _input() -> np.ndarray:
    return np.random.default_rng(5).normal(size=(3, 4, DIM)).astype(np.float32)


@pytest.mark.parametrize("opset", [11, 18])  # from 18 on, ReduceMax takes its axes as an input
def test_the_halves_give_the_whole_models_numbers(opset):
    data = _model(opset=opset)
    keep = np.array([True, False, True, True, False, True, False])
    split = split_head(data, keep)
    assert split is not None
    assert (split.probs, split.features) == ("probs", "features")
    assert split.classes.tolist() == [0, 2, 3, 5] and split.total_classes == CLASSES
    x = _input()
    whole = _session(data).run(None, {"x": x})[0]
    best, probs, features = _session(split.body).run([split.best_logit, "probs", "features"], {"x": x})
    # The body: the whole model's probabilities renormalised over the kept classes.
    kept = whole[..., keep] / whole[..., keep].sum(axis=2, keepdims=True)
    np.testing.assert_allclose(probs, kept, rtol=1e-5, atol=1e-6)
    # The best kept logit at each column: the model's logits, maximised over the kept classes.
    weight, bias = _weights()
    np.testing.assert_allclose(best, (np.maximum(x, 0) @ weight + bias)[..., keep].max(axis=2), rtol=1e-5)
    # The head on the body's features: the whole model, exactly.
    np.testing.assert_array_equal(_session(split.head).run(None, {"features": features})[0], whole)
    # The body keeps the model's metadata (the character list lives there); the head needs none.
    assert _session(split.body).get_modelmeta().custom_metadata_map == {"character": "abc"}


def test_models_of_another_shape_are_used_whole():
    keep = np.ones(CLASSES, dtype=bool)
    assert split_head(_model(last="Sigmoid"), keep) is None
    assert split_head(_model(share_weight=True), keep) is None


def test_a_cut_that_drops_the_blank_or_miscounts_is_refused():
    with pytest.raises(ValueError):
        split_head(_model(), np.array([False] + [True] * (CLASSES - 1)))
    with pytest.raises(ValueError):
        split_head(_model(), np.ones(CLASSES + 1, dtype=bool))


def test_bytes_that_are_not_a_model_are_refused():
    with pytest.raises(MalformedModel):
        split_head(b"\x3a\xff\xff\xff\x0f", np.ones(CLASSES, dtype=bool))


def test_the_shipped_recogniser_splits_into_halves_that_agree_with_it():
    model_set = models.default_models()
    data = models.read_model(model_set.rec)
    charset = models.load_charset(model_set.charset, model_set.rec, data)
    keep = outside_han_and_kana(charset)
    assert 2000 < keep.sum() < 3000 and keep[0]  # 2,622 of 18,710 for PP-OCRv6
    split = split_head(data, keep)
    assert split is not None and split.total_classes == len(charset)
    budget = arena.Budget(EngineConfig().arena_budget)
    whole = models.open_session(model_set.rec, 2, budget, data)
    body = models.open_session(model_set.rec, 2, budget, split.body)
    head = models.open_session(model_set.rec, 2, budget, split.head)
    x = np.random.default_rng(6).uniform(-1, 1, size=(2, 3, 48, 160)).astype(np.float32)
    name = whole.get_inputs()[0].name
    expected = whole.run(None, {name: x})[0]
    best, probs, features = body.run([split.best_logit, split.probs, split.features], {name: x})
    assert best.shape == probs.shape[:2]
    assert probs.shape[-1] == keep.sum()
    np.testing.assert_allclose(head.run(None, {split.features: features})[0], expected, atol=1e-6)
    kept = expected[..., keep] / expected[..., keep].sum(axis=2, keepdims=True)
    np.testing.assert_allclose(probs, kept, atol=1e-4)


def test_han_kana_and_hangul_are_the_classes_cut():
    assert outside_han_and_kana(["blank", "a", "中", "カ", "ひ", "한", "。", "é", "Ж", " "]).tolist() == [
        True,
        True,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
    ]
