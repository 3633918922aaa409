"""The Bluesky peer's launch scripts come from the package, whatever lies around the repository
(no npm install here: the install folder is made to look installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndication.testing import peers


def test_the_launch_scripts_are_copied_from_the_package_only(tmp_path: Path, monkeypatch):
    # Scripts lying where older versions looked for them: a folder named by RELAIS_PEERS_DIR,
    # and shared/peers/bluesky beside the repository.
    beside = tmp_path / "shared" / "peers" / "bluesky"
    beside.mkdir(parents=True)
    for name in peers.SCRIPTS:
        (beside / name).write_text("// a script from outside the repository\n")
    monkeypatch.setenv("RELAIS_PEERS_DIR", str(beside.parent))
    monkeypatch.setattr(peers, "REPO_ROOT", tmp_path / "relais", raising=False)  # no longer read
    monkeypatch.setenv("RELAIS_PEERS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(peers.shutil, "which", lambda name: f"/usr/bin/{name}")
    target = peers.install_dir()
    target.mkdir(parents=True)
    (target / peers._MARKER).write_text(" ".join(peers.PACKAGES) + "\n")  # npm is not run

    assert peers.ensure_installed(log=False) == target
    package = Path(peers.__file__).resolve().parent / "bluesky"
    for name in peers.SCRIPTS:
        assert (target / name).read_bytes() == (package / name).read_bytes(), name


def test_missing_launch_scripts_say_how_to_restore_them(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(peers, "SCRIPTS_DIR", tmp_path / "bluesky")
    monkeypatch.setenv("RELAIS_PEERS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(peers.shutil, "which", lambda name: f"/usr/bin/{name}")
    target = peers.install_dir()
    target.mkdir(parents=True)
    (target / peers._MARKER).write_text(" ".join(peers.PACKAGES) + "\n")  # npm is not run

    with pytest.raises(peers.PeerUnavailable, match=r"guard\.js.*are missing") as info:
        peers.ensure_installed(log=False)
    assert "git checkout -- syndication/testing/bluesky" in str(info.value)
    assert not (target / "guard.js").exists()
