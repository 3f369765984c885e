"""Network Playground: build neural networks by hand, see every shape, watch them learn."""

__version__ = "0.2.0"
