"""Install hints never name a PyPI distribution: cloudaudit is installed from its source tree or a wheel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cloudaudit.errors import MissingDependencyError
from cloudaudit.install import install_hint
from cloudaudit.plugins import load_plugin
from cloudaudit_aws.plugin import plugin

ROOT = Path(__file__).resolve().parents[3]
BARE = re.compile(r"""pip install\s+(?:-U\s+)?["']?cloudaudit(?:\[[^\]]*\])?["']?(?![\w@[-]|\s*@)""")
"""``pip install "cloudaudit[aws]"`` / ``pip install cloudaudit``: a name on a registry, not ours."""


def _texts() -> list[Path]:
    sources = [*(ROOT / "src").rglob("*.py"), *(ROOT / "providers").rglob("*.py")]
    return [ROOT / "README.md", *sources]


def test_no_text_tells_users_to_install_from_a_registry() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in _texts()
        for line in path.read_text().splitlines()
        if BARE.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("hint", [install_hint("aws"), install_hint("demo"), plugin.install_hint])
def test_hints_install_from_the_checkout_or_a_wheel(hint: str) -> None:
    assert not BARE.search(hint)
    assert 'pip install -e ".[' in hint and ".whl[" in hint


def test_an_unloadable_provider_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    import cloudaudit.plugins as plugins

    entry = metadata.EntryPoint(
        name="gcp", value="nowhere_gcp_plugin:plugin", group=plugins.ENTRY_POINT_GROUP
    )
    monkeypatch.setattr(plugins, "entry_points", lambda group: [entry])
    with pytest.raises(MissingDependencyError) as caught:
        load_plugin("gcp")
    assert 'pip install -e ".[gcp]"' in caught.value.message
    assert not BARE.search(caught.value.message)
