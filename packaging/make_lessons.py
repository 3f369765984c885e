"""Regenerate resources/lessons/*.json (run from the repository root).

    python packaging/make_lessons.py

The lessons are data the app ships, in the format a teacher writes by hand (README: "Lesson files"); this
script only saves typing the lecture's grids as HTML tables. Every shipped lesson is checked to load by
``tests/core/test_lessons.py``.
"""

import json
from pathlib import Path

import numpy as np

from playground.core import conv

OUT = Path(__file__).resolve().parent.parent / "resources" / "lessons"


def grid_html(a, caption: str) -> str:
    rows = "".join("<tr>" + "".join(f"<td align='right'>&nbsp;{int(v)}&nbsp;</td>" for v in r) + "</tr>"
                   for r in np.asarray(a))
    return f"<p><i>{caption}</i></p><table border='1' cellspacing='0' cellpadding='1'>{rows}</table>"


def lesson(lid, title, summary, steps, start=None):
    d = {"format": "playground-lesson", "version": 1, "id": lid, "title": title, "summary": summary}
    if start:
        d["start"] = start
    d["steps"] = steps
    return d


def zeros(layer, n_in, units):
    return {"do": "set_weights", "layer": layer, "kernel": [[0] * units] * n_in, "bias": [0] * units}


def weights(layer, kernel, bias):
    return {"do": "set_weights", "layer": layer, "kernel": kernel, "bias": bias}


GATES = lesson(
    "logic-gates", "1. Logic gates with one neuron",
    "One threshold neuron, a = step(w0 + w1*x1 + w2*x2), computes AND, OR, NOT and NOR: you set its weights "
    "until the truth table is right.",
    [
        {"id": "and", "title": "AND", "workspace": "Logic lab", "highlight": "and",
         "setup": [weights("and", [[0], [0]], [0]), {"do": "set_logic_target", "value": "and"}],
         "text": "<p>This neuron computes <b>a = step(w0 + w1&middot;x1 + w2&middot;x2)</b>: it gives 1 when the sum "
                 "is &ge; 0. All its weights are 0 now, so it says 1 for every row.</p>"
                 "<p>Type <b>w0</b>, <b>w1</b>, <b>w2</b> in the weight grid (Enter after each) until the truth "
                 "table is <b>AND</b>: only <tt>1 1</tt> gives 1.</p>",
         "hints": ["AND needs both inputs: with w1 = w2 = 1, x1 + x2 is 2 only for the row 1 1.",
                   "Then choose w0 so that -w0 lies between 1 and 2: the lecture uses w0 = -1.5."],
         "check": {"kind": "truth_table", "target": "and"},
         "show_me": [weights("and", [[1], [1]], [-1.5])]},
        {"id": "or", "title": "OR", "workspace": "Logic lab", "highlight": "or",
         "setup": [{"do": "rename", "layer": "and", "name": "or"}, {"do": "set_logic_target", "value": "or"}],
         "text": "<p>Keep the same neuron, now named <b>or</b>, and make it <b>OR</b>: 1 when at least one input is "
                 "1. The target is now OR, and two rows are wrong.</p><p>Which single weight has to change?</p>",
         "hints": ["Only w0 (the bias) needs to move: one input alone must now reach the threshold.",
                   "OR = step(-0.5 + x1 + x2)."],
         "check": {"kind": "truth_table", "target": "or"},
         "show_me": [weights("or", [[1], [1]], [-0.5])]},
        {"id": "not", "title": "NOT", "workspace": "Logic lab", "highlight": "not",
         "setup": [{"do": "load_network", "preset": "not"}, weights("not", [[0]], [0]),
                   {"do": "set_logic_target", "value": "not"}],
         "text": "<p><b>NOT</b> has one input: 0 gives 1 and 1 gives 0. The canvas now holds a one-input neuron "
                 "with zero weights (one undo step brings the OR neuron back).</p><p>Set w0 and w1.</p>",
         "hints": ["For x1 = 0 the sum is just w0: it must be \u2265 0.",
                   "For x1 = 1 the sum w0 + w1 must be < 0: the lecture uses NOT = step(1 - 2*x1)."],
         "check": {"kind": "truth_table", "target": "not"},
         "show_me": [weights("not", [[-2]], [1])]},
        {"id": "nor", "title": "NOR", "workspace": "Logic lab", "highlight": "nor",
         "setup": [{"do": "load_network", "preset": "nor"}, weights("nor", [[0], [0]], [0]),
                   {"do": "set_logic_target", "value": "nor"}],
         "text": "<p><b>NOR</b> = NOT(OR): 1 only for <tt>0 0</tt>. Two inputs again, zero weights.</p>",
         "hints": ["Each input that is 1 must pull the sum down: negative w1 and w2.",
                   "NOR = step(0.5 - x1 - x2)."],
         "check": {"kind": "truth_table", "target": "nor"},
         "show_me": [weights("nor", [[-1], [-1]], [0.5])]},
    ], start={"preset": "and"})

