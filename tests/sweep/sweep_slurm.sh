#!/bin/bash
# tessera sweep plan on a real Slurm cluster: a single-node cluster (Debian's slurm-wlm 22.05: munged,
# slurmctld and slurmd with a slurm.conf generated here, in WORK_DIR, on free localhost ports) is
# started inside the test; `sbatch --test-only` checks the plan's job-array script, `sbatch --wait`
# runs it (one array task per shard), `tessera sweep merge` combines the shards, and the merged
# results must equal a single local run's. Every daemon is stopped by its pid on exit. Without
# slurm-wlm (scripts/packages.txt) the test is skipped (exit 77).
# usage: sweep_slurm.sh TESSERA SOURCE_DIR WORK_DIR
set -euo pipefail
tessera=$1 src=$2 work=$3
for t in munged slurmctld slurmd sbatch sinfo; do
  command -v $t > /dev/null || { echo "$t not installed (apt-get install slurm-wlm): Slurm test skipped"; exit 77; }
done
rm -rf "$work" && mkdir -p "$work"/{state,spool,munge} && cd "$work"
work=$(pwd)
cleanup() {
  for p in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$work/$p" ] || continue
    pid=$(cat "$work/$p")
    kill "$pid" 2> /dev/null || continue
    for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
  done
}
trap cleanup EXIT
chmod 700 munge
head -c 1024 /dev/urandom > munge/munge.key && chmod 600 munge/munge.key
munged --key-file="$work/munge/munge.key" --socket="$work/munge/munge.sock" --pid-file="$work/munge/munged.pid" \
       --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed" --force
read -r p1 p2 < <(python3 -c "
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(('127.0.0.1', 0))
print(*[x.getsockname()[1] for x in s])")
host=$(hostname -s)
cat > slurm.conf <<CONF
ClusterName=tessera
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=sweep Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"
for i in $(seq 60); do sinfo -h -o %t 2> /dev/null | grep -q idle && break; sleep 1; done
sinfo
sinfo -h -o %t | grep -q idle || { echo "the node did not come up"; tail -5 slurmctld.log slurmd.log; exit 1; }

cat > spec.json <<JSON
{"name": "slurm", "base": "$src/configs/default.json",
 "space": {"gemm.block_in": [8, 16], "gemm.block_out": [8, 16], "sram_bytes.inp": [16384, 65536]},
 "constraints": ["gemm.block_in == gemm.block_out"], "workloads": [{"builtin": "resnet18"}],
 "objectives": ["latency", "lut"]}
JSON
"$tessera" sweep spec.json -o single --jobs 2 > single.log
"$tessera" sweep plan spec.json -o jobs --shards 3 --jobs 1 > plan.log
cat plan.log
sbatch --test-only jobs/slurm.sh 2>&1 | tee test_only.log
grep -q "to start at" test_only.log || { echo "sbatch --test-only refused the script"; exit 1; }
start=$(date +%s)
sbatch --wait jobs/slurm.sh | tee sbatch.log
echo "Slurm array of 3 shards: $(( $(date +%s) - start )) s"
cat jobs/slurm-*.out > /dev/null
[ "$(ls jobs/slurm-*.out | wc -l)" -eq 3 ] || { echo "expected 3 array task logs"; ls jobs; exit 1; }
"$tessera" sweep merge -o merged jobs/shard_* > merge.log
cat merge.log
python3 "$(dirname "$0")/same_results.py" single/results.jsonl merged/results.jsonl "Slurm"
