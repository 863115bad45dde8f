"""What goes into the wheel: every package under converter/, found (never listed), and the
top-level styles/ folder, which people edit there and which ships as converter.styles.
Data files come from MANIFEST.in (all of converter/ and styles/).  The rest is in
pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["converter", "converter.*"]), "converter.styles"],
    package_dir={"converter.styles": "styles"},
    include_package_data=True,
)
