"""Trained models and datasets in the engine's exact JSON formats (docs/trained-models.md).

    from_state_dict(sd, architecture="sa-ff", temperature="1/10")   # dict of arrays -> model dict
    from_torch(module_or_dict, temperature="1/10", path="model.json")
    write_dataset(X, Y, "D.json")                                   # arrays -> dataset file

The sa-ff architecture is the paper authors' (their exactInterpTF repository, tikhonov/): block l is
x <- rho*x + SA(x), then x <- eta*x + FF(x), with SA(X) = softmax(Q Kᵀ / tau) V (rows are tokens,
q = x Wqᵀ, k = x Wkᵀ, v = x Wvᵀ, optional causal mask) and FF(x) = W2 relu(W1 x + b1). Keys:
blocks.{l}.rho, .eta [1]; blocks.{l}.attn.to_q.weight, .to_k.weight [h, d]; .to_v.weight [d, d];
blocks.{l}.ff.0.weight [w, d], .ff.0.bias [w], .ff.2.weight [d, w].

The engine's blocks are feed-forward then attention, so L attention-first blocks become L + 1 engine
blocks: [identity FF, SA_0], [FF_0, SA_1], ..., [FF_{L-1}, identity SA], the two identity layers
marked "padding". nn.Linear stores W with y = x Wᵀ + b on rows, which is y = W x + b on the engine's
column tokens: no transposes. Every value becomes the exact rational of its float bits
(fractions.Fraction of the float), so the result is the file `exact-interp import --architecture
sa-ff` writes for the same tensors (the tests compare them).

Needs NumPy only; torch tensors and modules are accepted when torch is installed.
"""

import json
from fractions import Fraction

import numpy as np

SA_FF_KEYS = {
    "rho": "blocks.{l}.rho",
    "eta": "blocks.{l}.eta",
    "query": "blocks.{l}.attn.to_q.weight",
    "key": "blocks.{l}.attn.to_k.weight",
    "value": "blocks.{l}.attn.to_v.weight",
    "ff_in": "blocks.{l}.ff.0.weight",
    "ff_bias": "blocks.{l}.ff.0.bias",
    "ff_out": "blocks.{l}.ff.2.weight",
}


def exact(x):
    """The exact rational of a float's bits, as the engine writes it ("p/q" or "p")."""
    f = float(x)
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError("not a finite number: %r" % (x,))
    return str(Fraction(f))


def exact_temperature(tau):
    """tau as an exact positive rational: int, Fraction, or text such as "1/1000" or "0.001"
    (a Python float is read as the decimal it prints as: 0.001 is 1/1000, as on the command line)."""
    if isinstance(tau, float):
        tau = repr(tau)
    t = Fraction(tau)
    if t <= 0:
        raise ValueError("temperature: must be positive, found %s" % t)
    return t


def as_numpy(value):
    """A tensor or array as a float64 NumPy array, exactly (float16/32/64 and bfloat16 widen exactly)."""
    if hasattr(value, "detach"):  # a torch tensor; bfloat16 has no NumPy type, float() is exact
        value = value.detach().cpu()
        if str(value.dtype) in ("torch.bfloat16", "torch.float16"):
            value = value.float()
        value = value.numpy()
    a = np.asarray(value)
    if a.dtype.kind != "f":
        raise ValueError("expected a floating-point array, found dtype %s" % a.dtype)
    return a.astype(np.float64)


def _rows(a):
    return [[exact(x) for x in row] for row in a]


