#! /usr/bin/env atf-sh
#
# `make install` from the source tree these tests were built from, into a
# DESTDIR: every file it puts there, then the installed daemon and client
# run from it.

. "$(atf_get_srcdir)/lib.subr"

# The tests run in $(OBJ)/regress/e2e of the source tree.
OBJDIR=$(cd "$(atf_get_srcdir)/../.." && pwd)
TOP=$(dirname "$OBJDIR")
OBJNAME=$(basename "$OBJDIR")
PROGS="sbin/receptor libexec/receptor/netd libexec/receptor/workd
    libexec/receptor/ctld libexec/receptor/runner bin/rcptctl"

# install_into DIR [TARGET]: make TARGET (install) with DESTDIR=DIR and
# PREFIX=/usr, logging to make.log. The binaries are the ones built in
# $OBJDIR: make is told they are up to date, so it never rebuilds them in
# another configuration, and nothing of the caller's make leaks in.
install_into()
{
	_old=
	for _p in $PROGS; do
		_old="$_old -o $OBJNAME/$_p"
	done
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$TOP" --no-print-directory OBJ="$OBJNAME" $_old \
	    DESTDIR="$1" PREFIX=/usr "${2:-install}" >make.log 2>&1 ||
	    atf_fail "make ${2:-install}: $(cat make.log)"
}

# unit_line KEY: the value of KEY= in the installed unit.
unit_line()
{
	sed -n "s/^$1=//p" root/lib/systemd/system/receptor.service
}

# example KEY: a field of the installed example config.
example()
{
	sed -n "s/^ *$1: *//p" root/etc/receptor.conf
}

atf_test_case files
files_head()
{
	atf_set "descr" "make install puts every file in place with its mode," \
	    "and touches no user or directory of the live system"
}
files_body()
{
	# Stand-ins that record any call the install must not make here.
	mkdir shim
	for c in useradd systemd-tmpfiles systemd-sysusers; do
		printf '#!/bin/sh\necho %s "$@" >>"%s/called"\n' \
		    "$c" "$PWD" >shim/$c
		chmod +x shim/$c
	done
	printf '#!/bin/sh\nexit 2\n' >shim/getent
	chmod +x shim/getent
	PATH="$PWD/shim:$PATH" install_into "$PWD/root"
	test ! -e called || atf_fail "with DESTDIR, make install ran: $(cat called)"

	for p in $PROGS; do
		f=root/usr/$p
		test -f "$f" -a -x "$f" || atf_fail "$f is not an executable"
		cmp -s "$f" "$OBJDIR/$p" ||
		    atf_fail "$f is not the binary built in $OBJDIR"
	done
	for m in man8/receptor.8 man5/receptor.conf.5 man1/rcptctl.1; do
		f=root/usr/share/man/$m
		cmp -s "$f" "$TOP/man/${m#*/}" || atf_fail "$f missing or different"
		atf_check_equal "$m:644" "$m:$(stat -c %a "$f")"
	done
	for f in etc/receptor.conf lib/systemd/system/receptor.service \
	    usr/lib/sysusers.d/receptor.conf usr/lib/tmpfiles.d/receptor.conf \
	    usr/share/bash-completion/completions/rcptctl; do
		atf_check_equal "$f:644" "$f:$(stat -c %a root/"$f")"
	done
	cmp -s root/etc/receptor.conf "$TOP/etc/receptor.conf" ||
	    atf_fail "the example config is not installed as it is"
	cmp -s root/usr/share/bash-completion/completions/rcptctl \
	    "$TOP/etc/rcptctl.bash-completion" ||
	    atf_fail "the bash completion is not installed as it is"
	receptor_out=$(root/usr/sbin/receptor -n -c root/etc/receptor.conf 2>&1) ||
	    atf_fail "the installed config does not check: $receptor_out"
}

atf_test_case config_kept
config_kept_head()
{
	atf_set "descr" "make install does not overwrite an existing config"
}
config_kept_body()
{
	install_into "$PWD/root"
	echo "# edited" >>root/etc/receptor.conf
	cp root/etc/receptor.conf edited.conf
	install_into "$PWD/root"
	cmp -s root/etc/receptor.conf edited.conf ||
	    atf_fail "a second make install replaced the edited config"
}

