"""The exact-interp transformer in NumPy float64, read from a safetensors export.

    FF(x)   = eta*x + W relu(U x + b)                                  (per token)
    SA(X)_i = rho*x_i + sum_h sum_k lambda^h_ik V_h x_k,   s_ik = x_i^T A x_k,  A = Q^T K

hardmax: lambda_ik = 1/|C_i| on the argmax set C_i (ties exact, in float64);
softmax: lambda_ik = exp(s_ik) / sum_l exp(s_il) (the export folds the temperature into A or Q);
causal: token i sees only k <= i.

The arithmetic follows `exact-interp eval --arithmetic float64` operation by operation (sequential
dot products, rank-one hardmax by the sign of <x_i, p> and the extremes of <q, x_k>, means as a sum
times the reciprocal of the count), so both float64 implementations agree to the last bit on most
models and within rounding on all.
"""

import numpy as np

from .safetensors_io import read_safetensors


def _dot_rows(X, v):
    """<x_k, v> for every row x_k of X, summed left to right as the engine does."""
    acc = np.zeros(X.shape[0])
    for c in range(X.shape[1]):
        acc = acc + X[:, c] * v[c]
    return acc


def _matvec_rows(M, X):
    """M x_k for every row x_k of X (each entry a left-to-right dot product)."""
    return np.stack([_dot_rows(X, M[r]) for r in range(M.shape[0])], axis=1) if M.shape[0] else np.zeros((X.shape[0], 0))


class Head:
    """One attention head: scores (A, or Q and K) and values V."""

    def __init__(self, V, A=None, Q=None, K=None):
        self.V = np.asarray(V, dtype=np.float64)
        self.A = None if A is None else np.asarray(A, dtype=np.float64)
        self.Q = None if Q is None else np.asarray(Q, dtype=np.float64)
        self.K = None if K is None else np.asarray(K, dtype=np.float64)

    @property
    def score_matrix(self):
        """A = Q^T K (or A)."""
        return self.A if self.A is not None else self.Q.T @ self.K

    @property
    def rank_one(self):
        return self.A is None and self.Q.shape[0] == 1

    @property
    def value_is_zero(self):
        return not np.any(self.V)

    def apply_value(self, X):
        d = self.V.shape[0]
        if np.array_equal(self.V, np.eye(d)):
            return X.copy()
        off = self.V - np.diag(np.diag(self.V))
        if not np.any(off) and np.all(np.diag(self.V) == self.V[0, 0]):
            return self.V[0, 0] * X
        return _matvec_rows(self.V, X)

    def scores(self, X):
        """S[i, k] = s_ik."""
        if self.rank_one:
            alpha, beta = _dot_rows(X, self.Q[0]), _dot_rows(X, self.K[0])
            return alpha[:, None] * beta[None, :]
        A = self.score_matrix
        d = A.shape[0]
        off = A - np.diag(np.diag(A))
        if not np.any(off) and np.all(np.diag(A) == A[0, 0]):
            keys = A[0, 0] * X
        else:
            keys = _matvec_rows(A, X)
        return np.stack([_dot_rows(keys, X[i]) for i in range(X.shape[0])], axis=0)


