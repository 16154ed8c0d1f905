#!/usr/bin/env python3
"""Generate PyTorch golden fixtures for the fxbench extractors.

Setup (Debian):  apt-get install -y python3-torch libopenblas0-pthread
Run:             /usr/bin/python3 tools/golden/make_golden.py [--out test/fixtures/golden]

For every configuration it builds the extractor in PyTorch (float64), perturbs PyTorch's
default init with N(0, 0.3) noise (so that biases are non-zero and LayerNorm weights are
not 1), draws an input x [B, T, D] and a fixed random r [B, T, H], and records
y = extractor(x), loss = sum(y * r) and d loss / d {x, every parameter}.

Inputs (x, weights, r) are rounded to 8 significant digits *before* the forward pass, so
the stored y, loss and grads are the float64 results for exactly the stored inputs.
Output is deterministic: same bytes on every run.
"""
import argparse
import json
import math
import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ssm_golden  # noqa: E402  (Mamba and S4D)

B, T, D, H = 2, 5, 3, 4
NOISE = 0.3
DIGITS = 8


def rnd(x):
    return float(f"{x:.{DIGITS}g}")


def round_tensor(t):
    """Round a float64 tensor to DIGITS significant digits (same values as the JSON holds)."""
    return torch.tensor([rnd(v) for v in t.detach().reshape(-1).tolist()], dtype=torch.float64).reshape(t.shape)


def enc(t):
    return {"shape": list(t.shape), "data": [rnd(v) for v in t.detach().reshape(-1).tolist()]}


# ---------------------------------------------------------------------------------------
# Recurrent: nn.RNN / nn.LSTM / nn.GRU, batch_first; output = top layer's h_t for every t.

class Recurrent(nn.Module):
    def __init__(self, cell, hidden, layers, nonlinearity="tanh"):
        super().__init__()
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        # fxbench's rnn `activation` is nn.RNN's `nonlinearity` ('tanh' or 'relu': the IRNN's ReLU units)
        kw = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = cls(D, hidden, num_layers=layers, batch_first=True, **kw)
        self.cell, self.hidden, self.layers, self.nonlinearity = cell, hidden, layers, nonlinearity

    def forward(self, x):
        return self.rnn(x)[0]

    def named(self):
        # Contract names are PyTorch's own nn.RNN names, without the wrapper prefix.
        return {k[len("rnn."):]: p for k, p in self.named_parameters()}


