"""Section 2 of the paper reproduced: Example 2.2 and Figure 1 (the Tikhonov bound).

A one-block softmax transformer with known rational parameters theta_gen generates the data
(Y^j = T_gen(X^j)); theta_gen interpolates it exactly, so for every eps

    min_theta  L(theta) + eps * R(theta)  <=  eps * R(theta_gen),     R(theta) = ||theta||^2,

with R(theta_gen) an exact rational (docs/training.md). A transformer of the same shape is trained
from a random start with Adam on L + eps*R (NumPy, analytic gradients). Figure 1: left, the
regularised loss against epochs with the line eps*R(theta_gen); right, the smallest regularised loss
reached against eps on log-log axes, with the fitted slope.

    python3 -m exact_interp.training --svg docs/figure1.svg --json docs/figure1.json
"""

import argparse
import json
import math
import sys
import time
from fractions import Fraction

import numpy as np

# The architecture of Example 2.2: d = 2, FF width 2, one softmax head with a dense score matrix A
# (temperature 1) and value matrix V, residual weights eta and rho. Parameter order below.
NAMES = ["U", "b", "W", "eta", "A", "V", "rho"]

F = Fraction
THETA_GEN = {
    "U": [[F(1), F(0)], [F(1, 2), F(1)]],
    "b": [F(0), F(-1, 4)],
    "W": [[F(1, 2), F(-1)], [F(0), F(1, 2)]],
    "eta": F(1),
    "A": [[F(1), F(1, 2)], [F(0), F(1)]],
    "V": [[F(1, 2), F(0)], [F(1, 4), F(-1, 2)]],
    "rho": F(1),
}


def exact_R(theta):
    """R(theta) = sum of squares of every parameter, exactly (Fractions)."""
    total = F(0)

    def walk(x):
        nonlocal total
        if isinstance(x, list):
            for y in x:
                walk(y)
        else:
            total += F(x) * F(x)

    for name in NAMES:
        walk(theta[name])
    return total


def _text(x):
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


def generator_model(theta=THETA_GEN):
    """theta_gen as an exact-interp model file (docs/model-format.md): `exact-interp bound` on it
    prints R(theta_gen), and `exact-interp export` gives the tensors of the trained shape."""
    ridges = [{"direction": [_text(c) for c in theta["U"][j]],
               "neurons": [{"bias": _text(theta["b"][j]), "output": [_text(theta["W"][r][j]) for r in range(2)]}]}
              for j in range(len(theta["b"]))]
    head = {"scores": {"type": "general", "matrix": [[_text(c) for c in row] for row in theta["A"]]},
            "value": {"type": "general", "matrix": [[_text(c) for c in row] for row in theta["V"]]}}
    return {
        "format": "exact-interp-model", "version": 1, "dimension": 2, "temperature": "1",
        "metadata": {"construction": "example-2.2 generator"},
        "blocks": [{"stage": "custom",
                    "feedforward": {"eta": _text(theta["eta"]), "ridges": ridges},
                    "attention": {"kind": "softmax", "rho": _text(theta["rho"]), "causal": False, "heads": [head]}}],
    }


def as_arrays(theta):
    return {k: np.array(v, dtype=np.float64) if isinstance(v, list) else np.array(float(v)) for k, v in theta.items()}


def forward(p, X, cache=False):
    """T(X) for a batch X of shape (N, n, d): FF(x) = eta x + W relu(U x + b), then
    SA(H)_i = rho h_i + sum_k softmax_k(h_i^T A h_k) V h_k."""
    Z = X @ p["U"].T + p["b"]
    S1 = np.maximum(Z, 0.0)
    H = p["eta"] * X + S1 @ p["W"].T
    S = np.einsum("jid,de,jke->jik", H, p["A"], H)
    S = S - S.max(axis=-1, keepdims=True)
    E = np.exp(S)
    P = E / E.sum(axis=-1, keepdims=True)
    G = P @ H
    O = p["rho"] * H + G @ p["V"].T
    if cache:
        return O, (Z, S1, H, P, G)
    return O


def loss(p, X, Y):
    """L = mean over sequences and tokens of |T(X)_i - Y_i|^2."""
    O = forward(p, X)
    return float(np.sum((O - Y) ** 2) / (X.shape[0] * X.shape[1]))


def R(p):
    return float(sum(np.sum(p[k] ** 2) for k in NAMES))


