from playground.core.words import count


def test_count_says_one_and_many_without_parentheses():
    assert count(1, "epoch") == "1 epoch"
    assert count(0, "epoch") == "0 epochs" and count(2, "epoch") == "2 epochs"
    assert count(1024, "example") == "1,024 examples"
    assert count(3, "class", "classes") == "3 classes" and count(1, "class", "classes") == "1 class"


def test_short_names_a_value_without_writing_all_of_it():
    """A message's value is cut to 60 characters; a file's whole node list (a project's weights) was written out in
    full for every check that passed, since the message is made before the check: 2 MB of text per load, and the
    peak of loading a project with one character beyond ASCII doubled (tests/core/test_json_memory.py)."""
    import tracemalloc

    from playground.core.words import short
    assert short("abc") == "'abc'" and short([1, 2]) == "[1, 2]" and short({"a": None}) == "{'a': None}"
    assert short("x" * 100) == "'" + "x" * 56 + "..." and len(short("x" * 100)) == 60
    assert short(list(range(100))) == repr(list(range(100)))[:57] + "..."
    assert short(10 ** 5000) == "<a number of over 4,300 digits>"
    assert short([[[[[[[[[["deep"]]]]]]]]]]) .startswith("[[[[")
    huge = [{"b64": "A" * 1_000_000, "shape": [784, 500]}] * 50 + ["\U0001f600"]
    tracemalloc.start()
    text = short(huge)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert text.startswith("[{'b64': 'AAAA") and text.endswith("...") and len(text) == 60
    assert peak < 100_000  # not the 200 MB of its repr