def manual_recurrent(m, x):
    """Hand-written cells in PyTorch's conventions; asserted equal to nn.RNN/LSTM/GRU."""
    p = m.named()
    h_in = x
    for l in range(m.layers):
        Wi, Wh = p[f"weight_ih_l{l}"], p[f"weight_hh_l{l}"]
        bi, bh = p[f"bias_ih_l{l}"], p[f"bias_hh_l{l}"]
        Hn = m.hidden
        h = torch.zeros(x.shape[0], Hn, dtype=x.dtype)
        c = torch.zeros_like(h)
        outs = []
        for t in range(x.shape[1]):
            xt = h_in[:, t]
            gi = xt @ Wi.T + bi
            gh = h @ Wh.T + bh
            if m.cell == "rnn":
                h = torch.relu(gi + gh) if m.nonlinearity == "relu" else torch.tanh(gi + gh)
            elif m.cell == "lstm":  # gate order i, f, g, o
                g = gi + gh
                i, f, gg, o = g.split(Hn, dim=1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
                h = torch.sigmoid(o) * torch.tanh(c)
            else:  # GRU, gate order r, z, n; b_hn stays inside r * (...)
                ir, iz, inn = gi.split(Hn, dim=1)
                hr, hz, hn = gh.split(Hn, dim=1)
                r = torch.sigmoid(ir + hr)
                z = torch.sigmoid(iz + hz)
                n = torch.tanh(inn + r * hn)
                h = (1 - z) * n + z * h
            outs.append(h)
        h_in = torch.stack(outs, dim=1)
    return h_in


# ---------------------------------------------------------------------------------------
# Transformer encoder.

def sinusoidal(max_len, d):
    """Exactly torch_bench.py's Sinusoidal table."""
    pos = torch.arange(max_len).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe = torch.zeros(max_len, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class EncoderLayer(nn.Module):
    """nn.TransformerEncoderLayer (ReLU, no dropout, batch_first) with norm placement and
    residuals as options; submodule names match nn.TransformerEncoderLayer."""

    def __init__(self, d, heads, ff, norm, residual, causal=False):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d, heads, dropout=0.0, batch_first=True)
        self.causal = causal
        self.linear1 = nn.Linear(d, ff)
        self.linear2 = nn.Linear(ff, d)
        if norm != "none":
            self.norm1 = nn.LayerNorm(d, eps=1e-5)
            self.norm2 = nn.LayerNorm(d, eps=1e-5)
        self.norm, self.residual = norm, residual

    def sa(self, x, pad=None):
        # pad: src_key_padding_mask [B, T], True = padding (the keys it marks are ignored)
        if self.causal:
            return self.causal_sa(x, pad)
        return self.self_attn(x, x, x, attn_mask=None, key_padding_mask=pad, need_weights=False)[0]

    def causal_sa(self, x, pad=None):
        """self_attn's attention by hand (same parameters) with the causal mask and the key padding
        mask combined. nn.MultiheadAttention gives NaN for a query that sees no key at all (left
        padding before the first token, with both masks); fxbench gives it zero attention, so
        here its scores stay unmasked (finite) and its probabilities are multiplied by 0, which
        zeroes its gradient too. verify_transformer checks every other row against
        nn.TransformerEncoderLayer with src_mask = generate_square_subsequent_mask(T)."""
        Bn, Tn, d = x.shape
        nh = self.self_attn.num_heads
        hd = d // nh
        q, k, v = F.linear(x, self.self_attn.in_proj_weight, self.self_attn.in_proj_bias).chunk(3, dim=-1)  # [B, T, d] each
        split = lambda t: t.reshape(Bn, Tn, nh, hd).transpose(1, 2)  # [B, heads, T, hd]
        s_ = split(q) @ split(k).transpose(-1, -2) / math.sqrt(hd)  # [B, heads, T(query), T(key)]
        hidden = hidden_keys(Tn, pad)  # [B or 1, 1, T, T], True = not attended
        empty = hidden.all(-1, keepdim=True)  # queries that see no key
        a = torch.softmax(s_.masked_fill(hidden & ~empty, float("-inf")), dim=-1) * ~empty
        o_ = (a @ split(v)).transpose(1, 2).reshape(Bn, Tn, d)
        return self.self_attn.out_proj(o_)

    def ff(self, x):
        return self.linear2(F.relu(self.linear1(x)))

    def add(self, x, y):
        return x + y if self.residual else y

    def forward(self, x, pad=None):
        if self.norm == "pre":
            x = self.add(x, self.sa(self.norm1(x), pad))
            return self.add(x, self.ff(self.norm2(x)))
        if self.norm == "post":
            x = self.norm1(self.add(x, self.sa(x, pad)))
            return self.norm2(self.add(x, self.ff(x)))
        x = self.add(x, self.sa(x, pad))
        return self.add(x, self.ff(x))


def hidden_keys(Tn, pad=None):
    """The keys each query does not attend under the causal mask (key > query) and the key
    padding mask: [B or 1, 1, T(query), T(key)], True = hidden."""
    future = torch.ones(Tn, Tn, dtype=torch.bool).triu(1)  # key s > query t
    return future[None, None] if pad is None else future[None, None] | pad[:, None, None, :]


class Transformer(nn.Module):
    def __init__(self, o):
        super().__init__()
        d = o["dModel"]
        self.proj = nn.Linear(D, d)
        self.positional = o["positional"]
        if self.positional == "learned":
            # No PyTorch default exists; N(0, NOISE) after perturbation of zeros.
            self.pos_embedding = nn.Parameter(torch.zeros(o["maxLen"], d))
        elif self.positional == "sinusoidal":
            self.register_buffer("pe", sinusoidal(max(o["maxLen"], T), d))
        self.layers = nn.ModuleList(
            EncoderLayer(d, o["heads"], o["ffDim"], o["norm"], o["residual"], o.get("causal", False)) for _ in range(o["layers"])
        )

    def embed(self, x):
        h = self.proj(x)
        if self.positional == "learned":
            h = h + self.pos_embedding[: x.size(1)]
        elif self.positional == "sinusoidal":
            h = h + self.pe[: x.size(1)]
        return h

    def forward(self, x, pad=None):
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h, pad)
        return h

    def named(self):
        return dict(self.named_parameters())


