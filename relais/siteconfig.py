"""The association's identity, read from ``content/site.yaml``.

The CMS writes this file from its "Association" settings; a site built by hand edits it
directly. Keeping it in ``content/`` means the folder alone is enough to build the site.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from relais.urls import UnsafeURL, check_email, check_url

FILENAME = "site.yaml"
# Fields holding an address a page links to or loads (web addresses only)
URL_FIELDS = ("signup_url", "counter_url", "newsletter_url")


class SiteConfigError(ValueError):
    """A ``site.yaml`` that cannot be used, with the file and the field at fault."""

    def __init__(self, path: str | Path, field_name: str | None, message: str):
        self.path = str(path)
        self.field = field_name
        self.message = message
        where = f"{self.path}: field '{field_name}'" if field_name else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class SiteConfig:
    name: str = "Relais"
    tagline: str = ""
    description: str = ""
    signup_url: str = ""
    signup_label: str = ""  # the sign-up button; empty: the theme's word ("Adhérer", "Join")
    contact_email: str = ""
    address: str = ""
    lang: str = "fr"
    networks: dict[str, str] = field(default_factory=dict)  # network name -> profile URL
    # The audience counter pixel (the CMS's /c/p.gif); empty: no counter on the site
    counter_url: str = ""
    # The newsletter's subscribe form on the CMS (cms.newsletter); empty: no form on the site
    newsletter_url: str = ""

    def to_yaml(self) -> str:
        return yaml.safe_dump(asdict(self), allow_unicode=True, sort_keys=False, width=1000)


def load_site_config(content_dir: str | Path) -> SiteConfig:
    """The association's identity from ``content/site.yaml`` (defaults when there is none).
    Raises :class:`SiteConfigError` naming the field to fix."""
    path = Path(content_dir) / FILENAME
    if not path.exists():
        return SiteConfig()
    try:
        # utf-8-sig: a byte-order mark some editors put first is dropped
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SiteConfigError(
            path, None, f"not UTF-8 text ({exc.reason}); save it as UTF-8."
        ) from exc
    try:
        data: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SiteConfigError(
            path, None, f"not valid YAML: {exc}. Put values containing ':' or '#' between quotes."
        ) from exc
    if not isinstance(data, dict):
        raise SiteConfigError(path, None, "expected 'field: value' lines.")
    known = {f.name for f in fields(SiteConfig)}
    unknown = sorted(str(k) for k in set(data) - known)
    if unknown:
        raise SiteConfigError(
            path, unknown[0], f"unknown field; known fields: {', '.join(sorted(known))}."
        )
    values = {k: _text(path, k, v) for k, v in data.items() if k != "networks"}
    for name in URL_FIELDS:
        if values.get(name):
            values[name] = _url(path, name, values[name])
    if values.get("contact_email"):
        try:
            values["contact_email"] = check_email(values["contact_email"])
        except UnsafeURL as exc:
            raise SiteConfigError(path, "contact_email", str(exc)) from None
    return SiteConfig(**values, networks=_networks(path, data.get("networks")))


def _text(path: Path, name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise SiteConfigError(path, name, f"must be text, not {type(value).__name__}.")
    return str(value)


def _url(path: Path, name: str, value: str) -> str:
    try:
        return check_url(value)
    except UnsafeURL as exc:
        raise SiteConfigError(path, name, str(exc)) from None


def _networks(path: Path, value: Any) -> dict[str, str]:
    """Network name -> profile address, each a web address."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SiteConfigError(
            path, "networks", "must map a network to a profile URL, e.g. Mastodon: https://…"
        )
    networks = {}
    for network, url in value.items():
        name = f"networks.{network}"
        text = _text(path, name, url)
        if text.strip():
            networks[str(network)] = _url(path, name, text)
    return networks


def write_site_config(content_dir: str | Path, config: SiteConfig) -> Path:
    path = Path(content_dir) / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(config.to_yaml(), encoding="utf-8")
    tmp.replace(path)
    return path
