# receptor: a privilege-separated Receptor mesh daemon.
#
#	make		build everything into $(OBJ)
#	make run	install missing packages, build, run a node on etc/
#	make check	install missing packages, build, run the test suite
#	make deb	the Debian package, into $(OBJ)/deb, linted
#	make check-system	the package under a booted Debian 12 (root)
#	make install	PREFIX=/usr/local DESTDIR=
#	make uninstall	the same variables; leaves the config
#	make SANITIZE=1	the same with ASan+UBSan (objects in obj-san/)

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
BINDIR		?= $(PREFIX)/bin
LIBEXECDIR	?= $(PREFIX)/libexec/receptor
MANDIR		?= $(PREFIX)/share/man
SYSCONFDIR	?= /etc
SYSTEMDDIR	?= /lib/systemd/system
SYSUSERSDIR	?= /usr/lib/sysusers.d
TMPFILESDIR	?= /usr/lib/tmpfiles.d
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
DESTDIR		?=

VERSION		 = 0.1.0
CC		?= cc
CFLAGS		?= -O2 -g
# -Wno-unused-result: a write(2) cast to void reports what nothing else
# can, and glibc's fortified headers would warn of it all the same.
WARNINGS	 = -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
		   -Wshadow -Wpointer-arith -Wno-unused-parameter \
		   -Wno-unused-result
PKGS		 = libbsd-overlay libevent yaml-0.1 json-c libseccomp libtls \
		   libcrypto libssl libwebsockets gnutls libngtcp2 \
		   libngtcp2_crypto_gnutls

ifeq ($(FUZZ),1)
OBJ		?= obj-fuzz
CC		 = clang
SANFLAGS	 = -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-omit-frame-pointer
else ifeq ($(SANITIZE),1)
OBJ		?= obj-san
SANFLAGS	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
else
OBJ		?= obj
SANFLAGS	 =
endif

PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ATF_CFLAGS	:= $(shell pkg-config --cflags atf-c 2>/dev/null)
ATF_LIBS	:= $(shell pkg-config --libs atf-c 2>/dev/null)

ALL_CFLAGS	 = $(CFLAGS) $(WARNINGS) $(SANFLAGS) -std=gnu11 \
		   -D_GNU_SOURCE -DRECEPTOR_VERSION='"$(VERSION)"' \
		   -Icommon -Iproto -Inetd -Iworkd -Ictld -Ircptctl $(PKG_CFLAGS)
# Each program loads only the libraries it calls (netd alone needs QUIC).
ALL_LDFLAGS	 = $(LDFLAGS) $(SANFLAGS) -Wl,--as-needed

# The programs are linked at fixed addresses with every library that has
# an archive inside. A position-independent program relocates the data
# of its libraries into pages of its own (libcrypto's alone: 400 kB in
# each process); a fixed one maps them from its file, one copy for every
# process of every node on the machine. PIE=1, as the Debian package is
# built, keeps code at random addresses too, for 2 MB more a node; the
# sanitizers want shared libraries.
STATIC_LIBS	 = -lwebsockets -lngtcp2_crypto_gnutls -lngtcp2 -lgnutls \
		   -lhogweed -lnettle -lgmp -ltasn1 -lidn2 -ltls -lssl \
		   -lcrypto -levent -lyaml -ljson-c -lseccomp -lbsd -lmd -lcap
ifeq ($(PIE)$(SANITIZE)$(FUZZ),)
PROG_LDFLAGS	 = -no-pie
PROG_LIBS	:= -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic $(filter-out \
		   $(STATIC_LIBS),$(shell pkg-config --static --libs $(PKGS) \
		   2>/dev/null))
else
PROG_LDFLAGS	 =
PROG_LIBS	 = $(PKG_LIBS)
endif

# Debian packages the build and `make run` need; the tests, the
# benchmarks and the man page lint need more, and fuzzing clang.
DEBS		 = build-essential pkg-config libbsd-dev libevent-dev \
		   libyaml-dev libjson-c-dev libseccomp-dev libtls-dev \
		   libwebsockets-dev libgnutls28-dev libngtcp2-dev \
		   libngtcp2-crypto-gnutls-dev libunistring-dev
# The tests' QUIC peers are built with Debian's quic-go; receptorctl,
# the Python client, needs click, yaml and dateutil.
TEST_DEBS	 = libatf-dev atf-sh kyua mandoc curl openssl procps \
		   python3 python3-click python3-yaml python3-dateutil \
		   golang-go golang-github-lucas-clemente-quic-go-dev
