"""Test configuration: a deterministic hypothesis profile, and no progress bars."""

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("DEEPRG_PROGRESS", "0")
settings.register_profile("deterministic", derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("deterministic")