XNOR = lesson(
    "xnor", "2. XNOR needs a hidden layer",
    "Why one neuron cannot compute XNOR (one line cannot separate its 1s from its 0s), then the lecture's two "
    "XNOR networks by hand: OR(AND, NOR) and NOT[(A+B).(A'+B')].",
    [
        {"id": "one-line", "title": "One neuron draws one line", "workspace": "Logic lab", "highlight": "and",
         "text": "<p>Choose <b>XNOR</b> as the Logic lab's <b>Target</b>: 1 for <tt>0 0</tt> and <tt>1 1</tt>, "
                 "0 for <tt>0 1</tt> and "
                 "<tt>1 0</tt>. The plot below the canvas shows the neuron's decision line "
                 "w0 + w1&middot;x1 + w2&middot;x2 = 0: one side gives 1, the other 0.</p>"
                 "<p>XNOR's two 1s sit on opposite corners of the square, and so do its 0s. No straight line puts "
                 "both 1s on one side and both 0s on the other, so no choice of w0, w1, w2 works: the Logic lab "
                 "says so exactly.</p>",
         "hints": ["The Target box is at the top of the Logic lab.",
                   "Try any weights and watch the line: at least one corner is always on the wrong side."],
         "check": {"kind": "logic_target", "value": "xnor"},
         "show_me": [{"do": "set_logic_target", "value": "xnor"}]},
        {"id": "hidden", "title": "Add a hidden layer", "workspace": "Logic lab",
         "text": "<p>Each hidden neuron draws a line of its own; the output neuron combines them. Press "
                 "<b>Add a hidden layer of two neurons</b> in the Logic lab (or Show me).</p>",
         "hints": ["The button appears under the truth table while the target is XNOR and the network is one "
                   "neuron."],
         "check": {"kind": "hidden_layer"},
         "show_me": [{"do": "insert_after", "layer": "x", "type": "neuron", "name": "hidden",
                      "params": {"units": 2, "activation": "step"}}]},
        {"id": "hidden-and", "title": "Hidden neuron 1: AND", "workspace": "Logic lab", "highlight": "hidden",
         "text": "<p>The lecture's first network is <b>XNOR = OR(AND, NOR)</b>. Make hidden neuron 1 an "
                 "<b>AND</b>: its column in the weight grid is <i>neuron 1</i>.</p>",
         "hints": ["AND = step(-1.5 + x1 + x2): w0 = -1.5, w1 = 1, w2 = 1 in the neuron 1 column."],
         "check": {"kind": "truth_table", "target": "and", "layer": "hidden", "unit": 1},
         "show_me": [weights("hidden", [[1, 0], [1, 0]], [-1.5, 0])]},
        {"id": "hidden-nor", "title": "Hidden neuron 2: NOR", "workspace": "Logic lab", "highlight": "hidden",
         "text": "<p>Now hidden neuron 2 (the <i>neuron 2</i> column): <b>NOR</b>.</p>",
         "hints": ["NOR = step(0.5 - x1 - x2)."],
         "check": {"kind": "truth_table", "target": "nor", "layer": "hidden", "unit": 2},
         "show_me": [weights("hidden", [[1, -1], [1, -1]], [-1.5, 0.5])]},
        {"id": "output-or", "title": "The output: OR of the two", "workspace": "Logic lab", "highlight": "@output",
         "text": "<p>AND is 1 on <tt>1 1</tt>, NOR on <tt>0 0</tt>: XNOR is 1 when either is. Make the output "
                 "neuron an <b>OR</b> of the hidden neurons.</p>",
         "hints": ["The output neuron still has AND's weights from the start; OR needs only a different w0.",
                   "OR = step(-0.5 + h1 + h2)."],
         "check": {"kind": "truth_table", "target": "xnor"},
         "show_me": [weights("@output", [[1], [1]], [-0.5])]},
        {"id": "case2", "title": "The second network: NOT[(A+B).(A'+B')]", "workspace": "Logic lab",
         "highlight": "ors",
         "setup": [{"do": "load_network", "preset": "xnor-case2"}, zeros("ors", 4, 2),
                   {"do": "set_logic_target", "value": "xnor"}],
         "text": "<p>The lecture's second network: <b>copy_negate</b> gives A, B, A', B' (its four neurons), "
                 "<b>ors</b> should give A + B and A' + B', <b>and</b> multiplies them, <b>not</b> negates.</p>"
                 "<p>The weights of <b>ors</b> are all 0. Set them: neuron 1 = A OR B (inputs 1 and 2), neuron 2 = "
                 "A' OR B' (inputs 3 and 4).</p>",
         "hints": ["An OR of two inputs is step(-0.5 + a + b): weight 1 on the two inputs it uses, 0 on the other "
                   "two.",
                   "Neuron 1: w0 = -0.5, w1 = 1, w2 = 1. Neuron 2: w0 = -0.5, w3 = 1, w4 = 1."],
         "check": {"kind": "truth_table", "target": "xnor"},
         "show_me": [weights("ors", [[1, 0], [1, 0], [0, 1], [0, 1]], [-0.5, -0.5])]},
    ], start={"preset": "and"})

