"""Test configuration: a deterministic hypothesis profile, and no progress bars."""

import os

# Tiny matrices dominate the suite: threaded BLAS only adds contention on 2 cores (an eigvals of a 255 x 255
# Jacobian took 2.3 s threaded against 7.5 ms single-threaded under load). Must be set before numpy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from hypothesis import HealthCheck, settings

os.environ.setdefault("DEEPRG_PROGRESS", "0")
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("deterministic")
