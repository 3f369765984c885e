"""Config fragments in each dialect, one case per translation rule (shared by the core and backend tests)."""

L = "keras.layers"
F32 = "float32"


def seq(*layers, name="s"):
    """A Keras 2 Sequential around some layer entries."""
    return {"class_name": "Sequential", "config": {"name": name, "layers": list(layers)}}


def seq3(*layers, name="s"):
    """The Keras 3 spelling of ``seq``."""
    return {"class_name": "Sequential", "config": {"name": name, "layers": list(layers)}, "module": "keras"}


def inp2(shape, name="i"):
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, *shape], "dtype": F32,
                                                   "sparse": False, "ragged": False, "name": name}}


def inp3(shape, name="i"):
    return {"class_name": "InputLayer", "config": {"batch_shape": [None, *shape], "dtype": F32, "sparse": False,
                                                   "name": name}, "module": L}


def dense2(name="d", **extra):
    return {"class_name": "Dense", "config": {"name": name, "units": 2, **extra}}


def dense3(name="d", **extra):
    return {"class_name": "Dense", "config": {"name": name, "units": 2, **extra}, "module": L}


def functional(cls, layers, ins, outs, name="f"):
    return {"class_name": cls, "config": {"name": name, "layers": layers, "input_layers": ins,
                                          "output_layers": outs}}


def _entry(cls, name, cfg, inbound):
    return {"class_name": cls, "config": {"name": name, **cfg}, "name": name, "inbound_nodes": inbound}


def _ientry(name="i", key="batch_input_shape", extra=None):
    cfg = {key: [None, 4], "dtype": F32, "sparse": False, "name": name, **(extra or {})}
    return {"class_name": "InputLayer", "config": cfg, "name": name, "inbound_nodes": []}


# (rule key, Keras 2 config, Keras 3 config it must become, how many times the rule fires)
CASES = [
    ("depthwise_groups",
     seq(inp2((8, 8, 3)), {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3],
                                                                       "depth_multiplier": 1, "groups": 1}}),
     seq3(inp3((8, 8, 3)), {"class_name": "DepthwiseConv2D", "config": {"name": "dw", "kernel_size": [3, 3],
                                                                        "depth_multiplier": 1}, "module": L}), 1),
    ("input_ragged", seq(inp2((4,)), dense2()), seq3(inp3((4,)), dense3()), 1),
    ("input_batch_shape", seq(inp2((4,)), dense2()), seq3(inp3((4,)), dense3()), 1),
    ("sequential_list", {"class_name": "Sequential", "config": [dense2(batch_input_shape=[None, 4], dtype=F32)]},
     seq3(inp3((4,), name="d_input"), dense3(dtype=F32), name="sequential"), 1),
    ("sequential_input", seq(dense2(batch_input_shape=[None, 4], dtype=F32), dense2("e")),
     seq3(inp3((4,), name="d_input"), dense3(dtype=F32), dense3("e")), 1),
    ("layer_input_shape", seq(inp2((4,)), dense2(input_shape=[4]), dense2("e", batch_input_shape=[None, 2])),
     seq3(inp3((4,)), dense3(), dense3("e")), 2),
    ("batchnorm_axis",
     seq(inp2((8, 8, 3)), {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [3]}}),
     seq3(inp3((8, 8, 3)), {"class_name": "BatchNormalization", "config": {"name": "bn", "axis": 3}, "module": L}),
     1),
    ("model_class",
     functional("Model", [_ientry(), _entry("Dense", "d", {"units": 2}, [[["i", 0, 0, {}]]])],
                [["i", 0, 0]], [["d", 0, 0]]),
     {**functional("Functional", [{**_ientry(key="batch_shape"), "module": L},
                                  {**_entry("Dense", "d", {"units": 2}, [[["i", 0, 0, {}]]]), "module": L}],
                   ["i", 0, 0], ["d", 0, 0]), "module": "keras.src.models.functional"}, 1),
    ("functional_single_io",
     functional("Functional", [_ientry(), _entry("Dense", "d", {"units": 2}, [[["i", 0, 0, {}]]])],
                [["i", 0, 0]], [["d", 0, 0]]),
     {**functional("Functional", [{**_ientry(key="batch_shape"), "module": L},
                                  {**_entry("Dense", "d", {"units": 2}, [[["i", 0, 0, {}]]]), "module": L}],
                   ["i", 0, 0], ["d", 0, 0]), "module": "keras.src.models.functional"}, 1),
    ("leaky_alpha",
     seq(inp2((4,)), {"class_name": "LeakyReLU", "config": {"name": "lr", "alpha": 0.2}}),
     seq3(inp3((4,)), {"class_name": "LeakyReLU", "config": {"name": "lr", "negative_slope": 0.2}, "module": L}), 1),
    ("dtype_policy",
     seq(inp2((4,)), dense2(dtype={"class_name": "Policy", "config": {"name": "float32"}})),
     seq3(inp3((4,)), dense3(dtype="float32")), 1),
    ("initializer_dtype",
     seq(inp2((4,)), dense2(kernel_initializer={"class_name": "GlorotUniform",
                                                "config": {"seed": None, "dtype": "float32"}},
                            bias_initializer={"class_name": "Zeros", "config": {"dtype": "float32"}})),
     seq3(inp3((4,)), dense3(kernel_initializer={"class_name": "GlorotUniform", "config": {"seed": None},
                                                 "module": "keras.initializers"},
                             bias_initializer={"class_name": "Zeros", "config": {},
                                               "module": "keras.initializers"})), 2),
    ("module",
     seq(inp2((4,)), dense2(kernel_regularizer={"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}},
                            kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}})),
     seq3(inp3((4,)), dense3(kernel_regularizer={"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01},
                                                 "module": "keras.regularizers"},
                             kernel_constraint={"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0},
                                                "module": "keras.constraints"})), 5),
]
