#!/usr/bin/env python3
"""The PyTorch peer's models (../shared/peers/torch_bench.py), timed as the fastest of N steps
in CPU time (time.process_time), one thread: the figure beside bench/cpuStep.ts (ours, also
the fastest of N in CPU time). On a shared machine CPU time is much steadier than the wall
time the peer and `fxbench bench` report; the ratio of the two minima is the load-robust
estimate of the ours/torch ratio. A measurement tool only; nothing in fxbench runs Python.

Run:  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/perf/torch_cpu.py transformer 64,256 [steps] [batch]
"""
import os
import sys
import time

# torch_bench.py from ../shared/peers beside the checkout, or $FXBENCH_PEER_SCRIPT (the script itself, as the bench).
_peer = os.environ.get("FXBENCH_PEER_SCRIPT") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peers", "torch_bench.py")
sys.path.insert(0, os.path.dirname(os.path.abspath(_peer)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch_bench as tb  # noqa: E402

names = sys.argv[1] if len(sys.argv) > 1 else "transformer"
lengths = [int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "64,256").split(",")]
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
torch.set_num_threads(1)
torch.manual_seed(0)
for name in names.split(","):
    for T in lengths:
        model = tb.Model(name)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        ids = torch.randint(0, tb.VOCAB, (batch, T))
        y = torch.randint(0, tb.CLASSES, (batch,))

        def train():
            opt.zero_grad()
            F.cross_entropy(model(ids), y).backward()
            opt.step()

        def infer():
            with torch.no_grad():
                model(ids)

        out = []
        for mode, fn in (("train", train), ("infer", infer)):
            fn()
            best = float("inf")
            for _ in range(steps):
                t0 = time.process_time()
                fn()
                best = min(best, time.process_time() - t0)
            out.append(f"{mode} min {best * 1000:.1f} ms cpu")
        print(f"{name} T={T}: {'   '.join(out)}", flush=True)
