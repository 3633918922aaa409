"""The deploy benchmark: ``python -m benchmarks.deploy --n 1000`` (needs the ``s3`` and ``dev``
extras: boto3, and moto's S3 server, started here on a free loopback port in its own process).

On a generated corpus of N items: a full build deployed to an empty bucket (every file sent),
then ``--repeat`` rounds of editing, adding and unpublishing one item on the warm builder, each
deployed incrementally; then the deploy's state is forgotten (a new worker machine) and one more
edit is deployed, which lists and compares the whole bucket. The last line is::

    deploy_full_s=<x> deploy_full_files=<n> deploy_publish_median_s=<y>
    deploy_publish_files_median=<m> deploy_resync_s=<z> n_items=<N>

(on one line): the deploy phase alone, the median over the edits, additions and unpublications
and the files each sent or deleted. moto answers from Python on this machine's cores: a real
storage answers each request slower, in parallel (8 at a time).
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import requests

from benchmarks.corpus import generate
from benchmarks.relais_worker import add, edit, unpublish
from relais.buildconfig import SitePaths
from relais.deploy import STATE_FILE, S3Deployer, S3Target
from relais.incremental import SiteBuilder

KEYS = {"access_key_id": "bench", "secret_access_key": "bench-secret"}


def start_moto() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            requests.get(f"{url}/moto-api/", timeout=1)
            return server, url
        except requests.ConnectionError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("moto's server did not start: install the dev extra (moto[server]).")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="relais-deploy-bench-"))
    server, url = start_moto()
    try:
        content = generate(args.n, work / "content")
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        boto3.client(
            "s3",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=KEYS["access_key_id"],
            aws_secret_access_key=KEYS["secret_access_key"],
        ).create_bucket(Bucket=bucket)
        target = S3Target(bucket=bucket, endpoint_url=url, region="us-east-1", **KEYS)
        paths = SitePaths.at(content, work / "site" / "output")
        builder = SiteBuilder(
            paths, deploy=S3Deployer(target, paths.builds), SITEURL="https://alumni.example.org"
        )
        full = builder.full_build()
        rng = random.Random(7)
        files = sorted(p for p in content.glob("*/*.md") if p.parent.name != "pages")
        picture = next(content.glob("*/*/hero.jpg")).read_bytes()
        seconds: list[float] = []
        sent: list[int] = []
        for i in range(args.repeat):
            for kind in ("edit", "add", "unpublish"):
                if kind == "edit":
                    changed = edit(content, rng, files)
                elif kind == "add":
                    changed = add(content, rng, i, picture)
                else:
                    changed = unpublish(content, rng, files)
                update = builder.update(changed)
                seconds.append(update.phases["deploy"])
                sent.append(update.deployed)
        for state in paths.builds.glob(f"{STATE_FILE}*"):  # a new machine: nothing known
            state.unlink()
        resync = builder.update(edit(content, rng, files))
        print(
            f"deploy_full_s={full.phases['deploy']:.3f} deploy_full_files={full.deployed} "
            f"deploy_publish_median_s={statistics.median(seconds):.3f} "
            f"deploy_publish_files_median={statistics.median(sent):.0f} "
            f"deploy_resync_s={resync.phases['deploy']:.3f} n_items={args.n}"
        )
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
