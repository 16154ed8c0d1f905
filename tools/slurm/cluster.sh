#!/usr/bin/env bash
# A single-node Slurm cluster in a folder of its own, for fxbench's live-Slurm test.
#
#   tools/slurm/cluster.sh install      apt-get install slurm-wlm and munge where missing (root)
#   tools/slurm/cluster.sh start DIR    write DIR/slurm.conf and a munge key, start munged (as
#                                       user munge), slurmctld and slurmd; their pids go to DIR/pids
#   tools/slurm/cluster.sh stop DIR     cancel the cluster's jobs, stop exactly the pids in DIR/pids
#
# Clients reach this cluster with SLURM_CONF=DIR/slurm.conf; nothing under /etc is read or
# changed, ports are picked free, so the machine's own Slurm (if any) is left alone.
set -euo pipefail

missing() {
  local m=()
  for b in sbatch scontrol squeue slurmctld slurmd munged; do command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || m+=("$b"); done
  echo "${m[*]}"
}

case "${1:-}" in
install)
  if [ -n "$(missing)" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends slurm-wlm munge
  fi
  ;;

start)
  dir="${2:?usage: cluster.sh start DIR}"
  if [ -n "$(missing)" ]; then echo "cluster.sh: missing $(missing): run tools/slurm/cluster.sh install (apt-get install slurm-wlm munge)" >&2; exit 3; fi
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  chmod 755 "$dir" # munged (user munge) must reach its own folder inside
  if ! setpriv --reuid=munge --regid=munge --clear-groups test -x "$dir"; then
    echo "cluster.sh: user munge cannot reach $dir: use a folder whose parents are searchable by all (e.g. mktemp -d, then chmod 755)" >&2
    exit 1
  fi
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/logs"
  : >"$dir/pids"
  # A start that fails stops what it started.
  trap 'status=$?; [ $status -eq 0 ] || "$0" stop "$dir"; exit $status' EXIT
  PATH="$PATH:/usr/sbin"

  # munge: its own key, socket and files, owned by munge, as munged insists.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chown -R munge:munge "$dir/munge"
  chmod 755 "$dir/munge" # munged wants its socket folder searchable by all
  chmod 400 "$dir/munge/munge.key"
  socket="$dir/munge/munge.socket"
  setsid setpriv --reuid=munge --regid=munge --init-groups munged --foreground --key-file="$dir/munge/munge.key" --socket="$socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
    </dev/null >>"$dir/logs/munged.out" 2>&1 &
  echo "munged $!" >>"$dir/pids"
  for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
  [ -S "$socket" ] || { echo "cluster.sh: munged did not start (see $dir/munge/munged.log)" >&2; exit 1; }

  free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
  host=$(hostname -s)
  # This machine as slurmd sees it (CPUs, sockets, cores, memory), less 5% of the memory for the daemons.
  node_line=$(slurmd -C | head -1)
  mem=$(sed -E 's/.*RealMemory=([0-9]+).*/\1/' <<<"$node_line")
  node_line="${node_line/RealMemory=$mem/RealMemory=$((mem * 95 / 100))}"
  # cred_expire=10: a requeued job waits cred_expire + 1 s to start again (121 s by default).
  cat >"$dir/slurm.conf" <<CONF
ClusterName=fxbench-test
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$socket,cred_expire=10
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/logs/slurmctld.log
SlurmdLogFile=$dir/logs/slurmd.log
PlugStackConfig=$dir/plugstack.conf
ReturnToService=2
MinJobAge=3600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
$node_line State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  : >"$dir/plugstack.conf"
  export SLURM_CONF="$dir/slurm.conf"
  setsid slurmctld -D -i -f "$SLURM_CONF" </dev/null >>"$dir/logs/slurmctld.out" 2>&1 &
  echo "slurmctld $!" >>"$dir/pids"
  setsid slurmd -D -f "$SLURM_CONF" </dev/null >>"$dir/logs/slurmd.out" 2>&1 &
  echo "slurmd $!" >>"$dir/pids"
  # Ready when the node is idle.
  for _ in $(seq 300); do
    state=$(timeout 5 sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
    [ "$state" = "idle" ] && break
    while read -r name pid; do
      kill -0 "$pid" 2>/dev/null || { echo "cluster.sh: $name exited: $(tail -n 1 "$dir/logs/$name.out" 2>/dev/null)" >&2; exit 1; }
    done <"$dir/pids"
    sleep 0.2
  done
  if [ "$state" != "idle" ]; then
    echo "cluster.sh: the node did not come up (state '${state:-none}'; see $dir/logs)" >&2
    exit 1
  fi
  echo "SLURM_CONF=$SLURM_CONF"
  ;;

stop)
  dir="${2:?usage: cluster.sh stop DIR}"
  [ -f "$dir/pids" ] || exit 0
  if [ -f "$dir/slurm.conf" ]; then
    # Jobs first, while the daemons can still stop them.
    SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --full --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 50); do
      [ -z "$(SLURM_CONF="$dir/slurm.conf" timeout 5 squeue -h -t R,CG 2>/dev/null || true)" ] && break
      sleep 0.2
    done
  fi
  # Reverse start order: slurmd, slurmctld, munged.
  tac "$dir/pids" | while read -r name pid; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  : >"$dir/pids"
  ;;

*)
  echo "usage: cluster.sh install | start DIR | stop DIR" >&2
  exit 2
  ;;
esac
