"""Typed errors, raised where a rule lives and worded for a person.

Every message says what is wrong, the value received, and what would be valid,
in the manner of Keras' own argument checks.
"""


class PlaygroundError(Exception):
    """Base class of every error the playground raises on purpose."""


class ParamError(PlaygroundError, ValueError):
    """A layer parameter or a setting has a value outside its type or range; ``field`` names it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ShapeError(PlaygroundError, ValueError):
    """A layer cannot produce an output from the shapes it receives."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


class GraphError(PlaygroundError, ValueError):
    """A structural edit of the graph is not allowed."""


class CycleError(GraphError):
    """An edge would close a cycle."""


class PortError(GraphError):
    """An edge names an input port that the layer does not have, or is taken."""


class UnknownNodeError(GraphError, KeyError):
    """A node id or name that the graph does not hold."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class ProjectFormatError(PlaygroundError):
    """A project file cannot be read: it names the field and the value."""


class ModelImportError(PlaygroundError):
    """A Keras model file cannot be turned into a graph."""


class DatasetError(PlaygroundError):
    """A dataset cannot be loaded or does not fit the model."""


class BackendUnavailableError(PlaygroundError):
    """The chosen Keras backend, or Keras itself, is not installed."""


class TrainingError(PlaygroundError):
    """Training stopped for a reason the user should read (NaN loss, bad data)."""


SettingsError = ParamError  # a setting's error is a parameter's: one type, one field name


class ProjectSaveError(PlaygroundError):
    """A project could not be written (nothing was replaced; the old file, if any, is intact)."""


class ResourceError(PlaygroundError):
    """A network or dataset exceeds what this machine or Keras can take (the message gives both figures)."""
