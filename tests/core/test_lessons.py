"""Lesson files: every shipped lesson loads; every check kind passes on a right state and fails on a wrong
one, reading the real graph, shapes and run history; broken or hostile files are one line naming the field."""

import json
import re

import numpy as np
import pytest

from playground.core import lessons as L
from playground.core import project, runs
from playground.core.graph import Graph, chain
from playground.core.logic import gate_graph
from playground.core.runs import RunHistory, fingerprint, make_run, weights_digest
from playground.resources_path import preset_text


def lesson_with(check=None, **step):
    return {"format": "playground-lesson", "version": 1, "id": "t", "title": "T",
            "steps": [{"title": "s", "text": "x", **({"check": check} if check else {}), **step}]}


def parse_check(check):
    return L.from_dict(lesson_with(check)).steps[0].check


def run(check, graph, **state):
    return L.run_check(parse_check(check), L.LessonState(graph, **state))


def test_every_shipped_lesson_loads():
    lessons = L.builtin_lessons()
    assert [x.id for x in lessons] == ["logic-gates", "xnor", "convolution", "parameters", "mlp-vs-cnn",
                                       "dropout", "transfer", "cifar10"]
    checks = [s.check for x in lessons for s in x.steps if s.check]
    kinds = {c.kind for c in checks} | {sub.kind for c in checks if c.kind == "all" for sub in c.args["checks"]}
    # the lessons use every check kind but has_layer (kept for lesson files: the shipped one asks where, not whether)
    assert kinds == set(L.CHECKS) - {"has_layer"}


# ------------------------------------------------------------------ each check: pass and fail

def test_truth_table():
    assert run({"kind": "truth_table", "target": "and"}, gate_graph("and")).passed
    res = run({"kind": "truth_table", "target": "or"}, gate_graph("and"))
    assert not res.passed and "row 2 (01)" in res.message and "row 3 (10)" in res.message


def test_truth_table_of_one_hidden_neuron():
    g = gate_graph("xnor-case1")  # hidden layer and_nor: neuron 1 AND, neuron 2 NOR
    assert run({"kind": "truth_table", "target": "and", "layer": "and_nor", "unit": 1}, g).passed
    res = run({"kind": "truth_table", "target": "and", "layer": "and_nor", "unit": 2}, g)
    assert not res.passed and "neuron 2 of and_nor is not AND" in res.message


def test_layer_shape_and_params():
    g = chain(("input", {"shape": (32, 32, 3)}), ("conv2d", {"filters": 6, "kernel_size": 5}))
    assert run({"kind": "layer_shape", "layer": "conv2d", "shape": [28, 28, 6]}, g).passed
    res = run({"kind": "layer_shape", "layer": "conv2d", "shape": [32, 32, 6]}, g)
    assert not res.passed and "outputs 28x28x6" in res.message and "wants 32x32x6" in res.message
    ok = run({"kind": "layer_params", "layer": "conv2d", "params": 456}, g)
    assert ok.passed and "(5*5*3)*6 + 6" in ok.message
    assert not run({"kind": "layer_params", "layer": "conv2d", "params": 450}, g).passed
    assert "no layer named 'nope'" in run({"kind": "layer_params", "layer": "nope", "params": 1}, g).message


def test_layer_param():
    g = chain(("input", {"shape": (6, 6, 1)}), ("conv2d", {"filters": 1, "kernel_size": 3, "padding": 1}))
    assert run({"kind": "layer_param", "layer": "conv2d", "param": "padding", "value": 1}, g).passed
    res = run({"kind": "layer_param", "layer": "conv2d", "param": "padding", "value": "same"}, g)
    assert not res.passed and "padding is 1" in res.message


@pytest.mark.parametrize("formula, right, wrong, told", [
    ({"window": {"n": 6, "f": 3, "p": 0, "s": 1}}, "4", "3", "floor((6 + 2*0 - 3)/1) + 1 = 4, you wrote 3"),
    ({"window": {"n": 6, "f": 3, "p": "same", "s": 1}}, "6", "4", "ceil(6/1) = 6, you wrote 4"),
    ({"conv_params": {"f": 5, "d": 3, "k": 6}}, "456", "450", "(5*5*3)*6 + 6 = 456, you wrote 450"),
    ({"conv_cell": {"image": "lecture", "kernel": "vertical_edge", "row": 0, "col": 0}}, "-5", "5",
     "= -5, you wrote 5"),
    ({"pool_cell": {"grid": "pool_grid", "size": 2, "mode": "max", "row": 0, "col": 1}}, "9", "8",
     "max(2, 1, 8, 9) = 9, you wrote 8"),
    ({"pool_cell": {"grid": "pool_grid", "size": 2, "mode": "avg", "row": 1, "col": 0}}, "5.25", "5",
     "mean(8, 3, 4, 6) = 5.25, you wrote 5"),
])
def test_answer_formulas(formula, right, wrong, told):
    g = Graph()
    assert run({"kind": "answer", "formula": formula}, g, answer=right).passed
    res = run({"kind": "answer", "formula": formula}, g, answer=wrong)
    assert not res.passed and told in res.message


