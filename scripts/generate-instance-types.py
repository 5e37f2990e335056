"""Regenerate core/model/instanceTypes.json: each EC2 instance type's default vCPUs and memory (MiB).

RegisterContainerInstance without totalResources derives CPU and MEMORY from the identity
document's instance type. On AWS, EC2's DescribeInstanceTypes answers; local mode has no EC2 to
ask, so it reads this table. The source is the DescribeInstanceTypes data moto ships in its
Python package (moto/ec2/resources/instance_types.json.gz, a dump of EC2's own answers): only
DefaultVCpus and MemoryInfo.SizeInMiB are kept, as `{"type": [vcpus, mib]}`.
Run: python3 scripts/generate-instance-types.py
"""
import gzip, json, os
import moto

source = os.path.join(os.path.dirname(moto.__file__), "ec2", "resources", "instance_types.json.gz")
types = json.load(gzip.open(source))
table = {
    name: [t["VCpuInfo"]["DefaultVCpus"], t["MemoryInfo"]["SizeInMiB"]]
    for name, t in sorted(types.items())
    if "VCpuInfo" in t and "MemoryInfo" in t
}
dest = os.path.join(os.path.dirname(__file__), "..", "core", "model", "instanceTypes.json")
with open(dest, "w") as f:
    json.dump(table, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
print(f"{len(table)} instance types written to {os.path.normpath(dest)}")
