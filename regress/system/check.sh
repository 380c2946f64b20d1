#!/bin/sh
#
# check.sh receptor.deb: the Debian package on a bare Debian 12, as root.
# A booted container installs it with apt and runs it under systemd:
# started, sandboxed, reloaded, stopped, removed and purged. The same
# root then runs the daemon with no systemd, as container images do.
#
# The root comes from debootstrap once and is kept in $CACHE; each run
# boots a copy. The containers have no network but loopback: apt
# fetches the package's dependencies beforehand, and no port of the
# host is taken.

set -eu

CACHE=${CACHE:-/var/cache/receptor-check}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SOCK=/run/receptor/receptor.sock
PATH_IN=/usr/sbin:/usr/bin:/sbin:/bin

passed=0
failed=0
nspawn_pid=
leader=
scratch=

ok()
{
	echo "ok - $1"
	passed=$((passed + 1))
}

notok()
{
	echo "not ok - $1: $2"
	failed=$((failed + 1))
}

# bail NAME WHY: a failure the remaining checks cannot go on without.
bail()
{
	notok "$1" "$2"
	exit 1
}

# check NAME CMD...: ok if CMD succeeds, else not ok with the last line
# it printed. CMD runs in a subshell.
check()
{
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		ok "$_name"
	else
		notok "$_name" "$(printf '%s\n' "$_out" | tail -n 1)"
	fi
}

# why LOG: the last line of LOG, but for systemd-nspawn's complaint on
# hosts whose /run is not a tmpfs that it may not clean up there.
why()
{
	grep -v '^Attempted to remove disk file system' "$1" | tail -n 1
}