def test_answer_reads_the_real_graph():
    g = project.loads(preset_text("alexnet")).graph
    check = {"kind": "answer", "formula": {"layer_shape": {"layer": "conv2d"}}}
    assert run(check, g, answer="55x55x96").passed
    assert "you wrote 55x55x3" in run(check, g, answer="55x55x3").message
    pcheck = {"kind": "answer", "formula": {"layer_params": {"layer": "conv2d_1"}}}
    assert run(pcheck, g, answer="614,656").passed  # a thousands separator is one number
    g.set_param(g.by_name("conv2d_1").id, "filters", 128)  # the check follows the network, not a stored answer
    assert not run(pcheck, g, answer="614,656").passed
    assert "Type your prediction" in run(check, g, answer="").message
    assert "not a number" in run(check, g, answer="big").message


def test_hidden_layer():
    assert run({"kind": "hidden_layer"}, gate_graph("xnor-case1")).passed
    res = run({"kind": "hidden_layer"}, gate_graph("and"))
    assert not res.passed and "add a hidden layer" in res.message


def test_has_layer_and_logic_target():
    g = project.loads(preset_text("mnist-mlp")).graph
    assert run({"kind": "has_layer", "type": "dropout"}, g).passed
    assert not run({"kind": "has_layer", "type": "batchnorm"}, g).passed
    assert run({"kind": "logic_target", "value": "xnor"}, g, logic_target="xnor").passed
    assert "choose XNOR" in run({"kind": "logic_target", "value": "xnor"}, g, logic_target="and").message


def _run(number, graph, test_acc=0.9, acc=(0.9,), val=(0.9,), end="e"):
    return make_run(number, "2026-01-01T00:00:00Z", 1.0, {}, 1, fingerprint(graph), "", end, 1, [1.0], [0.5],
                    {"accuracy": list(acc), "val_accuracy": list(val)}, 0.1, test_acc)


def test_run_accuracy_on_this_network():
    g = project.loads(preset_text("mnist-mlp")).graph
    other = project.loads(preset_text("mnist-cnn")).graph
    h = RunHistory().added(_run(1, other, 0.99)).added(_run(2, g, 0.80))
    res = run({"kind": "run_accuracy", "at_least": 0.85}, g, runs=h)
    assert not res.passed and "80.0%" in res.message  # the CNN's 99% is another network
    h = h.added(_run(3, g, 0.93))
    assert run({"kind": "run_accuracy", "at_least": 0.85}, g, runs=h).passed
    assert "No finished run" in run({"kind": "run_accuracy", "at_least": 0.5}, g).message


def test_distinct_runs():
    a, b = project.loads(preset_text("mnist-mlp")).graph, project.loads(preset_text("mnist-cnn")).graph
    h = RunHistory().added(_run(1, a)).added(_run(2, a))
    assert not run({"kind": "distinct_runs", "count": 2}, b, runs=h).passed
    assert run({"kind": "distinct_runs", "count": 2}, b, runs=h.added(_run(3, b))).passed


