"""Enhancer: a desktop photo enhancer built on super-resolution models."""

__version__ = "0.1.0"
