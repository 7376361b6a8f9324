r"""The exact bulk at each width N (block chain of :mod:`deeprg.exact.symmetric`) and its approach to mean field.

For each width the bulk free energy per layer, the single-unit decay length ``xi``, and the decay lengths and
correlations of the magnetization and (L >= 2) the overlap are computed exactly. The N -> infinity limit is read two
ways: the mean-field theory of :mod:`deeprg.wide.meanfield`, and a fit of the finite-N series

.. math::  \xi(N) = \xi_\infty + a\,N^{-\omega}

to the monotone tail of the series at the largest widths (least squares; errors from the fit covariance), whose
:math:`\omega` measures the finite-width correction (:math:`\omega = 1` for a 1/N correction). Where the mean-field
map is flat (:math:`\xi_{MF} = 0`, e.g. the magnetization) the finite-N slope :math:`e^{-1/\xi(N)}` is fitted as
a power :math:`A N^{-\kappa}` instead, so that :math:`\xi(N) \to 0` like :math:`1/\ln N`.

JSON convention: a decay length that is infinite (a degenerate top eigenvalue of T with weight in G) is written as
``null``.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..exact import symmetric as sym
from ..exact.observables import finite_or_none, series_json
from ..model import NetworkSpec, ValueSets
from ..sweep import Point, run_sweep
from .meanfield import mean_field, overlap_map, overlap_range, solve_mean_field

MAX_WIDTHS = 64
FIT_MIN_WIDTH = 4


def parse_widths(text: str) -> list[int]:
    """'1,2,4,...,1024' (geometric or arithmetic progression up to the last value) or an explicit list."""
    parts = [p for p in str(text).replace(" ", "").split(",") if p]
    if not parts:
        raise ValueError("--widths: empty; give e.g. '1,2,4,...,1024' or '8,16,32'")
    if "..." in parts:
        k = parts.index("...")
        if k < 2 or k != len(parts) - 2:
            raise ValueError(f"--widths: write a progression as 'a,b,...,end' or 'a,b,c,...,end', got {text!r}")
        head, end = [_int(p) for p in parts[:k]], _int(parts[-1])
        if head[0] >= head[1]:
            raise ValueError(f"--widths: a progression must increase, got {text!r}")
        ratio, step = head[1] / head[0], head[1] - head[0]
        geometric = ratio == int(ratio) and ratio > 1 and all(b == a * int(ratio) for a, b in zip(head, head[1:]))
        arithmetic = all(b - a == step for a, b in zip(head, head[1:]))
        if not (geometric or arithmetic):
            raise ValueError(f"--widths: {head} is neither a geometric (integer ratio) nor arithmetic progression")
        widths = list(head)
        while True:
            nxt = widths[-1] * int(ratio) if geometric and not arithmetic else widths[-1] + step
            if nxt > end:
                break
            widths.append(nxt)
            if len(widths) > MAX_WIDTHS:
                raise ValueError(f"--widths: more than {MAX_WIDTHS} widths in {text!r}")
    else:
        widths = [_int(p) for p in parts]
    if len(set(widths)) != len(widths):
        raise ValueError(f"--widths: repeated widths in {widths}")
    if len(widths) > MAX_WIDTHS:
        raise ValueError(f"--widths: at most {MAX_WIDTHS} widths, got {len(widths)}")
    return sorted(widths)


def _int(text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise ValueError(f"--widths: {text!r} is not a positive integer")
    value = int(text)
    if value < 1:
        raise ValueError(f"--widths: widths must be >= 1, got {value}")
    return value


def layer_spec(template: NetworkSpec, width: int) -> NetworkSpec:
    """The bulk layer model of ``template`` at ``width`` (data rows set to the top neuron value: bulk-irrelevant)."""
    top = max(template.values.neurons)
    cells = np.full((template.rows, width), top)
    return template.replace(width=width, depth=1, x=cells, y=cells)


def spec_params(spec: NetworkSpec) -> dict:
    """JSON parameters that rebuild the layer model (for sweep points)."""
    d = spec.to_dict()
    if not isinstance(spec.activation, str):
        raise ValueError("activation: deeprg wide needs a named activation (sign or heaviside)")
    return {k: d[k] for k in ("rows", "beta", "beta_v", "p", "hamiltonian", "activation", "weights", "biases",
                              "neurons", "weight_prior", "bias_prior")}


def spec_from_params(params: dict, width: int) -> NetworkSpec:
    values = ValueSets(weights=params["weights"], biases=params["biases"], neurons=params["neurons"],
                       weight_prior=params["weight_prior"], bias_prior=params["bias_prior"])
    beta_v = math.inf if params["beta_v"] is None else params["beta_v"]
    cells = [[max(values.neurons)]] * params["rows"]
    template = NetworkSpec(width=1, x=cells, y=cells,
                           beta=params["beta"], beta_v=beta_v, p=params["p"], values=values,
                           activation=params["activation"], hamiltonian=params["hamiltonian"])
    return layer_spec(template, width)


def width_point(params: dict, seed: int) -> dict:
    """Exact bulk at one width (pure: the seed is unused, the computation is deterministic)."""
    spec = spec_from_params(params, params["width"])
    blocks = sym.build_blocks(spec)
    bulk = sym.bulk_blocks(blocks, params["rmax"])
    return {"width": spec.width, "blocks": len(blocks.A), "reduction": blocks.reduction,
            "free_energy_per_layer": bulk.free_energy_per_layer, "xi": finite_or_none(bulk.single.xi),
            "xi_T": finite_or_none(bulk.xi), "single": series_json(bulk.single),
            "magnetization": series_json(bulk.magnetization), "overlap": series_json(bulk.overlap)}


def check_widths(template: NetworkSpec, widths: list[int]) -> None:
    """Every width must fit the symmetric engine: raise (count and limit) before any work."""
    for n in widths:
        sym.check_limits(layer_spec(template, n))


def extrapolate(widths, xis, xi_mf: float | None = None) -> dict | None:
    """Fit xi(N) = xi_inf + a N^-omega to the finite xi at N >= FIT_MIN_WIDTH; None if fewer than 4 points.

    Non-finite fit errors (a degenerate fit) are written as None.
    """
    pts = [(n, x) for n, x in zip(widths, xis) if x is not None and n >= FIT_MIN_WIDTH and math.isfinite(x)]
    tail = pts[-2:]  # the asymptotic regime: the monotone tail of the series (small N may sit near absorbing states)
    for k in range(len(pts) - 3, -1, -1):
        if (pts[k + 1][1] - pts[k][1]) * (tail[-1][1] - tail[-2][1]) < 0:
            break
        tail.insert(0, pts[k])
    pts = tail[1:] if len(tail) >= 5 else tail  # the turning point itself is not yet asymptotic
    if len(pts) < 4:
        return None
    n, x = (np.array(v, dtype=float) for v in zip(*pts))
    if np.ptp(x) == 0:
        return None  # a constant series (e.g. 0 on an absorbing bulk) has no approach to fit
    fit = _extrapolate_to_zero(n, x) if xi_mf == 0 else _extrapolate_power(n, x, xi_mf)
    if fit is None:
        return None
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in fit.items()}


def _extrapolate_power(n: np.ndarray, x: np.ndarray, xi_mf: float | None) -> dict | None:
    import warnings

    from scipy.optimize import OptimizeWarning, curve_fit

    def model(n, xi_inf, a, omega):
        return xi_inf + a * n ** (-omega)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            p, cov = curve_fit(model, n, x, p0=(x[-1], (x[0] - x[-1]) * n[0], 1.0), maxfev=20000)
    except (RuntimeError, ValueError):
        return None
    err = np.sqrt(np.clip(np.diag(cov), 0, None))
    out = {"model": "xi(N) = xi_inf + amplitude * N^(-exponent)", "widths_used": n.astype(int).tolist(),
           "xi_inf": float(p[0]), "xi_inf_error": float(err[0]), "amplitude": float(p[1]),
           "exponent": float(p[2]), "exponent_error": float(err[2]),
           "max_residual": float(np.max(np.abs(model(n, *p) - x)))}
    if xi_mf is not None:
        out["mean_field_xi"] = xi_mf
        out["n_times_deviation"] = [float(k * (v - xi_mf)) for k, v in zip(n[-3:], x[-3:])]
    return out


def _extrapolate_to_zero(n: np.ndarray, x: np.ndarray) -> dict | None:
    r"""When the mean-field map is flat (slope 0, xi_MF = 0) the finite-N slope :math:`e^{-1/\xi}` vanishes as a
    power of N (for step activations through P(a = 0) ~ N^{-1/2}): fit :math:`\ln e^{-1/\xi} = \ln A - \kappa\ln N`."""
    if np.any(x <= 0):
        return None
    y = -1.0 / x
    X = np.stack([np.ones_like(n), -np.log(n)], axis=1)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    dof = max(len(n) - 2, 1)
    cov = np.linalg.inv(X.T @ X) * (resid @ resid) / dof
    return {"model": "exp(-1/xi(N)) = amplitude * N^(-exponent), so xi(N) -> xi_inf = 0 like 1/ln N",
            "widths_used": n.astype(int).tolist(), "xi_inf": 0.0, "xi_inf_error": 0.0,
            "amplitude": float(np.exp(coef[0])), "exponent": float(coef[1]),
            "exponent_error": float(np.sqrt(cov[1, 1])), "max_residual": float(np.max(np.abs(resid))),
            "exponent_last_pair": float((y[-2] - y[-1]) / np.log(n[-1] / n[-2])), "mean_field_xi": 0.0}


def mean_field_payload(template: NetworkSpec, points: int = 101) -> dict:
    """mean_field {overlap_xi, magnetization_xi, fixed_points, ...} with the overlap map drawn on a grid."""
    result = solve_mean_field(template)
    payload = result.to_dict()
    if template.rows >= 2:
        mf = mean_field(template)
        lo, hi = overlap_range(mf)
        q = lo + (hi - lo) * (1 - np.cos(np.linspace(0, np.pi, points))) / 2  # dense near the square-root ends
        payload["map"] = {"q": q.tolist(), "f": [overlap_map(mf, v) for v in q]}
    else:
        payload["map"] = None
    return payload


def run_wide(template: NetworkSpec, widths: list[int], rmax: int = 20, out_dir=None, address=None, workers=None,
             progress=None) -> dict:
    """The bulk at every width and the infinite-width limit: the ``deeprg wide`` result (JSON-able)."""
    if isinstance(rmax, bool) or not isinstance(rmax, (int, np.integer)) or rmax < 0:
        raise ValueError(f"rmax: must be an integer >= 0, got {rmax!r}")
    check_widths(template, widths)
    try:
        mean_field = mean_field_payload(template)
        mean_field_error = None
    except ValueError as err:
        mean_field, mean_field_error = None, str(err)
    params = spec_params(template)
    points = [Point(f"N{n}", {**params, "beta_v": finite_or_none(template.beta_v), "width": n, "rmax": int(rmax)}, 0)
              for n in widths]
    rows = run_sweep(width_point, points, out_dir=None if out_dir is None else out_dir, address=address,
                     workers=workers, progress=progress)
    overlap = template.rows >= 2
    series = [r["overlap"]["xi"] if overlap else r["xi"] for r in rows]
    mf_xi = None if mean_field is None else (mean_field["overlap_xi"] if overlap else mean_field["magnetization_xi"])
    fit = extrapolate(widths, series, mf_xi)
    if fit is not None:
        fit["observable"] = "overlap" if overlap else "single"
    return {
        "widths": widths,
        "free_energy_per_layer": [r["free_energy_per_layer"] for r in rows],
        "free_energy_per_unit": [r["free_energy_per_layer"] / r["width"] for r in rows],
        "xi": [r["xi"] for r in rows],
        "xi_T": [r["xi_T"] for r in rows],
        "overlap_xi": [r["overlap"]["xi"] for r in rows] if overlap else None,
        "overlap_G": [r["overlap"]["G"] for r in rows] if overlap else None,
        "overlap_mean": [r["overlap"]["mean"] for r in rows] if overlap else None,
        "magnetization_xi": [r["magnetization"]["xi"] for r in rows],
        "magnetization_G": [r["magnetization"]["G"] for r in rows],
        "blocks": [r["blocks"] for r in rows],
        "reduction": [r["reduction"] for r in rows],
        "mean_field": mean_field,
        "mean_field_error": mean_field_error,
        "extrapolation": fit,
        "spec": {**params, "beta_v": finite_or_none(template.beta_v)},
        "rmax": int(rmax),
        "null_means": "an infinite decay length (degenerate top of T with weight in G), or not applicable",
    }


CROSSOVER_TOL = 0.05  # |xi_N / xi_MF - 1| below which a width counts as mean-field


def crossover(template: NetworkSpec, beta_vs, widths, rmax: int = 4, tol: float = CROSSOVER_TOL) -> list[dict]:
    r"""For each beta_v, the first width N* from which the exact overlap decay length stays within ``tol`` of xi_MF.

    At large :math:`\beta_v` the near-absorbing layers with rows equal or opposite escape at a rate of about
    :math:`2N\varepsilon` per layer, so :math:`N^*\varepsilon` should stay of order one; ``n_star_times_epsilon``
    measures it. ``n_star`` is None when no width in ``widths`` reaches mean field.
    """
    if template.rows < 2:
        raise ValueError("--rows: the overlap crossover needs L >= 2")
    rows = []
    for beta_v in beta_vs:
        spec = template.replace(beta_v=beta_v)
        mf = mean_field_payload(spec, points=3)
        xi_mf = mf["overlap_xi"]
        result = run_wide(spec, list(widths), rmax=rmax)
        xi = result["overlap_xi"]
        inside = [x is not None and xi_mf is not None and abs(x / xi_mf - 1) < tol for x in xi]
        n_star = next((n for k, n in enumerate(widths) if all(inside[k:])), None)
        rows.append({"beta_v": beta_v, "epsilon": mf["epsilon"], "xi_mf": xi_mf, "overlap_xi": xi,
                     "n_star": n_star, "n_star_times_epsilon": None if n_star is None else n_star * mf["epsilon"],
                     "xi_max_below_n_star": max((x for n, x in zip(widths, xi) if x is not None
                                                 and (n_star is None or n < n_star)), default=None)})
    return rows
