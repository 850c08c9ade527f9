"""Build stage, I/O (``build`` in :data:`peacetalks.pipeline.STAGES`): the release, a Hugging Face dataset folder.

Pure cores: ``features`` (ClassLabel features from the schema), ``rows`` (document + gold set →
rows), ``stats``, ``card`` (card and licence from ``templates/``), ``layout`` (file names). I/O
shells: ``plan`` (reads version, schema, splits), ``stream`` (reads every document once),
``parquet`` (the sink), ``leakage`` (reads clean texts), ``build`` (temp folder, swap into place).
"""

from .build import BuildReport, build

__all__ = ["BuildReport", "build"]