image, edge = conv.LECTURE_IMAGE, conv.VERTICAL_EDGE


def param(layer, name, value):
    return {"kind": "layer_param", "layer": layer, "param": name, "value": value}


def put(layer, name, value):
    return {"do": "set_param", "layer": layer, "param": name, "value": value}


BETWEEN = {"kind": "layer_between", "type": "dropout", "after": "hidden", "before": "out", "params": {"rate": 0.5}}


CONV = lesson(
    "convolution", "3. Convolution: the 6x6 image",
    "Predict, then see: the output size of a convolution with padding and stride, one output cell, and max and "
    "average pooling.",
    [
        {"id": "size", "title": "Predict the output size", "workspace": "Build", "highlight": "edge",
         "text": "<p>The layer <b>edge</b> slides a 3x3 filter over the lecture's 6x6 image, stride 1, no "
                 "padding.</p><p>Predict first, before you look at the edge card: how many rows does its output "
                 "have? <b>out = floor((n + 2p - f)/s) + 1</b>. Type it below and press Check; then see it on "
                 "the card, which the panel selects.</p>",
         "hints": ["n = 6, f = 3, p = 0, s = 1."],
         "check": {"kind": "answer", "formula": {"window": {"n": 6, "f": 3, "p": 0, "s": 1}}}},
        {"id": "cell", "title": "Predict one output cell", "workspace": "Build", "highlight": "edge",
         "text": grid_html(image, "the image") + grid_html(edge, "the vertical-edge filter") +
                 "<p>The top-left output cell is the sum of the top-left 3x3 window times the filter, element by "
                 "element (Keras does not flip the filter). What is it?</p>",
         "hints": ["Only the filter's left and right columns count: +1 times the window's left column, -1 times "
                   "its right column.",
                   "(3 + 1 + 2) - (1 + 8 + 2)."],
         "check": {"kind": "answer", "formula": {"conv_cell": {"image": "lecture", "kernel": "vertical_edge",
                                                               "row": 0, "col": 0}}}},
        {"id": "pad1", "title": "Padding 1: predict", "workspace": "Build", "highlight": "edge",
         "text": "<p>Add one ring of zeros around the image (p = 1). How many rows now?</p>",
         "check": {"kind": "answer", "formula": {"window": {"n": 6, "f": 3, "p": 1, "s": 1}}}},
        {"id": "pad1-set", "title": "Padding 1: see it", "workspace": "Build", "highlight": "edge",
         "text": "<p>Set <b>padding</b> of the edge layer to <b>1</b> in the inspector and watch its card.</p>",
         "check": {"kind": "layer_param", "layer": "edge", "param": "padding", "value": 1},
         "show_me": [{"do": "set_param", "layer": "edge", "param": "padding", "value": 1}]},
        {"id": "pad2", "title": "Padding 2: predict", "workspace": "Build", "highlight": "edge",
         "text": "<p>And with two rings of zeros (p = 2)?</p>",
         "check": {"kind": "answer", "formula": {"window": {"n": 6, "f": 3, "p": 2, "s": 1}}}},
        {"id": "pad2-set", "title": "Padding 2: see it", "workspace": "Build", "highlight": "edge",
         "text": "<p>Set padding to <b>2</b>: the output grows past the image.</p>",
         # every part of it checked: padding 1 on an 8x8 image made the same 8x8x1 (a drive)
         "check": {"kind": "all", "checks": [param("edge", "padding", 2), param("edge", "kernel_size", 3),
                                             {"kind": "layer_shape", "layer": "edge", "shape": [8, 8, 1]}]},
         "show_me": [put("image", "shape", [6, 6, 1]), put("edge", "kernel_size", 3), put("edge", "strides", 1),
                     put("edge", "filters", 1), put("edge", "padding", 2)]},
        {"id": "same", "title": "\"same\": predict", "workspace": "Build", "highlight": "edge",
         "text": "<p>With padding <b>same</b>, Keras pads just enough that out = ceil(n/s). How many rows?</p>",
         "check": {"kind": "answer", "formula": {"window": {"n": 6, "f": 3, "p": "same", "s": 1}}}},
        {"id": "same-set", "title": "\"same\": see it", "workspace": "Build", "highlight": "edge",
         "text": "<p>Choose padding <b>same</b>; the inspector's formula says which p Keras used.</p>",
         "check": {"kind": "layer_param", "layer": "edge", "param": "padding", "value": "same"},
         "show_me": [{"do": "set_param", "layer": "edge", "param": "padding", "value": "same"}]},
        {"id": "stride", "title": "Stride 2: predict", "workspace": "Build", "highlight": "edge",
         "text": "<p>No padding again, but the filter jumps 2 cells at a time (s = 2). How many rows?</p>",
         "hints": ["floor((6 + 0 - 3)/2) + 1: floor drops the half step."],
         "check": {"kind": "answer", "formula": {"window": {"n": 6, "f": 3, "p": 0, "s": 2}}}},
        {"id": "stride-set", "title": "Stride 2: see it", "workspace": "Build", "highlight": "edge",
         "text": "<p>Set padding back to <b>valid</b> and <b>strides</b> to <b>2</b>. The amber warning says "
                 "which row the filter never reaches.</p>",
         # the stride itself: a 5x5 kernel at stride 1 made the same 2x2 (a drive)
         "check": {"kind": "all", "checks": [param("edge", "strides", 2), param("edge", "kernel_size", 3),
                                             {"kind": "layer_shape", "layer": "edge", "shape": [2, 2, 1]}]},
         "show_me": [put("image", "shape", [6, 6, 1]), put("edge", "kernel_size", 3), put("edge", "filters", 1),
                     put("edge", "padding", "valid"), put("edge", "strides", 2)]},
        {"id": "max-pool", "title": "Max pooling", "workspace": "Build",
         "text": grid_html(conv.POOL_GRID, "a 4x4 feature map") +
                 "<p>Max pooling 2x2, stride 2, keeps the largest value of each window. What is the output's top-"
                 "right cell (row 1, column 2)?</p>",
         "check": {"kind": "answer", "formula": {"pool_cell": {"grid": "pool_grid", "size": 2, "mode": "max",
                                                               "row": 0, "col": 1}}}},
        {"id": "avg-pool", "title": "Average pooling", "workspace": "Build",
         "text": grid_html(conv.POOL_GRID, "the same feature map") +
                 "<p>Average pooling 2x2, stride 2: what is the bottom-left output cell (row 2, column 1)?</p>",
         "check": {"kind": "answer", "formula": {"pool_cell": {"grid": "pool_grid", "size": 2, "mode": "avg",
                                                               "row": 1, "col": 0}}}},
    ], start={"chain": [{"type": "input", "name": "image", "params": {"shape": [6, 6, 1]}},
                        {"type": "conv2d", "name": "edge",
                         "params": {"filters": 1, "kernel_size": 3, "activation": "linear"}}]})

