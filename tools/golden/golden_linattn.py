"""Golden fixtures for `mingru` and `linear-attention`; make_golden.py calls write_all().

Same recipe and file format as make_golden.py (float64, PyTorch init + N(0, 0.3) noise,
inputs rounded before the forward pass, loss = sum(y * r)); the "-mask" configurations
carry a key padding mask [B, T] (1 = token, 0 = padding) under "mask".

Cross-checks asserted before writing:
- mingru: the sequential loop (the peer's form) equals the closed form
  h_t = sum_s prod_{r=s+1..t} (1 - z_r) z_s h~_s (a cumulative product: an independent route
  to the same recurrence), and, when the peer script is found, the peer's own MinGRU module
  with the same weights;
- linear-attention: the cumulative-sum form equals an explicit recurrence over a dh x dh
  state per head (S_t = S_{t-1} + k_t v_t^T, z_t = z_{t-1} + k_t), and for the peer's
  configuration (sinusoidal, post-norm, residual, causal) the peer's LinearTransformer with
  the same state_dict; with a mask, inputs at padded positions cannot reach the tokens'
  outputs, and without the mask they do.
"""
import math
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

import make_golden as mg

EPS = 1e-6  # the peer's LinearAttention eps

# Key mask of the "-mask" configs, [4, T]: left-padded by 2 and by 4, unpadded, right-padded by 2.
MASK = [
    [0, 0, 1, 1, 1],
    [1, 1, 1, 1, 1],
    [0, 0, 0, 0, 1],
    [1, 1, 1, 0, 0],
]


def peer_module():
    """../shared/peers/torch_bench.py (or $FXBENCH_PEER_DIR/torch_bench.py), if present."""
    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.environ.get("FXBENCH_PEER_DIR", os.path.join(here, "..", "..", "..", "shared", "peers"))
    if not os.path.exists(os.path.join(folder, "torch_bench.py")):
        return None
    sys.path.insert(0, folder)
    try:
        import torch_bench
    finally:
        sys.path.pop(0)
    return torch_bench


# ---------------------------------------------------------------------------------------
# minGRU

class MinGRULayer(nn.Module):
    """The peer's MinGRU with its input and hidden widths as arguments (same names)."""

    def __init__(self, din, hidden):
        super().__init__()
        self.to_hidden_and_gate = nn.Linear(din, 2 * hidden)

    def gates(self, x):
        hid, gate = self.to_hidden_and_gate(x).chunk(2, dim=-1)  # [B, T, H] each
        return torch.sigmoid(gate), torch.where(hid >= 0, hid + 0.5, torch.sigmoid(hid))

    def forward(self, x):
        z, hid = self.gates(x)
        h, ys = torch.zeros_like(hid[:, 0]), []
        for ht, zt in zip(hid.unbind(1), z.unbind(1)):
            h = torch.lerp(h, ht, zt)
            ys.append(h)
        return torch.stack(ys, 1)

    def closed_form(self, x):
        z, hid = self.gates(x)
        Tn = x.size(1)
        out = torch.zeros_like(hid)
        for t in range(Tn):
            for s in range(t + 1):
                decay = torch.prod(1 - z[:, s + 1:t + 1], dim=1) if s < t else torch.ones_like(z[:, 0])
                out[:, t] += decay * z[:, s] * hid[:, s]
        return out


class MinGRU(nn.Module):
    """One layer: exactly the peer's names (`to_hidden_and_gate.*`); more: `layers.{k}.` (a ModuleList)."""

    def __init__(self, o):
        super().__init__()
        din, H, L = mg.D, o["hidden"], o["layers"]
        mods = [MinGRULayer(din if k == 0 else H, H) for k in range(L)]
        if L == 1:
            self.single = mods[0]
        else:
            self.layers = nn.ModuleList(mods)
        self.mods = mods

    def forward(self, x, closed=False):
        for m in self.mods:
            x = m.closed_form(x) if closed else m(x)
        return x

    def named(self):
        return {k[len("single."):] if k.startswith("single.") else k: p for k, p in self.named_parameters()}


def check_mingru(m, x, y, o):
    closed = m(x, closed=True)
    assert torch.allclose(closed, y, rtol=0, atol=1e-12), (closed - y).abs().max()
    note = "closed form ok"
    tb = peer_module()
    if tb is not None and o["layers"] == 1:
        tb.EMBED, tb.HIDDEN = mg.D, o["hidden"]
        peer = tb.MinGRU().double()
        peer.load_state_dict({k: v for k, v in m.named().items()}, strict=True)
        yp = peer(x)
        assert torch.allclose(yp, y, rtol=0, atol=1e-13), (yp - y).abs().max()
        note += ", peer MinGRU equal"
    return note


# ---------------------------------------------------------------------------------------
# Linear attention (Katharopoulos et al. 2020) in the Transformer encoder.

