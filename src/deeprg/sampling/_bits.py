r"""Bit-packed (multispin) Numba kernels: 64 chains per machine word for two-state layers.

Bernoulli draws for 64 lanes at once, exact to :math:`2^{-53}` like a float uniform: lane j is 1 when its
53-bit uniform integer :math:`U_j` is below its threshold :math:`P_j = \lfloor p_j 2^{53}\rfloor`. Both are
compared bit-sliced from the most significant bit: word k of random bits holds bit k of every :math:`U_j`, word k
of thresholds bit k of every :math:`P_j`; a lane is decided at the first bit where they differ. The loop stops
when every lane is decided (about :math:`\log_2 64 + 2` words on average instead of 64 uniforms). Random words
are counter-based SplitMix64 outputs (:mod:`deeprg.sampling._kernels`) of the word's key.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._kernels import _GAMMA, _MIX1, _MIX2, _S27, _S30, _S31

BITS = 53
_ONE = np.uint64(1)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(inline="always", cache=True)
def random_word(key, counter):
    z = key + counter * _GAMMA
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def compare_bit(result, undecided, t, r):
    """One bit-slice of :math:`U < P`: lanes still undecided whose threshold bit ``t`` is 1 and uniform bit ``r``
    is 0 become 1 in ``result``; lanes whose two bits differ are decided. Returns (result, undecided)."""
    return result | (undecided & t & ~r), undecided & ~(r ^ t)


@njit(inline="always", cache=True)
def bernoulli_word(key, counter, select, thr0, thr1):
    """64 lanes: lane j is 1 with probability thr1 / 2^53 where bit j of ``select`` is set, else thr0 / 2^53.
    Uses the random words at counters ``counter .. counter + 52``."""
    undecided = _ALL
    result = np.uint64(0)
    for k in range(BITS):
        shift = np.uint64(BITS - 1 - k)
        b0 = (thr0 >> shift) & _ONE
        b1 = (thr1 >> shift) & _ONE
        t = (select & (np.uint64(0) - b1)) | (~select & (np.uint64(0) - b0))
        r = random_word(key, counter + np.uint64(k))
        result, undecided = compare_bit(result, undecided, t, r)
        if undecided == 0:
            break
    return result


def pack_lanes(bits: np.ndarray) -> np.ndarray:
    """(chains, K) 0/1 -> (words, K) uint64, chain 64 w + j at bit j of word w."""
    chains, K = bits.shape
    words = (chains + 63) // 64
    padded = np.zeros((words * 64, K), dtype=np.uint64)
    padded[:chains] = bits
    lanes = padded.reshape(words, 64, K) << np.arange(64, dtype=np.uint64)[None, :, None]
    return np.bitwise_or.reduce(lanes, axis=1)


def unpack_lanes(words: np.ndarray, chains: int) -> np.ndarray:
    """(words, K) uint64 -> (chains, K) int8."""
    bits = (words[:, None, :] >> np.arange(64, dtype=np.uint64)[None, :, None]) & np.uint64(1)
    return bits.reshape(-1, words.shape[1])[:chains].astype(np.int8)


@njit(inline="always", cache=True)
def _threshold_pair_block(key, ctr, thr0, thr1, n, lower, upper, und0, und1):
    """``lower[i]`` = [U_i < thr0], ``upper[i]`` = [U_i < thr1] (64 lanes, thresholds over 2^53) with one
    uniform U_i per lane for both, from the random words at counters ``ctr + BITS i + k``. The draws are
    independent, so the loop over them is innermost and vectorizes; the level loop stops when all are decided."""
    for i in range(n):
        lower[i] = np.uint64(0)
        upper[i] = np.uint64(0)
        und0[i] = _ALL
        und1[i] = _ALL
    for k in range(BITS):
        shift = np.uint64(BITS - 1 - k)
        t0 = np.uint64(0) - ((thr0 >> shift) & _ONE)
        t1 = np.uint64(0) - ((thr1 >> shift) & _ONE)
        c0 = ctr + np.uint64(k)
        pending = np.uint64(0)
        for i in range(n):
            r = random_word(key, c0 + np.uint64(BITS * i))
            lower[i], u0 = compare_bit(lower[i], und0[i], t0, r)
            upper[i], u1 = compare_bit(upper[i], und1[i], t1, r)
            und0[i] = u0
            und1[i] = u1
            pending |= u0 | u1
        if pending == 0:
            break


_BLOCK = 64  # layers per vectorized block


@njit(parallel=True, cache=True)
def ancestral_binary(H, keys, first_draw, n_draws, first_thr, thr, table_of):
    """Exact draws of two-state neuron chains, 64 chains per word: the last draw in H (words, M+2), bit j of
    H[w, m] the state index of layer m of chain 64 w + j (m = 1..M; H[:, 0] and H[:, M+1] are not touched).
    ``thr[k, s]`` = 2^53 P(h' = 1 | h = s) of transition table k; transition m -> m+1 (m = 1..M-1) uses table
    ``table_of[m - 1]`` (the bulk table 0 except near the output); ``first_thr`` = 2^53 P(h^(1) = 1); word w
    uses the key of its first chain, ``keys[64 w]``.

    Lane j of layer m + 1 is [U < thr[k, h_m]] for its uniform U (random words at counters (draw M + m) BITS
    + bit level). Both candidates [U < thr[k, 0]] and [U < thr[k, 1]] do not depend on h_m, so they are drawn
    for a block of layers with one table at once (:func:`_threshold_pair_block`); the chain is then one select
    per layer."""
    words, width = H.shape
    M = width - 2
    stride = np.uint64(BITS * M)
    for w in prange(words):
        key = keys[64 * w]
        Hw = H[w]
        lower, upper = np.empty(_BLOCK, dtype=np.uint64), np.empty(_BLOCK, dtype=np.uint64)
        und0, und1 = np.empty(_BLOCK, dtype=np.uint64), np.empty(_BLOCK, dtype=np.uint64)
        for d in range(n_draws):
            base = np.uint64(first_draw + d) * stride
            cur = bernoulli_word(key, base, np.uint64(0), first_thr, first_thr)
            Hw[1] = cur
            m0 = 1
            while m0 < M:  # transitions m -> m + 1 for m = m0 .. m0 + n - 1, all with table k
                k = table_of[m0 - 1]
                n = 1
                while n < _BLOCK and m0 + n < M and table_of[m0 + n - 1] == k:
                    n += 1
                _threshold_pair_block(key, base + np.uint64(BITS * m0), thr[k, 0], thr[k, 1], n, lower, upper,
                                      und0, und1)
                for i in range(n):
                    cur = (cur & upper[i]) | (~cur & lower[i])
                    Hw[m0 + i + 1] = cur
                m0 += n
