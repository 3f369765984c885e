import pytest

from playground.core import project
from playground.resources_path import preset_text


@pytest.fixture
def preset():
    def load(name):
        return project.loads(preset_text(name))
    return load