# wait_for SECONDS CMD...: until CMD succeeds, for at most SECONDS.
wait_for()
{
	_end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# inside CMD...: CMD in the running container, in its own environment.
inside()
{
	nsenter -t "$leader" -a env -i PATH=$PATH_IN LC_ALL=C.UTF-8 "$@"
}

# run_nspawn ARG...: a container on the scratch root. Its path has no
# blanks, for $nspawn_args to split.
run_nspawn()
{
	systemd-nspawn $nspawn_args "$@"
}

# start_container LOG PROG ARG...: systemd-nspawn ARG... in the
# background, logging to LOG; $leader is its first process once that
# runs PROG.
start_container()
{
	_log=$1
	_prog=$2
	shift 2
	systemd-nspawn $nspawn_args "$@" </dev/null >"$scratch/$_log" 2>&1 &
	nspawn_pid=$!
	leader=
	wait_for 30 leader_runs "$_prog"
}

leader_runs()
{
	leader=$(ps -o pid= --ppid "$nspawn_pid" | tr -d ' ')
	[ -n "$leader" ] && [ "$(cat /proc/"$leader"/comm)" = "$1" ]
}

# stop_container: the container's end within a minute, else what this
# script started killed; returns systemd-nspawn's exit status.
stop_container()
{
	_pid=$nspawn_pid
	nspawn_pid=
	if ! wait_for 60 not_running "$_pid"; then
		kill -KILL "$_pid" ${leader:+"$leader"} 2>/dev/null || true
	fi
	_rc=0
	wait "$_pid" || _rc=$?
	return $_rc
}

not_running()
{
	! kill -0 "$1" 2>/dev/null
}

cleanup()
{
	_rc=$?
	if [ "$_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		notok check.sh "stopped with status $_rc"
	fi
	if [ -n "$nspawn_pid" ]; then
		# SIGTERM shuts a booted container down in order.
		kill -TERM "$nspawn_pid" 2>/dev/null || true
		stop_container >/dev/null 2>&1 || true
	fi
	if [ -n "$scratch" ]; then
		rm -rf "$scratch/root"
		if [ "$failed" -eq 0 ]; then
			rm -rf "$scratch"
		else
			echo "# logs in $scratch"
		fi
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}

# bootstrap: the cached root, made once, with apt's sources as a Debian
# 12 install has them.
bootstrap()
{
	[ -d "$CACHE/bookworm" ] && return
	mkdir -p "$CACHE"
	rm -rf "$CACHE/bookworm.new"
	echo "# debootstrap into $CACHE/bookworm"
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus \
	    bookworm "$CACHE/bookworm.new" "$MIRROR" \
	    >"$CACHE/debootstrap.log" 2>&1 ||
	    bail bootstrap "debootstrap failed, see $CACHE/debootstrap.log"
	cat >"$CACHE/bookworm.new/etc/apt/sources.list" <<-EOF
	deb $MIRROR bookworm main
	deb $MIRROR bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	mv "$CACHE/bookworm.new" "$CACHE/bookworm"
}

apt_inside()
{
	inside env DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@" \
	    >>"$scratch/apt.log" 2>&1 ||
	    { why "$scratch/apt.log"; return 1; }
}

# is_active STATE: the unit in STATE, else which it is in.
is_active()
{
	_state=$(inside systemctl is-active receptor || true)
	[ "$_state" = "$1" ] || { echo "receptor is $_state"; return 1; }
}

becomes_active()
{
	wait_for 30 is_active active || is_active active
}

journal_has()
{
	inside journalctl -u receptor | grep -q "$1"
}

journal_ok()
{
	wait_for 30 journal_has "Initialization complete" || {
		echo "no 'Initialization complete' in journalctl -u receptor"
		return 1
	}
}

# status_ok NODE: rcptctl answers with the node's status.
status_ok()
{
	inside rcptctl --socket $SOCK status | grep -q "^Node ID: $1\$"
}

# privileges_ok: every child of the daemon runs as another user than
# root, with no_new_privs and a seccomp filter (mode 2).
privileges_ok()
{
	inside rcptctl --socket $SOCK privileges | awk '
		NR == 1 {
			for (i = 1; i <= NF; i++)
				col[$i] = i
			next
		}
		NF == 0 { exit }
		$1 == "netd" || $1 == "workd" || $1 == "ctld" {
			seen++
			if ($col["UID"] == 0 || $col["NONEWPRIVS"] != 1 ||
			    $col["SECCOMP"] != 2) {
				print "not sandboxed: " $0
				bad = 1
			}
		}
		END {
			if (seen != 3) {
				print "found " seen + 0 " of 3 children"
				exit 1
			}
			exit bad
		}'
}

# work_ok: a unit of the example's work type runs and gives its payload.
work_ok()
{
	_out=$(inside rcptctl --socket $SOCK work submit cat \
	    --payload-literal hello --follow --rm)
	printf '%s\n' "$_out" | grep -qx hello ||
	    { echo "work gave:" $_out; return 1; }
}

listening()
{
	inside rcptctl --socket $SOCK privileges |
	    grep -Eq "listening:.*:$1( |\$)"
}

# reload_ok: a listener added to the config opens on systemctl reload.
reload_ok()
{
	! listening 27299 || { echo "port 27299 taken before"; return 1; }
	inside sh -c 'printf "\n- tcp-listener:\n    port: 27299\n" \
	    >>/etc/receptor.conf'
	inside systemctl reload receptor || return 1
	wait_for 30 listening 27299 || { echo "no listener on 27299"; return 1; }
	is_active active
}

# low_port_ok: the unit keeps CAP_NET_BIND_SERVICE for netd: a listener
# on port 443 opens on reload.
low_port_ok()
{
	inside sh -c 'printf "\n- tcp-listener:\n    port: 443\n" \
	    >>/etc/receptor.conf'
	inside systemctl reload receptor || return 1
	wait_for 30 listening 443 || { echo "no listener on 443"; return 1; }
}

# refused_once LINE: with the config changed, a restart fails with LINE in
# the journal, and the unit stays failed rather than restarting.
refused_once()
{
	inside systemctl restart receptor || return 1
	wait_for 30 is_active failed || is_active failed || return 1
	journal_has "$1" || { echo "no '$1' in the journal"; return 1; }
	_n=$(inside systemctl show -p NRestarts --value receptor)
	[ "$_n" = 0 ] || { echo "restarted $_n times"; return 1; }
}

# bad_datadir_ok: a datadir outside ReadWritePaths= names the fix.
bad_datadir_ok()
{
	inside sed -i 's|datadir: /var/lib/receptor|datadir: /srv/receptor|' \
	    /etc/receptor.conf
	inside mkdir -p /srv/receptor
	refused_once "add the datadir to ReadWritePaths="
}

# no_cap_port_ok: port 443 under a unit without CAP_NET_BIND_SERVICE.
no_cap_port_ok()
{
	inside mkdir -p /etc/systemd/system/receptor.service.d
	inside sh -c 'printf "[Service]\nCapabilityBoundingSet=~CAP_NET_BIND_SERVICE\n" \
	    >/etc/systemd/system/receptor.service.d/nocap.conf'
	inside systemctl daemon-reload
	refused_once "port 443: a port below 1024 needs CAP_NET_BIND_SERVICE"
}

# config_restored: the config and unit of the package again.
config_restored()
{
	inside cp /etc/receptor.conf.orig /etc/receptor.conf
	inside rm -rf /etc/systemd/system/receptor.service.d
	inside systemctl daemon-reload
	inside systemctl reset-failed receptor || true
}

# remove_ok: apt-get remove stops the service and keeps the config.
remove_ok()
{
	inside systemctl start receptor
	becomes_active || return 1
	apt_inside remove receptor || return 1
	is_active inactive || return 1
	! inside test -e /usr/sbin/receptor ||
	    { echo "/usr/sbin/receptor is left"; return 1; }
	inside test -f /etc/receptor.conf ||
	    { echo "the conffile /etc/receptor.conf is gone"; return 1; }
}

# purge_ok: apt-get purge leaves only the user.
purge_ok()
{
	apt_inside purge receptor || return 1
	_left=$(inside sh -c 'ls -d /var/lib/receptor /run/receptor \
	    /var/empty /etc/receptor.conf 2>/dev/null' || true)
	[ -z "$_left" ] || { echo "left" $_left; return 1; }
	inside getent passwd _receptor >/dev/null ||
	    { echo "the user _receptor is gone"; return 1; }
}

# The booted system: apt installs the package, systemd runs it.
booted()
{
	start_container boot.log systemd --boot --private-network ||
	    bail boot "$(why "$scratch/boot.log")"
	wait_for 30 inside test -S /run/systemd/private ||
	    bail boot "no systemd manager in the container"
	_state=$(inside timeout 120 systemctl is-system-running --wait) ||
	    true
	case $_state in
	running)
		ok boot
		;;
	degraded)
		ok boot
		echo "# degraded:" $(inside systemctl --failed --plain \
		    --no-legend | awk '{ print $1 }')
		;;
	*)
		bail boot "system $_state"
		;;
	esac

	_why=$(apt_inside install /mnt/"$debname") || bail install "$_why"
	ok install
	check active becomes_active
	check journal journal_ok
	check status status_ok "$(inside cat /proc/sys/kernel/hostname)"
	check sandboxed privileges_ok
	check work work_ok
	inside cp /etc/receptor.conf /etc/receptor.conf.orig
	check reload reload_ok
	check low-port low_port_ok
	inside systemctl stop receptor || true
	check stop is_active inactive
	check no-cap-port no_cap_port_ok
	config_restored
	check bad-datadir bad_datadir_ok
	config_restored
	inside rm /etc/receptor.conf.orig
	check remove remove_ok
	check purge purge_ok

	inside systemctl poweroff || true
	if stop_container; then
		ok poweroff
	else
		notok poweroff "systemd-nspawn exited with $?"
	fi
}

