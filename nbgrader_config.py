"""nbgrader settings for this course: run ``nbgrader`` from the repository root.

nbgrader wants ``source/<assignment>/<assignment>.ipynb`` under a course directory; this course
keeps ``solutions/<assignment>.ipynb``. Every nbgrader command run here first copies the
solutions into ``.cache/nbgrader/source/`` (the course directory, outside git), then works
there: ``nbgrader generate_assignment ex01_neuron_activations`` writes
``.cache/nbgrader/release/``, and ``nbgrader autograde ex01_neuron_activations`` grades
``.cache/nbgrader/submitted/<student>/ex01_neuron_activations/``.
Set NNCOURSE_NBGRADER_ROOT to use another course directory. For a JupyterHub course, make a
standalone directory instead: ``nncourse nbgrader-export DIR``. See docs/instructor-guide.md.
(Jupyter servers started here load this file too when nbgrader's extension is installed.)
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = Path(os.environ.get("NNCOURSE_NBGRADER_ROOT", HERE / ".cache" / "nbgrader"))

try:
    from nncourse.grading.nbgrader import configure, stage
except ImportError:  # nncourse not installed here: leave nbgrader (and Jupyter) on its defaults
    pass
else:
    configure(get_config(), stage(HERE / "solutions", COURSE))  # noqa: F821
