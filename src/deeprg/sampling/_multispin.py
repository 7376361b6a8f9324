r"""Numba kernels of the multispin DNA heat bath: 64 chains per uint64 word (one bit per chain and variable).

A lane's conditional probability is picked from a table of at most 8 thresholds by a 3-bit context (three
words, one bit per lane). Threshold :math:`P = \lfloor p\,2^{53}\rfloor` is compared bit-sliced with a 53-bit
uniform integer as in :func:`deeprg.sampling._bits.bernoulli_word`; bit k of the 8 thresholds is one byte (a
truth table over the context), so the threshold word of bit k is a 3-level multiplexer of the context words.

Measurement inside the kernel: the bulk window of each lane is transposed (64 x 64 bit blocks) into one bit
string along depth per chain; the position sums of Fig 7 are then popcounts of that string ANDed with itself
shifted by r.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

from ._bits import BITS, compare_bit, random_word

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@intrinsic
def popcount(typingctx, x):
    """Number of set bits of a uint64 (the CPU's popcnt instruction)."""
    if x != types.uint64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


@njit(inline="always", cache=True)
def select8(leaves, o, a, b, c):
    """Lane-wise entry ``a + 2 b + 4 c`` of an 8-entry table of words, for context words a, b, c: a multiplexer
    tree whose first level is stored flat as ``leaves[o:o + 8]`` = (l0, l0 ^ l1, l2, l2 ^ l3, l4, l4 ^ l5, l6,
    l6 ^ l7) (flat indexing: no array views, whose reference counting would cost more than the logic)."""
    m0 = leaves[o] ^ (a & leaves[o + 1])
    m1 = leaves[o + 2] ^ (a & leaves[o + 3])
    m2 = leaves[o + 4] ^ (a & leaves[o + 5])
    m3 = leaves[o + 6] ^ (a & leaves[o + 7])
    n0 = m0 ^ (b & (m0 ^ m1))
    n1 = m2 ^ (b & (m2 ^ m3))
    return n0 ^ (c & (n0 ^ n1))


@njit(inline="always", cache=True)
def bernoulli_ctx(key, counter, levels, o, a, b, c, kmax=BITS):
    """64 lanes, lane j is 1 with probability thr[ctx_j] / 2^53, ctx = a + 2b + 4c; ``levels[o + 8k:o + 8k + 8]``
    holds bit 52 - k of the 8 thresholds as :func:`select8` leaves. Uses the random words at counters ``counter ..
    counter + 52``. When every threshold bit from level ``kmax`` on is zero, lanes still undecided there have
    U >= P (result 0), so the loop may stop at ``kmax`` with the same result (one word for p = 1/2)."""
    undecided = _ALL
    result = _ZERO
    for k in range(kmax):
        t = select8(levels, o + 8 * k, a, b, c)
        r = random_word(key, counter + np.uint64(k))
        result, undecided = compare_bit(result, undecided, t, r)
        if undecided == 0:
            break
    return result


@njit(inline="always", cache=True)
def bernoulli_pair(key, ctr1, o1, a1, b1, c1, ctr2, o2, a2, b2, c2, levels):
    """Two independent :func:`bernoulli_ctx` draws in one loop (the same results; two dependency chains give
    the CPU independent work, and the loop runs to the slower of the two instead of their sum)."""
    und1, und2 = _ALL, _ALL
    res1, res2 = _ZERO, _ZERO
    for k in range(BITS):
        t1 = select8(levels, o1 + 8 * k, a1, b1, c1)
        t2 = select8(levels, o2 + 8 * k, a2, b2, c2)
        r1 = random_word(key, ctr1 + np.uint64(k))
        r2 = random_word(key, ctr2 + np.uint64(k))
        res1, und1 = compare_bit(res1, und1, t1, r1)
        res2, und2 = compare_bit(res2, und2, t2, r2)
        if (und1 | und2) == 0:
            break
    return res1, res2


@njit(inline="always", cache=True)
def _weight_context(Hw, m, M):
    """(h_m, h_{m+1}, offset of the bulk or output table) of weight layer m."""
    if m == M:
        return Hw[m], _ZERO, 8 * BITS
    return Hw[m], Hw[m + 1], 0


@njit(inline="always", cache=True)
def _neuron_context(Hw, CHw, CLw, m, M, out_leaves):
    """(t, g_0, g_1, table offset) of neuron layer m: t = out(c_{m-1}, h_{m-1}), g_v = [h_{m+1} = out(c_m, v)]
    in the bulk and out(c_m, v) itself at the output layer."""
    t = select8(out_leaves, 0, Hw[m - 1], CLw[m - 1], CHw[m - 1])
    z0 = select8(out_leaves, 0, _ZERO, CLw[m], CHw[m])
    z1 = select8(out_leaves, 0, _ALL, CLw[m], CHw[m])
    if m == M:
        return t, z0, z1, (4 * 8 + 8) * BITS
    return t, ~(z0 ^ Hw[m + 1]), ~(z1 ^ Hw[m + 1]), 4 * 8 * BITS


@njit(inline="always", cache=True)
def transpose64(A):
    """In place: bit j of A[i] <-> bit i of A[j] (64 x 64 bit matrix, recursive block swaps)."""
    j = 32
    m = np.uint64(0x00000000FFFFFFFF)
    while j != 0:
        sj = np.uint64(j)
        k = 0
        while k < 64:
            t = ((A[k] >> sj) ^ A[k + j]) & m
            A[k] ^= t << sj
            A[k + j] ^= t
            k = (k + j + 1) & ~j
        j >>= 1
        m ^= m << np.uint64(j)


@njit(inline="always", cache=True)
def _bit(D, p):
    return np.int64((D[p >> 6] >> np.uint64(p & 63)) & _ONE)


@njit(inline="always", cache=True)
def _shifted(D, q, r, nb):
    """Word q of the bit string D shifted down by r (bit p of the result = bit p + r of D)."""
    qs, s = q + (r >> 6), r & 63
    lo = D[qs] if qs < nb else _ZERO
    if s == 0:
        return lo
    hi = D[qs + 1] if qs + 1 < nb else _ZERO
    return (lo >> np.uint64(s)) | (hi << np.uint64(64 - s))


@njit(inline="always", cache=True)
def _measure_buffers(chains, w, nb):
    """(lanes, lane_mask, block, D) of word w for :func:`_measure`: the chains it holds, their lane bits, and
    scratch for 64 unpacked lanes and their ``nb``-word bulk windows."""
    lanes = min(64, chains - 64 * w)
    lane_mask = _ALL if lanes == 64 else (_ONE << np.uint64(lanes)) - _ONE
    return lanes, lane_mask, np.empty(64, dtype=np.uint64), np.empty((64, nb), dtype=np.uint64)


@njit(inline="always", cache=True)
def _measure(Hw, w, lanes, lane_mask, lo, n, nb, rmax, v0, dv, block, D, series, counts, tm):
    """Fig 7 position sums of the 64 chains of word w at time tm (see :func:`sweeps`)."""
    for m in range(1, len(Hw) - 1):
        counts[w, m - 1] += popcount(Hw[m] & lane_mask)
    for q in range(nb):
        for i in range(64):
            p = 64 * q + i
            block[i] = Hw[lo + p] if p < n else _ZERO
        transpose64(block)
        for j in range(64):
            D[j, q] = block[j]
    for j in range(lanes):
        Dj = D[j]
        total = 0
        for q in range(nb):
            total += popcount(Dj[q])
        chain = 64 * w + j
        mean = (n * v0 + dv * total) / n
        series[0, chain, tm, rmax + 1] = mean
        series[1, chain, tm, rmax + 1] = mean
        head, tail = 0, 0  # ones among the first r and the last r positions
        for r in range(rmax + 1):
            if r > 0:
                head += _bit(Dj, r - 1)
                tail += _bit(Dj, n - r)
            both = 0
            for q in range(nb):
                both += popcount(Dj[q] & _shifted(Dj, q, r, nb))
            value = ((n - r) * v0 * v0 + v0 * dv * (2 * total - head - tail) + dv * dv * both) / (n - r)
            series[0, chain, tm, r] = value
            series[1, chain, tm, r] = value


@njit(parallel=True, cache=True)
def measure_words(H, chains, lo, hi, rmax, v0, dv, series, counts, tm):
    """:func:`_measure` of every word of H (words, M+2) at time tm: the bit-packed neurons of one sweep."""
    n = hi - lo + 1
    nb = (n + 63) >> 6
    for w in prange(H.shape[0]):
        lanes, lane_mask, block, D = _measure_buffers(chains, w, nb)
        _measure(H[w], w, lanes, lane_mask, lo, n, nb, rmax, v0, dv, block, D, series, counts, tm)


@njit(inline="always", cache=True)
def bernoulli_block(key, ctr, step, levels, o, A, B, C, n, res, und):
    """``res[i]`` = :func:`bernoulli_ctx` (key, ctr + i step, levels, o, A[i], B[i], C[i]) for i < n, the same
    words: the draws are independent, so the loop over them is innermost and vectorizes (SIMD across draws);
    the level loop stops when every lane of every draw is decided (lanes decided earlier do not change)."""
    for i in range(n):
        res[i] = _ZERO
        und[i] = _ALL
    for k in range(BITS):
        q = o + 8 * k
        l0, l1, l2, l3 = levels[q], levels[q + 1], levels[q + 2], levels[q + 3]
        l4, l5, l6, l7 = levels[q + 4], levels[q + 5], levels[q + 6], levels[q + 7]
        c0 = ctr + np.uint64(k)
        pending = _ZERO
        for i in range(n):
            a, b, c = A[i], B[i], C[i]
            m0 = l0 ^ (a & l1)
            m1 = l2 ^ (a & l3)
            m2 = l4 ^ (a & l5)
            m3 = l6 ^ (a & l7)
            n0 = m0 ^ (b & (m0 ^ m1))
            n1 = m2 ^ (b & (m2 ^ m3))
            t = n0 ^ (c & (n0 ^ n1))
            r = random_word(key, c0 + np.uint64(i) * step)
            u = und[i]
            res[i] |= u & t & ~r
            u &= ~(r ^ t)
            und[i] = u
            pending |= u
        if pending == 0:
            break


@njit(inline="always", cache=True)
def _neuron_block(Hw, CHw, CLw, m0, n, out_leaves, A, B, C):
    """Contexts (t, g_0, g_1) of the bulk neuron layers m0, m0 + 2, ..., m0 + 2(n - 1) into A, B, C."""
    for i in range(n):
        m = m0 + 2 * i
        A[i] = select8(out_leaves, 0, Hw[m - 1], CLw[m - 1], CHw[m - 1])
        z0 = select8(out_leaves, 0, _ZERO, CLw[m], CHw[m])
        z1 = select8(out_leaves, 0, _ALL, CLw[m], CHw[m])
        B[i] = ~(z0 ^ Hw[m + 1])
        C[i] = ~(z1 ^ Hw[m + 1])


_BLOCK = 128  # draws per vectorized block: more amortizes the level loop, fewer stops it sooner


@njit(parallel=True, cache=True)
def sweeps(H, CH, CL, keys, chains, first_sweep, n_sweeps, burn_in, out_leaves, levels,
           lo, hi, rmax, v0, dv, series, counts):
    """Heat bath in place, ``n_sweeps`` sweeps from sweep ``first_sweep``: every weight layer m = 0..M (high
    then low bit of the configuration index c = 2 CH + CL given h^(m), h^(m+1)), then odd, then even neuron
    layers (given t = out(c_{m-1}, h^(m-1)) and the agreements of h^(m+1) with out(c_m, 0) and out(c_m, 1)).
    Each class of independent sites is drawn in blocks of :data:`_BLOCK` (:func:`bernoulli_block`).

    H: (words, M+2) with H[:, 0] the input x and H[:, M+1] unused; CH, CL: (words, M+1). ``levels`` (flat
    (3, 2, BITS, 8)) for [site, kind]: threshold bits as :func:`select8` leaves (see :func:`bernoulli_ctx`), for
    the sites (c_hi, c_lo, neuron) and kinds (0: bulk, 1: the output layer m = M, where the "agreement" bits are
    the outputs themselves). ``out_leaves``: the table out[c, s] at entry s + 2c, as :func:`select8` leaves.
    Random words: site c_hi of layer m at counter (sweep (3M + 2) + 2m) BITS, c_lo at (... + 2m + 1) BITS,
    neuron m at (... + 2M + 1 + m) BITS, plus the bit level.
    Sweeps numbered >= burn_in are measured: ``series[0]`` and ``series[1]`` (unit and magnetization, equal for
    one neuron) at time sweep - burn_in, ``counts[m - 1]`` += ones of layer m over the chains.
    """
    words, width = H.shape
    M = width - 2
    stride = np.uint64((3 * M + 2) * BITS)
    two = np.uint64(2 * BITS)
    n = hi - lo + 1
    nb = (n + 63) >> 6
    for w in prange(words):
        key = keys[w]
        lanes, lane_mask, block, D = _measure_buffers(chains, w, nb)
        A, B, C = np.empty(_BLOCK, np.uint64), np.empty(_BLOCK, np.uint64), np.empty(_BLOCK, np.uint64)
        res, und = np.empty(_BLOCK, np.uint64), np.empty(_BLOCK, np.uint64)
        zeros = np.zeros(_BLOCK, np.uint64)
        Hw, CHw, CLw = H[w], CH[w], CL[w]
        for k in range(n_sweeps):
            sweep = first_sweep + k
            base = np.uint64(sweep) * stride
            for m0 in range(0, M, _BLOCK):  # bulk weight layers: c_hi, then c_lo given c_hi
                nm = min(_BLOCK, M - m0)
                ctr = base + np.uint64(2 * m0 * BITS)
                bernoulli_block(key, ctr, two, levels, 0, Hw[m0:m0 + nm], Hw[m0 + 1:m0 + nm + 1], zeros, nm,
                                res, und)
                CHw[m0:m0 + nm] = res[:nm]
                bernoulli_block(key, ctr + np.uint64(BITS), two, levels, 16 * BITS, Hw[m0:m0 + nm],
                                Hw[m0 + 1:m0 + nm + 1], CHw[m0:m0 + nm], nm, res, und)
                CLw[m0:m0 + nm] = res[:nm]
            ctr = base + np.uint64(2 * M * BITS)  # the output weight layer m = M
            CHw[M] = bernoulli_ctx(key, ctr, levels, 8 * BITS, Hw[M], _ZERO, _ZERO)
            CLw[M] = bernoulli_ctx(key, ctr + np.uint64(BITS), levels, 24 * BITS, Hw[M], _ZERO, CHw[M])
            for parity in range(1, 3):
                bulk = (M - 1 - parity) // 2 + 1 if M - 1 >= parity else 0  # layers parity, parity + 2, .. < M
                for j0 in range(0, bulk, _BLOCK):
                    nm = min(_BLOCK, bulk - j0)
                    m0 = parity + 2 * j0
                    _neuron_block(Hw, CHw, CLw, m0, nm, out_leaves, A, B, C)
                    bernoulli_block(key, base + np.uint64((2 * M + 1 + m0) * BITS), two, levels, 32 * BITS,
                                    A, B, C, nm, res, und)
                    for i in range(nm):
                        Hw[m0 + 2 * i] = res[i]
                if M % 2 == parity % 2:  # the output neuron layer m = M has this parity
                    t, g0, g1, o = _neuron_context(Hw, CHw, CLw, M, M, out_leaves)
                    Hw[M] = bernoulli_ctx(key, base + np.uint64((2 * M + 1 + M) * BITS), levels, o, t, g0, g1)
            tm = sweep - burn_in
            if tm >= 0:
                _measure(Hw, w, lanes, lane_mask, lo, n, nb, rmax, v0, dv, block, D, series, counts, tm)


@njit(parallel=True, cache=True)
def metropolis_sweeps(H, CH, CL, keys, chains, first_sweep, n_sweeps, burn_in, out_leaves, prior_levels,
                      prior_kmax, accept_levels, lo, hi, rmax, v0, dv, series, counts, accepted):
    """Original-cost Metropolis in place, 64 chains per word: per sweep one move at every layer m = 0..M in
    order. A move draws c' from the prior (``prior_levels``: flat (2, BITS, 8) leaves of P(c_hi = 1) and of
    P(c_lo = 1 | c_hi) at context 4 c_hi; their bits from level ``prior_kmax`` on are zero), carries the change of the forward pass downstream as XOR words
    until every lane has coalesced (or reaches the output z = H[:, M+1]), and accepts lanes whose z flips with
    ``accept_levels`` (BITS, 8) leaves of min(1, e^{-(cost[z'] - cost[z])}) at context z. ``accepted[w]`` counts
    accepted moves (all lanes). Measurement as in :func:`sweeps`."""
    words, width = H.shape
    M = width - 2
    stride = np.uint64(3 * (M + 1) * BITS)
    n = hi - lo + 1
    nb = (n + 63) >> 6
    for w in prange(words):
        key = keys[w]
        lanes, lane_mask, block, D = _measure_buffers(chains, w, nb)
        Hw, CHw, CLw = H[w], CH[w], CL[w]
        diff = np.zeros(M + 2, dtype=np.uint64)
        for k in range(n_sweeps):
            sweep = first_sweep + k
            base = np.uint64(sweep) * stride
            for m in range(M + 1):
                ctr = base + np.uint64(3 * m * BITS)
                ph = bernoulli_ctx(key, ctr, prior_levels, 0, _ZERO, _ZERO, _ZERO, prior_kmax)
                pl = bernoulli_ctx(key, ctr + np.uint64(BITS), prior_levels, 8 * BITS, _ZERO, _ZERO, ph, prior_kmax)
                d = select8(out_leaves, 0, Hw[m], pl, ph) ^ Hw[m + 1]
                end = m + 1  # diff[m+1 .. end] are the changes of the forward pass
                diff[end] = d
                while d != 0 and end <= M:
                    d = select8(out_leaves, 0, Hw[end] ^ d, CLw[end], CHw[end]) ^ Hw[end + 1]
                    end += 1
                    diff[end] = d
                flips = diff[M + 1] if end == M + 1 else _ZERO
                acc = _ALL
                if flips != 0:
                    acc = ~flips | bernoulli_ctx(key, ctr + np.uint64(2 * BITS), accept_levels, 0, Hw[M + 1],
                                                 _ZERO, _ZERO)
                accepted[w] += popcount(acc & lane_mask)
                CHw[m] = (CHw[m] & ~acc) | (ph & acc)
                CLw[m] = (CLw[m] & ~acc) | (pl & acc)
                for j in range(m + 1, end + 1):
                    Hw[j] ^= diff[j] & acc
            tm = sweep - burn_in
            if tm >= 0:
                _measure(Hw, w, lanes, lane_mask, lo, n, nb, rmax, v0, dv, block, D, series, counts, tm)