FUZZ_DEBS	 = clang libclang-rt-14-dev libatf-dev

COMMON_SRCS	 = $(wildcard common/*.c)
PROTO_SRCS	 = $(wildcard proto/*.c)
PARENT_SRCS	 = $(wildcard receptor/*.c)
NETD_SRCS	 = $(wildcard netd/*.c)
WORKD_SRCS	 = $(wildcard workd/*.c)
CTLD_SRCS	 = $(wildcard ctld/*.c)
RCPTCTL_SRCS	 = $(wildcard rcptctl/*.c)
UNIT_SRCS	 = $(wildcard regress/unit/*_test.c)
UNIT_HELPERS	 = $(OBJ)/regress/unit/atf_lsan.o $(OBJ)/regress/unit/testfile.o
E2E_SRCS	 = $(wildcard regress/e2e/*_test.sh)
FUZZ_SRCS	 = $(wildcard regress/fuzz/*_fuzz.c)
BENCH_SRCS	 = $(wildcard regress/bench/*.sh)
KYUAFILES	 = $(wildcard regress/Kyuafile regress/*/Kyuafile)

objs		 = $(patsubst %.c,$(OBJ)/%.o,$(1))
LIBCOMMON	 = $(OBJ)/libcommon.a
# Each program's code but its main(), for the unit tests to link.
LIBNETD		 = $(OBJ)/libnetd.a
LIBWORKD	 = $(OBJ)/libworkd.a
LIBCTLD		 = $(OBJ)/libctld.a
LIBRCPTCTL	 = $(OBJ)/librcptctl.a
LIBS_CHILDREN	 = $(LIBNETD) $(LIBWORKD) $(LIBCTLD) $(LIBRCPTCTL)
PARENT		 = $(OBJ)/sbin/receptor
NETD		 = $(OBJ)/libexec/receptor/netd
WORKD		 = $(OBJ)/libexec/receptor/workd
CTLD		 = $(OBJ)/libexec/receptor/ctld
RUNNER		 = $(OBJ)/libexec/receptor/runner
RCPTCTL		 = $(OBJ)/bin/rcptctl
PROGS		 = $(PARENT) $(NETD) $(WORKD) $(CTLD) $(RUNNER) \
		   $(if $(RCPTCTL_SRCS),$(RCPTCTL))
