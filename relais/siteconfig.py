"""The association's identity, read from ``content/site.yaml``.

The CMS writes this file from its "Association" settings; a site built by hand edits it
directly. Keeping it in ``content/`` means the folder alone is enough to build the site.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

FILENAME = "site.yaml"


class SiteConfigError(ValueError):
    pass


@dataclass
class SiteConfig:
    name: str = "Relais"
    tagline: str = ""
    description: str = ""
    signup_url: str = ""
    signup_label: str = "Adhérer"
    contact_email: str = ""
    address: str = ""
    lang: str = "fr"
    networks: dict[str, str] = field(default_factory=dict)  # network name -> profile URL
    # The audience counter pixel (the CMS's /c/p.gif); empty: no counter on the site
    counter_url: str = ""

    def to_yaml(self) -> str:
        return yaml.safe_dump(asdict(self), allow_unicode=True, sort_keys=False, width=1000)


def load_site_config(content_dir: str | Path) -> SiteConfig:
    path = Path(content_dir) / FILENAME
    if not path.exists():
        return SiteConfig()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SiteConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteConfigError(f"{path}: expected 'field: value' lines.")
    known = {f.name for f in fields(SiteConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SiteConfigError(
            f"{path}: field '{unknown[0]}' is unknown; known fields: {', '.join(sorted(known))}."
        )
    networks = data.get("networks") or {}
    if not isinstance(networks, dict):
        raise SiteConfigError(f"{path}: field 'networks' must map a network to a profile URL.")
    data["networks"] = {str(k): str(v) for k, v in networks.items()}
    return SiteConfig(
        **{k: (v if k == "networks" else ("" if v is None else str(v))) for k, v in data.items()}
    )


def write_site_config(content_dir: str | Path, config: SiteConfig) -> Path:
    path = Path(content_dir) / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(config.to_yaml(), encoding="utf-8")
    tmp.replace(path)
    return path