def gradient(p, X, Y, eps):
    """(J, L, dJ/dtheta) for J = L + eps*R, by backpropagation through the block."""
    O, (Z, S1, H, P, G) = forward(p, X, cache=True)
    count = X.shape[0] * X.shape[1]
    L = float(np.sum((O - Y) ** 2) / count)
    dO = 2.0 * (O - Y) / count
    g = {}
    g["rho"] = np.sum(dO * H)
    g["V"] = np.einsum("jie,jid->ed", dO, G)
    dG = dO @ p["V"]
    dP = dG @ np.swapaxes(H, -1, -2)
    dH = p["rho"] * dO + np.swapaxes(P, -1, -2) @ dG
    dS = P * (dP - np.sum(dP * P, axis=-1, keepdims=True))
    g["A"] = np.einsum("jik,jid,jke->de", dS, H, H)
    dH = dH + dS @ (H @ p["A"].T) + np.swapaxes(dS, -1, -2) @ (H @ p["A"])
    g["eta"] = np.sum(dH * X)
    g["W"] = np.einsum("jid,jiw->dw", dH, S1)
    dZ = (dH @ p["W"]) * (Z > 0)
    g["U"] = np.einsum("jiw,jid->wd", dZ, X)
    g["b"] = np.sum(dZ, axis=(0, 1))
    for k in NAMES:
        g[k] = np.asarray(g[k] + 2.0 * eps * p[k], dtype=np.float64)
    return L + eps * R(p), L, g


