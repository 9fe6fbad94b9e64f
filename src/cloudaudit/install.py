"""How to install an optional extra, phrased for a source checkout or a built wheel.

cloudaudit is not published on PyPI: installing it by name fails, or worse, installs whatever a
stranger registered under that name. Every hint comes from here.
"""

from __future__ import annotations

from cloudaudit import __version__


def install_hint(extra: str) -> str:
    """The install command for ``extra`` (``aws``, ``exposure``, ``demo``) from the source tree or a wheel."""
    wheel = f"dist/cloudaudit-{__version__}-py3-none-any.whl"
    return f'pip install -e ".[{extra}]" in a cloudaudit checkout (or pip install "{wheel}[{extra}]")'
