#!/usr/bin/env python3
"""Writes the project's regression suites (quick.json, nightly.json) from the shared workload tables.

The suites are data: rerun this after changing the workload lists, then `tessera regress SUITE --update`
to record goldens. usage: tests/regress/make_suites.py [WORKLOADS_DIR]   (default ../shared/workloads)
"""
import csv, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
wl = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "workloads")


def unique_layers(table, prefix):
    """Unique ungrouped conv shapes (and the FC) of a workload table, named after their first layer."""
    out, seen = [], set()
    with open(os.path.join(wl, table)) as f:
        for r in csv.DictReader(f):
            if r["groups"] != "1" or r["N"] != "1":
                continue
            c, h, k, kern = int(r["C"]), int(r["H"]), int(r["K"]), int(r["R"])
            stride, pad = int(r["stride"]), int(r["pad"])
            name = prefix + "." + r["layer"].split(" ")[0]
            if h == 1:
                key = ("dense", c, k)
                layer = {"kind": "dense", "c": c, "k": k}
            else:
                key = ("conv2d", c, h, k, kern, stride, pad)
                layer = {"kind": "conv2d", "c": c, "hw": h, "k": k, "kernel": kern, "stride": stride, "pad": pad}
            if key in seen:
                continue
            seen.add(key)
            out.append((name, layer))
    return out


resnet = unique_layers("resnet18.csv", "resnet18")
mbv2 = unique_layers("mobilenetv2.csv", "mobilenetv2")
configs = ["default", "tiny", "vta_4x8x8"]
asm = {"asm": {"program": "examples/dense_relu.s", "inputs": {"x": "examples/dense_relu_x.npy"},
               "expect": {"y": "examples/dense_relu_expected.npy"}}}


def fits_tiny(layer):
    """tiny's 8 KiB weight buffer has no legal schedule for 512-channel layers (the search says so)."""
    return max(layer[1]["c"], layer[1]["k"]) < 512


def layer_entries(layers, cfgs, backends, seed=1):
    return [{"id": n, "layer": dict(l, seed=seed), "configs": cfgs, "backends": backends} for n, l in layers]


def network(id_, size, cfgs, backends, classes, seed, arch="resnet18", form="qoperator", type_="uint8"):
    return {"id": id_, "network": {"arch": arch, "form": form, "type": type_, "input_size": size,
                                   "classes": classes, "seed": seed}, "configs": cfgs, "backends": backends}


quick = {
    "name": "quick",
    "root": "../..",
    "goldens": "quick.goldens.json",
    "tolerance_pct": 0.5,
    "entries": [network("resnet18_64", 64, ["default", "vta_4x8x8"], ["fsim", "rtl"], 100, 11)]
    + [dict(network("resnet18_64", 64, ["default"], ["systemc"], 100, 11), id="resnet18_64_systemc")]
    + [network("mobilenetv2_48", 48, ["default"], ["fsim", "rtl"], 100, 1, "mobilenetv2")]
    + layer_entries([l for l in resnet if l[1].get("hw", 1) > 28], ["default"], ["fsim", "rtl"])
    + layer_entries([l for l in resnet if l[1].get("hw", 1) <= 28 and not fits_tiny(l)], ["default", "vta_4x8x8"], ["fsim", "rtl"])
    + layer_entries([l for l in resnet if l[1].get("hw", 1) <= 28 and fits_tiny(l)], configs, ["fsim", "rtl"])
    + layer_entries(mbv2, ["default"], ["fsim", "rtl"])
    + [dict(asm, id="dense_relu", configs=["default"], backends=["fsim", "rtl", "systemc"])]
    + [{"id": "cosim_random", "cosim": {"seed": 1, "count": 1000, "style": "mixed"}, "configs": configs, "backends": ["rtl"]}],
    "figures": [],
}

nightly = {
    "name": "nightly",
    "root": "../..",
    "goldens": "nightly.goldens.json",
    "tolerance_pct": 0.5,
    "entries": [network("resnet18_224", 224, ["default"], ["fsim", "rtl", "systemc"], 1000, 2026),
                dict(network("resnet18_224", 224, ["vta_4x8x8"], ["rtl"], 1000, 2026), id="resnet18_224_vta"),
                network("resnet18_64", 64, ["default", "vta_4x8x8"], ["fsim", "rtl"], 100, 11),
                network("mobilenetv2_96", 96, ["default"], ["fsim", "rtl"], 1000, 2, "mobilenetv2"),
                network("mobilenetv2_224", 224, ["default"], ["rtl"], 1000, 2026, "mobilenetv2"),
                # int8 QDQ: checked against onnxruntime's integer kernels (tests/onnx/run_onnx.js)
                network("mobilenetv2_224_qdq_int8", 224, ["default"], ["fsim", "rtl"], 1000, 2026, "mobilenetv2", "qdq", "int8")]
    + layer_entries([l for l in resnet if fits_tiny(l)], configs, ["fsim", "rtl"])
    + layer_entries([l for l in resnet if not fits_tiny(l)], ["default", "vta_4x8x8"], ["fsim", "rtl"])
    + layer_entries([l for l in mbv2 if fits_tiny(l)], configs, ["fsim", "rtl"])
    + layer_entries([l for l in mbv2 if not fits_tiny(l)], ["default", "vta_4x8x8"], ["fsim", "rtl"])
    + [dict(asm, id="dense_relu", configs=["default"], backends=["fsim", "rtl", "systemc"])]
    + [{"id": "cosim_random", "cosim": {"seed": 1, "count": 10000, "style": "mixed"}, "configs": configs,
        "backends": ["rtl"]}],
    "figures": [],
}

# Figures of docs/PERFORMANCE.md the suites check (kept when the suites are regenerated).
for name, suite in (("quick", quick), ("nightly", nightly)):
    path = os.path.join(here, name + ".json")
    if os.path.exists(path):
        suite["figures"] = json.load(open(path)).get("figures", [])
    with open(path, "w") as f:
        json.dump(suite, f, indent=1)
        f.write("\n")
    print(path, len(suite["entries"]), "entries")