PARAMS = lesson(
    "parameters", "4. Counting parameters",
    "(f*f*d)*k + k for the filters of a colour image, then the shapes and counts of AlexNet's chain.",
    [
        {"id": "predict-456", "title": "Six 5x5 filters on RGB", "workspace": "Build", "highlight": "conv",
         "text": "<p>The layer <b>conv</b> has 6 filters of 5x5 over a 32x32x3 image. Each filter has a weight for "
                 "every cell of its 5x5x3 window, plus one bias. Predict its parameter count: "
                 "<b>(f&middot;f&middot;d)&middot;k + k</b>.</p>",
         "check": {"kind": "answer", "formula": {"conv_params": {"f": 5, "d": 3, "k": 6}}}},
        {"id": "filters-16", "title": "Sixteen filters", "workspace": "Build", "highlight": "conv",
         "text": "<p>Set <b>filters</b> to <b>16</b> and compare the card's count with your own.</p>",
         # sixteen 5x5 filters on the RGB image: 64 1x1 filters on 18 channels also made 1,216 (a drive)
         "check": {"kind": "all", "checks": [param("conv", "filters", 16), param("conv", "kernel_size", 5),
                                             param("image", "shape", [32, 32, 3]),
                                             {"kind": "layer_params", "layer": "conv", "params": 1216}]},
         "show_me": [put("image", "shape", [32, 32, 3]), put("conv", "kernel_size", 5), put("conv", "use_bias", True),
                     put("conv", "groups", 1), put("conv", "filters", 16)]},
        {"id": "alexnet-conv1", "title": "AlexNet: the first layer's shape", "workspace": "Build",
         "highlight": "conv2d", "setup": [{"do": "load_network", "preset": "alexnet"}],
         "text": "<p>The canvas now holds AlexNet (one undo step brings your network back). Its first layer has 96 "
                 "filters of 11x11, stride 4, over a 227x227x3 image. Predict its output shape "
                 "(type it as rows x columns x channels, such as 4x4x1).</p>",
         "hints": ["floor((227 - 11)/4) + 1 rows and columns, one channel per filter."],
         "check": {"kind": "answer", "formula": {"layer_shape": {"layer": "conv2d"}}}},
        {"id": "alexnet-pool1", "title": "AlexNet: the first pooling", "workspace": "Build",
         "highlight": "maxpool2d",
         "text": "<p>Max pooling 3x3 with stride 2 (overlapping windows). Its output shape?</p>",
         "check": {"kind": "answer", "formula": {"layer_shape": {"layer": "maxpool2d"}}}},
        {"id": "alexnet-conv2", "title": "AlexNet: the second convolution's parameters", "workspace": "Build",
         "highlight": "conv2d_1",
         "text": "<p>256 filters of 5x5 over the 96 channels. How many parameters?</p>",
         "check": {"kind": "answer", "formula": {"layer_params": {"layer": "conv2d_1"}}}},
        {"id": "alexnet-dense", "title": "AlexNet: where the parameters are", "workspace": "Build",
         "highlight": "dense",
         "text": "<p>Flatten turns 6x6x256 into one vector; the first Dense layer has 4096 units. Predict its "
                 "parameters, then compare with the whole network's total in the summary table.</p>",
         "check": {"kind": "answer", "formula": {"layer_params": {"layer": "dense"}}}},
    ], start={"chain": [{"type": "input", "name": "image", "params": {"shape": [32, 32, 3]}},
                        {"type": "conv2d", "name": "conv", "params": {"filters": 6, "kernel_size": 5}}]})