def manual_transformer(m, x, o, pad=None):
    """Plain-tensor encoder (explicit head split, 1/sqrt(head_dim) scaling); asserted equal."""
    d, nh = o["dModel"], o["heads"]
    hd = d // nh
    h = m.embed(x)
    Bn, Tn, _ = h.shape

    def ln(v, w, b):
        mu = v.mean(-1, keepdim=True)
        var = ((v - mu) ** 2).mean(-1, keepdim=True)  # biased variance
        return (v - mu) / torch.sqrt(var + 1e-5) * w + b

    def sa(v, L):
        W, b = L.self_attn.in_proj_weight, L.self_attn.in_proj_bias
        q, k, vv = (v @ W[i * d:(i + 1) * d].T + b[i * d:(i + 1) * d] for i in range(3))  # rows q | k | v
        split = lambda t: t.reshape(Bn, Tn, nh, hd).transpose(1, 2)  # head j = channels j*hd..(j+1)*hd
        s_ = split(q) @ split(k).transpose(-1, -2) / math.sqrt(hd)  # [B, heads, T(query), T(key)]
        if o.get("causal"):
            # later keys and padded keys hidden; a query that sees no key gets zero attention (fxbench's convention)
            hidden = torch.ones(Tn, Tn, dtype=torch.bool).triu(1)[None, None]
            if pad is not None:
                hidden = hidden | pad[:, None, None, :]
            empty = hidden.all(-1, keepdim=True)
            a = torch.softmax(s_.masked_fill(hidden & ~empty, float("-inf")), dim=-1) * ~empty
        else:
            if pad is not None:
                s_ = s_.masked_fill(pad[:, None, None, :], float("-inf"))  # padded keys
            a = torch.softmax(s_, dim=-1)
        o_ = (a @ split(vv)).transpose(1, 2).reshape(Bn, Tn, d)
        return o_ @ L.self_attn.out_proj.weight.T + L.self_attn.out_proj.bias

    def ff(v, L):
        return torch.relu(v @ L.linear1.weight.T + L.linear1.bias) @ L.linear2.weight.T + L.linear2.bias

    add = (lambda a, b: a + b) if o["residual"] else (lambda a, b: b)
    for L in m.layers:
        n1 = (lambda v: ln(v, L.norm1.weight, L.norm1.bias)) if o["norm"] != "none" else (lambda v: v)
        n2 = (lambda v: ln(v, L.norm2.weight, L.norm2.bias)) if o["norm"] != "none" else (lambda v: v)
        if o["norm"] == "pre":
            h = add(h, sa(n1(h), L))
            h = add(h, ff(n2(h), L))
        else:
            h = n1(add(h, sa(h, L)))
            h = n2(add(h, ff(h, L)))
    return h