def make_data(sequences=20, length=3, seed=22):
    """Inputs on the grid (1/64)Z in [-1, 1]^2 (exact dyadics), outputs T_gen(X) in float64."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-64, 65, size=(sequences, length, 2)) / 64.0
    return X, forward(as_arrays(THETA_GEN), X)


def random_start(rng):
    shapes = {"U": (2, 2), "b": (2,), "W": (2, 2), "eta": (), "A": (2, 2), "V": (2, 2), "rho": ()}
    return {k: np.asarray(rng.normal(0.0, 0.5, size=s), dtype=np.float64) for k, s in shapes.items()}


def adam(X, Y, eps, epochs, seed, lr=0.01, record=False):
    """Adam on J = L + eps*R from a random start. Returns the smallest J reached, L and R there,
    the parameters there ("theta"), and (when `record`) J after every epoch."""
    rng = np.random.default_rng(seed)
    p = random_start(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(x) for k, x in p.items()}
    b1, b2, tiny = 0.9, 0.999, 1e-12
    best = (math.inf, math.inf, math.inf)
    best_theta = None
    history = []
    for t in range(1, epochs + 1):
        J, L, g = gradient(p, X, Y, eps)
        if J < best[0]:
            best = (J, L, R(p))
            best_theta = {k: np.array(x, copy=True) for k, x in p.items()}
        if record:
            history.append(J)
        # A learning rate decaying from lr to lr/100 over the run, for a sharper final minimum.
        rate = lr * (0.01 ** (t / epochs))
        for k in NAMES:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
            mh, vh = m[k] / (1 - b1 ** t), v[k] / (1 - b2 ** t)
            p[k] = p[k] - rate * mh / (np.sqrt(vh) + tiny)
    return {"J": best[0], "L": best[1], "R": best[2], "theta": best_theta, "history": history}


def fit_slope(xs, ys):
    lx, ly = np.log10(xs), np.log10(ys)
    slope, intercept = np.polyfit(lx, ly, 1)
    return float(slope), float(intercept)


# ---------------------------------------------------------------- SVG (no plotting library)

def _fmt_pow10(e):
    return "10<tspan dy='-6' font-size='9'>%d</tspan>" % e


def _panel(x0, y0, w, h, xs_range, ys_range, xlog, title, xlabel, ylabel):
    """Axes of one panel; returns (svg parts, map(x, y) -> pixel)."""
    (xa, xb), (ya, yb) = xs_range, ys_range
    lx = (lambda x: math.log10(x)) if xlog else (lambda x: x)
    X0, X1 = lx(xa), lx(xb)
    Y0, Y1 = math.log10(ya), math.log10(yb)

    def at(x, y):
        px = x0 + (lx(x) - X0) / (X1 - X0) * w
        py = y0 + h - (math.log10(y) - Y0) / (Y1 - Y0) * h
        return px, py

    parts = ["<rect x='%g' y='%g' width='%g' height='%g' fill='none' stroke='#333'/>" % (x0, y0, w, h),
             "<text x='%g' y='%g' text-anchor='middle' font-size='13'>%s</text>" % (x0 + w / 2, y0 - 10, title),
             "<text x='%g' y='%g' text-anchor='middle' font-size='11'>%s</text>" % (x0 + w / 2, y0 + h + 34, xlabel),
             "<text x='%g' y='%g' text-anchor='middle' font-size='11' transform='rotate(-90 %g %g)'>%s</text>"
             % (x0 - 46, y0 + h / 2, x0 - 46, y0 + h / 2, ylabel)]
    for e in range(math.ceil(Y0), math.floor(Y1) + 1):
        _, py = at(xa, 10.0 ** e)
        parts.append("<line x1='%g' y1='%g' x2='%g' y2='%g' stroke='#ddd'/>" % (x0, py, x0 + w, py))
        parts.append("<text x='%g' y='%g' text-anchor='end' font-size='10'>%s</text>" % (x0 - 4, py + 3, _fmt_pow10(e)))
    if xlog:
        for e in range(math.ceil(X0), math.floor(X1) + 1):
            px, _ = at(10.0 ** e, ya)
            parts.append("<line x1='%g' y1='%g' x2='%g' y2='%g' stroke='#ddd'/>" % (px, y0, px, y0 + h))
            parts.append("<text x='%g' y='%g' text-anchor='middle' font-size='10'>%s</text>" % (px, y0 + h + 16, _fmt_pow10(e)))
    else:
        step = 10 ** math.floor(math.log10(max(xb - xa, 1))) 
        if (xb - xa) / step < 4:
            step /= 2
        k = math.ceil(xa / step) * step
        while k <= xb + 1e-9:
            px, _ = at(k, ya)
            parts.append("<line x1='%g' y1='%g' x2='%g' y2='%g' stroke='#ddd'/>" % (px, y0, px, y0 + h))
            parts.append("<text x='%g' y='%g' text-anchor='middle' font-size='10'>%d</text>" % (px, y0 + h + 16, k))
            k += step
    return parts, at


def _polyline(points, color, width=1.5, dash=None):
    d = " ".join("%.2f,%.2f" % p for p in points)
    extra = " stroke-dasharray='%s'" % dash if dash else ""
    return "<polyline points='%s' fill='none' stroke='%s' stroke-width='%g'%s/>" % (d, color, width, extra)


def svg_figure(history, eps_left, bound_left, sweep, slope, intercept, R_gen):
    W, Hh = 960, 420
    parts = ["<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>" % (W, Hh),
             "<rect width='100%' height='100%' fill='white'/>"]
    # Left: J against epochs.
    epochs = len(history)
    lo = min(min(history), bound_left) / 3
    hi = max(history) * 3
    left, at = _panel(80, 40, 360, 300, (1, epochs), (lo, hi), False,
                      "regularised loss, ε = %g" % eps_left, "epoch", "L(θ) + εR(θ)")
    parts += left
    stride = max(1, epochs // 600)
    parts.append(_polyline([at(t + 1, history[t]) for t in range(0, epochs, stride)], "#1f77b4"))
    parts.append(_polyline([at(1, bound_left), at(epochs, bound_left)], "#d62728", 1.5, "6,4"))
    tx, ty = at(epochs, bound_left)
    parts.append("<text x='%g' y='%g' text-anchor='end' font-size='10' fill='#d62728'>εR(θ_gen)</text>" % (tx - 4, ty - 5))
    # Right: smallest J against eps, log-log.
    es = [s["eps"] for s in sweep]
    js = [s["J"] for s in sweep]
    bounds = [s["eps"] * R_gen for s in sweep]
    ylo, yhi = min(js + bounds) / 3, max(js + bounds) * 3
    right, at2 = _panel(560, 40, 360, 300, (min(es) / 1.5, max(es) * 1.5), (ylo, yhi), True,
                        "smallest regularised loss against ε", "ε", "min L(θ) + εR(θ)")
    parts += right
    parts.append(_polyline([at2(e, b) for e, b in zip(es, bounds)], "#d62728", 1.5, "6,4"))
    fit = [at2(e, 10 ** (intercept + slope * math.log10(e))) for e in (min(es), max(es))]
    parts.append(_polyline(fit, "#2ca02c", 1.2))
    for e, j in zip(es, js):
        px, py = at2(e, j)
        parts.append("<circle cx='%.2f' cy='%.2f' r='4' fill='#1f77b4'/>" % (px, py))
    parts.append("<text x='575' y='62' font-size='11' fill='#2ca02c'>fitted slope %.3f</text>" % slope)
    parts.append("<text x='575' y='78' font-size='11' fill='#d62728'>εR(θ_gen), R(θ_gen) = %s</text>" % R_exact_text())
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def R_exact_text():
    r = exact_R(THETA_GEN)
    return str(r.numerator) if r.denominator == 1 else "%d/%d" % (r.numerator, r.denominator)


def run(epochs=3000, eps_left=1e-3, sweep_eps=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1), starts=3, progress=True):
    X, Y = make_data()
    R_gen = float(exact_R(THETA_GEN))
    started = time.time()
    left = adam(X, Y, eps_left, epochs, seed=1, record=True)
    sweep = []
    for e in sweep_eps:
        # Small eps: the minimum is flatter and slower to reach; twice the epochs below 1e-3.
        budget = 2 * epochs if e < 1e-3 else epochs
        best = min((adam(X, Y, e, budget, seed=s) for s in range(1, starts + 1)), key=lambda r: r["J"])
        sweep.append({"eps": e, "J": best["J"], "L": best["L"], "R": best["R"], "bound": e * R_gen})
        if progress:
            print("[%.0fs] eps = %g: min L + eps R = %.4g (bound %.4g), L = %.3g, R = %.4g"
                  % (time.time() - started, e, best["J"], e * R_gen, best["L"], best["R"]), file=sys.stderr)
    slope, intercept = fit_slope([s["eps"] for s in sweep], [s["J"] for s in sweep])
    slope_L, _ = fit_slope([s["eps"] for s in sweep], [max(s["L"], 1e-300) for s in sweep])
    crossing = next((t + 1 for t, j in enumerate(left["history"]) if j <= eps_left * R_gen), None)
    summary = {
        "R_theta_gen": R_exact_text(), "R_theta_gen_float": R_gen, "epochs": epochs, "eps_left": eps_left,
        "left_final": left["history"][-1], "left_min": left["J"], "first_epoch_below_bound": crossing,
        "sweep": sweep, "slope": slope, "slope_of_L": slope_L, "data": {"sequences": int(X.shape[0]), "length": int(X.shape[1]), "dimension": 2},
        "starts_per_eps": starts,
    }
    return summary, svg_figure(left["history"], eps_left, eps_left * R_gen, sweep, slope, intercept, R_gen)


def write_tikhonov_example(directory, eps=1e-3, epochs=3000, seed=1):
    """The files of docs/training.md#tikhonov: the data of Example 2.2 (`make_data`, the targets as
    the exact values of their doubles), theta_gen, and the transformer Adam trains on L + eps*R
    (the best of one run, every parameter the exact value of its double)."""
    from .trained import write_dataset
    X, Y = make_data()
    theta = adam(X, Y, eps, epochs=epochs, seed=seed)["theta"]
    exact = {k: (Fraction(float(v)) if np.ndim(v) == 0 else
                 [[Fraction(float(c)) for c in row] if np.ndim(v) == 2 else Fraction(float(row)) for row in v])
             for k, v in theta.items()}
    paths = {}
    for name, t in [("trained", exact), ("generator", THETA_GEN)]:
        model = generator_model(t)
        model["metadata"] = {"construction": "example-2.2 %s" % ("Adam on L + eps R, eps = %g, %d epochs, seed %d" % (eps, epochs, seed)
                                                                 if name == "trained" else "generator theta_gen")}
        paths[name] = "%s/example22-%s.model.json" % (directory, name)
        with open(paths[name], "w") as f:
            json.dump(model, f, indent=1, sort_keys=True)
            f.write("\n")
    paths["data"] = "%s/example22.json" % directory
    write_dataset(X, Y, path=paths["data"], name="example-2.2")
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description="Example 2.2 / Figure 1: Adam on L + eps R against the bound eps R(theta_gen).")
    parser.add_argument("--tikhonov-example", metavar="DIR",
                        help="write the trained model, theta_gen and the data of docs/training.md#tikhonov into DIR and stop")
    parser.add_argument("--svg", help="where to write Figure 1 (SVG)")
    parser.add_argument("--json", help="where to write the figures (JSON)")
    parser.add_argument("--epochs", type=int, default=3000)
    parser.add_argument("--starts", type=int, default=3, help="random starts per eps (the best is kept)")
    args = parser.parse_args(argv)
    if args.tikhonov_example:
        for path in write_tikhonov_example(args.tikhonov_example).values():
            print("wrote %s" % path)
        return
    if not args.svg:
        parser.error("--svg is required (or --tikhonov-example DIR)")
    summary, svg = run(epochs=args.epochs, starts=args.starts)
    with open(args.svg, "w", encoding="utf-8") as f:
        f.write(svg)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
            f.write("\n")
    print("R(theta_gen) = %s; eps = %g: regularised loss %.4g after %d epochs, below the bound %.4g from epoch %s"
          % (summary["R_theta_gen"], summary["eps_left"], summary["left_final"], summary["epochs"],
             summary["eps_left"] * summary["R_theta_gen_float"], summary["first_epoch_below_bound"]))
    print("fitted slope of min (L + eps R) against eps (log-log): %.3f; of L alone: %.3f" % (summary["slope"], summary["slope_of_L"]))
    print("wrote %s" % args.svg)


if __name__ == "__main__":
    main()
