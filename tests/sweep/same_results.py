#!/usr/bin/env python3
"""Checks that merged shard results equal a single run's: the same point ids, and per point the same
status, cycles and area. usage: same_results.py SINGLE.jsonl MERGED.jsonl WHAT"""
import json
import sys

a = {j["id"]: j for j in map(json.loads, open(sys.argv[1]))}
b = {j["id"]: j for j in map(json.loads, open(sys.argv[2]))}
assert set(a) == set(b), (len(a), len(b))
for k in a:
    for f in ("status", "cycles", "area"):
        assert a[k].get(f) == b[k].get(f), (k, f, a[k].get(f), b[k].get(f))
print(sys.argv[3], "shards merged:", len(b), "points, equal to the single run")
