"""The configuration reference in docs/ is generated from the Settings classes and current."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices

from soundstream_admin.settings_doc import render, settings_classes, with_readme_section

REPO = Path(__file__).resolve().parents[3]


def test_configuration_doc_matches_the_settings_classes() -> None:
    committed = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == render(), "run `uv run soundstream-admin settings-doc` and commit"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert with_readme_section(readme) == readme, "README's settings section is out of date"


def test_every_setting_is_documented_with_its_environment_variable() -> None:
    text = render()
    for _title, cls in settings_classes():
        prefix = str(cls.model_config.get("env_prefix", ""))
        for name, info in cls.model_fields.items():
            alias = info.validation_alias  # a setting every service shares has its own name
            variable = alias.choices[0] if isinstance(alias, AliasChoices) else prefix + name
            assert f"`{str(variable).upper()}`" in text
            assert info.description, f"{cls.__name__}.{name} has no description"


def test_every_service_of_the_stack_has_its_section() -> None:
    titles = [title for title, _cls in settings_classes()]
    for service in ("Catalog", "Listening", "Recommender", "Gateway", "Dashboard"):
        assert f"{service} service" in titles
