"""Reference: round trips through two multiprocessing.Queue objects between the main process and a child.

Prints one JSON line: {"median_us": ..., "p99_us": ...}.

    python3 bench/py/pingpong.py --n 10000
"""
import argparse
import json
import multiprocessing as mp
import time


def echo(inbox, outbox):
    while True:
        item = inbox.get()
        if item is None:
            return
        outbox.put(item)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    inbox, outbox = mp.Queue(), mp.Queue()
    child = mp.Process(target=echo, args=(inbox, outbox))
    child.start()
    for i in range(200):
        inbox.put(i)
        outbox.get()
    samples = []
    for i in range(args.n):
        t0 = time.perf_counter_ns()
        inbox.put(i)
        outbox.get()
        samples.append((time.perf_counter_ns() - t0) / 1000)
    inbox.put(None)
    child.join()
    samples.sort()
    print(json.dumps({"median_us": samples[len(samples) // 2], "p99_us": samples[int(len(samples) * 0.99)]}))


if __name__ == "__main__":
    main()
