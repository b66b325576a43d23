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
