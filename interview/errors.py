"""Errors a user can act on.

Every error the tool raises for bad input derives from :class:`InterviewError`. Its
message says what is wrong and what to do; the CLI prints it on one line (no traceback)
and the app shows it in an ``st.error`` box.
"""


class InterviewError(Exception):
    """Base class: a problem the user can fix (bad file, unknown id, missing model...)."""


class ProfileError(InterviewError):
    """A program profile is invalid."""


class BankError(InterviewError):
    """The question bank (or one of its files) is invalid."""


class AudioError(InterviewError):
    """An audio file cannot be used (empty, corrupt, unsupported, too long, silent)."""


class VideoError(InterviewError):
    """A video cannot be analysed (no video track, corrupt, no face, video extra missing)."""


class TranscriptionError(InterviewError):
    """A model is missing or transcription failed."""


class RubricError(InterviewError):
    """A rubric or lexicon file is invalid."""


class TemplateError(InterviewError):
    """An email or report template cannot be rendered."""


class StorageError(InterviewError):
    """The database or data directory cannot be used, or an id is unknown."""


class NotFound(StorageError):
    """An id (session, answer, applicant, profile) does not exist."""


def validation_problems(exc) -> list[tuple[tuple, str]]:
    """``(location, message)`` for each problem of a pydantic ``ValidationError``, in plain words.

    Shared by every loader of user-edited content (profiles, the question bank, rubrics,
    lexicons) so that all of them describe a missing field, a misspelt field or an empty
    value the same way; each caller formats the location for its own file.
    """
    out = []
    for err in exc.errors():
        kind = err["type"]
        if kind == "missing":
            msg = "is required"
        elif kind == "extra_forbidden":
            msg = "is not a known field (check the spelling)"
        elif kind == "string_too_short":
            msg = "must not be empty"
        else:
            msg = err["msg"].removeprefix("Value error, ")
        out.append((tuple(err["loc"]), msg))
    return out
