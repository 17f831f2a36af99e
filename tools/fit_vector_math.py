"""Fits the polynomial coefficients of Sources/TensorEngine/Kernels/VectorMath.swift.

Near-minimax polynomials by Lawson's iteratively reweighted least squares in double precision
against mpmath references, then rounded to float32 and checked in float32 arithmetic.

    ../venv-torch/bin/python tools/fit_vector_math.py

Approximations:
  erf(x)  = x · P(x²) / Q(x²)          for |x| ≤ 3.9, clamped (absolute error; one division, no exp)
  erf(x)  = x + x · R(x²)              for |x| ≤ 1           (relative error; R = erf(x)/x − 1)
  erfc(t) = exp(G(t))                  for 1 ≤ t ≤ 4          (relative error of erfc = |ΔG|)
  tanh(x) = x + x³ · T(x²)             for |x| ≤ 0.625        (relative error)
"""
import mpmath
import numpy as np

from minimax import lawson

mpmath.mp.dps = 40


def horner32(coefficients, x):
    """Evaluates Σ c_k x^k in float32 by Horner (highest first), without FMA (a pessimistic bound)."""
    x = np.float32(x) if np.isscalar(x) else x.astype(np.float32)
    acc = np.full_like(x, np.float32(coefficients[-1]))
    for c in reversed(coefficients[:-1]):
        acc = (acc * x + np.float32(c)).astype(np.float32)
    return acc


def show(name, coefficients):
    print(f"{name}:")
    for c in coefficients:
        print(f"    {float(np.float32(c)):.9e}")


def chebyshev_nodes(a, b, n):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (k + 0.5) / n)


# erf on [0, 1]: erf(x)/x = P(s), s = x², relative error.
degree = 6
xs = chebyshev_nodes(0, 1, 4000)
s = xs * xs
target = np.array([float(mpmath.erf(x) / x) for x in xs])
p, err = lawson(s, [lambda v, k=k: v ** k for k in range(degree + 1)], target, 1 / target)
r = p.copy()
r[0] -= 1  # erf(x) = x + x·R(x²): the final addition rounds once, R's own error counts 1/8.
show(f"erf small R(s), degree {degree}, fitted relative error {err:.2e}", r)
grid = np.linspace(1e-6, 1, 200001).astype(np.float32)
approx = grid + grid * horner32(r.astype(np.float32), (grid * grid).astype(np.float32))
exact = np.array([float(mpmath.erf(float(x))) for x in grid[::50]])
print("  float32 abs error", np.max(np.abs(approx[::50] - exact)),
      "relative", np.max(np.abs(approx[::50] - exact) / exact))

# erfc on [1, 4]: log erfc(t) = G(t), uniform weight (the relative error of erfc, so that Φ keeps
# relative accuracy in the lower tail).
degree = 8
ts = chebyshev_nodes(1, 4, 6000)
target = np.array([float(mpmath.log(mpmath.erfc(t))) for t in ts])
weights = np.ones_like(ts)
g, err = lawson(ts, [lambda v, k=k: v ** k for k in range(degree + 1)], target, weights)
show(f"erfc large G(t), degree {degree}, fitted absolute error {err:.2e}", g)
grid = np.linspace(1, 4, 30001).astype(np.float32)
approx = np.float32(1) - np.exp(horner32(g.astype(np.float32), grid).astype(np.float64)).astype(np.float32)
exact = np.array([float(mpmath.erf(float(t))) for t in grid])
print("  float32 abs error of erf", np.max(np.abs(approx - exact)))
approx = np.exp(horner32(g.astype(np.float32), grid).astype(np.float64))
exact = np.array([float(mpmath.erfc(float(t))) for t in grid])
print("  float32 relative error of erfc", np.max(np.abs(approx - exact) / exact))

