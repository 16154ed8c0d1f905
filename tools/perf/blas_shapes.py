#!/usr/bin/env python3
"""OpenBLAS (through PyTorch, one thread) on the matrix products the extractors compute, in
CPU time, best of 15: the figure beside bench/gemmShapes.ts (ours) and bench/fmaPeak.ts (the
128-bit ceiling). A measurement tool only; nothing in fxbench runs Python.

Run:  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/perf/blas_shapes.py
"""
import time

import torch

torch.set_num_threads(1)
# label, M, N, K, A transposed, batch (bmm)
CASES = [
    ("fwd in_proj", 2048, 384, 128, False, 1),
    ("fwd ff1", 2048, 512, 128, False, 1),
    ("fwd ff2", 2048, 128, 512, False, 1),
    ("bwd dW ff1 (dY^T X)", 512, 128, 2048, True, 1),
    ("bwd dW ff2", 128, 512, 2048, True, 1),
    ("attn S=QK^T T=64 x128", 64, 64, 32, False, 128),
    ("attn S T=256 x128", 256, 256, 32, False, 128),
    ("attn PV T=256 x128", 256, 32, 256, False, 128),
]
for label, M, N, K, trans_a, batch in CASES:
    if batch > 1:
        A, B = torch.randn(batch, M, K), torch.randn(batch, K, N)
        f = lambda: torch.bmm(A, B)
    else:
        A = torch.randn(K, M).t() if trans_a else torch.randn(M, K)
        B = torch.randn(K, N)
        f = lambda: A @ B
    f()
    best = float("inf")
    for _ in range(15):
        t0 = time.process_time()
        for _ in range(3):
            f()
        best = min(best, (time.process_time() - t0) / 3)
    print(f"{label:24s} {2 * M * N * K * batch / best / 1e9:6.1f} GFLOP/s  {best * 1000:.2f} ms")
