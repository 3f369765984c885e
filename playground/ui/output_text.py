"""The inspector's Output section: a layer's shape and parameter count, its worked formulas, its rule, and what is
wrong with it, as rich text (every text from the model escaped)."""

from __future__ import annotations

from html import escape as esc

from ..core import shapes


def output_html(node, info) -> str:
    spec = node.spec
    parts = ["<b>Output</b>"]
    if info.shape is not None:
        parts.append(f"<span style='font-family:monospace; font-size:11pt'>{shapes.shape_text(info.shape)}</span>"
                     f" &nbsp; <span style='color:gray'>{info.params:,} params</span>")
    if info.formula:
        parts.append(f"<span style='font-family:monospace'>{esc(info.formula)}</span>")
    if info.params_formula:
        parts.append(f"<span style='font-family:monospace'>{esc(info.params_formula)}</span>")
    if spec.rule_text:
        rule = spec.rule_text
        if spec.hand_set:  # a neuron's rule names its own activation (learning makes them sigmoid)
            rule = rule.replace("a = step(z)", f"a = {node.params.get('activation', 'step')}(z)")
        parts.append(f"<span style='color:gray'>rule: {esc(rule)}</span>")
    for w in info.warnings:
        parts.append(f"<span style='color:#B7791F'>\u26a0 {esc(w)}</span>")
    for e in info.errors:
        parts.append(f"<span style='color:#D64541'>\u2716 {esc(e)}</span>")
    if info.status == "blocked":
        parts.append("<span style='color:gray'>Not computed: an earlier layer has an error.</span>")
    return "<br>".join(parts)
