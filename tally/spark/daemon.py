"""PySpark's Python worker daemon with Tally's models loaded first (``spark.python.daemon.module``).

Each executor starts one daemon, which forks a Python worker per concurrent task (reused from task to task:
``spark.python.worker.reuse``). Started by PySpark's own daemon, every worker would import spaCy and load the
gazetteer, sentence splitter and language model itself (about 5 s and a few hundred MiB per worker). This
daemon loads them once (``tally.parallel._warm``, what the single-machine pool does before it forks) and then
runs PySpark's daemon, so the workers it forks share them. The loaded objects are then moved out of the
garbage collector's sight (``gc.freeze``): a full collection in a worker (PySpark runs one at each spill of a
shuffle) would otherwise walk all of them, and touching them would copy the shared pages into the worker.
"""
from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    # the daemon tells the JVM its port on stdout: nothing else may be written there, so the models load
    # with stdout pointed at stderr
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        from tally.parallel import _warm

        _warm()
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    gc.freeze()
    from pyspark import daemon

    daemon.manager()


if __name__ == "__main__":
    main()
