"""Benchmark: how a Dask unit's piece of inventory travels back to the client: pickled pydantic models
(what ``--executor dask://`` sends) against the JSON form of inventory.json.

    python bench/bench_pieces.py [--copies 20] [--from inventory.json]

The assets are the AWS demo's (`cloudaudit demo --provider aws --format json`, run once into a temporary
directory, unless --from names an inventory.json), repeated ``--copies`` times with their ARNs renamed
(distinct objects, as a worker's real piece holds). For each form: bytes on the wire, time to encode on
the worker, time to decode on the client (where every piece of the run is read), best of 5.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cloudaudit.model.asset import Asset, asset_from_json
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import load_plugin


def _demo_inventory() -> Path:
    out = Path(tempfile.mkdtemp(prefix="bench-pieces-"))
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main(sys.argv[1:]))"
    args = ["demo", "--provider", "aws", "--format", "json", "-o", str(out)]
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
    return out / "inventory.json"


def _assets(path: Path, copies: int) -> list[Asset]:
    load_plugin("aws")
    raw = [a.to_json() for a in Inventory.from_json(json.loads(path.read_text())).assets]
    return [
        asset_from_json(json.loads(json.dumps(item).replace("arn:aws", f"arn:aws{k}")))
        for k in range(copies)
        for item in raw
    ]


def _best(fn: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(5):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--from", dest="source", type=Path)
    args = parser.parse_args()
    assets = _assets(args.source or _demo_inventory(), args.copies)
    forms: dict[str, tuple[Callable[[], bytes], Callable[[bytes], Any]]] = {
        "pickle": (lambda: pickle.dumps(assets, protocol=5), pickle.loads),
        "json": (
            lambda: json.dumps([a.to_json() for a in assets], separators=(",", ":")).encode(),
            lambda blob: [asset_from_json(item) for item in json.loads(blob)],
        ),
    }
    print(f"{len(assets)} assets")
    for name, (encode, decode) in forms.items():
        encoding, blob = _best(encode)
        decoding, _ = _best(lambda blob=blob, decode=decode: decode(blob))
        size = f"{len(blob) / 1e6:6.2f} MB"
        print(f"{name:7} {size}  encode {encoding * 1e3:5.0f} ms  decode {decoding * 1e3:5.0f} ms")


if __name__ == "__main__":
    main()
