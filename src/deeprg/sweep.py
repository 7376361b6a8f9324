r"""One sweep runner for every sweeping command: in process, in a local process pool, or on a Ray cluster.

A sweep is a list of independent :class:`Point`\ s; each is evaluated by a pure, module-level function
``fn(params, seed) -> dict`` (JSON-serializable result). The seed belongs to the point, never to the worker, so
the results do not depend on which executor ran them.

Executors
---------
``address`` given
    Ray: ``"auto"`` (the cluster this machine belongs to, e.g. after ``ray start --head``), ``"ray://host:port"``
    (Ray client) or ``"local"`` (a throw-away single-machine cluster started for this sweep). The ``deeprg``
    package travels to the workers with the job (``runtime_env={"py_modules": [deeprg]}``); its dependencies
    (numpy, numba, jax, ... at the pinned versions) must be installed on every node.
``workers=1``
    In this process, in order.
``workers=n > 1``
    A pool of ``n`` spawned processes (one BLAS and Numba thread each, as Ray workers).
``workers=None`` (default)
    Chosen by measured cost: the first two unfinished points run in this process, timing a cold point
    :math:`t_1` (imports, JIT compilation) and a warm one :math:`t_2`. The remaining :math:`R` points go to a
    pool of :math:`w = \min(\text{free cpus}, R)` processes (free: not taken by the load average of the
    machine) only if it is predicted to be faster,

    .. math:: s_0 + t_1 + (\lceil R/w \rceil - 1)\, t_2 < \tfrac{4}{5} R\, t_2,

    where :math:`s_0` = :data:`SPAWN_SECONDS` is the start-up of a spawned worker (measured by
    ``benchmarks/bench_sweep.py``) and the factor 4/5 keeps marginal cases in process.

Files
-----
With ``out_dir`` each finished point is written atomically, as it completes, to ``out_dir/points/<key>.json``
as ``{"key", "params", "seed", "result"}`` (Python's JSON: non-finite floats stay ``Infinity``/``NaN``, complex
numbers are ``{"re", "im"}``; the command's own ``result.json`` is the strict one). A rerun skips the points
already there (and says so); a point file whose params or seed differ from the point's is an error, never
silently reused. Every result is returned as it reads back from such a file, so fresh, resumed and remote
results are identical. A point whose ``fn`` raised is written to ``out_dir/points/<key>.failed.json`` (params,
seed, error, traceback); the others still finish, and :class:`SweepError` is raised at the end naming the
failed points. Rerunning retries only those.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .results import atomic_write, jsonable

SPAWN_SECONDS = 2.0  # start-up of one spawned worker importing deeprg + numpy (benchmarks/bench_sweep.py)
POOL_MARGIN = 0.8  # the pool must be predicted this much faster than staying in process
# One thread per worker: a worker is one of many on the node, and threaded OpenBLAS on an oversubscribed
# machine is slower by orders of magnitude. (Numba's prange runs over chains, so results do not depend on it.)
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NUMBA_THREADS = "NUMBA_NUM_THREADS"
RAY_MISSING = ("--address: running a sweep on a cluster needs Ray, which is not installed; "
               "install it with pip install 'deeprg[cluster]'")
_KEY = re.compile(r"[A-Za-z0-9._=-]+")


class Point(NamedTuple):
    """One sweep point: ``key`` names its result file (letters, digits, ``._-=``), ``params`` is JSON."""

    key: str
    params: dict[str, Any]
    seed: int


class Failure(NamedTuple):
    """A point whose function raised: the point, the exception as ``Type: message``, and its traceback."""

    point: Point
    error: str
    traceback: str


class SweepError(RuntimeError):
    """Some points failed; the others finished (and, with ``out_dir``, are saved).

    ``failures`` lists the failed points; ``results`` is in the order of the points, ``None`` where one failed.
    """

    def __init__(self, failures: list[Failure], results: list[dict | None], out_dir: Path | None):
        self.failures, self.results = failures, results
        first = failures[0]
        saved = "" if out_dir is None else f"; the {len(results) - len(failures)} others are saved in " \
                                           f"{Path(out_dir) / 'points'}, rerun to retry only the failed ones"
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        super().__init__(f"sweep: {len(failures)} of {len(results)} points failed; first: {first.point.key} "
                         f"params={json.dumps(first.point.params)} seed={first.point.seed}: {first.error}"
                         f"{more}{saved}")


def point_path(out_dir: Path, point: Point) -> Path:
    return Path(out_dir) / "points" / f"{point.key}.json"


def failure_path(out_dir: Path, point: Point) -> Path:
    return Path(out_dir) / "points" / f"{point.key}.failed.json"


def _plain(obj: Any) -> Any:
    """``json.dumps`` fallback that keeps non-finite floats (a point file is a cache, not a strict result.json)."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "__array__"):  # numpy and JAX arrays and scalars
        return np.asarray(obj).tolist()
    if isinstance(obj, complex):
        return {"re": obj.real, "im": obj.imag}
    return jsonable(obj)


