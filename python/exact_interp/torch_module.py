"""The exact-interp transformer as a PyTorch `nn.Module` (needs torch).

Parameters are the exported tensors, as `nn.Parameter`s in float64 (or the dtype asked for), so a
certified model can be run, fine-tuned or regularised with R(theta) = sum of squares of
`parameters()` — the Tikhonov bound's R (docs/training.md). Softmax blocks are differentiable;
hardmax blocks use the exact argmax set of the float scores (ties averaged), which has no gradient
with respect to the scores.
"""

import torch
from torch import nn

from .safetensors_io import read_safetensors


class HeadModule(nn.Module):
    def __init__(self, V, A=None, Q=None, K=None, dtype=torch.float64):
        super().__init__()
        self.V = nn.Parameter(torch.as_tensor(V, dtype=dtype))
        if A is not None:
            self.A = nn.Parameter(torch.as_tensor(A, dtype=dtype))
            self.Q = self.K = None
        else:
            self.A = None
            self.Q = nn.Parameter(torch.as_tensor(Q, dtype=dtype))
            self.K = nn.Parameter(torch.as_tensor(K, dtype=dtype))

    def scores(self, H):
        """S[..., i, k] = h_i^T A h_k with A = Q^T K."""
        if self.A is not None:
            return H @ self.A @ H.transpose(-1, -2)
        return (H @ self.Q.T) @ (H @ self.K.T).transpose(-1, -2)


class BlockModule(nn.Module):
    def __init__(self, U, b, W, eta, rho, heads, kind="softmax", causal=False, dtype=torch.float64):
        super().__init__()
        as_param = lambda t: nn.Parameter(torch.as_tensor(t, dtype=dtype))  # noqa: E731
        self.U, self.b, self.W = as_param(U), as_param(b), as_param(W)
        self.eta, self.rho = as_param(eta), as_param(rho)
        self.heads = nn.ModuleList(heads)
        self.kind = kind
        self.causal = causal

    def forward(self, X, temperature=1.0):
        H = self.eta * X + torch.relu(X @ self.U.T + self.b) @ self.W.T
        out = self.rho * H
        n = H.shape[-2]
        mask = torch.ones(n, n, dtype=torch.bool, device=H.device)
        if self.causal:
            mask = torch.tril(mask)
        for head in self.heads:
            S = head.scores(H).masked_fill(~mask, float("-inf"))
            if self.kind == "hardmax":
                top = S.max(dim=-1, keepdim=True).values
                weights = (S == top).to(H.dtype)
                weights = weights / weights.sum(dim=-1, keepdim=True)
            else:
                weights = torch.softmax(S / temperature, dim=-1)
            out = out + weights @ (H @ head.V.T)
        return out


class TransformerModule(nn.Module):
    """T = B_L o ... o B_1 on sequences of shape (n, d) or batches (B, n, d)."""

    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    @classmethod
    def from_safetensors(cls, path, dtype=torch.float64, attention=None):
        tensors, metadata = read_safetensors(path)
        blocks = []
        i = 0
        while "blocks.%d.ff.U" % i in tensors:
            p = "blocks.%d." % i
            heads = []
            h = 0
            while p + "attn.heads.%d.V" % h in tensors:
                hp = p + "attn.heads.%d." % h
                heads.append(HeadModule(tensors[hp + "V"], A=tensors.get(hp + "A"), Q=tensors.get(hp + "Q"),
                                        K=tensors.get(hp + "K"), dtype=dtype))
                h += 1
            kind = attention or metadata.get(p + "attention", metadata.get("attention", "softmax"))
            blocks.append(BlockModule(tensors[p + "ff.U"], tensors[p + "ff.b"], tensors[p + "ff.W"],
                                      tensors[p + "ff.eta"], tensors[p + "attn.rho"], heads, kind=kind,
                                      causal=metadata.get(p + "causal") == "true", dtype=dtype))
            i += 1
        return cls(blocks)

    def forward(self, X, temperature=1.0):
        for block in self.blocks:
            X = block(X, temperature)
        return X

    def squared_norm(self):
        """R(theta) = sum of squares of every parameter."""
        return sum((p * p).sum() for p in self.parameters())