def test_dropout_gap_compares_the_run_before_dropout_with_the_run_after():
    plain = chain(("input", {"shape": (784,)}), ("dense", {"units": 64}), ("dense", {"units": 10}))
    with_drop = chain(("input", {"shape": (784,)}), ("dense", {"units": 64}), ("dropout", {"rate": 0.5}),
                      ("dense", {"units": 10}))
    assert L.fingerprint(L.without_dropout(with_drop)) == fingerprint(plain)
    before = _run(1, plain, acc=(0.99,), val=(0.90,))
    check = {"kind": "dropout_gap"}
    assert "no Dropout" in run(check, plain, runs=RunHistory().added(before)).message
    shrank = RunHistory().added(before).added(_run(2, with_drop, acc=(0.95,), val=(0.93,)))
    res = run(check, with_drop, runs=shrank)
    assert res.passed and "+9.0%" in res.message and "+2.0%" in res.message
    grew = RunHistory().added(before).added(_run(2, with_drop, acc=(0.99,), val=(0.80,)))
    assert "did not shrink" in run(check, with_drop, runs=grew).message
    assert "without its dropout" in run(check, with_drop, runs=RunHistory()).message
    # a dropout run that went on from run 1's trained weights is not the same training with dropout (a drive: the
    # gap "shrank" on an unfair comparison, while the app itself said to choose fresh weights to compare runs)
    went_on = _run(2, with_drop, acc=(0.95,), val=(0.93,))
    went_on = type(went_on)(**{**went_on.__dict__, "start_digest": before.end_digest})
    res = run(check, with_drop, runs=RunHistory().added(before).added(went_on))
    assert not res.passed and "went on from trained weights" in res.message and "fresh weights" in res.message
    res = run(check, with_drop, runs=shrank.added(went_on))  # a fair run before it still counts
    assert res.passed and "run 2 with dropout" in res.message, res.message


def test_filter_edit_changed_the_accuracy():
    g = chain(("input", {"shape": (6, 6, 1)}), ("conv2d", {"filters": 1, "kernel_size": 3}))
    conv = g.by_name("conv2d")
    trained = {conv.id: {"kernel": np.ones((3, 3, 1, 1), np.float32), "bias": np.zeros(1, np.float32)}}
    g.set_weights(conv.id, {k: v.copy() for k, v in trained[conv.id].items()})
    h = RunHistory().added(_run(1, g, 0.9, end=weights_digest(trained)), end=trained)
    check = {"kind": "filter_edit"}
    assert "No filter differs" in run(check, g, runs=h, filter_accuracy=(0.9, 0.9)).message
    k = g.nodes[conv.id].weights["kernel"].copy()
    k[0, 0, 0, 0] = 0.0
    g.set_weights(conv.id, {"kernel": k, "bias": np.zeros(1, np.float32)})
    assert "did not change" in run(check, g, runs=h, filter_accuracy=(0.9, 0.9)).message
    res = run(check, g, runs=h, filter_accuracy=(0.9, 0.71))
    assert res.passed and "90.0% to 71.0%" in res.message


def test_frozen_base():
    g = chain(("input", {"shape": (8, 8, 3)}), ("conv2d", {"filters": 4, "kernel_size": 3}), ("flatten", {}),
              ("dense", {"units": 2, "activation": "softmax"}))
    check = {"kind": "frozen_base"}
    assert "No layer holds trained weights" in run(check, g).message and "mnist-cnn" in run(check, g).message
    g.set_weights(g.by_name("dense").id, {"kernel": np.ones((144, 2), np.float32), "bias": np.zeros(2, np.float32)})
    assert "No layer of the base is frozen" in run(check, g).message  # trained, not frozen
    g.set_trainable(g.by_name("conv2d").id, False)  # frozen, but random: a drive passed with an untrained preset
    assert "conv2d is frozen but holds no trained weights" in run(check, g).message
    conv = g.by_name("conv2d")
    g.set_weights(conv.id, {"kernel": np.ones((3, 3, 3, 4), np.float32), "bias": np.zeros(4, np.float32)})
    assert run(check, g).passed
    g.set_trainable(g.by_name("dense").id, False)
    assert "is frozen" in run(check, g).message


def named(*layers):
    """A chain whose layers have the names a lesson's start gives them."""
    g = chain(*[(kind, params) for kind, params, _ in layers])
    for node, (_, _, name) in zip([g.nodes[i] for i in g.topological_order()], layers):
        g.rename(node.id, name)
    return g


def lecture_conv(**params):
    return named(("input", {"shape": (6, 6, 1)}, "image"),
                 ("conv2d", {"filters": 1, "kernel_size": 3, "activation": "linear", **params}, "edge"))


