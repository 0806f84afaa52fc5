"""Split a CTC recogniser's classification head: most lines are scored over a subset of classes.

Why: PP-OCRv6's recogniser ends in ``MatMul(features, W[120, 18710]) → Add(bias) → Softmax``
at every eighth column, and 15,908 of those classes are Han ideographs and 180 kana. On Latin-
script text that head is ≈ 14% of the recogniser's time (onnxruntime's profiler, 2 × 600
columns: MatMul 8.6%, bias Add 2.6%, Softmax 2.9%), spent scoring characters that are not there.
The edit makes two models from the one file, in memory:

- ``body``: the same network with ``W`` and the bias cut to the kept classes; it returns the
  probabilities over those, the best logit at each column (a ReduceMax added to the graph,
  so the logits themselves are never handed out), and the features the head reads;
- ``head``: the original head alone (features → probabilities over every class), which the
  recogniser runs on the lines the cut head cannot vouch for (helper/ocr/recognize.py).

The head is found by its shape, not by names: the graph's one output is a Softmax reached
through Identity nodes from ``Add(MatMul(x, W), b)`` with ``W`` and ``b`` float initializers.
Any other model is used whole (``split_head`` returns None).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helper import onnxwire as w


@dataclass(frozen=True)
class SplitModel:
    body: bytes
    head: bytes
    #: Index in the full class list of each class the body scores (ascending; 0, the CTC blank,
    #: must be among them).
    classes: np.ndarray
    #: The number of classes of the full head.
    total_classes: int
    #: The body's outputs, in this order: the best kept logit at each column [N, T] (how sure
    #: the cut head is), the probabilities over the kept classes, and the features, which are
    #: also the full head's input; the full head's output is named like ``probs``.
    best_logit: str
    probs: str
    features: str


@dataclass(frozen=True)
class _Node:
    op_type: str
    inputs: list[str]
    outputs: list[str]
    raw: bytes  # the whole field, key included


def split_head(model: bytes | bytearray, keep: np.ndarray) -> SplitModel | None:
    """Cut ``model``'s head to the classes where ``keep`` (a bool per class) is True."""
    view = memoryview(model)
    graph_field = next((f for f in w.fields(view) if (f.number, f.kind) == (w.MODEL_GRAPH, w.LEN)), None)
    if graph_field is None:
        raise w.MalformedModel("no graph in the model")
    graph = view[graph_field.start : graph_field.end]
    parts = list(w.fields(graph))
    nodes = [_node(graph, f) for f in parts if (f.number, f.kind) == (w.GRAPH_NODE, w.LEN)]
    initializers = {
        name: f
        for f in parts
        if (f.number, f.kind) == (w.GRAPH_INITIALIZER, w.LEN)
        and (name := w.first_string(graph[f.start : f.end], w.TENSOR_NAME))
    }
    outputs = [f for f in parts if (f.number, f.kind) == (w.GRAPH_OUTPUT, w.LEN)]
    if len(outputs) != 1:
        return None
    output = w.first_string(graph[outputs[0].start : outputs[0].end], w.VALUE_NAME)
    found = _find_head(nodes, initializers, output) if output else None
    if found is None:
        return None
    head_nodes, features, weight_name, bias_name, logits = found
    weight = _float_array(graph, initializers[weight_name])
    bias = _float_array(graph, initializers[bias_name])
    if weight is None or bias is None or weight.ndim != 2 or bias.shape != (weight.shape[1],):
        return None
    if keep.shape != bias.shape or not keep[0]:
        raise ValueError(f"keep has {keep.shape[0]} flags for {bias.shape[0]} classes, or drops the blank")
    probs = head_nodes[-1].outputs[0]

    head_outputs = {name for node in head_nodes for name in node.outputs}
    replaced = {
        weight_name: w.float_tensor(
            weight_name, (weight.shape[0], int(keep.sum())), weight[:, keep].tobytes()
        ),
        bias_name: w.float_tensor(bias_name, (int(keep.sum()),), bias[keep].tobytes()),
    }
    best, best_nodes = _best_logit(logits, w.opset_version(view))
    names = {id(f): name for name, f in initializers.items()}
    body = bytearray()
    for f in parts:
        raw = bytes(graph[f.head : f.end])
        if (f.number, f.kind) == (w.GRAPH_INITIALIZER, w.LEN):
            name = names.get(id(f))
            if name in replaced:
                raw = w.len_field(w.GRAPH_INITIALIZER, replaced[name])
        elif (f.number, f.kind) == (w.GRAPH_OUTPUT, w.LEN):
            raw = best_nodes + b"".join(
                w.len_field(w.GRAPH_OUTPUT, w.float_value_info(n)) for n in (best, probs, features)
            )
        elif (f.number, f.kind) == (w.GRAPH_VALUE_INFO, w.LEN) and (
            w.first_string(graph[f.start : f.end], w.VALUE_NAME) in head_outputs
        ):
            continue  # the shapes recorded for the head's tensors say 18,710 classes: no longer true
        body += raw

    head = (
        b"".join(node.raw for node in head_nodes)
        + w.len_field(w.GRAPH_NAME, b"head")
        + bytes(graph[initializers[weight_name].head : initializers[weight_name].end])
        + bytes(graph[initializers[bias_name].head : initializers[bias_name].end])
        + w.len_field(w.GRAPH_INPUT, w.float_value_info(features))
        + w.len_field(w.GRAPH_OUTPUT, w.float_value_info(probs))
    )
    return SplitModel(
        body=_with_graph(view, bytes(body), keep_metadata=True),
        head=_with_graph(view, head, keep_metadata=False),
        classes=np.nonzero(keep)[0],
        total_classes=int(bias.shape[0]),
        best_logit=best,
        probs=probs,
        features=features,
    )