# tanh on [0, 0.625]: (tanh(x) − x)/x³ = T(s), relative error of tanh.
degree = 4
xs = chebyshev_nodes(1e-4, 0.625, 4000)
s = xs * xs
tanh = np.array([float(mpmath.tanh(x)) for x in xs])
target = np.array([float((mpmath.tanh(x) - x) / x ** 3) for x in xs])
t, err = lawson(s, [lambda v, k=k: v ** k for k in range(degree + 1)], target, xs ** 3 / tanh)
show(f"tanh small T(s), degree {degree}, fitted relative error {err:.2e}", t)
grid = np.linspace(1e-4, 0.625, 100001).astype(np.float32)
approx = grid + grid * grid * grid * horner32(t.astype(np.float32), (grid * grid).astype(np.float32))
exact = np.array([float(mpmath.tanh(float(x))) for x in grid[::10]])
print("  float32 relative error", np.max(np.abs(approx[::10] - exact) / exact))


def fit_rational(f, s, weight, m, n, iterations=80):
    """Near-minimax P/Q (degrees m, n; Q(0) = 1) by linearised, reweighted least squares."""
    q_previous = np.ones_like(s)
    lawson_weights = np.ones_like(s) / len(s)
    best = None
    for _ in range(iterations):
        a = np.concatenate([np.stack([s ** i for i in range(m + 1)], 1),
                            -np.stack([f * s ** j for j in range(1, n + 1)], 1)], 1)
        scale = weight / q_previous
        sw = np.sqrt(lawson_weights)
        c, *_ = np.linalg.lstsq(a * (scale * sw)[:, None], f * scale * sw, rcond=None)
        p, q = c[:m + 1], np.concatenate([[1], c[m + 1:]])
        pv = sum(p[i] * s ** i for i in range(m + 1))
        qv = sum(q[j] * s ** j for j in range(n + 1))
        err = np.abs(pv / qv - f) * weight
        if best is None or err.max() < best[0]:
            best = (err.max(), p.copy(), q.copy(), qv.min())
        q_previous = qv
        lawson_weights = lawson_weights * err
        lawson_weights /= lawson_weights.sum()
    return best


# erf on [0, 3.9] as x·P(s)/Q(s), s = x²: weight 1 + x covers the absolute error of erf and its
# relative error near 0.
limit = 3.9
k = np.arange(6000)
s = (limit ** 2 / 2) * (1 - np.cos(np.pi * (k + 0.5) / 6000))
xs = np.sqrt(s)
f = np.array([float(mpmath.erf(x) / x) if x > 0 else float(2 / mpmath.sqrt(mpmath.pi)) for x in xs])
err, p, q, q_min = fit_rational(f, s, 1 + xs, 5, 5)
show(f"erf rational P(s), degree 5, fitted error {err:.2e} (min Q = {q_min:.3f})", p)
show("erf rational Q(s), degree 5 (Q(0) = 1)", q)
grid = np.linspace(0, 6, 600001).astype(np.float32)
u = np.minimum(grid, np.float32(limit))
ss = (u * u).astype(np.float32)
approx = (u * (horner32(p.astype(np.float32), ss) / horner32(q.astype(np.float32), ss)).astype(np.float32)).astype(np.float32)
exact = np.array([float(mpmath.erf(float(x))) for x in grid[::20]])
print("  float32 abs error of erf", np.max(np.abs(approx[::20] - exact)))

# GELU's Φ (VectorMath.normalCDFRational): the erf rational above rewritten in u = x (not x/√2),
# with ½·(1/√2) folded into P and Q made monic, so that Φ(x) = ½ + u·P(u²)/Q(u²) costs one
# multiplication less and Q's first step is an addition.
scaled_p = [c * (0.5 / np.sqrt(2)) / 2 ** i for i, c in enumerate(p)]
scaled_q = [c / 2 ** i for i, c in enumerate(q)]
lead = scaled_q[-1]
show("normalCDFRational P(u²), lowest first", [c / lead for c in scaled_p])
show("normalCDFRational Q(u²), lowest first (monic)", [c / lead for c in scaled_q])

# e^r = 1 + r·E(r) on |r| ≤ ln2/2 (VectorMath.expOfNonPositive): relative error of e^r.
degree = 4
half = float(np.log(2) / 2) * 1.0001
xs = chebyshev_nodes(-half, half, 6000)
target = np.array([float((mpmath.exp(x) - 1) / x) for x in xs])
e, err = lawson(xs, [lambda v, k=k: v ** k for k in range(degree + 1)], target, xs / np.exp(xs))
show(f"exp E(r), degree {degree}, fitted relative error {err:.2e}, lowest first", e)
