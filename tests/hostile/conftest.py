"""The notebooks here attack or break the grader on purpose (they loop, fork, exit, patch):
never run them as tests (``--nbval-lax`` would otherwise collect every notebook under tests/)."""

collect_ignore_glob = ["*.ipynb"]
