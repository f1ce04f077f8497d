"""The version of geosite."""

__version__ = "0.1.0"
