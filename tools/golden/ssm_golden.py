"""Mamba and S4D stacks for the golden fixtures (imported by make_golden.py).

Each is written here from its reference, independently of torch_bench.py:
- Mamba: mamba_ssm's `Mamba` (mamba_simple.py) with the scan of `selective_scan_ref`,
  as an explicit loop over time; pre-norm residual blocks with RMSNorm and a final RMSNorm.
- S4D: state-spaces/s4 `models/s4/s4d.py`, with the kernel built mode by mode from powers
  of z = exp(dt A) and the causal convolution done directly (sum over lags), where s4d.py
  and the peer use exp(dt A l) and an FFT; pre-norm residual blocks with LayerNorm.

`peer_check` loads the same state_dict into a stack built from torch_bench.py's own
`MambaMixer` / `S4DMixer` / `RMSNorm` (strict: the names must match one to one) and asserts
the outputs agree, so the fixtures also pin the peer's layout and arithmetic.
"""
import importlib.util
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps, self.weight = eps, nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Mamba(nn.Module):
    """mamba_ssm's Mamba block (names, init), computed with an explicit scan loop."""

    def __init__(self, d, d_state, d_conv, expand, n_layer):
        super().__init__()
        di, r = expand * d, math.ceil(d / 16)
        self.di, self.r, self.n = di, r, d_state
        self.in_proj = nn.Linear(d, 2 * di, bias=False)
        self.conv1d = nn.Conv1d(di, di, d_conv, groups=di, padding=d_conv - 1)
        self.x_proj = nn.Linear(di, r + 2 * d_state, bias=False)
        self.dt_proj = nn.Linear(r, di)
        nn.init.uniform_(self.dt_proj.weight, -(r ** -0.5), r ** -0.5)
        dt = torch.exp(torch.rand(di) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3)).clamp(min=1e-4)
        with torch.no_grad():
            self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
        self.A_log = nn.Parameter(torch.log(torch.arange(1, d_state + 1, dtype=torch.float64)).repeat(di, 1))
        self.D = nn.Parameter(torch.ones(di))
        self.out_proj = nn.Linear(di, d, bias=False)
        with torch.no_grad():  # MixerModel's _init_weights, rescale_prenorm_residual
            self.out_proj.weight /= math.sqrt(n_layer)

    def forward(self, x):  # [B, T, d]
        Bn, T, _ = x.shape
        xz = x @ self.in_proj.weight.T  # [B, T, 2di]
        u, z = xz[..., : self.di], xz[..., self.di :]
        k = self.conv1d.weight.shape[-1]
        up = F.pad(u.transpose(1, 2), (k - 1, 0))  # causal: k-1 zeros on the left
        u = F.silu(F.conv1d(up, self.conv1d.weight, self.conv1d.bias, groups=self.di).transpose(1, 2))
        xd = u @ self.x_proj.weight.T
        dt, Bm, Cm = xd[..., : self.r], xd[..., self.r : self.r + self.n], xd[..., self.r + self.n :]
        dt = F.softplus(dt @ self.dt_proj.weight.T + self.dt_proj.bias)  # [B, T, di]
        A = -torch.exp(self.A_log)  # [di, N]
        h = torch.zeros(Bn, self.di, self.n, dtype=x.dtype)
        ys = []
        for t in range(T):
            h = torch.exp(dt[:, t, :, None] * A) * h + (dt[:, t] * u[:, t])[:, :, None] * Bm[:, t, None, :]
            ys.append((h * Cm[:, t, None, :]).sum(-1) + self.D * u[:, t])
        y = torch.stack(ys, 1)
        return (y * F.silu(z)) @ self.out_proj.weight.T


