"""Reads the callgrind files of scripts/per-call-instructions.sh and prints, per benchmark, the
inclusive instructions of each call of the benchmark's entry points (prepare = encode, sign and
lay out a request; decode = read a response into the output)."""
import os
import re
import sys

ENTRY = {
    "prepare": "__bench::prepare_reset_agent_state",
    "decode": "__bench::decode_reset_agent_state",
    # A whole call: a plain one's prepare-and-decode, and one on the mock client.
    "plain call": "per_call::plain_call",
    "mock call": "per_call::mock_call",
}


def per_call(path, needle):
    names, calls, cost, callee = {}, 0, 0, None
    lines = open(path).read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("cfn="):
                callee = names.get(m.group(1))
        elif line.startswith("calls=") and callee and callee.endswith(needle):
            calls += int(line.split("=")[1].split()[0])
            fields = lines[i + 1].split()
            cost += int(fields[1]) if len(fields) > 1 else 0
    return (cost / calls) if calls else None


folder = sys.argv[1]
for name in sorted(os.listdir(folder)):
    path = os.path.join(folder, name)
    row = []
    for label, needle in ENTRY.items():
        # The decode benchmarks prepare once, to check the set-up: not a per-call figure.
        if label == "prepare" and name.startswith("decode"):
            continue
        # Each of the whole-call benchmarks makes one call of the other kind, to check the set-up.
        if label.endswith(" call") and not name.startswith(label.split()[0]):
            continue
        n = per_call(path, needle)
        if n is not None and n > 0:
            row.append(f"{label} {n:,.0f}")
    print(f"{name[:-4]:22s} " + ", ".join(row))
