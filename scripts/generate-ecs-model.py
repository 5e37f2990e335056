"""Regenerate core/protocol/ecs-model.json from the botocore ECS model installed with the AWS CLI.

The ECS API model is our specification. We keep a trimmed copy (operations and the shapes they
reach, without documentation) so the control plane can validate requests against it at run time.
Run: python3 scripts/generate-ecs-model.py
"""
import gzip, json, os
import botocore

root = os.path.join(os.path.dirname(botocore.__file__), "data", "ecs", "2014-11-13", "service-2.json")
model = json.load(gzip.open(root + ".gz")) if os.path.exists(root + ".gz") else json.load(open(root))

KEEP = {"type", "members", "required", "enum", "min", "max", "member", "key", "value", "shape", "error", "exception", "fault", "box", "sensitive"}

def trim(node):
    if isinstance(node, dict):
        return {k: ({m: trim(d) for m, d in v.items()} if k == "members" else trim(v)) for k, v in node.items() if k in KEEP}
    return node

out = {
    "metadata": {k: model["metadata"][k] for k in ("apiVersion", "targetPrefix", "signingName")},
    "operations": {
        name: {k: op[k]["shape"] if k != "errors" else [e["shape"] for e in op[k]] for k in ("input", "output", "errors") if k in op}
        for name, op in sorted(model["operations"].items())
    },
    "shapes": {name: trim(shape) for name, shape in sorted(model["shapes"].items())},
}
dest = os.path.join(os.path.dirname(__file__), "..", "core", "protocol", "ecs-model.json")
with open(dest, "w") as f:
    json.dump(out, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
print(f"wrote {dest}: {len(out['operations'])} operations, {len(out['shapes'])} shapes")