def test_a_step_asks_for_every_part_of_what_it_names():
    """A drive passed "Stride 2: see it" with a 5x5 kernel at stride 1 (2x2 too), "Padding 2" with padding 1 on an
    8x8 image, and "Sixteen filters" with 64 1x1 filters on 18 channels: each part is checked now."""
    steps = {s.id: s for x in L.builtin_lessons() for s in x.steps}
    stride = steps["stride-set"].check
    assert L.run_check(stride, L.LessonState(lecture_conv(strides=2))).passed
    assert L.run_check(stride, L.LessonState(lecture_conv(strides=[2, 2]))).passed  # the same strides
    res = L.run_check(stride, L.LessonState(lecture_conv(kernel_size=5)))
    assert not res.passed and res.message == "edge: strides is 1; this step wants 2."
    pad2 = steps["pad2-set"].check
    g = lecture_conv(padding=1)
    g.nodes[g.by_name("image").id].params["shape"] = [8, 8, 1]
    assert "padding is 1; this step wants 2" in L.run_check(pad2, L.LessonState(g)).message
    assert L.run_check(pad2, L.LessonState(lecture_conv(padding=2))).passed
    sixteen = steps["filters-16"].check
    g = named(("input", {"shape": (32, 32, 18)}, "image"), ("conv2d", {"filters": 64, "kernel_size": 1}, "conv"))
    assert "filters is 64; this step wants 16" in L.run_check(sixteen, L.LessonState(g)).message
    g = named(("input", {"shape": (32, 32, 18)}, "image"), ("conv2d", {"filters": 16, "kernel_size": 5}, "conv"))
    assert "image: shape is 32x32x18; this step wants 32x32x3" in \
        L.run_check(sixteen, L.LessonState(g)).message
    g = named(("input", {"shape": (32, 32, 3)}, "image"), ("conv2d", {"filters": 16, "kernel_size": 5}, "conv"))
    assert L.run_check(sixteen, L.LessonState(g)).passed
    assert L.about_the_network(sixteen) and not L.about_the_network(steps["train-dropout"].check)


def mlp(dropout_at=None):
    layers = [("input", {"shape": (784,)}, "pixels"), ("dense", {"units": 32, "activation": "relu"}, "hidden"),
              ("dense", {"units": 10, "activation": "softmax"}, "out")]
    if dropout_at is not None:
        layers.insert(dropout_at, ("dropout", {"rate": 0.5}, "dropout"))
    return named(*layers)


def test_dropout_is_asked_for_where_it_goes():
    between = {"kind": "layer_between", "type": "dropout", "after": "hidden", "before": "out"}
    assert run(between, mlp(2)).passed
    res = run(between, mlp(3))  # after the softmax output
    assert not res.passed and res.message == ("dropout takes out and feeds nothing; this step wants it between hidden "
                                              "and out (hidden \u2192 dropout \u2192 out).")
    g = mlp()
    g.add_node("dropout", {"rate": 0.5}, name="dropout")  # dropped on the canvas, not wired
    assert "dropout takes nothing and feeds nothing" in run(between, g).message
    assert "has no Dropout layer yet" in run(between, mlp()).message


def test_the_dropout_step_asks_for_the_rate_it_names():
    """Lesson 6 says "a Dropout layer (rate 0.5)"; a drive passed it with a rate of 0 (a layer that drops nothing)
    and of 0.9. The step checks the rate it names, and the lesson file's check is validated as any other."""
    steps = {s.id: s for x in L.builtin_lessons() for s in x.steps}
    for step in ("add-dropout", "train-dropout"):
        check = steps[step].check
        g = mlp(2)
        assert L.run_check(check, L.LessonState(g)).passed or step == "train-dropout"  # (that one wants runs too)
        g.set_param(g.by_name("dropout").id, "rate", 0.0)
        res = L.run_check(check, L.LessonState(g))
        assert not res.passed and res.message == "dropout sits between hidden and out, its rate 0.0; this step " \
            "wants rate 0.5.", res.message
    with pytest.raises(L.LessonFormatError, match="params"):
        L._check({"kind": "layer_between", "type": "dropout", "after": "hidden", "before": "out",
                          "params": {"rate": {"x": 1}}}, "check")
    for bad in ("lots", 7, -1, None, [1, 2]):  # a value no Dropout holds: a step nobody could pass (a review)
        with pytest.raises(L.LessonFormatError, match="rate"):
            L._check({"kind": "layer_between", "type": "dropout", "after": "hidden", "before": "out",
                      "params": {"rate": bad}}, "check")
    with pytest.raises(L.LessonFormatError, match="units"):
        L._check({"kind": "layer_between", "type": "dropout", "after": "hidden", "before": "out",
                          "params": {"units": 3}}, "check")


