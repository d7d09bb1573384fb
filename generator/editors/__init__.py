"""Beside the pipeline, the editors' tools: what a rulebook change does (``diff``, which renders
both versions and compares them; ``gitfiles`` reads the old one from git) and which reviews are
due (``report``).
"""
