// SPDX-License-Identifier: GPL-2.0

//! Just enough pcap to read our captures and write Ethernet frames for tshark.

use std::vec::Vec;

/// Ethernet type of TIPC.
pub(super) const ETH_P_TIPC: u16 = 0x88ca;

/// The frames of a classic pcap file (either byte order, micro- or nanosecond stamps).
pub(super) fn frames(file: &[u8]) -> Vec<&[u8]> {
    let magic = u32::from_le_bytes(file[..4].try_into().unwrap());
    let le = match magic {
        0xa1b2_c3d4 | 0xa1b2_3c4d => true,
        0xd4c3_b2a1 | 0x4d3c_b2a1 => false,
        _ => panic!("not a pcap file"),
    };
    let rd = |b: &[u8]| {
        let a: [u8; 4] = b.try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let incl = rd(&file[at + 8..at + 12]) as usize;
        out.push(&file[at + 16..at + 16 + incl]);
        at += 16 + incl;
    }
    out
}

/// The TIPC message of an Ethernet frame, with any padding, if it is one.
pub(super) fn tipc_payload(frame: &[u8]) -> Option<&[u8]> {
    if frame.len() > 14 && u16::from_be_bytes([frame[12], frame[13]]) == ETH_P_TIPC {
        Some(&frame[14..])
    } else {
        None
    }
}

/// A pcap file of Ethernet frames carrying `msgs` from one node to another.
pub(super) fn write(msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&65535u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes()); // Ethernet
    for (i, m) in msgs.iter().enumerate() {
        let mut frame = Vec::new();
        frame.extend_from_slice(&[0x52, 0x54, 0, 0, 0, 2, 0x52, 0x54, 0, 0, 0, 1]);
        frame.extend_from_slice(&ETH_P_TIPC.to_be_bytes());
        frame.extend_from_slice(m);
        while frame.len() < 60 {
            frame.push(0);
        }
        f.extend_from_slice(&(i as u32).to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        f.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        f.extend_from_slice(&frame);
    }
    f
}
