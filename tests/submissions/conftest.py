"""The notebooks here are learners' submissions, most of them wrong on purpose: never run them
as tests (``--nbval-lax`` would otherwise collect every notebook under tests/)."""

collect_ignore_glob = ["*.ipynb"]
