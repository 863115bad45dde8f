"""Tree-to-tree steps: ids, abbreviations, the plain-language summary."""
