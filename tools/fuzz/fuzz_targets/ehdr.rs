// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: `tipc_proto_fuzz::ehdr` over arbitrary bytes.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tipc_proto_fuzz::ehdr(data));
