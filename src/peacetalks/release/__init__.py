"""Build stage, I/O (``build`` in :data:`peacetalks.pipeline.STAGES`): the release, a Hugging Face dataset folder.

Pure cores: ``features`` (ClassLabel features from the schema), ``rows`` (document + gold set →
rows), ``stats``, ``card`` (card and licence from ``templates/``), ``layout`` (file names). I/O
shells: ``plan`` (reads version, schema, splits), ``stream`` (reads every document once),
``parquet`` (the sink), ``leakage`` (reads clean texts), ``build`` (temp folder, swap into place).

Import the module you need (``from peacetalks.release.build import build``): the package itself
imports nothing, so reading the file names in ``layout`` costs no import of ``datasets``.
"""
