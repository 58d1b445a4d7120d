"""Apollo: design-space exploration for edge AI accelerators, from Python.

A thin layer over the C++ library (the extension module ``apollo._apollo``):
workloads, architectures and the design space, the area model, the compiler,
the SystemC simulator, forked evaluations with a time limit, and the SQLite
study store with an ask/tell interface for external optimizers. See
docs/python.md for the reference and an example.

Errors: bad input raises a ``ValueError`` subclass whose message names the
file and key (``ConfigError``, ``WorkloadError``, ``StoreError``,
``InfeasibleError`` for a design that cannot run a workload); a crashed or
timed-out forked evaluation raises ``EvaluationError`` (a ``RuntimeError``).
"""

from ._apollo import (  # noqa: F401  (re-exported API)
    Arch,
    ConfigError,
    EvaluationError,
    InfeasibleError,
    Program,
    SimResult,
    Store,
    StoreError,
    Study,
    SubSpace,
    Workload,
    WorkloadError,
    __version__,
    area,
    baseline_arch,
    cardinalities,
    compile,
    data_dir,
    decode,
    encode,
    evaluate,
    flat_index,
    from_flat_index,
    import_workload,
    load_arch,
    load_subspace,
    load_workload,
    neighbours,
    optimizers,
    parse_arch,
    sample,
    space_parameters,
    simulate,
    space_size,
    workload_from_yaml,
    zoo_names,
)

__all__ = [name for name in dir() if not name.startswith("_")]


def open_store(path):
    """Opens (creating if needed) a study database, as ``apollo search --db``."""
    return Store(str(path))


def config_path(*parts):
    """Absolute path of a file under configs/ (installed: <prefix>/share/apollo/configs)."""
    import os

    return os.path.join(data_dir(), "configs", *parts)
