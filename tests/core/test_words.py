from playground.core.words import count


def test_count_says_one_and_many_without_parentheses():
    assert count(1, "epoch") == "1 epoch"
    assert count(0, "epoch") == "0 epochs" and count(2, "epoch") == "2 epochs"
    assert count(1024, "example") == "1,024 examples"
    assert count(3, "class", "classes") == "3 classes" and count(1, "class", "classes") == "1 class"
