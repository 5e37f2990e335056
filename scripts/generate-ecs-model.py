"""Regenerate core/protocol/ecs-model.json and autoscaling-model.json from the botocore models
installed with the AWS CLI (ECS, and Application Auto Scaling, which Berth answers for ECS services).

These API models are our specification. We keep a trimmed copy (operations and the shapes they
reach, without documentation) so the control plane can validate requests against it at run time.
Run: python3 scripts/generate-ecs-model.py
"""
import gzip, json, os
import botocore

MODELS = {"ecs-model.json": ("ecs", "2014-11-13"), "autoscaling-model.json": ("application-autoscaling", "2016-02-06")}

KEEP = {"type", "members", "required", "enum", "min", "max", "member", "key", "value", "shape", "error", "exception", "fault", "box", "sensitive"}

def trim(node):
    if isinstance(node, dict):
        return {k: ({m: trim(d) for m, d in v.items()} if k == "members" else trim(v)) for k, v in node.items() if k in KEEP}
    return node

def generate(file, service, version):
    root = os.path.join(os.path.dirname(botocore.__file__), "data", service, version, "service-2.json")
    model = json.load(gzip.open(root + ".gz")) if os.path.exists(root + ".gz") else json.load(open(root))
    out = {
        "metadata": {k: model["metadata"][k] for k in ("apiVersion", "targetPrefix", "signingName")},
        "operations": {
            name: {k: op[k]["shape"] if k != "errors" else [e["shape"] for e in op[k]] for k in ("input", "output", "errors") if k in op}
            for name, op in sorted(model["operations"].items())
        },
        "shapes": {name: trim(shape) for name, shape in sorted(model["shapes"].items())},
    }
    dest = os.path.join(os.path.dirname(__file__), "..", "core", "protocol", file)
    with open(dest, "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"wrote {dest}: {len(out['operations'])} operations, {len(out['shapes'])} shapes")

for file, (service, version) in MODELS.items():
    generate(file, service, version)