atf_test_case unit
unit_head()
{
	atf_set "descr" "The systemd unit starts the installed binary, is" \
	    "hardened, and still lets receptor sandbox children and exec"
}
unit_body()
{
	install_into "$PWD/root"
	atf_check_equal "/usr/sbin/receptor --config /etc/receptor.conf" \
	    "$(unit_line ExecStart)"
	test -x root/usr/sbin/receptor || atf_fail "ExecStart is not installed"

	for kv in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes \
	    PrivateTmp=yes PrivateDevices=yes SystemCallArchitectures=native \
	    RestrictAddressFamilies="AF_UNIX AF_INET AF_INET6" \
	    RestrictNamespaces=yes LockPersonality=yes RestrictSUIDSGID=yes \
	    RuntimeDirectory=receptor; do
		atf_check_equal "$kv" "${kv%%=*}=$(unit_line "${kv%%=*}")"
	done

	# The datadir and socket directory of the example are writable;
	# the children's root stays read-only.
	rw=" $(unit_line ReadWritePaths) "
	datadir=$(example datadir)
	sockdir=$(dirname "$(example filename)")
	for d in "$datadir" "$sockdir"; do
		case $rw in
		*" $d "*) ;;
		*) atf_fail "ReadWritePaths=$rw lacks $d" ;;
		esac
	done
	case $rw in
	*/var/empty*) atf_fail "/var/empty is writable: ReadWritePaths=$rw" ;;
	esac

	# Root, to chroot and setuid the children; exec allowed.
	test -z "$(unit_line User)" || atf_fail "the parent must start as root"
	caps=" $(unit_line CapabilityBoundingSet) "
	for c in CAP_SETUID CAP_SETGID CAP_SYS_CHROOT CAP_KILL; do
		case $caps in
		*" $c "*) ;;
		*) atf_fail "CapabilityBoundingSet lacks $c" ;;
		esac
	done
	unit_line SystemCallFilter >filters
	while read -r f; do
		case $f in
		"~"*) ;;
		*) atf_fail "SystemCallFilter=$f is an allow list" ;;
		esac
		case $f in
		*execve*|*@process*|*@setuid*|*@mount*|*@privileged*)
			atf_fail "SystemCallFilter=$f denies what receptor needs" ;;
		esac
	done <filters
	test -z "$(unit_line NoExecPaths)" || atf_fail "NoExecPaths= forbids exec"
}

atf_test_case unit_verify
unit_verify_head()
{
	atf_set "descr" "systemd-analyze verifies the installed unit and" \
	    "rates its exposure below 5"
	atf_set "require.progs" "systemd-analyze"
}
unit_verify_body()
{
	install_into "$PWD/root"
	# The unit as it would be on the system, its binary in DESTDIR.
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$PWD/root/usr/sbin/|" \
	    root/lib/systemd/system/receptor.service >receptor.service
	atf_check -o ignore -e ignore \
	    systemd-analyze verify --man=no "$PWD/receptor.service"
	if systemd-analyze security --offline=yes --man=no \
	    "$PWD/receptor.service" >security.out 2>&1; then
		level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
		    security.out)
		[ -n "$level" ] || atf_fail "no exposure level: $(cat security.out)"
		awk -v l="$level" 'BEGIN { exit !(l < 5.0) }' ||
		    atf_fail "exposure level $level: $(cat security.out)"
	else
		echo "systemd-analyze security --offline unsupported here:" \
		    "exposure not rated" >&2
	fi
}

atf_test_case sysusers_tmpfiles
sysusers_tmpfiles_head()
{
	atf_set "descr" "sysusers.d makes _receptor; tmpfiles.d makes" \
	    "/run/receptor, the example's datadir and a root-owned /var/empty"
}
sysusers_tmpfiles_body()
{
	install_into "$PWD/root"
	grep -qE '^u[[:space:]]+_receptor[[:space:]]+-[[:space:]]' \
	    root/usr/lib/sysusers.d/receptor.conf ||
	    atf_fail "no _receptor in sysusers.d"
	tmp=root/usr/lib/tmpfiles.d/receptor.conf
	sockdir=$(dirname "$(example filename)")
	for line in "d $sockdir 0755 root root -" \
	    "d $(example datadir) 0700 _receptor _receptor -" \
	    "d /var/empty 0755 root root -"; do
		awk '!/^#/ { $1 = $1; print }' "$tmp" | grep -qxF "$line" ||
		    atf_fail "tmpfiles.d lacks '$line': $(cat "$tmp")"
	done
}

