"""Stage 1, the rulebook: reads ``rules/rulebook.yaml`` and validates it.

Takes a YAML file; gives an immutable model (frozen dataclasses in ``model``) and every
problem found, located by file, line and column (``problems``). ``yamlsource`` parses with
positions, ``loader`` validates the shape, ``checks`` runs the named semantic checks,
``secrets_scan`` looks for keys and tokens, ``schema`` writes the editors' JSON Schema.
Nothing here knows about pages, outputs or engines.
"""
