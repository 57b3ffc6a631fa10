"""Converts the trained models to ONNX (float32 input "input" [N, F]) and exports the GBDT's tree
structure for reason codes."""
from __future__ import annotations

import lightgbm as lgb
import numpy as np
import onnx
from onnx import TensorProto, helper
from onnxmltools import convert_lightgbm
from onnxmltools.convert.common.data_types import FloatTensorType as MlFloatTensorType
from sklearn.ensemble._iforest import _average_path_length
from sklearn.pipeline import Pipeline

# onnxruntime-node 1.30 runs these opsets; onnxmltools converts up to opset 15; IR 8 carries it, so older
# runtimes load the file too.
OPSETS = {"": 15, "ai.onnx.ml": 3}
IR_VERSION = 8
INPUT = "input"


def _finish(model: onnx.ModelProto, doc: str) -> onnx.ModelProto:
    model.ir_version = IR_VERSION
    model.doc_string = doc
    model.producer_name = "fraudguard-ml"
    onnx.checker.check_model(model)
    return model


def gbdt_to_onnx(model: lgb.LGBMClassifier, n_features: int) -> onnx.ModelProto:
    """Outputs: label [N] and probabilities [N, 2] (column 1 = fraud), no ZipMap so that
    onnxruntime-node reads a plain tensor."""
    m = convert_lightgbm(model, initial_types=[(INPUT, MlFloatTensorType([None, n_features]))],
                         zipmap=False, target_opset=OPSETS[""])
    _snap_thresholds(m, model)
    # Only the probabilities: the converter declares "label" with a fixed shape [1] that the runtime
    # warns about on every batch.
    keep = [o for o in m.graph.output if o.name == "probabilities"]
    del m.graph.output[:]
    m.graph.output.extend(keep)
    # The converter names the graph with a random UUID: named here, the same trees give the same bytes,
    # hence the same content-derived version on every run.
    m.graph.name = "lightgbm_fraud_classifier"
    return _finish(m, "LightGBM fraud classifier; probabilities[:, 1] is P(fraud)")


def _snap_thresholds(m: onnx.ModelProto, model: lgb.LGBMClassifier) -> None:
    """LightGBM splits on `x <= t` with t a double; ONNX stores t as float32, rounded to nearest. For
    a float32 input x, `x <= t` holds exactly when `x <= the largest float32 not above t`, so that
    is the threshold we store: the ONNX model then routes every float32 row as LightGBM does. (With
    nearest rounding, a row whose value lies between t and float32(t) — sums and means computed in
    double do land there — takes the other branch: errors up to 1e-3 on the probability.)"""
    by_tree: dict[tuple[int, int], list[float]] = {}
    for k, info in enumerate(model.booster_.dump_model()["tree_info"]):
        stack = [info["tree_structure"]]
        while stack:
            node = stack.pop()
            if "split_feature" in node:
                by_tree.setdefault((k, int(node["split_feature"])), []).append(float(node["threshold"]))
                stack += [node["left_child"], node["right_child"]]
    node = next(n for n in m.graph.node if n.op_type.startswith("TreeEnsemble"))
    attrs = {a.name: a for a in node.attribute}
    trees, feats, modes = attrs["nodes_treeids"].ints, attrs["nodes_featureids"].ints, attrs["nodes_modes"].strings
    values = attrs["nodes_values"].floats
    for i in range(len(values)):
        if modes[i] != b"BRANCH_LEQ":
            continue
        near = [t for t in by_tree.get((trees[i], feats[i]), []) if np.float32(t) == np.float32(values[i])]
        if not near:
            raise ValueError(f"tree {trees[i]}: no LightGBM threshold for ONNX node value {values[i]}")
        t = min(near)
        v = np.float32(t)
        if float(v) > t:
            v = np.nextafter(v, np.float32(-np.inf))
        values[i] = float(v)


def _float32_floor(t: float) -> float:
    """The largest float32 not above t: for a float32 x, `x <= t` ⇔ `x <= _float32_floor(t)`."""
    v = np.float32(t)
    if float(v) > t:
        v = np.nextafter(v, np.float32(-np.inf))
    return float(v)


