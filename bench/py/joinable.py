"""Reference: Python multiprocessing.JoinableQueue, P producers -> queue(maxsize) -> 2 daemon consumers.

The clock runs from just before the producers start to the return of q.join(); the consumers are
started (and blocked on get) beforehand. Prints one JSON line: {"items_per_s": ...}.

    python3 bench/py/joinable.py --producers 1 --size small --n 200000 --maxsize 1000
"""
import argparse
import json
import multiprocessing as mp
import time

PAD_1K = "x" * 1016


def make(size, i):
    return f"item{i}" if size == "small" else f"{PAD_1K}{i:08d}"


def producer(q, size, start, stop):
    for i in range(start, stop):
        q.put(make(size, i))


def consumer(q):
    while True:
        q.get()
        q.task_done()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--producers", type=int, default=1)
    ap.add_argument("--size", choices=["small", "1k"], default="small")
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--maxsize", type=int, default=1000)
    args = ap.parse_args()
    q = mp.JoinableQueue(args.maxsize)
    consumers = [mp.Process(target=consumer, args=(q,), daemon=True) for _ in range(2)]
    for c in consumers:
        c.start()
    per = -(-args.n // args.producers)
    producers = [
        mp.Process(target=producer, args=(q, args.size, p * per, min(args.n, (p + 1) * per)))
        for p in range(args.producers)
    ]
    t0 = time.perf_counter()
    for p in producers:
        p.start()
    for p in producers:
        p.join()
    q.join()
    seconds = time.perf_counter() - t0
    print(json.dumps({"items_per_s": args.n / seconds}))


if __name__ == "__main__":
    main()
