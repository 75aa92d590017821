// SPDX-License-Identifier: GPL-2.0

//! The text answers, character for character as the C module prints them: the name table
//! (`TIPC_CMD_SHOW_NAME_TABLE`), the sockets (`TIPC_CMD_SHOW_PORTS`), a link's statistics
//! (`TIPC_CMD_SHOW_LINK_STATS`) and the version (`TIPC_CMD_SHOW_STATS`).
//!
//! Writers never fail: a [`Reply`](super::reply::Reply) cuts the text short at its limit.

use super::{zcn, NTQ_ALLTYPES};
use crate::proto::netlink::stats as nla;
use core::fmt::{self, Write};

/// `TIPC_CMD_SHOW_STATS`'s text (`TIPC_MOD_VER`).
pub(crate) fn version(out: &mut impl Write) -> fmt::Result {
    out.write_str("TIPC version 2.0.0\n")
}

/// A name table query (`struct tipc_name_table_query`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct NameQuery {
    /// How many columns (1 to 4), with [`NTQ_ALLTYPES`] for every type; used as C uses it.
    pub(crate) depth: u32,
    /// The type, unless every type is asked for.
    pub(crate) ty: u32,
    /// Ranges wholly below it are left out, unless it is 0.
    pub(crate) lower: u32,
    /// Ranges wholly above it are left out, unless it is 0.
    pub(crate) upper: u32,
}

/// One binding as the name table dump gives it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Binding {
    pub(crate) ty: u32,
    pub(crate) lower: u32,
    pub(crate) upper: u32,
    pub(crate) scope: u32,
    pub(crate) node: u32,
    pub(crate) port: u32,
    pub(crate) key: u32,
}

impl NameQuery {
    /// The header line: as many column titles as the depth says (at most 4; a depth with
    /// [`NTQ_ALLTYPES`] set is above 4).
    pub(crate) fn header(&self, out: &mut impl Write) -> fmt::Result {
        const TITLES: [&str; 4] = [
            "Type       ",
            "Lower      Upper      ",
            "Port Identity              ",
            "Publication Scope",
        ];
        for t in TITLES.iter().take(self.depth.min(4) as usize) {
            out.write_str(t)?;
        }
        out.write_str("\n")
    }

    /// Whether binding `b` is shown.
    pub(crate) fn shows(&self, b: &Binding) -> bool {
        (self.depth & NTQ_ALLTYPES != 0 || self.ty == b.ty)
            && (self.lower == 0 || self.lower <= b.upper)
            && (self.upper == 0 || self.upper >= b.lower)
    }

    /// The line of binding `b`, whose columns are cut at depths 1, 2 and 3 exactly (any other
    /// depth, [`NTQ_ALLTYPES`] included, shows all four).
    pub(crate) fn row(&self, out: &mut impl Write, b: &Binding) -> fmt::Result {
        const SCOPES: [&str; 4] = ["", " zone", " cluster", " node"];
        write!(out, "{:<10} ", b.ty)?;
        if self.depth != 1 {
            write!(out, "{:<10} {:<10} ", b.lower, b.upper)?;
            if self.depth != 2 {
                let (z, c, n) = zcn(b.node);
                let mut port = PortId::default();
                write!(port, "<{z}.{c}.{n}:{}>", b.port)?;
                write!(out, "{:<26} ", port.as_str())?;
                if self.depth != 3 {
                    let scope = SCOPES.get(b.scope as usize).copied().unwrap_or("");
                    write!(out, "{:<10} {scope}", b.key)?;
                }
            }
        }
        out.write_str("\n")
    }
}

/// A port identity `<Z.C.N:port>` (at most 26 characters and C's NUL), padded as a column.
#[derive(Default)]
struct PortId {
    buf: [u8; 27],
    len: usize,
}

impl PortId {
    fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }
}

impl Write for PortId {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let dst = self
            .buf
            .get_mut(self.len..self.len + s.len())
            .ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len += s.len();
        Ok(())
    }
}

