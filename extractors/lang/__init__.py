"""Per-language lexicons (TOML data files, loaded by ``extractors.lexicon``)."""