def verify_transformer(m, x, o, pad=None):
    """For residual post/pre, the custom stack must equal nn.TransformerEncoderLayer's
    (given the same src_key_padding_mask)."""
    if not o["residual"] or o["norm"] == "none":
        return "n/a"
    if o.get("causal"):
        return verify_causal(m, x, o, pad)
    h_ref = m.embed(x)
    h = h_ref
    for layer in m.layers:
        ref = nn.TransformerEncoderLayer(
            o["dModel"], o["heads"], o["ffDim"], dropout=0.0, activation="relu",
            layer_norm_eps=1e-5, batch_first=True, norm_first=(o["norm"] == "pre"),
        ).double()
        missing, unexpected = ref.load_state_dict(layer.state_dict(), strict=True)
        assert not missing and not unexpected
        ref.train()  # no fast path; dropout is 0 anyway
        h_ref = ref(h_ref, src_key_padding_mask=pad)
        h = layer(h, pad)
    assert torch.equal(h, h_ref) or torch.allclose(h, h_ref, rtol=0, atol=1e-13), (h - h_ref).abs().max()
    return "equal" if torch.equal(h, h_ref) else f"max|diff|={(h - h_ref).abs().max().item():.1e}"


def verify_causal(m, x, o, pad=None):
    """Each causal layer against nn.TransformerEncoderLayer given src_mask =
    nn.Transformer.generate_square_subsequent_mask(T) (and the same src_key_padding_mask), layer
    by layer from our previous layer's output (PyTorch's NaN rows would otherwise spread): equal
    at every query that sees a key; NaN in PyTorch exactly at the queries that see none."""
    Tn = x.shape[1]
    src_mask = nn.Transformer.generate_square_subsequent_mask(Tn).double()  # 0 on and below the diagonal, -inf above
    empty = hidden_keys(Tn, pad).all(-1)[:, 0]  # [B or 1, T] queries that see no key
    empty = empty.expand(x.shape[0], Tn)
    h = m.embed(x)
    worst = 0.0
    for layer in m.layers:
        ref = nn.TransformerEncoderLayer(
            o["dModel"], o["heads"], o["ffDim"], dropout=0.0, activation="relu",
            layer_norm_eps=1e-5, batch_first=True, norm_first=(o["norm"] == "pre"),
        ).double()
        missing, unexpected = ref.load_state_dict(layer.state_dict(), strict=True)
        assert not missing and not unexpected
        ref.train()  # no fast path; dropout is 0 anyway
        r = ref(h, src_mask=src_mask, src_key_padding_mask=pad)
        h = layer(h, pad)
        assert torch.isnan(r[empty]).all() and not torch.isnan(r[~empty]).any()
        assert torch.allclose(h[~empty], r[~empty], rtol=0, atol=1e-13), (h[~empty] - r[~empty]).abs().max()
        worst = max(worst, (h[~empty] - r[~empty]).abs().max().item())
    nan = f", NaN in PyTorch at the {int(empty.sum())} queries that see no key" if empty.any() else ""
    return f"layer by layer max|diff|={worst:.1e} (src_mask = generate_square_subsequent_mask){nan}"


# ---------------------------------------------------------------------------------------
# TCN (Bai et al. 2018) as in torch_bench.py, without dropout; with weightNorm, conv1 and
# conv2 wrapped in torch.nn.utils.weight_norm as in Bai et al.'s TCN/tcn.py (parameters
# weight_g [C, 1, 1] and weight_v [C, Cin, k] in place of weight; the downsample is not).

def conv_weight(conv):
    """The weight a convolution uses: its own, or g * v / ||v|| (norm over all dims but 0)
    under weight norm, computed by hand so the left-pad check also checks weight_norm."""
    if hasattr(conv, "weight_v"):
        v = conv.weight_v
        return conv.weight_g * v / v.pow(2).sum(dim=(1, 2), keepdim=True).sqrt()
    return conv.weight