def _text(obj: Any) -> str:
    return json.dumps(obj, allow_nan=True, default=_plain)


def _normalized(obj: Any) -> Any:
    """``obj`` as it reads back from its point file, so fresh, resumed and remote results are identical."""
    return json.loads(_text(obj))


def _write(path: Path, record: dict) -> None:
    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write(_text(record) + "\n")

    atomic_write(path, write)


def _evaluate(fn: Callable[[dict, int], dict], params: dict, seed: int) -> tuple[bool, Any, float]:
    """Run one point anywhere (in process, pool or Ray worker): ``(ok, result or (error, traceback), seconds)``.

    Exceptions are turned into text here, so an exception that cannot be pickled never breaks the pool.
    """
    start = time.perf_counter()
    try:
        result = fn(params, seed)
    except Exception as err:  # reported with the point's parameters; the other points go on
        return False, (f"{type(err).__name__}: {err}", traceback.format_exc()), time.perf_counter() - start
    return True, result, time.perf_counter() - start


def _validate(fn, points: Sequence[Point], address, workers) -> None:
    if not callable(fn):
        raise TypeError(f"fn: must be a module-level function fn(params, seed) -> dict, got {type(fn).__name__}")
    for point in points:
        if not isinstance(point, Point):
            raise TypeError(f"points: every point must be a deeprg.sweep.Point, got {type(point).__name__}")
        if not isinstance(point.key, str) or not _KEY.fullmatch(point.key):
            raise ValueError(f"points: key {point.key!r} must be letters, digits and ._=- only")
        if isinstance(point.seed, bool) or not isinstance(point.seed, int):
            raise TypeError(f"points: seed of {point.key!r} must be an int, got {type(point.seed).__name__}")
    keys = [p.key for p in points]
    if len(set(keys)) != len(keys):
        raise ValueError("points: keys must be unique")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"--workers: must be an integer >= 1 (1 = in this process), got {workers!r}")
    if address is not None and (not isinstance(address, str) or not address.strip()):
        raise ValueError(f"--address: give 'auto', 'local' or 'ray://host:port', got {address!r}")


def _load_finished(points: Sequence[Point], out_dir: Path | None) -> dict[int, dict]:
    """Results already on disk, by point index; refuses files computed for other parameters."""
    finished = {}
    if out_dir is None:
        return finished
    for i, point in enumerate(points):
        path = point_path(out_dir, point)
        if not path.exists():
            continue
        try:
            record = json.loads(path.read_text())
            stored = (record["params"], record["seed"])
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"--out: {path} is not a sweep point file; use a new --out folder") from None
        if stored != (_normalized(point.params), point.seed):
            raise ValueError(f"--out: {path} was computed for params={json.dumps(stored[0])} seed={stored[1]}, "
                             f"not params={json.dumps(point.params)} seed={point.seed}; use a new --out folder "
                             f"or delete {path.parent}")
        finished[i] = record["result"]
    return finished


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def free_cpus() -> int:
    """CPUs this process may use that other processes are not already using (1-minute load average; this
    process counts as one of the load)."""
    cpus = _cpus()
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this platform
        return cpus
    return max(1, min(cpus, math.floor(cpus - load + 1)))


