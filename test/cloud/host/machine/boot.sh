#!/bin/bash
# An EC2 instance's first boot, played on this machine (test/cloud/host/agentHost.ts starts it as
# pid 1 of a mount and PID namespace of its own, under `unshare`): the launch template's
# user-data ($1, decoded from the graph, run as is), with the commands only an EC2 machine has
# stood in for by bin/ (first on PATH). Then the machine runs until the agent's unit ends; killing
# the machine (its process group) kills everything on it.
set -euo pipefail
home=$BERTH_MACHINE_HOME

# The user-data writes into /etc (ecs/, berth/, systemd/system/), /opt (node/, berth/) and
# /var/lib (ecs/). Those paths do not exist on this machine, and a mount point over each would have
# to be created on its real disk: each of the three directories is overlaid instead, whatever is
# written landing on a tmpfs of this namespace, gone with it. Nothing on the real disk changes.
mkdir -p "$home/disk" "$home/run"
mount -t tmpfs machine-disk "$home/disk"
for dir in /etc /opt /var/lib; do
  mkdir -p "$home/disk$dir/upper" "$home/disk$dir/work"
  mount -t overlay machine-overlay -o "lowerdir=$dir,upperdir=$home/disk$dir/upper,workdir=$home/disk$dir/work" "$dir"
done

# As cloud-init runs it: the file itself, by its #! line, as root.
"$1" || {
  status=$?
  echo "boot: the user-data failed (exit $status)" >&2
  exit "$status"
}

# systemctl (bin/systemctl) left the pid of the unit it started; the agent is not this shell's
# child, so wait for it by pid (this shell, as the namespace's init, reaps it).
pid=$(cat "$home/run/berth-agent.pid")
tail --pid="$pid" -f /dev/null
echo "boot: berth-agent (pid $pid) ended" >&2
