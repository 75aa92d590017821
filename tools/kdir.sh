#!/bin/bash
# Prints the test kernel's build directory (for the Makefile's KDIR default).
source "$(dirname "$0")/lib.sh"
kbuild_dir debug
