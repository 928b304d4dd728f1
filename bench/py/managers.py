"""Reference: Python's own networked queue, a BaseManager serving a queue.Queue(maxsize) (task_done
and join: a JoinableQueue) on 127.0.0.1 with an authkey. P producers and 2 consumers connect to it
over TCP, as processes on other machines would, and are up before the clock.

The clock runs from the 'go' to the last producer's q.join() returning (every item task_done), read
on CLOCK_MONOTONIC in every process. Prints one JSON line: {"items_per_s": ...}.

    python3 bench/py/managers.py --producers 1 --size small --n 50000 --maxsize 1000
"""
import argparse
import json
import multiprocessing as mp
import queue
import socket
import time
from multiprocessing.managers import BaseManager

PAD_1K = "x" * 1016
AUTHKEY = b"rx-multiprocessing-bench"
_served = None
_maxsize = 0


def make(size, i):
    return f"item{i}" if size == "small" else f"{PAD_1K}{i:08d}"


# Runs in the manager's server process: the one queue every client gets a proxy of.
def served_queue():
    global _served
    if _served is None:
        _served = queue.Queue(_maxsize)
    return _served


class QueueManager(BaseManager):
    pass


QueueManager.register("get_queue", callable=served_queue)


def connect(address):
    m = QueueManager(address=address, authkey=AUTHKEY)
    m.connect()
    return m.get_queue()


def consumer(address, ready):
    q = connect(address)
    ready.release()
    while True:
        q.get()
        q.task_done()


def producer(address, size, start, stop, ready, go, done_at):
    q = connect(address)
    ready.release()
    go.wait()
    for i in range(start, stop):
        q.put(make(size, i))
    q.join()
    with done_at.get_lock():
        done_at.value = max(done_at.value, time.perf_counter())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    global _maxsize
    ap = argparse.ArgumentParser()
    ap.add_argument("--producers", type=int, default=1)
    ap.add_argument("--size", choices=["small", "1k"], default="small")
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--maxsize", type=int, default=1000)
    args = ap.parse_args()
    # Set before start(): the server process is forked with it.
    _maxsize = args.maxsize
    address = ("127.0.0.1", free_port())
    manager = QueueManager(address=address, authkey=AUTHKEY)
    manager.start()
    try:
        ready = mp.Semaphore(0)
        go = mp.Event()
        done_at = mp.Value("d", 0.0)
        consumers = [mp.Process(target=consumer, args=(address, ready), daemon=True) for _ in range(2)]
        per = -(-args.n // args.producers)
        producers = [
            mp.Process(target=producer, args=(address, args.size, p * per, min(args.n, (p + 1) * per), ready, go, done_at))
            for p in range(args.producers)
        ]
        for p in consumers + producers:
            p.start()
        for _ in consumers + producers:
            if not ready.acquire(timeout=30):
                raise SystemExit("a client did not connect")
        t0 = time.perf_counter()
        go.set()
        for p in producers:
            p.join(600)
            if p.exitcode != 0:
                raise SystemExit(f"a producer failed: {p.exitcode}")
        seconds = done_at.value - t0
        for c in consumers:
            c.terminate()
        for c in consumers:
            c.join(5)
        print(json.dumps({"n": args.n, "seconds": seconds, "items_per_s": args.n / seconds}))
    finally:
        manager.shutdown()


if __name__ == "__main__":
    main()