class S4D(nn.Module):
    """s4d.py's S4D layer (names, init) with a mode-by-mode kernel and a direct causal convolution."""

    def __init__(self, d, d_state):
        super().__init__()
        self.D = nn.Parameter(torch.randn(d))
        self.kernel = nn.Module()
        self.kernel.log_dt = nn.Parameter(torch.rand(d) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
        self.kernel.C = nn.Parameter(torch.view_as_real(torch.randn(d, d_state // 2, dtype=torch.cfloat)))
        self.kernel.log_A_real = nn.Parameter(torch.log(0.5 * torch.ones(d, d_state // 2)))
        self.kernel.A_imag = nn.Parameter(math.pi * torch.arange(d_state // 2).float().repeat(d, 1))
        self.output_linear = nn.Sequential(nn.Conv1d(d, 2 * d, 1), nn.GLU(dim=-2))

    def ssm_kernel(self, T):
        k = self.kernel
        dt = torch.exp(k.log_dt)[:, None]
        A = torch.complex(-torch.exp(k.log_A_real), k.A_imag)  # [d, M]
        z = torch.exp(A * dt)
        Ct = torch.view_as_complex(k.C) * (z - 1) / A
        w, ks = torch.ones_like(z), []
        for _ in range(T):  # z^l by repeated multiplication
            ks.append(2 * (Ct * w).sum(-1).real)
            w = w * z
        return torch.stack(ks, -1)  # [d, T]

    def forward(self, x):  # [B, T, d]
        T = x.shape[1]
        K = self.ssm_kernel(T)
        y = torch.zeros_like(x)
        for s in range(T):  # y[t] += K[s] u[t - s]
            y[:, s:] = y[:, s:] + K[:, s] * x[:, : T - s]
        y = F.gelu(y + x * self.D)
        return self.output_linear(y.transpose(1, 2)).transpose(1, 2)


class Stack(nn.Module):
    """proj D -> d, `layers` blocks x + mixer(norm(x)), final norm: torch_bench.py's SSMStack at any size."""

    def __init__(self, kind, D, o):
        super().__init__()
        d = o["dModel"]
        self.proj = nn.Linear(D, d)
        if kind == "mamba":
            mixer = lambda: Mamba(d, o["dState"], o["dConv"], o["expand"], o["layers"])
            norm = lambda: RMSNorm(d)
        else:
            mixer = lambda: S4D(d, o["dState"])
            norm = lambda: nn.LayerNorm(d)
        self.layers = nn.ModuleList(nn.ModuleDict(dict(mixer=mixer(), norm=norm())) for _ in range(o["layers"]))
        self.norm_f = norm()

    def forward(self, x):
        x = self.proj(x)
        for b in self.layers:
            x = x + b["mixer"](b["norm"](x))
        return self.norm_f(x)

    def named(self):
        return dict(self.named_parameters())


def build(kind, D, o):
    return Stack(kind, D, o)


def _peer_module():
    """torch_bench.py from ../shared/peers beside the checkout (or $FXBENCH_PEER_SCRIPT, as the bench), or None."""
    here = os.path.dirname(os.path.abspath(__file__))
    for script in (os.environ.get("FXBENCH_PEER_SCRIPT"), os.path.join(here, "..", "..", "..", "shared", "peers", "torch_bench.py")):
        if script and os.path.exists(script):
            spec = importlib.util.spec_from_file_location("torch_bench", script)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    return None


def peer_check(kind, m, x, y, o):
    """The same state_dict in a stack of torch_bench.py's modules must give the same output."""
    tb = _peer_module()
    if tb is None:
        return "peer check skipped (torch_bench.py not found: set FXBENCH_PEER_SCRIPT)"
    d = o["dModel"]

    class PeerStack(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = nn.Linear(m.proj.in_features, d)
            if kind == "mamba":
                mk = lambda: tb.MambaMixer(d, d_state=o["dState"], d_conv=o["dConv"], expand=o["expand"])
                nk = lambda: tb.RMSNorm(d)
            else:
                mk = lambda: tb.S4DMixer(d, d_state=o["dState"])
                nk = lambda: nn.LayerNorm(d)
            self.layers = nn.ModuleList(nn.ModuleDict(dict(mixer=mk(), norm=nk())) for _ in range(o["layers"]))
            self.norm_f = nk()

        forward = tb.SSMStack.forward

    peer = PeerStack().double()
    missing, unexpected = peer.load_state_dict(m.state_dict(), strict=True)
    assert not missing and not unexpected
    with torch.no_grad():
        yp = peer(x)
    err = (yp - y).abs().max().item()
    assert err < 1e-10, err
    return f"torch_bench.py {'MambaMixer' if kind == 'mamba' else 'S4DMixer (FFT)'} agrees, max|diff|={err:.1e}"