def from_state_dict(state_dict, architecture="sa-ff", temperature=None, causal=False, path=None, source=None, ignore=()):
    """The engine's model (a JSON-ready dict) of an sa-ff state dict of arrays; written to `path`
    when given. `ignore`: names of extra tensors to skip (buffers). Raises ValueError naming the
    tensor on a missing, unknown or misshapen tensor."""
    if architecture != "sa-ff":
        raise ValueError('architecture: only "sa-ff" is built in (other layouts: exact-interp import --map)')
    if temperature is None:
        raise ValueError("temperature: required (the trained model's tau is a constructor argument, not a tensor)")
    tau = exact_temperature(temperature)
    sd = {k: as_numpy(v) for k, v in state_dict.items() if k not in set(ignore)}
    found, unknown = {}, []
    for name in sd:
        for parameter, pattern in SA_FF_KEYS.items():
            prefix, suffix = pattern.split("{l}")
            middle = name[len(prefix):len(name) - len(suffix)] if name.startswith(prefix) and name.endswith(suffix) else ""
            if middle.isdigit() and (middle == "0" or not middle.startswith("0")) and len(name) > len(prefix) + len(suffix):
                found[(parameter, int(middle))] = name
                break
        else:
            unknown.append(name)
    if unknown:
        raise ValueError("unknown tensor names for the sa-ff layout: %s" % ", ".join(sorted(unknown)))
    if not found:
        raise ValueError("no tensors of the sa-ff layout")
    blocks = max(l for _, l in found) + 1
    missing = [SA_FF_KEYS[p].replace("{l}", str(l)) for l in range(blocks) for p in SA_FF_KEYS if (p, l) not in found]
    if missing:
        raise ValueError("missing tensors: %s (blocks 0 to %d)" % (", ".join(missing), blocks - 1))

    def get(parameter, l, shape):
        name = found[(parameter, l)]
        a = sd[name]
        if shape == ():
            if a.shape not in ((), (1,)):
                raise ValueError("%s: wrong shape %s, expected [1] or []" % (name, list(a.shape)))
            return a.reshape(())
        if len(a.shape) != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            want = "[" + ", ".join("w" if s is None else str(s) for s in shape) + "]"
            raise ValueError("%s: wrong shape %s, expected %s" % (name, list(a.shape), want))
        return a

    v0 = sd[found[("value", 0)]]
    if v0.ndim != 2 or v0.shape[0] != v0.shape[1] or v0.shape[0] < 1:
        raise ValueError("%s: wrong shape %s, expected [d, d]" % (found[("value", 0)], list(v0.shape)))
    d = v0.shape[0]
    q0 = get("query", 0, (None, d))
    h = q0.shape[0]
    if h < 1:
        raise ValueError("%s: h = 0: a head needs at least one query row" % found[("query", 0)])
    trained = []
    for l in range(blocks):
        q, k, v = get("query", l, (h, d)), get("key", l, (h, d)), get("value", l, (d, d))
        u = get("ff_in", l, (None, d))
        w = u.shape[0]
        b, wo = get("ff_bias", l, (w,)), get("ff_out", l, (d, w))
        rho, eta = get("rho", l, ()), get("eta", l, ())
        attention = {"kind": "softmax", "rho": exact(rho), "causal": bool(causal), "heads": [{
            "scores": {"type": "query_key", "query": _rows(q), "key": _rows(k)},
            "value": {"type": "general", "matrix": _rows(v)}}]}
        feedforward = {"eta": exact(eta), "ridges": [
            {"direction": [exact(x) for x in u[j]], "neurons": [{"bias": exact(b[j]), "output": [exact(x) for x in wo[:, j]]}]}
            for j in range(w)]}
        trained.append((attention, feedforward))
    identity_ff = {"eta": "1", "ridges": []}
    identity_sa = {"kind": "softmax", "rho": "1", "causal": bool(causal), "heads": []}
    out_blocks = [{"stage": "imported", "padding": ["feedforward"], "feedforward": identity_ff, "attention": trained[0][0]}]
    for l in range(1, blocks):
        out_blocks.append({"stage": "imported", "feedforward": trained[l - 1][1], "attention": trained[l][0]})
    out_blocks.append({"stage": "imported", "padding": ["attention"], "feedforward": trained[-1][1], "attention": identity_sa})
    metadata = {"architecture": "sa-ff", "order": "sa-ff"}
    if source is not None:
        metadata["source"] = source
    model = {"format": "exact-interp-model", "version": 1, "dimension": d, "temperature": str(tau),
             "metadata": metadata, "blocks": out_blocks}
    if path is not None:
        with open(path, "w") as f:
            json.dump(model, f, indent=2)
            f.write("\n")
    return model


def from_torch(module_or_dict, architecture="sa-ff", temperature=None, causal=False, path=None, source=None, ignore=()):
    """from_state_dict of a torch module (its state_dict()) or of a dict of tensors or NumPy arrays
    (torch is not needed for a dict of arrays)."""
    sd = module_or_dict.state_dict() if hasattr(module_or_dict, "state_dict") else module_or_dict
    return from_state_dict(dict(sd), architecture=architecture, temperature=temperature, causal=causal, path=path,
                           source=source, ignore=ignore)


def write_dataset(inputs, targets, path=None, causal=False, name=None):
    """A dataset (JSON-ready dict; written to `path` when given) from inputs [N, n, d] and targets
    [N, m, d] or [N, d], every value the exact rational of its float bits: the file
    `exact-interp dataset-from-arrays` writes for the same arrays."""
    X, Y = as_numpy(inputs), as_numpy(targets)
    if X.ndim != 3 or min(X.shape) < 1:
        raise ValueError("inputs: wrong shape %s, expected [N, n, d]" % list(X.shape))
    N, n, d = X.shape
    if Y.ndim == 2 and not causal:
        Y = Y.reshape(Y.shape[0], 1, Y.shape[1])
    if Y.ndim != 3 or Y.shape[0] != N or Y.shape[2] != d or Y.shape[1] < 1 or (causal and Y.shape[1] != n):
        raise ValueError("targets: wrong shape %s, expected %s" % (list(Y.shape), "[%d, %d, %d]" % (N, n, d) if causal else "[%d, m, %d] or [%d, %d]" % (N, d, N, d)))
    data = {}
    if name is not None:
        data["name"] = name
    data["dimension"] = d
    if causal:
        data["causal"] = True
    data["pairs"] = [{"input": _rows(X[j]), "output": _rows(Y[j])} for j in range(N)]
    if path is not None:
        with open(path, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
    return data