def _find_head(
    nodes: list[_Node], initializers: dict[str, w.Field], output: str
) -> tuple[list[_Node], str, str, str, str] | None:
    """Walk back from the graph output: Softmax ← Identity* ← Add(·, bias) ← MatMul(x, W)."""
    producer = {name: node for node in nodes for name in node.outputs}
    consumers: dict[str, int] = {}
    for node in nodes:
        for name in node.inputs:
            consumers[name] = consumers.get(name, 0) + 1
    softmax = producer.get(output)
    if softmax is None or softmax.op_type != "Softmax":
        return None
    chain = [softmax]
    node = producer.get(softmax.inputs[0])
    while node is not None and node.op_type == "Identity":
        chain.append(node)
        node = producer.get(node.inputs[0])
    if node is None or node.op_type != "Add" or len(node.inputs) != 2:
        return None
    add = node
    bias = next((name for name in add.inputs if name in initializers), None)
    other = next((name for name in add.inputs if name != bias), None)
    matmul = producer.get(other) if other else None
    if bias is None or matmul is None or matmul.op_type != "MatMul" or matmul.inputs[1] not in initializers:
        return None
    features, weight = matmul.inputs
    logits = add.outputs[0]
    chain += [add, matmul]
    # Nothing else may read the head's tensors or weights, or cutting it would change the rest.
    inner = [name for n in chain for name in n.outputs if name != output] + [weight, bias]
    if any(consumers.get(name, 0) != 1 for name in inner):
        return None
    return chain[::-1], features, weight, bias, logits


def _best_logit(logits: str, opset: int | None) -> tuple[str, bytes]:
    """A ReduceMax over the class axis of ``logits``: its output name, and the graph's node
    field (and, from opset 18 on, where axes became an input, its initializer)."""
    best = "headcut.best_logit"
    keepdims = w.int_attribute("keepdims", 0)
    if opset is not None and opset >= 18:
        axes = w.len_field(w.GRAPH_INITIALIZER, w.int64_tensor("headcut.axes", (-1,)))
        node = w.node("ReduceMax", [logits, "headcut.axes"], [best], "headcut.reduce", keepdims)
        return best, axes + w.len_field(w.GRAPH_NODE, node)
    node = w.node("ReduceMax", [logits], [best], "headcut.reduce", w.ints_attribute("axes", (-1,)) + keepdims)
    return best, w.len_field(w.GRAPH_NODE, node)


def _node(graph: memoryview, f: w.Field) -> _Node:
    """One pass over the node's fields: a graph has hundreds of nodes, read at every start."""
    message = graph[f.start : f.end]
    texts: dict[int, list[str]] = {w.NODE_INPUT: [], w.NODE_OUTPUT: [], w.NODE_OP_TYPE: []}
    for g in w.fields(message):
        if g.kind == w.LEN and g.number in texts:
            texts[g.number].append(bytes(message[g.start : g.end]).decode("utf-8", "replace"))
    op = texts[w.NODE_OP_TYPE]
    return _Node(op[0] if op else "", texts[w.NODE_INPUT], texts[w.NODE_OUTPUT], bytes(graph[f.head : f.end]))


def _float_array(graph: memoryview, f: w.Field) -> np.ndarray | None:
    """A float initializer stored as raw little-endian data; None for any other layout."""
    tensor = graph[f.start : f.end]
    dims = tuple(w.varints(tensor, w.TENSOR_DIMS))
    types = w.varints(tensor, w.TENSOR_DATA_TYPE)
    raw = [g for g in w.fields(tensor) if (g.number, g.kind) == (w.TENSOR_RAW_DATA, w.LEN)]
    if types != [w.FLOAT] or len(raw) != 1:
        return None
    data = np.frombuffer(tensor[raw[0].start : raw[0].end], dtype="<f4")
    if data.size != int(np.prod(dims)):
        raise w.MalformedModel("a tensor's data does not match its dimensions")
    return data.reshape(dims)


def _with_graph(model: memoryview, graph: bytes, keep_metadata: bool) -> bytes:
    """``model`` with its graph replaced (and its metadata dropped unless kept)."""
    out = bytearray()
    for f in w.fields(model):
        if (f.number, f.kind) == (w.MODEL_GRAPH, w.LEN):
            out += w.len_field(w.MODEL_GRAPH, graph)
        elif f.number == w.MODEL_METADATA and not keep_metadata:
            continue
        else:
            out += model[f.head : f.end]
    return bytes(out)