/// What `TIPC_CMD_SHOW_PORTS` says of one socket after its port.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PortState {
    /// Connected to `port` on `node`, through service `{type, instance}` if it was named.
    Connected {
        node: u32,
        port: u32,
        via: Option<(u32, u32)>,
    },
    /// Bound: its bindings follow, each with [`binding`].
    Bound,
    /// Neither.
    Idle,
}

/// The start of a socket's line: its port and state; a bound socket's bindings follow, then
/// [`port_end`].
pub(crate) fn port_start(out: &mut impl Write, port: u32, state: &PortState) -> fmt::Result {
    write!(out, "{port}:")?;
    match *state {
        PortState::Connected { node, port, via } => {
            let (z, c, n) = zcn(node);
            write!(out, "  connected to <{z}.{c}.{n}:{port}>")?;
            match via {
                Some((ty, instance)) => writeln!(out, " via {{{ty},{instance}}}"),
                None => out.write_str("\n"),
            }
        }
        PortState::Bound => out.write_str(" bound to"),
        PortState::Idle => Ok(()),
    }
}

/// One binding of a bound socket: `{type,instance}` or `{type,lower,upper}`.
pub(crate) fn binding(out: &mut impl Write, ty: u32, lower: u32, upper: u32) -> fmt::Result {
    if lower == upper {
        write!(out, " {{{ty},{lower}}}")
    } else {
        write!(out, " {{{ty},{lower},{upper}}}")
    }
}

/// The end of a socket's line.
pub(crate) fn port_end(out: &mut impl Write) -> fmt::Result {
    out.write_str("\n")
}

/// A link's counters by `TIPC_NLA_STATS_*` attribute, as its netlink stats nest has them
/// (absent ones zero).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Counters([u32; nla::AVG_QUEUE as usize + 1]);

impl Counters {
    /// The counters of a stats nest's attributes.
    pub(crate) fn new(attrs: impl Iterator<Item = (u16, u32)>) -> Self {
        let mut c = [0; nla::AVG_QUEUE as usize + 1];
        for (k, v) in attrs {
            if let Some(slot) = c.get_mut(usize::from(k)) {
                *slot = v;
            }
        }
        Self(c)
    }

    fn get(&self, kind: u16) -> u32 {
        self.0.get(usize::from(kind)).copied().unwrap_or(0)
    }

    /// `kind`s share of the message length profile, rounded, in C's 32-bit arithmetic.
    fn percent(&self, kind: u16) -> u32 {
        let total = self.get(nla::MSG_PROF_TOT);
        self.get(kind)
            .wrapping_mul(100)
            .wrapping_add(total / 2)
            .checked_div(total)
            .unwrap_or(0)
    }
}

/// What `TIPC_CMD_SHOW_LINK_STATS` shows of a link to a peer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct LinkFigures {
    pub(crate) active: bool,
    pub(crate) up: bool,
    pub(crate) mtu: u32,
    pub(crate) priority: u32,
    pub(crate) tolerance: u32,
    pub(crate) window: u32,
    pub(crate) rx: u32,
    pub(crate) tx: u32,
}

/// The statistics of the link named `name` (`tipc_nl_compat_link_stat_dump`).
pub(crate) fn link_stats(
    out: &mut impl Write,
    name: &[u8],
    l: &LinkFigures,
    s: &Counters,
) -> fmt::Result {
    use nla::*;
    link_title(out, name)?;
    out.write_str(if l.active {
        "  ACTIVE"
    } else if l.up {
        "  STANDBY"
    } else {
        "  DEFUNCT"
    })?;
    write!(out, "  MTU:{}  Priority:{}", l.mtu, l.priority)?;
    writeln!(
        out,
        "  Tolerance:{} ms  Window:{} packets",
        l.tolerance, l.window
    )?;
    packets(
        out,
        "RX",
        l.rx.wrapping_sub(s.get(RX_INFO)),
        s,
        RX_FRAGMENTS,
    )?;
    packets(
        out,
        "TX",
        l.tx.wrapping_sub(s.get(TX_INFO)),
        s,
        TX_FRAGMENTS,
    )?;
    let average = s
        .get(MSG_LEN_TOT)
        .checked_div(s.get(MSG_PROF_TOT))
        .unwrap_or(0);
    writeln!(
        out,
        "  TX profile sample:{} packets  average:{average} octets",
        s.get(MSG_LEN_CNT)
    )?;
    let p = |i: u16| s.percent(MSG_LEN_P0 + i);
    write!(
        out,
        "  0-64:{}% -256:{}% -1024:{}% -4096:{}% ",
        p(0),
        p(1),
        p(2),
        p(3)
    )?;
    writeln!(out, "-16384:{}% -32768:{}% -66000:{}%", p(4), p(5), p(6))?;
    protocol(out, s, true)?;
    congestion(out, s)
}