def gap_run(number, graph, acc, val):
    return runs.make_run(number, "2026-12-07T10:00:00Z", 1.0, {"dataset": "mnist-sample"}, 0,
                         runs.fingerprint(graph), runs.EMPTY_DIGEST, None, 1, [1.0], [0.5],
                         {"accuracy": [acc], "val_accuracy": [val]}, test_accuracy=val)


def test_a_gap_closed_by_a_network_that_stopped_learning_is_not_dropout_working():
    before, after = mlp(), mlp(2)
    h = runs.RunHistory().added(gap_run(1, before, 0.99, 0.90), start={})
    collapsed = h.added(gap_run(2, after, 0.46, 0.89 - 0.44), start={})
    res = run({"kind": "dropout_gap"}, after, runs=collapsed)  # in its place (a rate of 0.95, say)
    assert not res.passed and "stopped learning" in res.message and "Try a lower dropout rate" in res.message
    misplaced = mlp(3)  # after the softmax output
    gone = h.added(gap_run(2, misplaced, 0.46, 0.45), start={})
    res = run({"kind": "dropout_gap"}, misplaced, runs=gone)
    assert "Put the Dropout between the hidden layer and the output" in res.message, res.message
    working = h.added(gap_run(2, after, 0.95, 0.91), start={})
    assert run({"kind": "dropout_gap"}, after, runs=working).passed


def test_own_data_asks_for_a_run_on_the_learners_data(tmp_path):
    g = mlp()
    check = {"kind": "run_accuracy", "at_least": 0.6, "own_data": True}
    h = runs.RunHistory().added(gap_run(1, g, 0.99, 0.958), start={})
    res = run(check, g, runs=h)
    assert not res.passed and "trained on the built-in mnist-sample; this step wants your own data" in res.message
    mine = runs.make_run(2, "2026-12-07T10:00:00Z", 1.0, {"dataset": str(tmp_path / "pets")}, 0, runs.fingerprint(g),
                         runs.EMPTY_DIGEST, None, 1, [1.0], [0.5], {}, test_accuracy=0.75)
    assert run(check, g, runs=h.added(mine, start={})).passed


@pytest.mark.parametrize("formula, typed, message", [
    ({"pool_cell": {"grid": "pool_grid", "size": 2, "mode": "avg", "row": 1, "col": 0}}, "5,25", "Right"),
    ({"pool_cell": {"grid": "pool_grid", "size": 2, "mode": "avg", "row": 1, "col": 0}}, "21/4", "Right"),
    ({"window": {"n": 6, "f": 3, "p": 0, "s": 1}}, "4,4", "Right"),  # a size as the square it makes, still
])
def test_a_value_may_be_typed_with_a_decimal_comma_or_as_a_fraction(formula, typed, message):
    res = run({"kind": "answer", "formula": formula}, mlp(), answer=typed)
    assert res.passed and res.message.startswith(message), res.message


def test_a_count_typed_with_spaces_between_its_thousands_or_a_minus_sign_is_read_as_meant():
    """A drive: "614 656" and "392 500" were told wrong (read as two numbers), "\u22125" (a minus sign) was not a
    number."""
    g = chain(("input", {"shape": (784,)}), ("dense", {"units": 500}))
    check = {"kind": "answer", "formula": {"layer_params": {"layer": "dense"}}}
    for typed in ("392 500", "392,500", "392500"):
        assert run(check, g, answer=typed).passed, typed
    cell = {"kind": "answer", "formula": {"conv_cell": {"image": "lecture", "kernel": "vertical_edge", "row": 0,
                                                        "col": 0}}}
    assert run(cell, g, answer="\u22125").passed


def test_a_shape_typed_short_of_its_channels_is_told_so():
    g = chain(("input", {"shape": (227, 227, 3)}), ("conv2d", {"filters": 96, "kernel_size": 11, "strides": 4}))
    check = {"kind": "answer", "formula": {"layer_shape": {"layer": "conv2d"}}}
    for typed in ("55", "55x55"):
        res = run(check, g, answer=typed)
        assert not res.passed and res.message == (f"{typed} is right as far as it goes, but the output's shape has 3 "
                                                  f"numbers (height x width x channels): type all 3.")
    assert run(check, g, answer="55x55x96").passed


# ------------------------------------------------------------------ broken and hostile files

def test_a_weight_past_float32_in_a_lesson_is_refused_when_the_file_is_read():
    """1e39 is a finite JSON number that float32 holds only as infinity: refused by name on load, not an
    infinite weight set on the learner's network when the step runs."""
    d = lesson_with(setup=[{"do": "set_weights", "layer": "and", "kernel": [[1e39], [1.0]], "bias": [-1.5]}])
    with pytest.raises(L.LessonFormatError, match=r"steps\[0\]\.setup\[0\].*past float32's range"):
        L.loads(json.dumps(d))


@pytest.mark.parametrize("change, field", [
    (lambda d: d["steps"][0].update(check={"kind": "quiz"}), "steps[0].check.kind 'quiz' is not a check"),
    (lambda d: d["steps"][0].update(check={"kind": "layer_shape", "layer": "", "shape": [4]}),
     "steps[0].check.layer must name a layer"),
    (lambda d: d["steps"][0].update(check={"kind": "truth_table", "target": "maybe"}),
     "steps[0].check.target must be a gate"),
    (lambda d: d["steps"][0].update(check={"kind": "answer", "formula": {"conv_cell": {
        "image": "lecture", "kernel": "vertical_edge", "row": 9, "col": 0}}}), "cell (9, 0) is outside the 4x4"),
    (lambda d: d["steps"][0].update(show_me=[{"do": "run_python", "code": "1"}]), "steps[0].show_me[0].do"),
    (lambda d: d["steps"][0].update(setup=[{"do": "load_network", "preset": "../../etc/passwd"}]),
     "is not a built-in preset"),
    (lambda d: d.update(start={"chain": [{"type": "dense"}]}), "start.chain[0]: a chain starts with one input"),
    (lambda d: d["steps"][0].update(text="x" * 5000), "steps[0].text is 5,000 characters"),
    (lambda d: d.update(format="something-else"), "format must be 'playground-lesson'"),
    (lambda d: d.update(version=2), "format version 2; this playground reads up to 1"),
    (lambda d: d.update(steps=[]), "steps must be a list of 1 to 60"),
    (lambda d: d.update(steps=d["steps"] * 61), "61 steps"),
    (lambda d: d["steps"][0].update(colour="red"), "steps[0].colour is not a field"),
    (lambda d: d["steps"][0].update(workspace="See inside", page="Filters"),
     "steps[0].page must be one of Convolution, Pooling, Inside the trained model, Draw a digit; received 'Filters'"),
    (lambda d: d["steps"][0].update(workspace="Train", page="Pooling"),
     "steps[0].page is a See inside page: it needs \"workspace\": \"See inside\"; received workspace 'Train'"),
])
def test_broken_lessons_name_the_field(change, field):
    d = lesson_with({"kind": "hidden_layer"})
    change(d)
    with pytest.raises(L.LessonFormatError) as err:
        L.loads(json.dumps(d))
    assert field in str(err.value) and "\n" not in str(err.value)


def test_deep_nesting_is_refused_in_one_line():
    deep = "[" * 100_000 + "]" * 100_000  # past Python's recursion limit when parsed
    with pytest.raises(L.LessonFormatError, match="nested more than"):
        L.loads(deep)
    d = lesson_with({"kind": "hidden_layer"})
    d["steps"][0]["hints"] = [[[[[[[[[[[["x"]]]]]]]]]]]]
    with pytest.raises(L.LessonFormatError, match="nested more than 12"):
        L.loads(json.dumps(d))


def test_a_100_mb_lesson_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:  # sparse: 100 MB on paper, nothing written
        fh.truncate(100 * 1000 * 1000)
    with pytest.raises(L.LessonFormatError, match="big.json is 100.0 MB; a lesson file may be at most 1.0 MB"):
        L.load(big)
    with pytest.raises(L.LessonFormatError, match="at most 1,000,000"):
        L.loads("x" * 1_000_001)


@pytest.mark.parametrize("change, words", [
    (lambda d: d["steps"][0].update(hints=["h" * 601]), "steps[0].hints[0] must be text of at most 600"),
    (lambda d: d["steps"][0].update(hints=["h"] * 7), "steps[0].hints must be a list of at most 6"),
    (lambda d: d["steps"][0].update(show_me=[{"do": "set_logic_target", "value": "and"}] * 13),
     "steps[0].show_me must be a list of at most 12"),
    (lambda d: d.update(start={"chain": [{"type": "input", "params": {"shape": [4]}}] +
                               [{"type": "dense", "params": {"units": 2}}] * 30}),
     "start.chain must be a list of 1 to 30"),
    (lambda d: d["steps"][0].update(check={"kind": "answer", "formula": {"conv_cell": {
        "image": [[1] * 17] * 17, "kernel": "vertical_edge", "row": 0, "col": 0}}}), "1 to 16 rows"),
])
def test_the_readme_limits(change, words):
    d = lesson_with({"kind": "hidden_layer"})
    change(d)
    with pytest.raises(L.LessonFormatError, match=re.escape(words)):
        L.loads(json.dumps(d))


