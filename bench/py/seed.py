"""Reference for e2e.seed.*: the seed's shape as a whole Python program, timed from outside.

3 producers put small items into a JoinableQueue(1000); 2 daemon consumers get() and task_done();
main joins the producers, then the queue. The fork start method, as the issue's figures were taken
(it stops being Linux's default in Python 3.14). Prints the number of items.

    python3 bench/py/seed.py 20000
"""
import multiprocessing as mp
import sys


def producer(q, start, stop):
    for i in range(start, stop):
        q.put(f"item{i}")


def consumer(q):
    while True:
        q.get()
        q.task_done()


if __name__ == "__main__":
    ctx = mp.get_context("fork")
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    per = -(-n // 3)
    q = ctx.JoinableQueue(1000)
    consumers = [ctx.Process(target=consumer, args=(q,), daemon=True) for _ in range(2)]
    producers = [ctx.Process(target=producer, args=(q, p * per, min(n, (p + 1) * per))) for p in range(3)]
    for c in consumers:
        c.start()
    for p in producers:
        p.start()
    for p in producers:
        p.join()
    q.join()
    print(n)
