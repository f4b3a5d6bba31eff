#!/usr/bin/python3
"""A stdlib-heavy Python workload for make distro-check.

Deterministic: it prints the same digests on every run, so that the runs
with speculative faults on and off can be compared line by line. It builds
and drops many objects (the interpreter's arenas fault memory in and give
it back), parses and dumps JSON and CSV, runs regular expressions, sorts,
compresses, hashes, and does the same in a pool of threads.
"""
import collections
import concurrent.futures
import csv
import decimal
import hashlib
import io
import json
import random
import re
import sqlite3
import statistics
import zlib


def records(seed, n):
    rnd = random.Random(seed)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]
    return [{"id": i,
             "name": " ".join(rnd.choice(words) for _ in range(4)),
             "score": rnd.randint(0, 10**6),
             "tags": [rnd.choice(words) for _ in range(rnd.randint(0, 6))]}
            for i in range(n)]


def work(seed):
    recs = records(seed, 20000)
    text = json.dumps(recs, sort_keys=True)
    back = json.loads(text)
    counts = collections.Counter(t for r in back for t in r["tags"])
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in sorted(back, key=lambda r: (r["score"], r["id"])):
        w.writerow([r["id"], r["name"], r["score"], ";".join(r["tags"])])
    table = buf.getvalue()
    hits = len(re.findall(r"\b(alpha|echo) (golf|delta)\b", table))
    packed = zlib.compress(table.encode(), 6)
    assert zlib.decompress(packed).decode() == table
    h = hashlib.sha256(packed).hexdigest()
    mean = statistics.fmean(r["score"] for r in back)
    return f"{seed} {h[:16]} hits={hits} top={counts.most_common(2)} mean={mean:.3f}"


def database():
    db = sqlite3.connect(":memory:")
    db.execute("create table t (k integer primary key, v text, n integer)")
    rnd = random.Random(7)
    db.executemany("insert into t values (?, ?, ?)",
                   ((i, hashlib.md5(str(i).encode()).hexdigest(), rnd.randint(0, 999))
                    for i in range(100000)))
    db.execute("create index t_n on t (n)")
    row = db.execute("select count(*), sum(n), min(v), max(v) from t where n between 100 and 600").fetchone()
    return "sqlite " + " ".join(map(str, row))


def decimals():
    decimal.getcontext().prec = 60
    x = sum(decimal.Decimal(1) / decimal.Decimal(k * k) for k in range(1, 60000))
    return f"decimal {x}"


def main():
    print(work(1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for line in pool.map(work, range(2, 6)):
            print(line)
    print(database())
    print(decimals())


if __name__ == "__main__":
    main()
