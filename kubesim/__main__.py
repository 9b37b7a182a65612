"""python -m kubesim --kubeconfig PATH [--port N] [--fleet demo|bench|empty] [--pods N --nodes N]"""

from __future__ import annotations

import argparse
import signal
import threading

from . import KubeSim


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kubesim", description="Run the simulated Kubernetes cluster.")
    p.add_argument("--kubeconfig", required=True, help="where to write the kubeconfig")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--fleet", choices=["demo", "bench", "empty"], default="demo")
    p.add_argument("--pods", type=int, default=20000)
    p.add_argument("--nodes", type=int, default=200)
    p.add_argument("--tick", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    sim = KubeSim(fleet=args.fleet, pods=args.pods, nodes=args.nodes, port=args.port, tick=args.tick,
                  seed=args.seed)
    sim.start()
    sim.write_kubeconfig(args.kubeconfig)
    print(f"kubesim ({args.fleet}) serving {sim.url}; kubeconfig written to {args.kubeconfig}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
