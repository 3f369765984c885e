

def test_the_neurons_rule_names_each_activation_the_network_has():
    from playground.core.logic import gate_graph, neurons_rule
    g = gate_graph("xnor-case1")
    assert neurons_rule(g) == "Step neurons: a = 1 if z \u2265 0, else 0 (z = 0 gives 1)."
    first = next(n for n in g.nodes.values() if n.spec.hand_set)
    first.params["activation"] = "sigmoid"
    assert neurons_rule(g) == ("Neurons: sigmoid, a = 1/(1 + e^-z), read as 1 where a \u2265 0.5 (z \u2265 0); step, "
                               "a = 1 if z \u2265 0, else 0 (z = 0 gives 1).")


def test_nothing_to_train_only_where_every_layer_with_weights_is_a_step_neuron():
    from playground.core.logic import gate_graph, nothing_to_train
    from playground.core.analysis import infer
    g = gate_graph("xnor-case1")
    assert "Start would change nothing" in nothing_to_train(g, infer(g))
    g.by_name("or").params["activation"] = "sigmoid"  # one neuron that learns
    assert nothing_to_train(g, infer(g)) is None
    # sigmoid neurons before a step output: the step passes no gradient back, so they cannot learn either (a review)
    g.by_name("or").params["activation"] = "step"
    g.by_name("and_nor").params["activation"] = "sigmoid"
    assert "Start would change nothing" in nothing_to_train(g, infer(g))