def iforest_to_onnx(model: Pipeline, n_features: int, lo: float, hi: float) -> onnx.ModelProto:
    """Imputer → one TreeEnsembleRegressor summing, over the trees, the path length of the leaf each
    row reaches (depth + c(leaf size) − 1, as sklearn's score_samples) → s = 2^(−Σh / (T·c(ψ))) →
    score = clip((s − lo) / (hi − lo), 0, 1) (see models.anomaly_scale).

    Built by hand rather than with skl2onnx, whose graph has one sub-graph per tree (2,700 nodes for
    100 trees): about 1 ms a run whatever the batch size, against a few µs for this 6-node graph."""
    imputer = model.named_steps["impute"]
    forest = model.named_steps["forest"]
    ids, nodes, feats, modes, values, trues, falses = [], [], [], [], [], [], []
    t_ids, t_nodes, t_weights = [], [], []
    for k, (est, features) in enumerate(zip(forest.estimators_, forest.estimators_features_)):
        tree = est.tree_
        depth = forest._decision_path_lengths[k]
        avg = forest._average_path_length_per_tree[k]
        for i in range(tree.node_count):
            ids.append(k)
            nodes.append(i)
            if tree.children_left[i] == -1:
                feats.append(0); modes.append("LEAF"); values.append(0.0); trues.append(0); falses.append(0)
                t_ids.append(k); t_nodes.append(i); t_weights.append(float(depth[i] + avg[i] - 1.0))
            else:
                # The tree was fitted on X[:, features] (bagging may permute the columns).
                feats.append(int(features[tree.feature[i]])); modes.append("BRANCH_LEQ")
                values.append(_float32_floor(float(tree.threshold[i])))
                trues.append(int(tree.children_left[i])); falses.append(int(tree.children_right[i]))
    n_trees = len(forest.estimators_)
    c_psi = float(_average_path_length([forest._max_samples])[0])
    nodes_ = [
        helper.make_node("Imputer", [INPUT], ["fg_imputed"], domain="ai.onnx.ml",
                         imputed_value_floats=[float(v) for v in imputer.statistics_], replaced_value_float=float("nan")),
        helper.make_node("TreeEnsembleRegressor", ["fg_imputed"], ["fg_path_sum"], domain="ai.onnx.ml",
                         n_targets=1, aggregate_function="SUM", post_transform="NONE",
                         nodes_treeids=ids, nodes_nodeids=nodes, nodes_featureids=feats, nodes_modes=modes, nodes_values=values,
                         nodes_truenodeids=trues, nodes_falsenodeids=falses, nodes_missing_value_tracks_true=[0] * len(ids),
                         nodes_hitrates=[1.0] * len(ids),
                         target_ids=[0] * len(t_ids), target_treeids=t_ids, target_nodeids=t_nodes, target_weights=t_weights),
        helper.make_node("Mul", ["fg_path_sum", "fg_k"], ["fg_exponent"]),
        helper.make_node("Exp", ["fg_exponent"], ["fg_s"]),
        helper.make_node("Sub", ["fg_s", "fg_lo"], ["fg_shifted"]),
        helper.make_node("Div", ["fg_shifted", "fg_range"], ["fg_scaled"]),
        helper.make_node("Clip", ["fg_scaled", "fg_zero", "fg_one"], ["score"]),
    ]
    init = [
        helper.make_tensor("fg_k", TensorProto.FLOAT, [], [-np.log(2.0) / (n_trees * c_psi)]),
        helper.make_tensor("fg_lo", TensorProto.FLOAT, [], [lo]),
        helper.make_tensor("fg_range", TensorProto.FLOAT, [], [hi - lo]),
        helper.make_tensor("fg_zero", TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor("fg_one", TensorProto.FLOAT, [], [1.0]),
    ]
    graph = helper.make_graph(nodes_, "isolation_forest", [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [None, n_features])],
                              [helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])], init)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSETS[""]), helper.make_opsetid("ai.onnx.ml", OPSETS["ai.onnx.ml"])])
    return _finish(m, "Isolation forest anomaly score mapped into [0, 1]")


def tree_sidecar(model: lgb.LGBMClassifier) -> dict:
    """The GBDT's trees as flat arrays, for path contributions in TypeScript (Saabas' method:
    each split on the path adds value(child) - value(node) to its feature; the bias plus the
    contributions add up exactly to the raw margin, log-odds for binary). value = LightGBM's
    internal_value (the node's hessian-weighted mean output) or leaf_value."""
    dump = model.booster_.dump_model()
    trees = []
    for info in dump["tree_info"]:
        arrays = {"feature": [], "threshold": [], "left": [], "right": [], "defaultLeft": [], "missing": [], "value": []}
        def visit(node: dict) -> int:
            i = len(arrays["feature"])
            for k in arrays:
                arrays[k].append(0)
            if "leaf_index" in node or "leaf_value" in node and "split_feature" not in node:
                arrays["feature"][i] = -1
                arrays["value"][i] = float(np.float32(node["leaf_value"]))
                arrays["left"][i] = arrays["right"][i] = -1
                return i
            if node.get("decision_type", "<=") != "<=":
                raise ValueError(f"unsupported split {node.get('decision_type')}")
            arrays["feature"][i] = int(node["split_feature"])
            arrays["threshold"][i] = float(node["threshold"])
            arrays["defaultLeft"][i] = 1 if node["default_left"] else 0
            arrays["missing"][i] = {"None": 0, "Zero": 1, "NaN": 2}[node["missing_type"]]
            arrays["value"][i] = float(np.float32(node["internal_value"]))
            arrays["left"][i] = visit(node["left_child"])
            arrays["right"][i] = visit(node["right_child"])
            return i
        visit(info["tree_structure"])
        trees.append(arrays)
    return {"method": "saabas-path-contributions", "objective": dump["objective"],
            "missingTypes": {"0": "None: NaN is compared as 0", "1": "Zero: 0 and NaN follow defaultLeft", "2": "NaN: NaN follows defaultLeft"},
            "trees": trees}