def test_the_readme_example_lesson_loads():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Lesson files"):]
    example = section[section.index("```json") + len("```json"):section.index("```\n\n- **Top level**")]
    lesson = L.loads(example)
    assert lesson.id == "my-and" and lesson.steps[0].check.kind == "truth_table"


def test_a_chain_start_with_hand_set_weights():
    d = lesson_with({"kind": "truth_table", "target": "and"})
    d["start"] = {"chain": [{"type": "input", "name": "x", "params": {"shape": [2]}},
                            {"type": "neuron", "name": "and", "params": {"units": 1, "activation": "step"},
                             "weights": {"kernel": [[1], [1]], "bias": [-1.5]}}]}
    lesson = L.loads(json.dumps(d))
    g = L.start_graph(lesson.start)
    assert L.run_check(lesson.steps[0].check, L.LessonState(g)).passed
    d["start"]["chain"][1]["weights"] = {"kernel": [[1], [1]], "bias": [-1.5], "code": "x"}
    with pytest.raises(L.LessonFormatError, match=re.escape("start.chain[1].weights.code is not a field")):
        L.loads(json.dumps(d))


@pytest.mark.parametrize("bias, says", [([2 ** 53 + 1], r"bias\[0\] must be a finite number a 64-bit float holds "
                                                      r"exactly; received 9007199254740993"),
                                        ([10 ** 400], r"bias\[0\] must be a finite number")])
def test_a_lesson_weight_no_float_holds_is_named_not_miscounted(bias, says):
    """[2**53 + 1] is one number, as the neuron wants: it was refused as "must be 1 numbers"."""
    d = lesson_with(setup=[{"do": "set_weights", "layer": "and", "kernel": [[1.0], [1.0]], "bias": bias}])
    with pytest.raises(L.LessonFormatError, match=says):
        L.loads(json.dumps(d))


@pytest.mark.parametrize("where", ["text", "title", "hints", "summary"])
@pytest.mark.parametrize("markup", ['<img src="/dev/zero">', "< img src='x.png'>", '<a href="file:///etc">x</a>',
                                    "<p style='background-image: url(/dev/zero)'>x</p>", "<IMG SRC=a.png>"])
def test_lesson_text_cannot_make_the_app_read_a_file(where, markup):
    """A hostile-file review: a lesson's text is Qt rich text, and Qt loads what an <img src=...> names from the
    disk: a FIFO hung the app, /dev/zero crashed it (std::bad_alloc), and any image could be read. Only the tags
    the shipped lessons use (and a few like them) are let through, with a few layout attributes."""
    d = lesson_with()
    if where == "summary":
        d["summary"] = markup
    elif where == "hints":
        d["steps"][0]["hints"] = ["first", markup]
    else:
        d["steps"][0][where] = markup
    with pytest.raises(L.LessonFormatError, match="may use only the tags"):
        L.loads(json.dumps(d))


@pytest.mark.parametrize("field", ["highlight", "mask"])
def test_a_lesson_names_layers_as_the_canvas_does_never_with_markup(field):
    """A sweep: a step's highlight or mask (and any check's layer) took '<img src=/dev/zero>': no layer can be
    named so, and `playground lesson check` passed the file."""
    d = lesson_with()
    d["steps"][0][field] = "<img src=/dev/zero>"
    with pytest.raises(L.LessonFormatError, match=rf"{field} must name a layer .*received '<img src=/dev/zero>'"):
        L.loads(json.dumps(d))


def test_lesson_markup_the_lessons_use_is_kept():
    d = lesson_with(text="<p>a <b>b</b> <i>c</i> <tt>d</tt> &lt; e<br/></p><table border='1' cellspacing='0' "
                         "cellpadding='1'><tr><td align='right'>3</td></tr></table>")
    assert "<table border='1'" in L.loads(json.dumps(d)).steps[0].text