/// The statistics of the broadcast link (`__fill_bc_link_stat`), named `name`.
pub(crate) fn bc_link_stats(
    out: &mut impl Write,
    name: &[u8],
    window: u32,
    s: &Counters,
) -> fmt::Result {
    use nla::*;
    link_title(out, name)?;
    writeln!(out, "  Window:{window} packets")?;
    packets(out, "RX", s.get(RX_INFO), s, RX_FRAGMENTS)?;
    packets(out, "TX", s.get(TX_INFO), s, TX_FRAGMENTS)?;
    protocol(out, s, false)?;
    congestion(out, s)
}

/// `\nLink <name>\n`; a name that is not UTF-8 shows its valid start.
fn link_title(out: &mut impl Write, name: &[u8]) -> fmt::Result {
    let name = match core::str::from_utf8(name) {
        Ok(s) => s,
        Err(e) => core::str::from_utf8(name.get(..e.valid_up_to()).unwrap_or(&[])).unwrap_or(""),
    };
    writeln!(out, "\nLink <{name}>")
}

/// A packets line: the count, then fragments and bundles from the counter `first` on (the
/// fragments, fragmented, bundles and bundled counters follow each other).
fn packets(out: &mut impl Write, dir: &str, n: u32, s: &Counters, first: u16) -> fmt::Result {
    writeln!(
        out,
        "  {dir} packets:{n} fragments:{}/{} bundles:{}/{}",
        s.get(first),
        s.get(first + 1),
        s.get(first + 2),
        s.get(first + 3)
    )
}

/// The received and sent protocol lines; a unicast link's start with its state and probe
/// messages.
fn protocol(out: &mut impl Write, s: &Counters, unicast: bool) -> fmt::Result {
    use nla::*;
    out.write_str("  RX ")?;
    if unicast {
        write!(
            out,
            "states:{} probes:{} ",
            s.get(RX_STATES),
            s.get(RX_PROBES)
        )?;
    }
    writeln!(
        out,
        "naks:{} defs:{} dups:{}",
        s.get(RX_NACKS),
        s.get(RX_DEFERRED),
        s.get(DUPLICATES)
    )?;
    out.write_str("  TX ")?;
    if unicast {
        write!(
            out,
            "states:{} probes:{} ",
            s.get(TX_STATES),
            s.get(TX_PROBES)
        )?;
    }
    writeln!(
        out,
        "naks:{} acks:{} dups:{}",
        s.get(TX_NACKS),
        s.get(TX_ACKS),
        s.get(RETRANSMITTED)
    )
}