DIGITS = lesson(
    "mlp-vs-cnn", "5. Digit MLP against digit CNN",
    "Train the lecture's MLP and CNN on the built-in digits and compare them in the Runs tab; then edit a "
    "trained filter and watch the accuracy move.",
    [
        {"id": "mlp-params", "title": "The MLP's first layer", "workspace": "Build", "highlight": "dense",
         "text": "<p>The MLP flattens a 28x28 digit to 784 numbers; its hidden layer has 500 units. Predict the "
                 "hidden layer's parameters.</p>",
         "check": {"kind": "answer", "formula": {"layer_params": {"layer": "dense"}}}},
        {"id": "train-mlp", "title": "Train the MLP", "workspace": "Train",
         "text": "<p>Press <b>F5</b> (Train &rarr; Start training). A few epochs on the built-in digits reach about "
                 "95%.</p>",
         "check": {"kind": "run_accuracy", "at_least": 0.85}},
        {"id": "train-cnn", "title": "Train the CNN", "workspace": "Train",
         "setup": [{"do": "load_network", "preset": "mnist-cnn"}],
         "text": "<p>The digit CNN replaced the MLP (one undo step; the MLP's run stays in the Runs tab). It has far "
                 "fewer parameters in its convolutions. Train it too.</p>",
         "check": {"kind": "run_accuracy", "at_least": 0.9}},
        {"id": "compare", "title": "Compare the two runs", "workspace": "Train",
         "text": "<p>In the <b>Runs</b> tab, select both runs to overlay their curves. Which learns faster per "
                 "epoch, and which is more accurate on the test set?</p>",
         "check": {"kind": "distinct_runs", "count": 2}},
        {"id": "filter", "title": "Edit a trained filter", "workspace": "See inside",
         "page": "Inside the trained model",
         "text": "<p>In <b>See inside &rarr; Inside the trained model</b>, click one of the first layer's filters "
                 "and zero it, or paste an edge filter. The test accuracy is measured again.</p>",
         "hints": ["A filter whose feature map is bright on many digits matters more."],
         "check": {"kind": "filter_edit"}},
    ], start={"preset": "mnist-mlp"})