class LinearAttention(nn.Module):
    """As the peer's LinearAttention (names of nn.MultiheadAttention), plus a key mask and causal = False."""

    def __init__(self, d, heads, causal):
        super().__init__()
        self.h, self.causal = heads, causal
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d, d))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d))
        nn.init.xavier_uniform_(self.in_proj_weight)
        self.out_proj = nn.Linear(d, d)

    def features(self, x, mask):
        Bn, Tn, d = x.shape
        q, k, v = F.linear(x, self.in_proj_weight, self.in_proj_bias).view(Bn, Tn, 3, self.h, d // self.h).unbind(2)
        q, k = F.elu(q) + 1, F.elu(k) + 1  # [B, T, h, dh]
        if mask is not None:
            k = k * mask[:, :, None, None]  # padded keys: phi(k) = 0, so neither S nor z sees them
        return q, k, v

    def forward(self, x, mask=None):
        Bn, Tn, d = x.shape
        q, k, v = self.features(x, mask)
        kv = k.unsqueeze(-1) * v.unsqueeze(-2)  # [B, T, h, dh, dh]
        if self.causal:
            S, z = torch.cumsum(kv, dim=1), torch.cumsum(k, dim=1)
        else:
            S, z = kv.sum(1, keepdim=True), k.sum(1, keepdim=True)
        y = torch.einsum("bthi,bthij->bthj", q, S) / ((q * z).sum(-1, keepdim=True) + EPS)
        return self.out_proj(y.reshape(Bn, Tn, d))

    def recurrent(self, x, mask=None):
        """The RNN form: a dh x dh state S and a normaliser z per head, one step at a time."""
        Bn, Tn, d = x.shape
        q, k, v = self.features(x, mask)
        dh = d // self.h
        S = torch.zeros(Bn, self.h, dh, dh, dtype=x.dtype)
        z = torch.zeros(Bn, self.h, dh, dtype=x.dtype)
        if not self.causal:
            S = (k.unsqueeze(-1) * v.unsqueeze(-2)).sum(1)
            z = k.sum(1)
        ys = []
        for t in range(Tn):
            if self.causal:
                S = S + k[:, t].unsqueeze(-1) * v[:, t].unsqueeze(-2)
                z = z + k[:, t]
            num = (q[:, t].unsqueeze(-1) * S).sum(-2)  # [B, h, dh]
            ys.append(num / ((q[:, t] * z).sum(-1, keepdim=True) + EPS))
        return self.out_proj(torch.stack(ys, 1).reshape(Bn, Tn, d))


class LinearLayer(nn.Module):
    def __init__(self, o):
        super().__init__()
        d = o["dModel"]
        self.self_attn = LinearAttention(d, o["heads"], o["causal"])
        self.linear1 = nn.Linear(d, o["ffDim"])
        self.linear2 = nn.Linear(o["ffDim"], d)
        if o["norm"] != "none":
            self.norm1 = nn.LayerNorm(d, eps=1e-5)
            self.norm2 = nn.LayerNorm(d, eps=1e-5)
        self.norm, self.residual = o["norm"], o["residual"]

    def forward(self, x, mask=None, recurrent=False):
        sa = lambda v: self.self_attn.recurrent(v, mask) if recurrent else self.self_attn(v, mask)
        ff = lambda v: self.linear2(F.relu(self.linear1(v)))
        add = (lambda a, b: a + b) if self.residual else (lambda a, b: b)
        if self.norm == "pre":
            x = add(x, sa(self.norm1(x)))
            return add(x, ff(self.norm2(x)))
        if self.norm == "post":
            x = self.norm1(add(x, sa(x)))
            return self.norm2(add(x, ff(x)))
        x = add(x, sa(x))
        return add(x, ff(x))


class LinearTransformer(nn.Module):
    def __init__(self, o):
        super().__init__()
        d = o["dModel"]
        self.proj = nn.Linear(mg.D, d)
        self.positional = o["positional"]
        if self.positional == "learned":
            self.pos_embedding = nn.Parameter(torch.zeros(o["maxLen"], d))
        elif self.positional == "sinusoidal":
            self.register_buffer("pe", mg.sinusoidal(max(o["maxLen"], mg.T), d))
        self.layers = nn.ModuleList(LinearLayer(o) for _ in range(o["layers"]))

    def forward(self, x, mask=None, recurrent=False):
        h = self.proj(x)
        if self.positional == "learned":
            h = h + self.pos_embedding[: x.size(1)]
        elif self.positional == "sinusoidal":
            h = h + self.pe[: x.size(1)]
        for layer in self.layers:
            h = layer(h, mask, recurrent)
        return h

    def named(self):
        return dict(self.named_parameters())


def check_linear(m, x, y, o, mask):
    rec = m(x, mask, recurrent=True)
    assert torch.allclose(rec, y, rtol=0, atol=1e-12), (rec - y).abs().max()
    note = "recurrent form ok"
    tb = peer_module()
    peer_config = o["positional"] == "sinusoidal" and o["norm"] == "post" and o["residual"] and o["causal"]
    if tb is not None and peer_config and mask is None:
        tb.EMBED, tb.HIDDEN, tb.HEADS, tb.FF, tb.LAYERS = mg.D, o["dModel"], o["heads"], o["ffDim"], o["layers"]
        peer = tb.LinearTransformer().double()
        missing, unexpected = peer.load_state_dict(m.named(), strict=False)
        assert not unexpected and all(k == "pe.pe" for k in missing), (missing, unexpected)
        yp = peer(x)
        assert torch.allclose(yp, y, rtol=0, atol=1e-12), (yp - y).abs().max()
        note += ", peer LinearTransformer equal"
    if mask is not None:
        pad = mask == 0
        x2 = x.detach().clone()
        x2[pad] += 1.0
        real = ~pad
        assert torch.allclose(m(x2, mask)[real], y[real], rtol=0, atol=1e-12)
        assert not torch.allclose(m(x2)[real], m(x)[real], rtol=0, atol=1e-6)
        note += ", pads cannot reach tokens"
    return note


# ---------------------------------------------------------------------------------------

def la_opts(**kw):
    o = dict(dModel=mg.H, heads=2, ffDim=6, layers=2, positional="sinusoidal", maxLen=8, norm="post", residual=True, causal=True)
    o.update(kw)
    return o


CONFIGS = [
    ("mingru", "mingru", dict(hidden=mg.H, layers=1)),
    ("mingru-2layer", "mingru", dict(hidden=mg.H, layers=2)),
    ("mingru-wide", "mingru", dict(hidden=9, layers=1)),  # H % 4 = 1: the kernels' vector loop and scalar tail
    ("linear-attention", "linear-attention", la_opts()),
    ("linear-attention-pre", "linear-attention", la_opts(norm="pre")),
    ("linear-attention-none-norm", "linear-attention", la_opts(norm="none")),
    ("linear-attention-noresidual", "linear-attention", la_opts(residual=False)),
    ("linear-attention-learned", "linear-attention", la_opts(positional="learned")),
    ("linear-attention-nopos", "linear-attention", la_opts(positional="none")),
    ("linear-attention-noncausal", "linear-attention", la_opts(causal=False)),
    # dh = 6: the kernels' 4-wide loop and scalar tail
    ("linear-attention-wide", "linear-attention", la_opts(dModel=12, heads=2, ffDim=8, layers=1)),
    ("linear-attention-mask", "linear-attention", la_opts()),
    ("linear-attention-pre-mask", "linear-attention", la_opts(norm="pre")),
    ("linear-attention-noncausal-mask", "linear-attention", la_opts(causal=False)),
]


def out_width(o):
    return o.get("hidden") or o["dModel"]


def make(name, extractor, o):
    torch.manual_seed(zlib.crc32(name.encode()))
    m = (MinGRU(o) if extractor == "mingru" else LinearTransformer(o)).double()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn(p.shape, dtype=torch.float64) * mg.NOISE)
            p.copy_(mg.round_tensor(p))
    masked = name.endswith("-mask")
    b = len(MASK) if masked else mg.B
    x = mg.round_tensor(torch.randn(b, mg.T, mg.D, dtype=torch.float64)).requires_grad_(True)
    r = mg.round_tensor(torch.randn(b, mg.T, out_width(o), dtype=torch.float64))
    mask = torch.tensor(MASK, dtype=torch.float64) if masked else None
    y = m(x) if extractor == "mingru" else m(x, mask)
    loss = (y * r).sum()
    named = m.named()
    grads = torch.autograd.grad(loss, [x] + list(named.values()))
    with torch.no_grad():
        check = check_mingru(m, x, y, o) if extractor == "mingru" else check_linear(m, x, y, o, mask)
    fixture = {
        "extractor": extractor,
        "options": o,
        "inputDim": mg.D,
        "x": mg.enc(x),
        **({"mask": mg.enc(mask)} if masked else {}),
        "weights": {k: mg.enc(p) for k, p in named.items()},
        "y": mg.enc(y),
        "r": mg.enc(r),
        "loss": mg.rnd(loss.item()),
        "grads": {"x": mg.enc(grads[0]), **{k: mg.enc(g) for k, g in zip(named.keys(), grads[1:])}},
    }
    return fixture, loss.item(), sum(p.numel() for p in named.values()), check


def write_all(out):
    for name, extractor, o in CONFIGS:
        fixture, loss, n, check = make(name, extractor, o)
        text = mg.dump(fixture)
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            f.write(text)
        print(f"{name:32s} {extractor:16s} params={n:4d} loss={loss:+.8f} size={len(text):6d}B  {check}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "test", "fixtures", "golden")
    write_all(out)
