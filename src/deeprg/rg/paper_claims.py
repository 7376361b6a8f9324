r"""THE CLAIMS UNDER TEST: formulas as printed in Lee, Lee & Yi, Secs IV-V, typed in from the paper.

This is the only module that contains the paper's printed formulas. Nothing in deeprg computes with them:
they are used only by :mod:`deeprg.rg.claims`, to be compared with what :mod:`deeprg.rg.symbolic` derives from the
definitions and with what the numerical RG computes. Symbols: ``u`` = e^{beta_v}, ``h`` = h^(m+1),
``sigma`` = sigma(W^(m-1) h^(m-1) + b^(m-1)) (eq 23), ``A, B, C`` the couplings of eq 26.
"""

from __future__ import annotations

import sympy as sp

from .symbolic import h, sigma, u

A, B, C = sp.symbols("A B C")
P_RG = 2  # "p = 2 denotes the ratio between the depth of the original and renormalized systems" (after eq 34)
DIMENSION = 1  # "we consider the RG transformation with respect to depth, so d = 1"


def eq22() -> sp.Expr:
    """Z_m = 3u^-2 u^(2h+2sigma) + u^-1 (u^(2sigma) + 2u^(2h)) + 2."""
    return 3 * u**-2 * u ** (2 * h + 2 * sigma) + u**-1 * (u ** (2 * sigma) + 2 * u ** (2 * h)) + 2


def eq25_four_terms() -> sp.Expr:
    """-beta H'_m, first line of eq 25."""
    return (h * sigma * sp.log(3 * u**2 + 3 * u + 2)
            + (1 - h) * sigma * sp.log(u + 2 / u + 5)
            + h * (1 - sigma) * sp.log(2 * u + 1 / u + 5)
            + (1 - h) * (1 - sigma) * sp.log(3 / u**2 + 3 / u + 2))


def eq25_coefficients() -> dict:
    """Second form of eq 25: coefficients of h sigma, h^2 (= h) and sigma^2 (= sigma); '+ (constant)'."""
    return {
        "A": sp.log((3 * u**2 + 3 * u + 2) * (2 * u**2 + 3 * u + 3) / ((u**2 + 5 * u + 2) * (2 * u**2 + 5 * u + 1))),
        "B": sp.log(u * (2 * u**2 + 5 * u + 1) / (2 * u**2 + 3 * u + 3)),
        "C": sp.log(u * (u**2 + 5 * u + 2) / (2 * u**2 + 3 * u + 3)),
    }


def eq27() -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(A', B', C') of eq 27."""
    e = sp.exp
    A_new = sp.log((2 + 2 * e(A + C) + e(A + B) + 3 * e(2 * A + B + C)) / (2 + 2 * e(A + C) + e(B) + 3 * e(A + B + C))
                   * (2 + 2 * e(C) + e(B) + 3 * e(B + C)) / (2 + 2 * e(C) + e(A + B) + 3 * e(A + B + C)))
    B_new = B + sp.log((2 + 2 * e(A + C) + e(B) + 3 * e(A + B + C)) / (2 + 2 * e(C) + e(B) + 3 * e(B + C)))
    C_new = C + sp.log((2 + 2 * e(C) + e(A + B) + 3 * e(A + B + C)) / (2 + 2 * e(C) + e(B) + 3 * e(B + C)))
    return A_new, B_new, C_new


# eq 29: "e^{A*} = 1 for arbitrary values of e^{B*} and e^{C*}"; "Since the couplings are real, there are no fixed
# points other than those given in Eq. (29)."
EQ29_PLANE_EXP_A = 1
# eq 30: the fictitious fixed point
EQ30_POINT = (sp.Integer(3), sp.Rational(-2, 3), sp.Rational(-1, 3))
# eq 34: the linearized map at the fictitious point, and y_A = y_B = y_C = 1
EQ34_MATRIX = sp.diag(2, 2, 2)
EQ34_EXPONENTS = {"A": 1, "B": 1, "C": 1}


def eq37_factor(y_B: float, p: float = P_RG, d: int = DIMENSION) -> float:
    """G_h((m-n)/p, A' - A*) = p^(2d - 2 y_B) G_h(m-n, A - A*)."""
    return p ** (2 * d - 2 * y_B)


def eq38_collapse_exponent(y_A: float) -> float:
    """G_h(m-n, A-A*) ∝ Psi((m-n) |(A-A*)/A_0|^(1/y_A)): the separation scales with |A - A*|^(1/y_A)."""
    return 1 / y_A


def eq39_nu(y_A: float) -> float:
    """xi ∝ |A - A*|^(-1/y_A)."""
    return 1 / y_A


def eq40_exponent(y_B: float, d: int = DIMENSION) -> float:
    """G_h(m - n) ∝ |m - n|^(-2d + 2 y_B) near the critical point."""
    return -2 * d + 2 * y_B


# eq 36: G_h(m - n, A - A*) ∝ exp(-|m - n| / xi) for large |m - n|.
# Fig 4: "RG flows converge to the plane composed of fixed points" e^{A*} = 1 ("there is no phase transition").
# Fig 5: "Diverging RG flow near the fictitious fixed point (3, -2/3, -1/3)", e^C = -1/3 fixed for all flows.
# eqs 31-32: H_m = 0 is the network rule (eq 1); H'_m = 0 are the new constraints of the renormalized system.