DROPOUT = lesson(
    "dropout", "6. Dropout against overfitting",
    "A wide MLP learns the training digits better than the validation digits; dropout narrows that gap.",
    [
        {"id": "train-plain", "title": "Train without dropout", "workspace": "Train",
         "text": "<p>This MLP has no dropout. Set <b>epochs</b> to 10 and train (F5). Watch the training and "
                 "validation accuracy part ways: the gap is overfitting.</p>",
         "check": {"kind": "run_accuracy", "at_least": 0.5}},
        {"id": "add-dropout", "title": "Add dropout", "workspace": "Build", "highlight": "hidden",
         "text": "<p>Put a <b>Dropout</b> layer (rate 0.5) between <b>hidden</b> and <b>out</b>: while training it "
                 "zeroes half of the hidden units at random, so no unit can rely on another.</p>",
         "check": BETWEEN,  # where it is: an unwired Dropout, or one after the output, passed (a drive)
         "show_me": [{"do": "insert_after", "layer": "hidden", "type": "dropout", "name": "dropout",
                      "params": {"rate": 0.5}}]},
        {"id": "train-dropout", "title": "Train with dropout", "workspace": "Train",
         "text": "<p>Train again with the same settings, from fresh weights: set <b>start from</b> to <b>fresh "
                 "weights</b>, as the run before started, so the two runs differ only by the dropout. The check "
                 "compares the last epoch's train &minus; validation accuracy of this run with the run before "
                 "dropout.</p>",
         "check": {"kind": "all", "checks": [BETWEEN, {"kind": "dropout_gap"}]}},
    ], start={"chain": [{"type": "input", "name": "pixels", "params": {"shape": [784]}},
                        {"type": "dense", "name": "hidden", "params": {"units": 512, "activation": "relu"}},
                        {"type": "dense", "name": "out", "params": {"units": 10, "activation": "softmax"}}],
              "dataset": "mnist-sample"})

TRANSFER = lesson(
    "transfer", "7. Transfer learning",
    "Keep a pretrained network's features, freeze them, and train only a new head on your own classes.",
    [
        {"id": "open", "title": "A pretrained base, frozen", "workspace": "Build",
         "text": "<p>Start from <b>File &rarr; New from a pretrained network</b> (or open a Keras model with File "
                 "&rarr; Open). Its convolutions already detect edges, textures and parts.</p><p>Click the last "
                 "layer of the base to keep (the pooling or Flatten before the old classifier), set <b>classes</b> "
                 "to yours in the inspector, and press <b>Replace the head after this layer</b>: the old head goes, "
                 "a new one comes, and every layer before it is frozen, so training changes only the head. (A "
                 "layer's <b>trainable</b> box in the inspector freezes or unfreezes it alone.)</p><p>Offline, with "
                 "no download? A network you trained here is pretrained too: File &rarr; New from preset, "
                 "<i>mnist-cnn</i>; train it one epoch on the digits (Train &rarr; Start); then replace its head after "
                 "<i>flatten</i>. Its features are pen strokes, and your images are made grey and 28x28 for it.</p>",
         "hints": ["A frozen layer's parameters count as non-trainable; its card says \u2744 frozen.",
                   "No ImageNet weights here? Train the mnist-cnn preset first: its trained convolutions are the "
                   "base."],
         "check": {"kind": "frozen_base"}, "mask": "@output"},  # (the next step asks the new head's count)
        {"id": "head-params", "title": "The new head's parameters", "workspace": "Build", "highlight": "@output",
         "text": "<p>The head is a Dense layer: one weight per feature and class, plus a bias per class. Predict "
                 "its parameter count.</p>",
         "check": {"kind": "answer", "formula": {"layer_params": {"layer": "@output"}}}},
        {"id": "fine-tune", "title": "Train the head", "workspace": "Train",
         "text": "<p>Choose your image folder as the dataset and train. Only the head learns, so it learns fast; "
                 "but each batch is one step of learning, so with a small folder (a few dozen images) set "
                 "<b>batch size</b> to 8 and <b>epochs</b> to 10: at the default 192, an epoch of 30 images is a "
                 "single step.</p>",
         "check": {"kind": "run_accuracy", "at_least": 0.6, "own_data": True}},  # (the digits passed)
    ])

