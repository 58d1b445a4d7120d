#!/usr/bin/env bash
# Checks `apollo search --mpi` under Slurm's srun on this one machine: sets up
# a single-node Slurm cluster (Debian's slurm-wlm + munge, as root), runs a
# short study with `srun --mpi=pmix -n 3` (rank 0 + 2 workers), runs the same
# study locally (--jobs 2, same --batch) and checks both stored every trial
# once with the same designs and the same best result.
# Usage (as root, after scripts/setup.sh): scripts/slurm_check.sh
# Not part of CI: it starts system daemons (munged, slurmctld, slurmd).
set -euo pipefail
cd "$(dirname "$0")/.."
apollo="$PWD/build/apollo"
[ -x "$apollo" ] || { echo "slurm_check: build first (scripts/setup.sh)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "slurm_check: needs root (installs and starts Slurm)" >&2; exit 2; }

if ! command -v srun >/dev/null || ! command -v munged >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null
fi

# munge: the key comes with the package; the daemon runs as user munge.
mkdir -p /run/munge
chown -R munge: /etc/munge /var/lib/munge /var/log/munge /run/munge
pgrep -x munged >/dev/null || su -s /bin/sh munge -c munged

host=$(hostname)
mem_mb=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p /etc/slurm /var/spool/slurmctld-apollo-check /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<EOF
# Written by apollo scripts/slurm_check.sh: one node, for checking srun only.
ClusterName=apollo-check
SlurmctldHost=$host
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SlurmUser=root
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld-apollo-check
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
NodeName=$host CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=check Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
pkill -x slurmd || true
pkill -x slurmctld || true
sleep 1
slurmctld || { tail -n 5 /var/log/slurm/slurmctld.log >&2; exit 1; }
slurmd || { tail -n 5 /var/log/slurm/slurmd.log >&2; exit 1; }
for _ in $(seq 30); do sinfo -h -o %t 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
study=(--workload mobilenet_v3_small --optimizer evolution --trials 30 --batch 2 --seed 7 --quiet)
# --overcommit: 3 ranks on a 2-core node (rank 0 mostly waits).
srun --mpi=pmix -n 3 --overcommit "$apollo" search --mpi "${study[@]}" --db "$work/slurm.db" --study s >/dev/null
"$apollo" search "${study[@]}" --jobs 2 --db "$work/local.db" --study s >/dev/null

export_trials() {  # number, status, objective and design of every trial, in trial order
  "$apollo" study export s --db "$1" --csv | awk -F, 'NR > 1 { print $1, $2, $3, $16 }'
}
slurm_trials=$(export_trials "$work/slurm.db")
local_trials=$(export_trials "$work/local.db")
count=$(echo "$slurm_trials" | wc -l)
unique=$(echo "$slurm_trials" | awk '{ print $1 }' | sort -u | wc -l)
workers=$("$apollo" study export s --db "$work/slurm.db" --json |
  grep -o '"worker": *[0-9]*' | sort -u | wc -l)
echo "srun study: $count trials, $unique distinct trial numbers, $workers worker slots"
if [ "$count" != 30 ] || [ "$unique" != 30 ]; then
  echo "slurm_check: FAILED: expected 30 trials stored once each" >&2; exit 1
fi
if [ "$slurm_trials" != "$local_trials" ]; then
  echo "slurm_check: FAILED: the srun study differs from the local one" >&2
  diff <(echo "$slurm_trials") <(echo "$local_trials") >&2 || true
  exit 1
fi
echo "slurm_check: ok (srun --mpi=pmix study equals the local --jobs 2 study, trial by trial)"