class TemporalBlock(nn.Module):
    def __init__(self, cin, c, k, d, wn=False):
        super().__init__()
        self.pad = (k - 1) * d
        # torch_bench.py form: symmetric padding (k-1)*d, then chomp the right (k-1)*d.
        self.conv1 = nn.Conv1d(cin, c, k, padding=self.pad, dilation=d)
        self.conv2 = nn.Conv1d(c, c, k, padding=self.pad, dilation=d)
        if wn:
            self.conv1 = nn.utils.weight_norm(self.conv1)
            self.conv2 = nn.utils.weight_norm(self.conv2)
        self.downsample = nn.Conv1d(cin, c, 1) if cin != c else None

    def forward(self, h):  # h: [B, C, T]
        y = F.relu(self.conv1(h)[:, :, : -self.pad])
        y = F.relu(self.conv2(y)[:, :, : -self.pad])
        return F.relu(y + (self.downsample(h) if self.downsample is not None else h))

    def forward_leftpad(self, h):
        """Same block as causal left padding; asserted equal to forward()."""
        d = self.conv1.dilation[0]
        y = F.relu(F.conv1d(F.pad(h, (self.pad, 0)), conv_weight(self.conv1), self.conv1.bias, dilation=d))
        y = F.relu(F.conv1d(F.pad(y, (self.pad, 0)), conv_weight(self.conv2), self.conv2.bias, dilation=d))
        return F.relu(y + (self.downsample(h) if self.downsample is not None else h))


class TCN(nn.Module):
    def __init__(self, o):
        super().__init__()
        blocks, cin = [], D
        for i in range(o["levels"]):
            blocks.append(TemporalBlock(cin, o["channels"], o["kernel"], 2 ** i, o["weightNorm"]))
            cin = o["channels"]
        self.blocks = nn.ModuleList(blocks)

    def forward(self, x, leftpad=False):
        h = x.transpose(1, 2)
        for b in self.blocks:
            h = b.forward_leftpad(h) if leftpad else b(h)
        return h.transpose(1, 2)

    def named(self):
        return dict(self.named_parameters())


# ---------------------------------------------------------------------------------------

def tf_opts(positional="sinusoidal", norm="post", residual=True, **more):
    return dict(dModel=H, heads=2, ffDim=6, layers=2, positional=positional, norm=norm, residual=residual, maxLen=8, **more)


CONFIGS = [
    ("rnn", "rnn", dict(hidden=H, layers=1)),
    ("rnn-2layer", "rnn", dict(hidden=H, layers=2)),
    # ReLU units (nn.RNN(nonlinearity='relu')), as in the IRNN; the weights are the fixture's, not the identity init.
    ("rnn-relu", "rnn", dict(hidden=H, layers=1, activation="relu", recurrentInit="identity")),
    ("rnn-relu-2layer", "rnn", dict(hidden=H, layers=2, activation="relu", recurrentInit="identity")),
    ("lstm", "lstm", dict(hidden=H, layers=1)),
    ("lstm-2layer", "lstm", dict(hidden=H, layers=2)),
    ("gru", "gru", dict(hidden=H, layers=1)),
    ("gru-2layer", "gru", dict(hidden=H, layers=2)),
    ("transformer", "transformer", tf_opts()),
    ("transformer-pre", "transformer", tf_opts(norm="pre")),
    ("transformer-none-norm", "transformer", tf_opts(norm="none")),
    ("transformer-noresidual", "transformer", tf_opts(residual=False)),
    ("transformer-learned", "transformer", tf_opts(positional="learned")),
    ("transformer-nopos", "transformer", tf_opts(positional="none")),
    # Key padding mask (MASK below): the encoder with src_key_padding_mask.
    ("transformer-mask", "transformer", tf_opts()),
    ("transformer-pre-mask", "transformer", tf_opts(norm="pre")),
    ("transformer-nopos-mask", "transformer", tf_opts(positional="none")),
    # Causal (a decoder's mask: src_mask = nn.Transformer.generate_square_subsequent_mask(T)), alone and with MASK.
    ("transformer-causal", "transformer", tf_opts(causal=True)),
    ("transformer-causal-pre", "transformer", tf_opts(norm="pre", causal=True)),
    ("transformer-causal-mask", "transformer", tf_opts(causal=True)),
    ("tcn", "tcn", dict(channels=H, kernel=3, levels=2, weightNorm=False)),
    ("tcn-k2", "tcn", dict(channels=H, kernel=2, levels=3, weightNorm=False)),
    ("tcn-weightnorm", "tcn", dict(channels=H, kernel=3, levels=2, weightNorm=True)),
    ("tcn-k2-weightnorm", "tcn", dict(channels=H, kernel=2, levels=3, weightNorm=True)),
    ("mamba", "mamba", dict(dModel=H, layers=2, dState=3, dConv=3, expand=2)),
    ("mamba-odd", "mamba", dict(dModel=3, layers=1, dState=5, dConv=4, expand=2)),  # d_inner 6: scalar channel tails
    ("s4d", "s4d", dict(dModel=H, layers=2, dState=4)),
    ("s4d-odd", "s4d", dict(dModel=3, layers=1, dState=6)),
]