class Block:
    """FF then SA, with the attention kind and causal flag from the export's metadata."""

    def __init__(self, U, b, W, eta, rho, heads, kind="softmax", causal=False, stage=""):
        self.U = np.asarray(U, dtype=np.float64)
        self.b = np.asarray(b, dtype=np.float64)
        self.W = np.asarray(W, dtype=np.float64)
        self.eta = float(eta)
        self.rho = float(rho)
        self.heads = list(heads)
        self.kind = kind
        self.causal = bool(causal)
        self.stage = stage

    def feedforward(self, X):
        out = X.copy() if self.eta == 1.0 else self.eta * X
        for j in range(self.U.shape[0]):
            u = self.U[j]
            t = np.zeros(X.shape[0]) if not np.any(u) else _dot_rows(X, u)
            pre = t + self.b[j]
            active = pre > 0
            if np.any(active):
                out[active] = out[active] + pre[active, None] * self.W[:, j][None, :]
        return out

    def attention(self, X, temperature=1.0):
        n = X.shape[0]
        out = X.copy() if self.rho == 1.0 else self.rho * X
        for head in self.heads:
            if head.value_is_zero:
                continue
            if self.kind == "hardmax":
                out = out + self._hardmax(head, X)
            else:
                self._softmax(head, X, temperature, out)
        return out

    def _hardmax(self, head, X):
        n = X.shape[0]
        moved = np.zeros_like(X)
        if head.rank_one:
            alpha, beta = _dot_rows(X, head.Q[0]), _dot_rows(X, head.K[0])
            for i in range(n):
                keys = i + 1 if self.causal else n
                b = beta[:keys]
                if alpha[i] > 0:
                    members = np.flatnonzero(b == b.max())
                elif alpha[i] < 0:
                    members = np.flatnonzero(b == b.min())
                else:
                    members = np.arange(keys)
                moved[i] = self._mean_value(head, X, members)
            return moved
        S = head.scores(X)
        for i in range(n):
            keys = i + 1 if self.causal else n
            s = S[i, :keys]
            members = np.flatnonzero(s == s.max())
            moved[i] = self._mean_value(head, X, members)
        return moved

    @staticmethod
    def _mean_value(head, X, members):
        total = X[members[0]].copy()
        for k in members[1:]:
            total = total + X[k]
        mean = total if len(members) == 1 else total * (1.0 / len(members))
        return head.apply_value(mean[None, :])[0]

    def _softmax(self, head, X, temperature, out):
        """Adds each token's softmax average of V x_k to `out` in place, weight by weight."""
        n = X.shape[0]
        S = head.scores(X)
        values = head.apply_value(X)
        for i in range(n):
            keys = i + 1 if self.causal else n
            s = S[i, :keys]
            top = s.max()
            e = np.where(s == top, 1.0, np.exp((s - top) / temperature))
            total = 0.0
            for v in e:
                total += v
            w = e / total
            for k in range(keys):
                if w[k] != 0:
                    out[i] = out[i] + w[k] * values[k]

    def forward(self, X, temperature=1.0):
        return self.attention(self.feedforward(X), temperature)


class Model:
    """A transformer T = B_L o ... o B_1 read from an `exact-interp export` file."""

    def __init__(self, blocks, dimension, metadata=None):
        self.blocks = list(blocks)
        self.dimension = int(dimension)
        self.metadata = dict(metadata or {})

    @classmethod
    def from_tensors(cls, tensors, metadata=None, attention=None):
        """A model from tensors named as docs/interop.md says (blocks.i.ff.U, ...)."""
        metadata = dict(metadata or {})
        count = 0
        while "blocks.%d.ff.U" % count in tensors:
            count += 1
        if count == 0:
            raise ValueError("no tensor blocks.0.ff.U: not an exact-interp export")
        dimension = int(metadata.get("dimension", tensors["blocks.0.ff.W"].shape[0]))
        blocks = []
        for i in range(count):
            p = "blocks.%d." % i
            heads = []
            h = 0
            while p + "attn.heads.%d.V" % h in tensors:
                hp = p + "attn.heads.%d." % h
                heads.append(Head(tensors[hp + "V"], A=tensors.get(hp + "A"), Q=tensors.get(hp + "Q"), K=tensors.get(hp + "K")))
                h += 1
            kind = attention or metadata.get(p + "attention", metadata.get("attention", "softmax"))
            blocks.append(Block(tensors[p + "ff.U"], tensors[p + "ff.b"], tensors[p + "ff.W"],
                                np.asarray(tensors[p + "ff.eta"]).reshape(-1)[0], np.asarray(tensors[p + "attn.rho"]).reshape(-1)[0],
                                heads, kind=kind, causal=metadata.get(p + "causal") == "true", stage=metadata.get(p + "stage", "")))
        return cls(blocks, dimension, metadata)

    def forward(self, X, temperature=1.0):
        """T(X) for one sequence X of shape (n, d), in float64.

        `temperature` multiplies the exported (already folded) temperature 1 of softmax blocks:
        temperature t runs softmax at tau = t * tau0.
        """
        X = np.asarray(X, dtype=np.float64)
        for block in self.blocks:
            X = block.forward(X, temperature)
        return X

    __call__ = forward

    def parameters(self):
        """Every exported tensor, in export order (for the Tikhonov bound R = sum of squares)."""
        out = []
        for b in self.blocks:
            out += [b.U, b.b, b.W, np.array(b.eta), np.array(b.rho)]
            for h in b.heads:
                out += [t for t in (h.A, h.Q, h.K) if t is not None] + [h.V]
        return out


def load(path, attention=None):
    """The model of an `exact-interp export` file (official safetensors library when installed)."""
    tensors, metadata = read_safetensors(path)
    return Model.from_tensors(tensors, metadata, attention=attention)
