#!/usr/bin/env bash
# A one-node Slurm cluster for the tests, in a directory of its own, as
# root: munged, slurmctld and slurmd from Debian's munge and slurm-wlm.
#
#   tests/slurm-cluster.sh start DIR   write DIR/slurm.conf, start the daemons,
#                                      wait until the node takes jobs
#   tests/slurm-cluster.sh stop DIR    stop the daemons it started (by the pids
#                                      in DIR/pids) and nothing else
#
# Commands then need SLURM_CONF=DIR/slurm.conf in their environment.
set -u

say() { printf 'slurm-cluster: %s\n' "$*" >&2; }

start() {
	local dir=$1 host node i
	for cmd in munged mungekey slurmctld slurmd sbatch sinfo; do
		command -v "$cmd" >/dev/null || { say "$cmd is missing (Debian: apt-get install slurm-wlm munge)"; return 1; }
	done
	[ "$(id -u)" -eq 0 ] || { say "the daemons are started as root"; return 1; }
	mkdir -p "$dir/state" "$dir/spool" "$dir/munge" && chmod 700 "$dir/munge" || return 1
	dir=$(cd "$dir" && pwd)
	: > "$dir/pids"
	host=$(hostname -s)
	# The node as slurmd sees it (CPUs, sockets, memory), so it is not drained for a mismatch.
	node=$(slurmd -C | head -1)
	cat > "$dir/slurm.conf" <<EOF
ClusterName=bprtools
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
	mungekey --create --keyfile="$dir/munge/munge.key" --force >/dev/null 2>&1 || { say "mungekey failed"; return 1; }
	munged --force --foreground --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
		--pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
		--seed-file="$dir/munge/munged.seed" >>"$dir/munge/stderr" 2>&1 &
	echo "munged $!" >> "$dir/pids"
	for i in $(seq 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
	[ -S "$dir/munge/munge.socket" ] || { say "munged did not start: $(tail -3 "$dir/munge/munged.log" "$dir/munge/stderr" 2>/dev/null)"; return 1; }
	slurmctld -D -i -f "$dir/slurm.conf" >>"$dir/slurmctld.out" 2>&1 &
	echo "slurmctld $!" >> "$dir/pids"
	slurmd -D -f "$dir/slurm.conf" >>"$dir/slurmd.out" 2>&1 &
	echo "slurmd $!" >> "$dir/pids"
	export SLURM_CONF=$dir/slurm.conf
	for i in $(seq 60); do
		sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)' && { say "up: node $host idle ($(awk '{ printf "%s %s ", $1, $2 }' "$dir/pids"))"; return 0; }
		sleep 0.5
	done
	say "the node did not come up: $(sinfo -h 2>&1 | head -2); $(tail -3 "$dir/slurmctld.log" "$dir/slurmd.log" 2>/dev/null)"
	return 1
}

stop() {
	local dir=$1 name pid i
	[ -f "$dir/pids" ] || return 0
	while read -r name pid; do
		kill "$pid" 2>/dev/null
	done < "$dir/pids"
	for i in $(seq 50); do
		local alive=0
		while read -r name pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$dir/pids"
		[ $alive -eq 0 ] && break
		sleep 0.1
	done
	while read -r name pid; do kill -9 "$pid" 2>/dev/null; done < "$dir/pids"
	rm -f "$dir/pids"
}

case "${1:-}" in
start) [ $# -eq 2 ] && start "$2" ;;
stop) [ $# -eq 2 ] && stop "$2" ;;
*) echo "usage: tests/slurm-cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