# Per-config extras: a longer sequence (`T`), and left padding (`pad`: pad positions per
# sequence, filled with one fixed vector, the fixture carrying a mask [B, T], 1 = token).
EXTRA_CONFIGS = [
    ("mamba-long", "mamba", dict(dModel=H, layers=1, dState=4, dConv=4, expand=2), dict(T=37)),
    ("mamba-leftpad", "mamba", dict(dModel=H, layers=2, dState=3, dConv=3, expand=2), dict(T=7, pad=[3, 0])),
    ("s4d-long", "s4d", dict(dModel=H, layers=1, dState=4), dict(T=37)),
    ("s4d-leftpad", "s4d", dict(dModel=H, layers=2, dState=4), dict(T=7, pad=[3, 0])),
]


# Key mask of the "-mask" configs, [B_MASK, T], 1 = token, 0 = padding (fxbench's convention;
# PyTorch's src_key_padding_mask is its negation): rows left-padded by 2 and by 4 (one token
# left), unpadded, and right-padded by 2.
MASK = [
    [0, 0, 1, 1, 1],
    [1, 1, 1, 1, 1],
    [0, 0, 0, 0, 1],
    [1, 1, 1, 0, 0],
]


def build(extractor, o):
    if extractor in ("rnn", "lstm", "gru"):
        return Recurrent(extractor, o["hidden"], o["layers"], o.get("activation", "tanh"))
    if extractor == "transformer":
        return Transformer(o)
    if extractor in ("mamba", "s4d"):
        return ssm_golden.build(extractor, D, o)
    return TCN(o)


def out_width(extractor, o):
    return o.get("hidden") or o.get("dModel") or o["channels"]


