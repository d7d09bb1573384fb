"""triagebook: one YAML rulebook in, an error-code knowledge base site out."""

__version__ = "0.1.0"
