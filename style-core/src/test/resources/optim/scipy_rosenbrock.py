#!/usr/bin/env python3
"""Reference numbers for LbfgsTest: SciPy's L-BFGS-B on the chained Rosenbrock function.

Run with Debian's python3-scipy:  /usr/bin/python3 scipy_rosenbrock.py > scipy_rosenbrock.properties
Same start as the test (-1.2, 1, -1.2, 1, ...), history 10, gradient tolerance 1e-8.
"""
import numpy as np
import scipy
from scipy.optimize import minimize, rosen, rosen_der

print(f"# scipy {scipy.__version__}, L-BFGS-B, maxcor=10, gtol=1e-8, ftol=1e-15")
for n in (2, 100):
    x0 = np.array([-1.2 if i % 2 == 0 else 1.0 for i in range(n)])
    r = minimize(rosen, x0, jac=rosen_der, method="L-BFGS-B",
                 options={"maxcor": 10, "gtol": 1e-8, "ftol": 1e-15, "maxiter": 10000, "maxfun": 10000})
    print(f"n{n}.nfev={r.nfev}")
    print(f"n{n}.nit={r.nit}")
    print(f"n{n}.loss={r.fun:.3e}")
    print(f"n{n}.max_error={np.max(np.abs(r.x - 1)):.3e}")
