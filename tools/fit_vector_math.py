"""Fits the polynomial coefficients of Sources/TensorEngine/Kernels/VectorMath.swift.

Near-minimax polynomials by Lawson's iteratively reweighted least squares in double precision
against mpmath references, then rounded to float32 and checked in float32 arithmetic.

    ../venv-torch/bin/python tools/fit_vector_math.py

Approximations:
  erf(x)  = x + x · R(x²)              for |x| ≤ 1           (relative error; R = erf(x)/x − 1)
  erfc(t) = exp(G(t))                  for 1 ≤ t ≤ 4          (relative error of erfc = |ΔG|)
  tanh(x) = x + x³ · T(x²)             for |x| ≤ 0.625        (relative error)
"""
import mpmath
import numpy as np

mpmath.mp.dps = 40


def lawson(xs, basis, target, weight, iterations=400):
    """Weighted minimax fit: minimise max |weight · (basis·c − target)|."""
    a = np.stack([b(xs) for b in basis], axis=1) * weight[:, None]
    y = target * weight
    w = np.ones_like(xs) / len(xs)
    for _ in range(iterations):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(a * sw[:, None], y * sw, rcond=None)
        err = np.abs(a @ c - y)
        w = w * err
        w /= w.sum()
    return c, np.max(np.abs(a @ c - y))


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
