#!/usr/bin/env python3
"""Reference numbers for BoundedLbfgsTest: SciPy's L-BFGS-B on box-constrained problems.

Run with Debian's python3-scipy:  /usr/bin/python3 scipy_bounded.py > scipy_bounded.properties
History 10, projected-gradient tolerance 1e-8, ftol 1e-15 (so the gradient test ends the run).
The problems are defined by formula so that the test can build the same ones:
  rosenbrock{2,100}: scipy.optimize.rosen from (-1.2, 1, -1.2, 1, ...) within [-2, 0.8]
  quadratic{20,100}: 1/2 x^T A x - b^T x, A_ij = 0.5^|i-j| + (1 + i) [i == j] (i, j from 0),
                     b_i = 3 sin(i + 1), from 0 within [-0.3, 0.3]
"""
import numpy as np
import scipy
from scipy.optimize import minimize, rosen, rosen_der


def quadratic(n):
    i = np.arange(n)
    a = 0.5 ** np.abs(i[:, None] - i[None, :]) + np.diag(1.0 + i)
    b = 3 * np.sin(i + 1.0)
    return (lambda x: 0.5 * x @ a @ x - b @ x), (lambda x: a @ x - b)


problems = {}
for n in (2, 100):
    problems[f"rosenbrock{n}"] = (rosen, rosen_der, np.array([-1.2 if i % 2 == 0 else 1.0 for i in range(n)]),
                                  -2.0, 0.8)
for n in (20, 100):
    f, g = quadratic(n)
    problems[f"quadratic{n}"] = (f, g, np.zeros(n), -0.3, 0.3)

print(f"# scipy {scipy.__version__}, L-BFGS-B, maxcor=10, gtol=1e-8, ftol=1e-15")
for name, (f, g, x0, lo, hi) in problems.items():
    r = minimize(f, x0, jac=g, method="L-BFGS-B", bounds=[(lo, hi)] * len(x0),
                 options={"maxcor": 10, "gtol": 1e-8, "ftol": 1e-15, "maxiter": 10000, "maxfun": 10000})
    print(f"{name}.nfev={r.nfev}")
    print(f"{name}.nit={r.nit}")
    print(f"{name}.loss={r.fun!r}")
    print(f"{name}.at_bounds={int(np.sum((r.x <= lo + 1e-9) | (r.x >= hi - 1e-9)))}")
    print(f"{name}.x={','.join(repr(v) for v in r.x)}")
