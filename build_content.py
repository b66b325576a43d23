"""Build hook (named in pyproject.toml, ``[tool.setuptools.cmdclass]``): put the content
folders inside the wheel.

Coaches edit ``question_bank/``, ``rubrics/`` (with ``lexicons/``) and ``templates/`` at the
top of the repository. A wheel must carry them, so ``build_py`` copies the three folders into
the built package as ``interview/content/``, where :func:`interview.paths.content_dir` finds
them through the package, whatever the current directory. Editable installs skip the copy:
they read the checkout's folders directly, so an edit shows up at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CONTENT = ("question_bank", "rubrics", "templates")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "*~", "*.swp")


class BuildPyWithContent(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "interview" / "content"
        for name in CONTENT:
            source = HERE / name
            if not source.is_dir():
                raise FileNotFoundError(f"{source}: content folder missing; the wheel would be useless without it")
            if (target / name).exists():
                shutil.rmtree(target / name)
            shutil.copytree(source, target / name, ignore=SKIP)
