"""tipwatch: human-trafficking figures from the news, with their evidence, in DuckDB."""

__version__ = "0.1.0"
USER_AGENT = f"tipwatch/{__version__} (+https://github.com/tipwatch/tipwatch; news research bot)"