@pytest.mark.parametrize("dataset", ["/tmp/outside/private.npz", "outside", "../data", "mnist.npz", ""])
def test_a_lesson_starts_only_on_a_dataset_the_app_knows_by_name(dataset):
    """Its start.dataset went to the project's training setting, and the Train panel read that file; a lesson
    names no file."""
    d = lesson_with()
    d["start"] = {"chain": [{"type": "input", "name": "x", "params": {"shape": [784]}},
                            {"type": "dense", "name": "out", "params": {"units": 10}}], "dataset": dataset}
    with pytest.raises(L.LessonFormatError, match="a lesson names no file"):
        L.loads(json.dumps(d))
    d["start"]["dataset"] = "mnist-sample"
    assert L.loads(json.dumps(d)).start.dataset == "mnist-sample"


@pytest.mark.parametrize("typed, passed", [("4", True), ("4x4", True), ("4x4x1", True), ("4 x 4", True),
                                           ("4x3", False), ("3x3", False), ("4x4x4x4", False)])
def test_an_output_side_may_be_written_as_the_square_it_makes(typed, passed):
    """A new-user drive: the answer field offers "e.g. 4 or 4x4x1", but "4x4" for a side of 4 was told
    "= 4, you wrote 4x4", as if wrong. A side's answer may be the square's shape (the channels are not asked)."""
    formula = {"window": {"n": 6, "f": 3, "s": 1, "p": 0}}
    res = run({"kind": "answer", "formula": formula}, Graph(), answer=typed)
    assert res.passed is passed, (typed, res.message)


def test_a_rename_edit_is_checked_as_data():
    """A lesson's rename (lesson 1 names the AND neuron "or" for its OR step): a short text, a layer reference."""
    import json as _json

    from playground.core import lessons as L
    from playground.resources_path import resource_file
    raw = _json.loads(resource_file("lessons", "01-logic-gates.json").read_text())
    step = next(s for s in raw["steps"] if s["id"] == "or")
    step["setup"][0]["name"] = ""
    with pytest.raises(L.LessonFormatError, match="name must be a short text"):
        L.loads(_json.dumps(raw))
    step["setup"][0]["name"] = "or"
    step["setup"][0]["extra"] = 1
    with pytest.raises(L.LessonFormatError):
        L.loads(_json.dumps(raw))


def test_the_shipped_lessons_are_what_their_generator_writes():
    """packaging/make_lessons.py writes resources/lessons/; three lessons had been edited in the JSON alone, so running
    the generator took back lesson 1's renamed OR neuron, lesson 3's corrected hint and lesson 7's controls."""
    import importlib.util
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("make_lessons", root / "packaging" / "make_lessons.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for i, d in enumerate(gen.ALL, 1):
        path = root / "resources" / "lessons" / f"{i:02d}-{d['id']}.json"
        assert path.read_text(encoding="utf-8") == json.dumps(d, indent=1, ensure_ascii=False) + "\n", path.name


@pytest.mark.parametrize("formula, typed", [
    ({"layer_params": {"layer": "dense"}}, "392\u00a0500"),  # a no-break space from a copied number
    ({"layer_params": {"layer": "dense"}}, "392\u202f500"),
    ({"window": {"n": 102, "f": 3, "p": 0, "s": 1}}, "100 100"),  # a size's square, not 100,100
])
def test_answers_with_the_spaces_and_signs_a_copied_number_has(formula, typed):
    g = chain(("input", {"shape": (784,)}), ("dense", {"units": 500}))
    res = run({"kind": "answer", "formula": formula}, g, answer=typed)
    assert res.passed, res.message


def test_the_pixels_preparation_alone_is_not_a_pretrained_base():
    """A review: a new head on an untrained network that starts with Rescaling(1/255) put the frozen
    imagenet_preprocessing layer (with its weights) before it, and "1 base layer frozen" passed lesson 7."""
    from playground.core import imagenet
    g = chain(("input", {"shape": (16, 16, 3)}), ("conv2d", {"filters": 4, "kernel_size": 3}), ("flatten", {}),
              ("dense", {"units": 2, "activation": "softmax"}))
    pre = g.add_node("conv2d", imagenet.preprocessing_node_params(), name=imagenet.PREPROCESS_NAME,
                     weights=imagenet.preprocessing_weights("0-255"))
    g.set_trainable(pre.id, False)
    inp = g.inputs()[0]
    (first,) = g.output_ids(inp.id)
    g.disconnect(next(e for e in g.edges if e.src == inp.id))
    g.connect(inp.id, pre.id)
    g.connect(pre.id, first)
    res = run({"kind": "frozen_base"}, g)
    assert not res.passed and "No layer holds trained weights" in res.message, res.message
