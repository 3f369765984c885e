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


def test_short_writes_about_its_limit_however_large_the_value():
    """A review: reprlib, bounded per level only, took 32 s over a 60x60x60x60 list (a project's 'nodes' can be
    one). Counted in the values it writes, not in time: a value whose repr is counted."""
    from playground.core.words import short
    seen = []

    class Counted:
        def __repr__(self):
            seen.append(1)
            return "c"
    inner = [Counted()] * 60
    huge = [[[inner] * 60] * 60] * 60  # 13 million items, shared
    assert short(huge).startswith("[[[[c, c, c") and len(short(huge)) == 60
    assert len(seen) <= 2 * 60
    assert short({"b": 1, "a": 2}) == "{'b': 1, 'a': 2}"  # in the file's order, as repr writes it
    assert short((1,)) == "(1,)" and short(()) == "()" and short([]) == "[]" and short({}) == "{}"
    nested = []
    for _ in range(500):
        nested = [nested]
    assert short(nested).startswith("[[[[") and len(short(nested)) == 60


def test_class_count_advice_offers_other_data_except_where_the_folder_is_the_data():
    from playground.core.words import head_advice
    assert head_advice(10).startswith("choose data with as many classes as the output has")
    assert head_advice(3, folder=True).startswith("give the output layer 3 units")
