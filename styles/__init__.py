"""Print profiles, CSS and the reference .docx, shipped inside the package as converter.styles."""
