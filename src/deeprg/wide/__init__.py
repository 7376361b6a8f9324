"""Wide networks: the exact bulk at growing width and its infinite-width (mean-field) limit."""

from .experiment import extrapolate, parse_widths, run_wide, width_point
from .meanfield import FixedPoint, MeanFieldResult, solve_mean_field

__all__ = ["FixedPoint", "MeanFieldResult", "extrapolate", "parse_widths", "run_wide", "solve_mean_field",
           "width_point"]