# A runner stays beside each work command, outliving the daemon: it
# loads as little as it can.
RUNNER_LIBS	:= $(shell pkg-config --libs json-c 2>/dev/null)
UNIT_TESTS	 = $(patsubst %.c,$(OBJ)/%,$(UNIT_SRCS))
E2E_TESTS	 = $(patsubst %.sh,$(OBJ)/%,$(E2E_SRCS))
QUICUDP		 = $(OBJ)/regress/interop/quicudp
NOLANDLOCK	 = $(OBJ)/regress/tools/nolandlock
QUICPEER	 = $(OBJ)/regress/interop/quicpeer
REGRESS		 = $(UNIT_TESTS) $(E2E_TESTS) $(addprefix $(OBJ)/,$(KYUAFILES)) \
		   $(QUICUDP) $(NOLANDLOCK) \
		   $(patsubst %,$(OBJ)/%,$(wildcard regress/e2e/*.subr \
		   regress/e2e/*.py)) \
		   $(patsubst %,$(OBJ)/%,$(wildcard regress/unit/data/*)) \
		   $(patsubst man/%,$(OBJ)/regress/man/%,$(MANS))
MANS		 = $(wildcard man/*.[158])

.PHONY: all deps run check fuzz fuzz-run bench install uninstall lint clean \
	programs deb check-system

all: $(PROGS) $(REGRESS)

deps:
	@missing=; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		    grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq $$missing >/dev/null || exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ] && ! getent passwd _receptor >/dev/null; then \
		echo "creating user _receptor"; \
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin _receptor || exit 1; \
	fi

# The example config, logging to the terminal; ^C stops every process.
run: deps
	@$(MAKE) --no-print-directory $(PROGS)
	$(PARENT) --config etc/receptor.conf

# The real Go receptor and receptorctl, for the tests that mix them with
# ours; those tests skip, saying why, where ../shared/interop is absent.
INTEROP		?= $(abspath $(wildcard ../shared/interop))
RECEPTOR_GO	 = $(INTEROP)/receptor-go-1.4.9
RECEPTORCTL_PATH = $(INTEROP)/receptorctl-1.4.9
KYUA_VARS	 = $(if $(INTEROP), \
		   -v test_suites.receptor.receptor_go=$(RECEPTOR_GO) \
		   -v test_suites.receptor.receptorctl_path=$(RECEPTORCTL_PATH))

check: DEBS += $(TEST_DEBS)
check: deps
	@$(MAKE) --no-print-directory all $(QUICPEER)
	cd $(OBJ)/regress && kyua $(KYUA_VARS) test

$(LIBCOMMON): $(call objs,$(COMMON_SRCS) $(PROTO_SRCS))
$(LIBNETD): $(call objs,$(filter-out netd/netd.c,$(NETD_SRCS)))
$(LIBWORKD): $(call objs,$(filter-out workd/workd.c workd/runner.c,\
    $(WORKD_SRCS)))
$(LIBCTLD): $(call objs,$(filter-out ctld/ctld.c,$(CTLD_SRCS)))
$(LIBRCPTCTL): $(call objs,$(filter-out rcptctl/rcptctl.c,$(RCPTCTL_SRCS)))
$(LIBCOMMON) $(LIBS_CHILDREN):
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(PARENT): $(call objs,$(PARENT_SRCS)) $(LIBCOMMON)
$(NETD): $(OBJ)/netd/netd.o $(LIBNETD) $(LIBCOMMON)
$(WORKD): $(OBJ)/workd/workd.o $(LIBWORKD) $(LIBCOMMON)
$(CTLD): $(OBJ)/ctld/ctld.o $(LIBCTLD) $(LIBCOMMON)
$(RUNNER): $(OBJ)/workd/runner.o $(LIBCOMMON)
$(RUNNER): PROG_LIBS = $(RUNNER_LIBS)
# Each unit execs one: static, it skips the dynamic loader (0.2 ms of the
# 0.9 ms an exec takes here); the sanitizers need dynamic linking.
ifeq ($(SANITIZE)$(FUZZ),)
$(RUNNER): PROG_LDFLAGS = -static
endif
$(RCPTCTL): $(OBJ)/rcptctl/rcptctl.o $(LIBRCPTCTL) $(LIBCOMMON)
$(PROGS):
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(PROG_LDFLAGS) -o $@ $^ $(PROG_LIBS)

$(QUICUDP): $(QUICUDP).o $(LIBNETD) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(NOLANDLOCK): $(NOLANDLOCK).o
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Debian's Go packages, without modules or the network.
$(QUICPEER): regress/interop/quicpeer.go
	@mkdir -p $(@D)
	GO111MODULE=off GOPATH=/usr/share/gocode \
	    GOCACHE=$(abspath $(OBJ))/gocache go build -o $@ $^

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ATF_CFLAGS) -MMD -MP -c -o $@ $<

$(OBJ)/regress/unit/%_test: $(OBJ)/regress/unit/%_test.o $(UNIT_HELPERS) \
    $(LIBS_CHILDREN) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(ATF_LIBS)

$(OBJ)/regress/e2e/%_test: regress/e2e/%_test.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

$(OBJ)/regress/man/%: man/%
	@mkdir -p $(@D)
	install -m 644 $< $@

$(OBJ)/regress/%: regress/%
	@mkdir -p $(@D)
	install -m 644 $< $@

# libFuzzer harnesses (built with FUZZ=1 into obj-fuzz/), each run for
# FUZZTIME seconds on a corpus kept in the build directory.
FUZZTIME	?= 60
FUZZERS		 = $(patsubst regress/fuzz/%.c,$(OBJ)/fuzz/%,$(FUZZ_SRCS))

$(OBJ)/fuzz/%: $(OBJ)/regress/fuzz/%.o $(LIBS_CHILDREN) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

fuzz: DEBS += $(FUZZ_DEBS)
fuzz: deps
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-run

fuzz-run: $(FUZZERS)
	@for f in $(FUZZERS); do \
		corpus=$(OBJ)/corpus/$$(basename $$f); \
		mkdir -p $$corpus; \
		echo "fuzzing $$f for $(FUZZTIME)s"; \
		$$f -max_total_time=$(FUZZTIME) -print_final_stats=1 \
		    $$corpus || exit 1; \
	done

bench: DEBS += $(TEST_DEBS)
bench: deps
	@$(MAKE) --no-print-directory all
	@for b in $(BENCH_SRCS); do \
		OBJ=$(OBJ) RECEPTOR_GO=$(RECEPTOR_GO) sh $$b || exit 1; \
	done

lint: DEBS += mandoc
lint: deps
	mandoc -Tlint -Wwarning $(MANS)

# Users and directories only on the live system, never into a DESTDIR:
# packages do that with systemd-sysusers and systemd-tmpfiles.
install: $(PROGS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(SYSCONFDIR) $(DESTDIR)$(SYSTEMDDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(PARENT) $(DESTDIR)$(SBINDIR)/receptor
	install -m 755 $(NETD) $(WORKD) $(CTLD) $(RUNNER) \
	    $(DESTDIR)$(LIBEXECDIR)/
	$(if $(RCPTCTL_SRCS),install -m 755 $(RCPTCTL) $(DESTDIR)$(BINDIR)/)
	install -m 644 man/receptor.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 man/receptor.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(if $(wildcard man/rcptctl.1),install -m 644 man/rcptctl.1 \
	    $(DESTDIR)$(MANDIR)/man1/)
	[ -e $(DESTDIR)$(SYSCONFDIR)/receptor.conf ] || \
	    install -m 644 etc/receptor.conf $(DESTDIR)$(SYSCONFDIR)/
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    etc/receptor.service >$(DESTDIR)$(SYSTEMDDIR)/receptor.service
	chmod 644 $(DESTDIR)$(SYSTEMDDIR)/receptor.service
	install -m 644 etc/receptor.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/receptor.conf
	install -m 644 etc/receptor.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/receptor.conf
	install -m 644 etc/rcptctl.bash-completion \
	    $(DESTDIR)$(BASHCOMPDIR)/rcptctl
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		getent passwd _receptor >/dev/null || \
		    useradd --system --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin \
		    _receptor || exit 1; \
		if command -v systemd-tmpfiles >/dev/null; then \
			systemd-tmpfiles --create \
			    $(TMPFILESDIR)/receptor.conf || exit 1; \
		fi; \
	fi

# The configuration, the user and its data stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/receptor $(DESTDIR)$(BINDIR)/rcptctl \
	    $(DESTDIR)$(LIBEXECDIR)/netd $(DESTDIR)$(LIBEXECDIR)/workd \
	    $(DESTDIR)$(LIBEXECDIR)/ctld $(DESTDIR)$(LIBEXECDIR)/runner \
	    $(DESTDIR)$(MANDIR)/man8/receptor.8 \
	    $(DESTDIR)$(MANDIR)/man5/receptor.conf.5 \
	    $(DESTDIR)$(MANDIR)/man1/rcptctl.1 \
	    $(DESTDIR)$(SYSTEMDDIR)/receptor.service \
	    $(DESTDIR)$(SYSUSERSDIR)/receptor.conf \
	    $(DESTDIR)$(TMPFILESDIR)/receptor.conf \
	    $(DESTDIR)$(BASHCOMPDIR)/rcptctl
	rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null || true

clean:
	rm -rf obj obj-san obj-fuzz obj-deb

# The Debian package (etc/debian, linked as debian/ for dpkg-buildpackage):
# `make deb` builds it from a copy of the tree, so that neither the tree
# nor its parent gets dpkg's files, into $(OBJ)/deb/, and lints it.
DEB_DEBS	 = debhelper dpkg-dev lintian
SYSTEM_DEBS	 = debootstrap systemd-container procps
# The build's packages, which etc/debian/control must list too.
BUILD_DEBS	:= $(filter-out build-essential,$(DEBS))
DEB_TREE	 = Makefile README.md common proto netd workd ctld receptor \
		   rcptctl man regress etc debian
DEB		 = $(OBJ)/deb/receptor_$(VERSION)_$(shell \
		   dpkg --print-architecture).deb

# The programs alone, as packages build them.
programs: $(PROGS)

deb: DEBS += $(DEB_DEBS)
deb: deps
	@for p in $(BUILD_DEBS); do \
		grep -Eq "^ +$$p,?$$" etc/debian/control || { \
			echo "etc/debian/control: $$p not in Build-Depends"; \
			exit 1; }; \
	done
	rm -rf $(OBJ)/deb
	mkdir -p $(OBJ)/deb
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	    mkdir $$tmp/src && cp -a $(DEB_TREE) $$tmp/src/ && \
	    (cd $$tmp/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    dpkg-buildpackage -us -uc -b -Jauto) && \
	    mv $$tmp/*.deb $$tmp/*.buildinfo $$tmp/*.changes $(OBJ)/deb/
	lintian $(DEB:.deb=.changes)
	@echo $(DEB)

# The package installed and its service run in a booted Debian 12
# container (root only).
check-system: DEBS += $(SYSTEM_DEBS)
check-system: deb
	sh regress/system/check.sh $(DEB)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
.SECONDARY:
