"""docgen: orders and annexes of the Education Administration from YAML to DOCX and PDF."""

__version__ = "0.2.0"
