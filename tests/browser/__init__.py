"""Tests of what a person sees: the live preview and the one-pager in Debian's Chromium.

A package (this __init__.py) so that its conftest.py does not clash with tests/conftest.py.
"""
