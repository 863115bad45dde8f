"""The converter's version: one place, read by the package metadata and every module that
records it (batch manifests, the service's cache keys, ``convert --version``)."""

__version__ = "0.1.0"