def make(name, extractor, o, extra=None):
    extra = extra or {}
    torch.manual_seed(zlib.crc32(name.encode()))
    m = build(extractor, o).double()
    m.train()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn(p.shape, dtype=torch.float64) * NOISE)
            p.copy_(round_tensor(p))
    Tn = extra.get("T", T)
    masked = name.endswith("-mask")
    b = len(MASK) if masked else B
    x = round_tensor(torch.randn(b, Tn, D, dtype=torch.float64))
    mask = torch.tensor(MASK, dtype=torch.float64) if masked else None
    pad = mask == 0 if masked else None  # src_key_padding_mask: True = padding
    if "pad" in extra:
        # state-space models read pads: the fixture carries a mask, the answer is the unmasked model's
        pad_vec = round_tensor(torch.randn(D, dtype=torch.float64))
        mask = torch.ones(b, Tn, dtype=torch.float64)
        for i, p in enumerate(extra["pad"]):
            x[i, :p] = pad_vec  # the embedding of the pad token, at the left
            mask[i, :p] = 0
    x.requires_grad_(True)
    r = round_tensor(torch.randn(b, Tn, out_width(extractor, o), dtype=torch.float64))

    # Every position is compared, padded queries included: PyTorch computes them like any
    # other query (they attend to the tokens), and so does fxbench. With the causal mask too, a
    # padded query before the first token sees no key: zero attention (EncoderLayer.causal_sa).
    y = m(x, pad) if masked else m(x)
    loss = (y * r).sum()
    named = m.named()
    grads = torch.autograd.grad(loss, [x] + list(named.values()))

    # Cross-checks of the conventions the TypeScript code has to follow.
    with torch.no_grad():
        if extractor in ("rnn", "lstm", "gru"):
            check = manual_recurrent(m, x)
            assert torch.allclose(check, y, rtol=0, atol=1e-12), (check - y).abs().max()
            check = "manual cells ok"
        elif extractor == "transformer":
            man = manual_transformer(m, x, o, pad)
            assert torch.allclose(man, y, rtol=0, atol=1e-12), (man - y).abs().max()
            check = "manual ok, nn.TransformerEncoderLayer " + verify_transformer(m, x, o, pad)
            if masked:
                # The mask has an effect: padded keys' inputs do not reach tokens' outputs ...
                x2 = x.detach().clone()
                x2[pad] += 1.0
                y2 = m(x2, pad)
                real = ~pad
                assert torch.allclose(y2[real], y[real], rtol=0, atol=1e-12)
                # ... and without the mask they do.
                assert not torch.allclose(m(x2)[real], m(x)[real], rtol=0, atol=1e-6)
                check += ", pads cannot reach tokens"
            if o.get("causal"):
                # Position t does not see inputs after t (every position, padded queries included) ...
                cut = Tn // 2
                x3 = x.detach().clone()
                x3[:, cut + 1:] += 1.0
                assert torch.allclose(m(x3, pad)[:, : cut + 1], y[:, : cut + 1], rtol=0, atol=1e-12)
                # ... and without the causal mask it does.
                for layer in m.layers:
                    layer.causal = False
                assert not torch.allclose(m(x3, pad)[:, : cut + 1], m(x, pad)[:, : cut + 1], rtol=0, atol=1e-6)
                for layer in m.layers:
                    layer.causal = True
                check += ", the future cannot reach the past"
        elif extractor in ("mamba", "s4d"):
            check = ssm_golden.peer_check(extractor, m, x, y, o)
        else:
            left = m(x, leftpad=True)
            assert torch.allclose(left, y, rtol=0, atol=1e-12)
            check = "left-pad ok"

    fixture = {
        "extractor": extractor,
        "options": o,
        "inputDim": D,
        "x": enc(x),
        **({"mask": enc(mask)} if mask is not None else {}),
        "weights": {k: enc(p) for k, p in named.items()},
        "y": enc(y),
        "r": enc(r),
        "loss": rnd(loss.item()),
        "grads": {"x": enc(grads[0]), **{k: enc(g) for k, g in zip(named.keys(), grads[1:])}},
    }
    return fixture, loss.item(), sum(p.numel() for p in named.values()), check


def dump(fixture):
    """JSON with one tensor per line: small and still diffable."""
    lines = ["{"]
    items = list(fixture.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if k in ("weights", "grads"):
            lines.append(f"  {json.dumps(k)}: {{")
            sub = list(v.items())
            for j, (n, t) in enumerate(sub):
                c = "," if j < len(sub) - 1 else ""
                lines.append(f"    {json.dumps(n)}: {json.dumps(t, separators=(',', ':'))}{c}")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "test", "fixtures", "golden"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    print(f"torch {torch.__version__}, B={B} T={T} D={D}, out={os.path.normpath(a.out)}")
    for name, extractor, o, *extra in CONFIGS + EXTRA_CONFIGS:
        fixture, loss, n, check = make(name, extractor, o, *extra)
        path = os.path.join(a.out, f"{name}.json")
        text = dump(fixture)
        with open(path, "w") as f:
            f.write(text)
        print(f"{name:24s} {extractor:12s} params={n:4d} loss={loss:+.8f} size={len(text):6d}B  {check}")
    # mingru and linear-attention: their own module (golden_linattn.py), same recipe and format.
    import golden_linattn
    golden_linattn.write_all(a.out)
    # deltanet and gated-deltanet: the peer's own DeltaNetMixer (deltanet_golden.py), same format.
    import deltanet_golden
    deltanet_golden.write_all(a.out)


if __name__ == "__main__":
    sys.exit(main())
