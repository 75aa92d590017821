# SPDX-License-Identifier: GPL-2.0
# tipc-rs: the commands a person types. Kbuild reads ./Kbuild, not this file.
#
#   make cluster     build everything, boot two VMs running our tipc.ko, shell on node 1
#   make check       run every test (host tests, lints, differential selftests in a VM)
#   make             build tipc.ko against the test kernel (KDIR=... for another kernel)
#   make install     install tipc.ko so that `modprobe tipc` prefers it over the in-tree module
#   make uninstall   undo make install
#   make bench       ours against the C module, AF_UNIX and TCP, in one VM on a release kernel

KDIR ?= $(shell tools/kdir.sh)
LLVM ?= -22
# Lint while compiling: clippy-driver builds the same objects as rustc; warnings are errors.
MODULE_FLAGS := LLVM=$(LLVM) CLIPPY=1 KRUSTFLAGS=-Dwarnings
KRELEASE = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)

.PHONY: all module setup kernel cluster check install uninstall clean bench

all: module

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(MODULE_FLAGS) modules

setup:
	tools/setup.sh

kernel: setup
	tools/kernel.sh

cluster: kernel
	$(MAKE) module
	tools/vm.sh -n 2 -m ours

check:
	tools/check.sh

# Builds the release kernel and our module against it on demand; BENCH_ARGS go to tipc-bench.
bench:
	tools/bench/run.sh $(BENCH_ARGS)

install: module
	tools/install-module.sh install $(KRELEASE)

uninstall:
	tools/install-module.sh uninstall $(KRELEASE)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf target
