"""The catalog as tables: fixed_points.csv (one row per model and fixed point) and models.csv (one per model),
from the plain-dict entries of :func:`deeprg.rg.catalog.run_catalog`."""

from __future__ import annotations

from ..results import as_complex

POINT_HEADER = ["model", "width", "rows", "weights", "biases", "neurons", "activation", "prior", "states", "rank_K",
                "max_nonnegative_rank", "closed_classes", "source", "rank", "family_dimension", "physical",
                "finite_couplings", "stable", "relevant", "marginal", "irrelevant", "max_eigenvalue",
                "spectrum_matches", "exact", "residual", "xi", "nu_near", "reached_from_beta_v"]
MODEL_HEADER = ["model", "states", "rank_K", "closed_classes", "max_nonnegative_rank", "fixed_points",
                "physical_unstable", "reached_unstable", "finite_coupling_unstable", "consistent", "newton_starts",
                "newton_non_converged", "seconds"]


def _values(values) -> str:
    return " ".join(f"{v:g}" for v in values)


def csv_rows(entries: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of fixed_points.csv."""
    out = []
    for e in entries:
        m = e["model"]
        base = [m["name"], m["width"], m["rows"], _values(m["weights"]), _values(m["biases"]),
                _values(m["neurons"]), m["activation"], m["prior"], e["states"], e["rank_K"],
                e["max_nonnegative_rank"], len(e["closed_classes"])]
        for p in e["fixed_points"]:
            counts = p["counts"]
            top = max((abs(as_complex(z)) for z in p["eigenvalues"]), default=0.0)
            out.append(base + ["; ".join(p["sources"]), p["rank"], p["family_dimension"], p["physical"],
                               p["finite_couplings"], p["stable"], counts["relevant"], counts["marginal"],
                               counts["irrelevant"], top, p["spectrum_matches"], p["exact"],
                               f"{p['residual']:.3g}", p["xi"], p["nu_near"], _values(p["reached_from_beta_v"])])
    return list(POINT_HEADER), out


def model_rows(entries: list[dict]) -> tuple[list[str], list[list]]:
    """Header and rows of models.csv."""
    rows = [[e["name"], e["states"], e["rank_K"], len(e["closed_classes"]), e["max_nonnegative_rank"],
             len(e["fixed_points"]), e["physical_unstable"], e["reached_unstable"], e["finite_coupling_unstable"],
             e["consistent"], e["newton"]["starts"], e["newton"]["non_converged"], round(e["seconds"], 3)]
            for e in entries]
    return list(MODEL_HEADER), rows