def pool_pays(t_cold: float, t_warm: float, remaining: int, workers: int) -> bool:
    """Whether ``remaining`` points of warm cost ``t_warm`` finish sooner in a pool of ``workers`` new processes.

    A new worker pays :data:`SPAWN_SECONDS` and one cold point ``t_cold`` before it runs warm points.
    """
    if workers < 2 or remaining < 2:
        return False
    pool = SPAWN_SECONDS + t_cold + (math.ceil(remaining / workers) - 1) * t_warm
    return pool < POOL_MARGIN * remaining * t_warm


class _Collector:
    """Stores each finished point as it arrives (file first, then memory) and counts progress."""

    def __init__(self, points, out_dir, progress):
        self.points, self.out_dir, self.progress = points, out_dir, progress
        self.results: list[dict | None] = [None] * len(points)
        self.failures: list[Failure] = []

    def add(self, i: int, ok: bool, value: Any) -> None:
        point = self.points[i]
        if ok:
            value = _normalized(value)
            if self.out_dir is not None:
                _write(point_path(self.out_dir, point),
                       {"key": point.key, "params": point.params, "seed": point.seed, "result": value})
                failure_path(self.out_dir, point).unlink(missing_ok=True)
            self.results[i] = value
        else:
            error, trace = value
            self.failures.append(Failure(point, error, trace))
            if self.out_dir is not None:
                _write(failure_path(self.out_dir, point), {"key": point.key, "params": point.params,
                                                           "seed": point.seed, "error": error, "traceback": trace})
        if self.progress is not None:
            self.progress(1)


def _run_serial(fn, todo: list[int], points, collect: _Collector) -> list[float]:
    seconds = []
    for i in todo:
        ok, value, dt = _evaluate(fn, points[i].params, points[i].seed)
        collect.add(i, ok, value)
        seconds.append(dt)
    return seconds


def _one_numba_thread() -> None:
    """Pool initializer: one Numba thread per worker (idle prange threads of several workers on few cores
    slow a Monte Carlo point down 10-40x). The variable counts only before Numba is imported; after, the call."""
    if "numba" in sys.modules:
        sys.modules["numba"].set_num_threads(1)
    else:
        os.environ[NUMBA_THREADS] = "1"


def _run_pool(fn, todo: list[int], points, collect: _Collector, workers: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Spawned workers read these when numpy starts.
    saved = {k: os.environ.get(k) for k in BLAS_THREAD_VARIABLES}
    os.environ.update({k: "1" for k in BLAS_THREAD_VARIABLES})
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_one_numba_thread) as pool:
            futures = {pool.submit(_evaluate, fn, points[i].params, points[i].seed): i for i in todo}
            for future in as_completed(futures):
                try:
                    ok, value, _ = future.result()
                except Exception as err:  # the worker died (killed, out of memory): this point failed
                    ok, value = False, (f"{type(err).__name__}: {err}", traceback.format_exc())
                collect.add(futures[future], ok, value)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _connect_ray(address: str):
    """Connect to (or start, for ``"local"``) a Ray cluster; returns (ray, whether we must shut it down)."""
    try:
        import ray
    except ImportError:
        raise ValueError(RAY_MISSING) from None
    if ray.is_initialized():
        return ray, False
    package = str(Path(__file__).resolve().parent)
    runtime_env = {"py_modules": [package], "env_vars": {k: "1" for k in (*BLAS_THREAD_VARIABLES, NUMBA_THREADS)}}
    quiet = dict(runtime_env=runtime_env, log_to_driver=False, logging_level=logging.WARNING)
    # Ray 2.60 notes at every connection that token authentication is on; that is the cluster's business
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(logging.ERROR)
    try:
        if address == "local":  # a new cluster even where one is running (plain ray.init() would join that)
            ray.init(address="local", num_cpus=_cpus(), include_dashboard=False, **quiet)
        else:
            ray.init(address=address, **quiet)
    except ConnectionError as err:
        raise ValueError(f"--address: no Ray cluster answered at {address!r} ({' '.join(str(err).split())[:200]}); "
                         f"start one with `ray start --head`; a cluster with token authentication also needs "
                         f"RAY_AUTH_MODE=token and its token (ray get-auth-token) here") from None
    return ray, True


def _run_ray(fn, todo: list[int], points, collect: _Collector, address: str, workers: int | None) -> None:
    ray, owned = _connect_ray(address)
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(_evaluate)
        fn_ref = ray.put(fn)
        limit = workers or len(todo)  # tasks in flight at once
        pending, queue = {}, list(todo)
        while queue or pending:
            while queue and len(pending) < limit:
                i = queue.pop(0)
                pending[remote.remote(fn_ref, points[i].params, points[i].seed)] = i
            ready, _ = ray.wait(list(pending), num_returns=1)
            i = pending.pop(ready[0])
            try:
                ok, value, _ = ray.get(ready[0])
            except Exception as err:  # the worker or its node died
                ok, value = False, (f"{type(err).__name__}: {' '.join(str(err).split())[:300]}", "")
            collect.add(i, ok, value)
    finally:
        if owned:
            ray.shutdown()


def run_sweep(fn: Callable[[dict, int], dict], points: Sequence[Point], *, out_dir: Path | None = None,
              address: str | None = None, workers: int | None = None,
              progress: Callable[[int], None] | None = None,
              log: Callable[[str], None] | None = None) -> list[dict]:
    """Evaluate ``fn`` at every point; returns the results in the order of ``points``.

    Parameters
    ----------
    fn : a pure module-level function ``fn(params, seed) -> dict`` (JSON-serializable).
    points : the :class:`Point`\\ s, unique keys.
    out_dir : folder for ``points/<key>.json``; finished points there are skipped.
    address : Ray cluster (``"auto"``, ``"ray://host:port"``, ``"local"``); ``None`` runs on this machine.
    workers : local processes (1 = in this process; ``None`` = chosen by measured cost); with Ray, the most
        points in flight at once.
    progress : called with 1 for every point done (skipped points included).
    log : where the one-line notes go ("skipping N finished points", the executor chosen); default stderr.

    Raises
    ------
    SweepError : after every other point finished, if some points raised.
    """
    points = list(points)
    _validate(fn, points, address, workers)
    say = log if log is not None else (lambda text: print(text, file=sys.stderr))
    finished = _load_finished(points, out_dir)
    collect = _Collector(points, out_dir, progress)
    if finished:
        say(f"skipping {len(finished)} finished points in {Path(out_dir) / 'points'} "
            f"({len(points) - len(finished)} to run)")
        for i, result in finished.items():
            collect.results[i] = result
        if progress is not None:
            progress(len(finished))
    todo = [i for i in range(len(points)) if i not in finished]

    if not todo:
        pass
    elif address is not None:
        _run_ray(fn, todo, points, collect, address, workers)
    elif workers == 1 or (workers is None and len(todo) < 3):
        _run_serial(fn, todo, points, collect)
    elif workers is not None:
        _run_pool(fn, todo, points, collect, workers)
    else:
        t_cold, t_warm = _run_serial(fn, todo[:2], points, collect)
        rest = todo[2:]
        w = min(free_cpus(), len(rest))
        if pool_pays(t_cold, t_warm, len(rest), w):
            say(f"sweep: a point takes {t_warm:.2g} s; running the other {len(rest)} in {w} processes")
            _run_pool(fn, rest, points, collect, w)
        else:
            _run_serial(fn, rest, points, collect)
    if collect.failures:
        raise SweepError(collect.failures, collect.results, out_dir)
    return collect.results