CIFAR = lesson(
    "cifar10", "8. CIFAR-10: baseline to CNN",
    "The lecture's CIFAR-10 story: a fully connected baseline that sees pixels, a small CNN that sees shapes, then "
    "the CNN with augmentation and dropout; predict their sizes, train them, compare the runs.",
    [
        {"id": "baseline-params", "title": "The baseline's hidden layer", "workspace": "Build",
         "highlight": "hidden_1",
         "text": "<p>The baseline flattens a 32x32 colour image to 32&middot;32&middot;3 = 3,072 numbers and feeds "
                 "them to <b>hidden_1</b>, 10 units. Predict its parameters: a weight per input and unit, plus a "
                 "bias per unit.</p>",
         "check": {"kind": "answer", "formula": {"layer_params": {"layer": "hidden_1"}}}},
        {"id": "cnn-shape", "title": "A small CNN: the first convolution", "workspace": "Build",
         "highlight": "conv_1", "setup": [{"do": "load_network", "preset": "cifar10-cnn"}],
         "text": "<p>A small CNN replaced the baseline (one undo step brings it back). <b>conv_1</b> slides 32 "
                 "filters of 3x3 over the image with padding <b>same</b>. Predict its output shape.</p>",
         "check": {"kind": "answer", "formula": {"layer_shape": {"layer": "conv_1"}}}},
        {"id": "cnn-params", "title": "Its parameters", "workspace": "Build", "highlight": "conv_1",
         "text": "<p>Predict conv_1's parameters: <b>(f&middot;f&middot;d)&middot;k + k</b>. Compare them with the "
                 "baseline's hidden layer: each filter looks at 3x3x3 pixels wherever it is, with the same "
                 "weights.</p>",
         "check": {"kind": "answer", "formula": {"layer_params": {"layer": "conv_1"}}}},
        {"id": "pool-shape", "title": "What reaches Flatten", "workspace": "Build", "highlight": "pool_2",
         "text": "<p>Two 2x2 max poolings halve the sides twice, and conv_2 has 64 filters. Predict pool_2's output "
                 "shape.</p>",
         "check": {"kind": "answer", "formula": {"layer_shape": {"layer": "pool_2"}}}},
        {"id": "train-cnn", "title": "Train the CNN", "workspace": "Train",
         "text": "<p>Press <b>F5</b>. CIFAR-10 comes through Keras' cache: online it downloads once (163 MB); "
                 "offline the Train panel names the file and the folder to put it in. Ten epochs should pass "
                 "55%.</p>",
         "check": {"kind": "run_accuracy", "at_least": 0.55}},
        {"id": "train-baseline", "title": "The baseline, for comparison", "workspace": "Train",
         "setup": [{"do": "load_network", "preset": "cifar10-baseline"}],
         "text": "<p>The baseline is back (one undo step brings the CNN back; its run stays in the Runs tab). Train "
                 "it with the same epochs: it sees pixels, not shapes, and stays near 35-40%.</p>",
         "check": {"kind": "run_accuracy", "at_least": 0.3}},
        {"id": "augmented", "title": "Augmentation and dropout", "workspace": "Train",
         "setup": [{"do": "load_network", "preset": "cifar10-cnn-augmented"}],
         "text": "<p>The CNN again, with random flips, shifts and zooms of each training image (training only) and "
                 "dropout after each block. Train it, then compare the three runs in the <b>Runs</b> tab: the gap "
                 "between training and validation accuracy narrows, because it cannot memorise the training "
                 "images.</p>",
         "check": {"kind": "distinct_runs", "count": 3}},
    ], start={"preset": "cifar10-baseline"})

ALL = [GATES, XNOR, CONV, PARAMS, DIGITS, DROPOUT, TRANSFER, CIFAR]

if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for i, d in enumerate(ALL, 1):
        path = OUT / f"{i:02d}-{d['id']}.json"
        path.write_text(json.dumps(d, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(path)
