"""Near-minimax polynomial fits shared by the coefficient generators (fit_vector_math.py,
fit_gelu_tables.py): Lawson's iteratively reweighted least squares in double precision."""
import numpy as np


def lawson(xs, basis, target, weight, iterations=400):
    """Weighted minimax fit: minimise max |weight · (basis·c − target)|. Returns (c, max error)."""
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