atf_test_case completion
completion_head()
{
	atf_set "descr" "The installed bash completion offers rcptctl's" \
	    "commands and options, and files after --socket"
	atf_set "require.progs" "bash"
}
completion_body()
{
	install_into "$PWD/root"
	touch ctlfile.sock
	cat >complete.sh <<'EOS'
. root/usr/share/bash-completion/completions/rcptctl
PATH=$PWD/root/usr/bin:$PATH
# complete WORD...: COMPREPLY after the last word, one a line.
complete_words()
{
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	_rcptctl
	printf '%s\n' "${COMPREPLY[@]}"
}
complete_words "$@"
EOS
	atf_check -o inline:"status\n" bash complete.sh rcptctl st
	atf_check -o inline:"--socket\n" bash complete.sh rcptctl --so
	atf_check -o inline:"ctlfile.sock\n" \
	    bash complete.sh rcptctl --socket ctlf
	atf_check -o inline:"ctlfile.sock\n" \
	    bash complete.sh rcptctl --socket = ctlf
	atf_check -o inline:"status\n" \
	    bash complete.sh rcptctl --socket x.sock st
	atf_check -o match:'^--json$' -o match:'^--dot$' \
	    bash complete.sh rcptctl --socket x.sock status --
	atf_check -o match:'^--count$' -o match:'^--delay$' \
	    bash complete.sh rcptctl ping foo --

	# Every command and global option rcptctl.c defines.
	bash complete.sh rcptctl "" >commands
	for c in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",[[:space:]]*cmd_.*/\1/p' \
	    "$TOP/rcptctl/rcptctl.c"); do
		grep -qx "$c" commands || atf_fail "command $c not offered"
	done
	bash complete.sh rcptctl -- >options
	for o in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",[[:space:]]*\(required\|no\)_argument.*/\1/p' \
	    "$TOP/rcptctl/rcptctl.c"); do
		grep -qx -- "--$o" options || atf_fail "option --$o not offered"
	done
	# And every work command and its options work.c defines.
	atf_check -o inline:"release\nresults\n" \
	    bash complete.sh rcptctl --socket x.sock work re
	atf_check -o inline:"--payload\n--payload-literal\n" \
	    bash complete.sh rcptctl work submit cat --payl
	atf_check -o inline:"ctlfile.sock\n" \
	    bash complete.sh rcptctl work submit cat -p ctlf
	bash complete.sh rcptctl work "" >subcommands
	for c in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)",[[:space:]]*work_.*/\1/p' \
	    "$TOP/rcptctl/work.c"); do
		grep -qx "$c" subcommands || atf_fail "work $c not offered"
		bash complete.sh rcptctl work "$c" -- >>suboptions
	done
	for o in $(sed -n 's/^[[:space:]]*{ "\([a-z_-]*\)",[[:space:]]*\(required\|no\)_argument.*/\1/p' \
	    "$TOP/rcptctl/work.c"); do
		grep -qx -- "--$o" suboptions ||
		    atf_fail "option --$o of work not offered"
	done
}

atf_test_case run cleanup
run_head()
{
	atf_set "descr" "The installed receptor starts its installed children," \
	    "answers the installed rcptctl and stops on SIGTERM"
}
run_body()
{
	install_into "$PWD/root"
	"$PWD/root/usr/sbin/receptor" --node id=inst datadir="$PWD/data" \
	    --local-only --control-service filename="$PWD/ctl.sock" \
	    >log 2>&1 &
	echo $! >receptor.pid
	wait_log 'Initialization complete'
	for c in netd workd ctld; do
		atf_check_equal "$PWD/root/usr/libexec/receptor/$c" \
		    "$(readlink /proc/"$(child_pid $c)"/exe)"
	done
	atf_check -o match:'^Node ID: inst$' \
	    "$PWD/root/usr/bin/rcptctl" --socket "$PWD/ctl.sock" status
	stops_with 0
}
run_cleanup()
{
	stop_receptor
}

atf_test_case uninstall
uninstall_head()
{
	atf_set "descr" "make uninstall removes what make install put but" \
	    "the config"
}
uninstall_body()
{
	install_into "$PWD/root"
	install_into "$PWD/root" uninstall
	atf_check -o inline:"root/etc/receptor.conf\n" find root -type f
}

atf_init_test_cases()
{
	atf_add_test_case files
	atf_add_test_case config_kept
	atf_add_test_case unit
	atf_add_test_case unit_verify
	atf_add_test_case sysusers_tmpfiles
	atf_add_test_case completion
	atf_add_test_case run
	atf_add_test_case uninstall
}
