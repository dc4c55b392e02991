"""The notebooks here are grading fixtures (some loop forever or kill their kernel): never run
them as tests (``--nbval-lax`` would otherwise collect every notebook under tests/)."""

collect_ignore_glob = ["*.ipynb"]
