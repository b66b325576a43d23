"""IMG Interview Coach: a local-first mock-interview coach for International Medical Graduates.

The package is a pure core (``bank``, ``draw``, ``metrics``, ``scoring``, ``emails``,
``reports``) with adapters around it (``audio``, ``transcribe``, ``record``, ``storage``)
and a thin Streamlit UI in ``app.py`` and ``app_pages/``.
"""

__version__ = "0.1.0"
