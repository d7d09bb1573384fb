"""Site settings, read from mkdocs.yml (the one place for them)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import UnionType
from typing import Any
from urllib.parse import urlsplit

from mkdocs.utils.yaml import yaml_load

from generator.errors import GeneratorError

#: The site engines that render the staged pages: MkDocs with Material for MkDocs, and
#: Zensical, its maintained successor, which reads the same mkdocs.yml.
ENGINES = ("mkdocs", "zensical")


def language_tag(language: str) -> str:
    """BCP 47 tag for content (Material's "zh" means Simplified Chinese here)."""
    return {"zh": "zh-CN"}.get(language, language)


@dataclass(frozen=True)
class Edition:
    """One language of the site: the default one at the root, others under ``<lang>/``."""

    language: str
    prefix: str  # "" or "en/"
    site_name: str
    description: str

    @property
    def language_tag(self) -> str:
        return language_tag(self.language)


@dataclass(frozen=True)
class Settings:
    config_file: Path
    site_name: str
    site_url: str  # always ends with "/"; an edition's own root ("…/en/" for English)
    description: str
    language: str
    extra: dict[str, Any] = field(default_factory=dict)
    site_url_configured: bool = True
    theme: dict[str, Any] = field(default_factory=dict)  # mkdocs.yml's theme, as written
    root_url: str = ""  # the site's root whatever the edition; "" means site_url
    editions: tuple[Edition, ...] = ()  # every language of the site, the default first

    @property
    def root(self) -> Path:
        """The folder of the site settings: paths in mkdocs.yml are relative to it."""
        return self.config_file.parent

    @property
    def language_tag(self) -> str:
        return language_tag(self.language)

    @property
    def host(self) -> str:
        return urlsplit(self.site_url).hostname or ""

    @property
    def base_path(self) -> str:
        """The edition's path prefix, e.g. "/", "/docs/" or "/en/"."""
        return urlsplit(self.site_url).path or "/"

    @property
    def prefix(self) -> str:
        """Where this edition lives under the site's root: "" or "en/"."""
        return self.site_url.removeprefix(self.root_url or self.site_url)

    def url(self, path: str) -> str:
        """Absolute URL of a site path such as ``rules/http-429/``."""
        return self.site_url + path.lstrip("/")

    @property
    def every_edition(self) -> tuple[Edition, ...]:
        """Every language of the site; a site of one language is its own only edition."""
        return self.editions or (
            Edition(self.language, self.prefix, self.site_name, self.description),
        )

    @property
    def engine(self) -> str:
        """``extra.engine`` in mkdocs.yml: ``mkdocs`` (the default) or ``zensical``."""
        return str(self.extra.get("engine") or "mkdocs")

    def edition_url(self, edition: Edition, path: str) -> str:
        """The same site path in another edition."""
        return (self.root_url or self.site_url) + edition.prefix + path.lstrip("/")

    def for_edition(self, edition: Edition) -> Settings:
        """These settings as ``edition`` sees them: its language, name and root."""
        root = self.root_url or self.site_url
        return replace(
            self,
            site_name=edition.site_name,
            description=edition.description,
            language=edition.language,
            site_url=root + edition.prefix,
            root_url=root,
        )


def _expect(
    config_file: Path, raw: dict[str, Any], key: str, kind: type | UnionType, label: str
) -> Any:
    value = raw.get(key)
    if value is not None and not isinstance(value, kind):
        got = type(value).__name__
        raise GeneratorError(f"{config_file}: '{key}' must be {label}, got {got}: {value!r}")
    return value


def load_settings(config_file: Path) -> Settings:
    try:
        with config_file.open(encoding="utf-8") as fh:
            raw = yaml_load(fh) or {}
    except OSError as exc:
        raise GeneratorError(
            f"{config_file}: cannot read the site settings: {exc.strerror}"
        ) from exc
    except Exception as exc:  # mkdocs' loader raises plain YAML errors
        raise GeneratorError(f"{config_file}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise GeneratorError(f"{config_file}: the site settings must be a mapping of keys")
    site_url = str(_expect(config_file, raw, "site_url", str, "a URL") or "")
    if site_url and urlsplit(site_url).scheme not in ("http", "https"):
        raise GeneratorError(f"{config_file}: site_url must start with https:// or http://")
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    theme = _expect(config_file, raw, "theme", dict | str, "a mapping") or {}
    language = theme.get("language") if isinstance(theme, dict) else None
    extra = dict(_expect(config_file, raw, "extra", dict, "a mapping") or {})
    if extra.get("engine", "mkdocs") not in ENGINES:
        raise GeneratorError(
            f"{config_file}: extra.engine must be one of {', '.join(ENGINES)}, "
            f"got {extra['engine']!r}"
        )
    return Settings(
        config_file=config_file,
        site_name=str(_expect(config_file, raw, "site_name", str, "text") or "triagebook"),
        site_url=site_url or "http://127.0.0.1:8000/",
        description=str(_expect(config_file, raw, "site_description", str, "text") or ""),
        language=str(language or "en"),
        extra=extra,
        site_url_configured=bool(site_url),
        theme=dict(theme) if isinstance(theme, dict) else {"name": theme},
    )
