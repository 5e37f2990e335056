"""Regenerate core/protocol/ecs-model.json, autoscaling-model.json and cloudwatch-model.json from the
botocore models installed with the AWS CLI (ECS; Application Auto Scaling, which Berth answers for
ECS services; CloudWatch, of which Berth answers the alarms its step scaling policies need).

These API models are our specification. We keep a trimmed copy (operations and the shapes they
reach, without documentation) so the control plane can validate requests against it at run time.
Run: python3 scripts/generate-ecs-model.py
"""
import gzip, json, os
import botocore

MODELS = {
    "ecs-model.json": ("ecs", "2014-11-13", None),
    "autoscaling-model.json": ("application-autoscaling", "2016-02-06", None),
    # Only the operations Berth answers, and the shapes they reach: CloudWatch's model is large,
    # and its timestamp members join the JSON codec's (core/model/json.ts).
    "cloudwatch-model.json": ("cloudwatch", "2010-08-01", {"PutMetricAlarm", "DescribeAlarms", "DeleteAlarms", "SetAlarmState", "EnableAlarmActions", "DisableAlarmActions", "ListTagsForResource", "TagResource", "UntagResource"}),
}

KEEP = {"type", "members", "required", "enum", "min", "max", "member", "key", "value", "shape", "error", "exception", "fault", "box", "sensitive"}

def trim(node):
    if isinstance(node, dict):
        return {k: ({m: trim(d) for m, d in v.items()} if k == "members" else trim(v)) for k, v in node.items() if k in KEEP}
    return node

def reachable(model, operations):
    seen = set()
    def visit(name):
        if name in seen: return
        seen.add(name)
        shape = model["shapes"][name]
        for ref in [*shape.get("members", {}).values(), shape.get("member"), shape.get("key"), shape.get("value")]:
            if ref: visit(ref["shape"])
    for op in operations:
        for k in ("input", "output"):
            if k in model["operations"][op]: visit(model["operations"][op][k]["shape"])
        for e in model["operations"][op].get("errors", []): visit(e["shape"])
    return seen

def generate(file, service, version, only):
    root = os.path.join(os.path.dirname(botocore.__file__), "data", service, version, "service-2.json")
    model = json.load(gzip.open(root + ".gz")) if os.path.exists(root + ".gz") else json.load(open(root))
    keep = reachable(model, only) if only else set()
    out = {
        "metadata": {"apiVersion": model["metadata"]["apiVersion"], "targetPrefix": model["metadata"]["targetPrefix"],
                     "signingName": model["metadata"].get("signingName", model["metadata"]["endpointPrefix"])},
        "operations": {
            name: {k: op[k]["shape"] if k != "errors" else [e["shape"] for e in op[k]] for k in ("input", "output", "errors") if k in op}
            for name, op in sorted(model["operations"].items()) if only is None or name in only
        },
        "shapes": {name: trim(shape) for name, shape in sorted(model["shapes"].items()) if only is None or name in keep},
    }
    dest = os.path.join(os.path.dirname(__file__), "..", "core", "protocol", file)
    with open(dest, "w") as f:
        json.dump(out, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(f"wrote {dest}: {len(out['operations'])} operations, {len(out['shapes'])} shapes")

for file, (service, version, only) in MODELS.items():
    generate(file, service, version, only)
