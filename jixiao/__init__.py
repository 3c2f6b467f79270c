"""jixiao: knowledge graph and semantic queries for Chinese budget-performance reports."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jixiao")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