# No systemd, as in a container image: apt installs the package, the
# daemon is the container's only program.
unbooted()
{
	cat >"$scratch/root/etc/receptor-nosystemd.conf" <<-EOF
	---
	- node:
	    id: nosystemd
	    datadir: /var/lib/receptor
	- local-only:
	- control-service:
	    filename: $SOCK
	- work-command:
	    worktype: cat
	    command: cat
	EOF
	run_nspawn --pipe --private-network \
	    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    /mnt/"$debname" >>"$scratch/apt.log" 2>&1 ||
	    bail nosystemd-install "$(why "$scratch/apt.log")"
	ok nosystemd-install

	# The socket's directory is the host's, as a volume would be.
	mkdir "$scratch/run"
	start_container nosystemd.log receptor --pipe --private-network \
	    --bind="$scratch/run:/run/receptor" \
	    /usr/sbin/receptor --config /etc/receptor-nosystemd.conf ||
	    bail nosystemd-start "$(why "$scratch/nosystemd.log")"
	if wait_for 30 grep -q "Initialization complete" \
	    "$scratch/nosystemd.log" &&
	    wait_for 30 test -S "$scratch/run/receptor.sock"; then
		ok nosystemd-start
	else
		notok nosystemd-start "$(why "$scratch/nosystemd.log")"
	fi
	check nosystemd-status status_ok nosystemd
	check nosystemd-sandboxed privileges_ok
	check nosystemd-work work_ok

	kill -TERM "$leader"
	if stop_container; then
		ok nosystemd-stop
	else
		notok nosystemd-stop "systemd-nspawn exited with $?"
	fi
}

[ $# -eq 1 ] || { echo "usage: check.sh receptor.deb" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "check.sh: root only" >&2; exit 2; }
deb=$1
debname=$(basename "$deb")

trap cleanup EXIT
trap 'notok check.sh interrupted; exit 1' INT TERM HUP

bootstrap
scratch=$(mktemp -d /var/tmp/receptor-check.XXXXXX)
# systemd-nspawn 252 denies Landlock, which it does not know yet.
nspawn_args="-q --register=no --keep-unit -D $scratch/root
    --system-call-filter=landlock_create_ruleset
    --system-call-filter=landlock_add_rule
    --system-call-filter=landlock_restrict_self"
cp -a "$CACHE/bookworm" "$scratch/root"
cp "$deb" "$scratch/root/mnt/"

# The package's dependencies, fetched while the container has network.
if ! run_nspawn --pipe sh -c "apt-get -q update &&
    apt-get install -y -q --download-only /mnt/$debname" \
    >"$scratch/apt.log" 2>&1; then
	bail download "apt-get: $(why "$scratch/apt.log")"
fi
ok download

booted
unbooted