/// The last line, without its newline, as in C.
fn congestion(out: &mut impl Write, s: &Counters) -> fmt::Result {
    write!(
        out,
        "  Congestion link:{}  Send queue max:{} avg:{}",
        s.get(nla::LINK_CONGS),
        s.get(nla::MAX_QUEUE),
        s.get(nla::AVG_QUEUE)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::netlink::idle_bc_link_stats;
    use std::string::String;

    fn binding() -> Binding {
        Binding {
            ty: 1000,
            lower: 5,
            upper: 7,
            scope: 2,
            node: 0x0100_1001,
            port: 123456,
            key: 42,
        }
    }

    #[test]
    fn name_table_columns_by_depth() {
        let mut s = String::new();
        let q = NameQuery {
            depth: 4,
            ty: 1000,
            lower: 0,
            upper: 0,
        };
        q.header(&mut s).unwrap();
        q.row(&mut s, &binding()).unwrap();
        assert_eq!(
            s,
            "Type       Lower      Upper      Port Identity              Publication Scope\n\
             1000       5          7          <1.1.1:123456>             42          cluster\n"
        );
        let mut s = String::new();
        let q = NameQuery { depth: 2, ..q };
        q.row(&mut s, &binding()).unwrap();
        assert_eq!(s, "1000       5          7          \n");
    }

    #[test]
    fn name_table_filters_like_c() {
        let b = binding();
        let q = |depth, ty, lower, upper| NameQuery {
            depth,
            ty,
            lower,
            upper,
        };
        assert!(q(4, 1000, 0, 0).shows(&b));
        assert!(!q(4, 1001, 0, 0).shows(&b));
        assert!(q(NTQ_ALLTYPES | 4, 1001, 0, 0).shows(&b));
        assert!(!q(4, 1000, 8, 0).shows(&b));
        assert!(q(4, 1000, 7, 5).shows(&b));
        assert!(!q(4, 1000, 0, 4).shows(&b));
    }

    #[test]
    fn ports_by_state() {
        let mut s = String::new();
        port_start(&mut s, 7, &PortState::Idle).unwrap();
        port_end(&mut s).unwrap();
        port_start(&mut s, 8, &PortState::Bound).unwrap();
        super::binding(&mut s, 1000, 1, 1).unwrap();
        super::binding(&mut s, 1000, 2, 9).unwrap();
        port_end(&mut s).unwrap();
        let conn = PortState::Connected {
            node: 0x0100_1001,
            port: 9,
            via: Some((1000, 1)),
        };
        port_start(&mut s, 10, &conn).unwrap();
        port_end(&mut s).unwrap();
        assert_eq!(
            s,
            "7:\n8: bound to {1000,1} {1000,2,9}\n10:  connected to <1.1.1:9> via {1000,1}\n\n"
        );
    }

    #[test]
    fn idle_broadcast_link() {
        let mut s = String::new();
        let c = Counters::new(idle_bc_link_stats());
        bc_link_stats(&mut s, b"broadcast-link", 50, &c).unwrap();
        assert_eq!(
            s,
            "\nLink <broadcast-link>\n  Window:50 packets\n\
             \x20 RX packets:0 fragments:0/0 bundles:0/0\n\
             \x20 TX packets:0 fragments:0/0 bundles:0/0\n\
             \x20 RX naks:0 defs:0 dups:0\n  TX naks:0 acks:0 dups:0\n\
             \x20 Congestion link:0  Send queue max:0 avg:0"
        );
    }

    #[test]
    fn unicast_link_percentages_round() {
        let mut s = String::new();
        let c = Counters::new(
            [
                (nla::MSG_PROF_TOT, 3),
                (nla::MSG_LEN_CNT, 3),
                (nla::MSG_LEN_TOT, 300),
                (nla::MSG_LEN_P0, 2),
                (nla::MSG_LEN_P0 + 1, 1),
            ]
            .into_iter(),
        );
        let l = LinkFigures {
            active: true,
            up: true,
            mtu: 1500,
            priority: 10,
            tolerance: 1500,
            window: 50,
            rx: 4,
            tx: 5,
        };
        link_stats(&mut s, b"a:b-c:d", &l, &c).unwrap();
        assert!(s.starts_with("\nLink <a:b-c:d>\n  ACTIVE  MTU:1500  Priority:10  Tolerance:1500 ms  Window:50 packets\n  RX packets:4 "));
        assert!(s.contains("  TX profile sample:3 packets  average:100 octets\n  0-64:67% -256:33% -1024:0% -4096:0% -16384:0% -32768:0% -66000:0%\n"));
    }
}
