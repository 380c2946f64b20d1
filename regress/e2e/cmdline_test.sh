#! /usr/bin/env atf-sh
#
# The receptor command line: checking and printing configs, help, version.

. "$(atf_get_srcdir)/lib.subr"

atf_test_case check_good
check_good_head()
{
	atf_set "descr" "-n accepts a good config and exits 0"
}
check_good_body()
{
	cat >good.conf <<CONF
- node:
    id: foo
- log-level: debug
- tcp-listener:
    port: 2222
- local-only
CONF
	atf_check -s exit:0 -e ignore "$RECEPTOR" -n -c good.conf
}

atf_test_case check_bad
check_bad_head()
{
	atf_set "descr" "-n and a start both refuse a bad config, naming" \
	    "file, line, column, action and field"
}
check_bad_body()
{
	cat >bad.conf <<CONF
- node:
    id: foo
- tcp-listener:
    port: 2222
    costt: 2
CONF
	msg='bad.conf:5:5: tcp-listener: field "costt" not defined .*cost'
	atf_check -s exit:1 -e match:"$msg" "$RECEPTOR" -n -c bad.conf
	atf_check -s exit:1 -e match:"$msg" "$RECEPTOR" -c bad.conf
	atf_check -s exit:1 -e match:'unknown config type.*tcp-listener' \
	    "$RECEPTOR" --tcp-lstener port=1
}

atf_test_case print_roundtrip
print_roundtrip_head()
{
	atf_set "descr" "-nv prints a config that parses to the same output"
}
print_roundtrip_body()
{
	cat >in.conf <<CONF
- node:
    ID: foo
    firewallrules:
      - action: reject
        fromnode: /bad.*/
- log-level: Debug
- tcp-listener:
    port: 2222
    cost: 1.5
    nodecost: {bar: 2.5}
    allowedpeers: [bar, baz]
- tcp-peer: "localhost:2223"
- control-service:
    filename: /tmp/x.sock
    permissions: 0600
CONF
	atf_check -s exit:0 -o save:one.conf "$RECEPTOR" -nv -c in.conf
	atf_check -s exit:0 -o save:two.conf "$RECEPTOR" -nv -c one.conf
	atf_check cmp one.conf two.conf
	atf_check -s exit:0 -o save:cli.conf "$RECEPTOR" -nv --node id=foo \
	    --local-only --tcp-listener port=2222 'nodecost={"bar":2.5}'
	atf_check -s exit:0 -o save:cli2.conf "$RECEPTOR" -nv -c cli.conf
	atf_check cmp cli.conf cli2.conf
	atf_check -s exit:0 -o match:'^- cert-init:' "$RECEPTOR" -nv \
	    --cert-init commonname=ca bits=2048 outcert=ca.crt outkey=ca.key
	test ! -e ca.crt || atf_fail "-nv ran the action"
}

atf_test_case completion
completion_head()
{
	atf_set "descr" "--bash-completion completes actions, then their fields"
	atf_set "require.progs" "bash"
}
completion_body()
{
	"$RECEPTOR" --bash-completion >completion.bash
	atf_check bash -n completion.bash
	# What bash offers for the last of the words given.
	cat >complete.sh <<'EOF'
. ./completion.bash
COMP_WORDS=(receptor "$@")
COMP_CWORD=$#
_receptor 2>/dev/null
echo "${COMPREPLY[*]}"
EOF
	atf_check -o inline:'--tcp-listener\n' bash complete.sh --tcp-l
	atf_check -o inline:'port=\n' bash complete.sh --tcp-listener \
	    bindaddr=::1 po
	atf_check -o inline:'id=\n' bash complete.sh --node i
}

atf_test_case help_version
help_version_head()
{
	atf_set "descr" "--help lists the actions; --version stands alone"
}
help_version_body()
{
	atf_check -s exit:0 -o match:'^Usage: receptor' \
	    -o match:'tcp-listener' -o match:'control-service' "$RECEPTOR" --help
	atf_check -s exit:0 -o match:'^Usage: receptor' "$RECEPTOR"
	atf_check -s exit:0 -o match:'^[0-9]+\.[0-9]+\.[0-9]+$' \
	    "$RECEPTOR" --version
	atf_check -s exit:1 -e match:'cannot specify any other options' \
	    "$RECEPTOR" --version --local-only
}

atf_init_test_cases()
{
	atf_add_test_case check_good
	atf_add_test_case check_bad
	atf_add_test_case print_roundtrip
	atf_add_test_case help_version
	atf_add_test_case completion
}
