// SPDX-License-Identifier: GPL-2.0

//! Error numbers the core returns, with Linux's values.

/// A positive Linux error number, as the core reports a failure the user sees.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Errno(i32);

impl Errno {
    /// `EACCES`: permission denied.
    pub(crate) const EACCES: Self = Self(13);
    /// `EFAULT`: bad address.
    pub(crate) const EFAULT: Self = Self(14);
    /// `EPERM`: operation not permitted (the network id once the node has an address).
    pub(crate) const EPERM: Self = Self(1);
    /// `ERANGE`: out of range (also what a netlink policy answers for most malformed
    /// attributes).
    pub(crate) const ERANGE: Self = Self(34);
    /// `EINVAL`: invalid argument.
    pub(crate) const EINVAL: Self = Self(22);
    /// `EPROTOTYPE`: protocol wrong type for socket.
    pub(crate) const EPROTOTYPE: Self = Self(91);
    /// `ENOPROTOOPT`: protocol not available (no such option at this level).
    pub(crate) const ENOPROTOOPT: Self = Self(92);
    /// `EOPNOTSUPP`: operation not supported on this socket.
    pub(crate) const EOPNOTSUPP: Self = Self(95);
    /// `EPROTONOSUPPORT`: protocol not supported.
    pub(crate) const EPROTONOSUPPORT: Self = Self(93);
    /// `EAFNOSUPPORT`: address family not supported by protocol.
    pub(crate) const EAFNOSUPPORT: Self = Self(97);
    /// `EADDRINUSE`: address already in use.
    pub(crate) const EADDRINUSE: Self = Self(98);
    /// `EADDRNOTAVAIL`: no such address (a peer or link TIPC does not know).
    pub(crate) const EADDRNOTAVAIL: Self = Self(99);
    /// `ENOTCONN`: the socket is not connected.
    pub(crate) const ENOTCONN: Self = Self(107);

    /// `ENOMEM`: out of memory.
    pub(crate) const ENOMEM: Self = Self(12);
    /// `EAGAIN`: the operation would block.
    pub(crate) const EAGAIN: Self = Self(11);
    /// `EPIPE`: the connection is going or gone; nothing more can be sent.
    pub(crate) const EPIPE: Self = Self(32);
    /// `EMSGSIZE`: the message is too long.
    pub(crate) const EMSGSIZE: Self = Self(90);
    /// `ECONNABORTED`: the connection was aborted (the peer stopped answering probes).
    pub(crate) const ECONNABORTED: Self = Self(103);
    /// `ECONNRESET`: the peer aborted the connection.
    pub(crate) const ECONNRESET: Self = Self(104);
    /// `EISCONN`: the socket is already connected.
    pub(crate) const EISCONN: Self = Self(106);
    /// `ETIMEDOUT`: the connection was not set up in time.
    pub(crate) const ETIMEDOUT: Self = Self(110);
    /// `ECONNREFUSED`: the connection setup was refused.
    pub(crate) const ECONNREFUSED: Self = Self(111);
    /// `EALREADY`: a connection setup is already in progress.
    pub(crate) const EALREADY: Self = Self(114);
    /// `EINPROGRESS`: the connection setup has started and is not finished.
    pub(crate) const EINPROGRESS: Self = Self(115);
    /// `ENODEV`: no such device.
    pub(crate) const ENODEV: Self = Self(19);
    /// `EHOSTUNREACH`: the destination node cannot be reached.
    pub(crate) const EHOSTUNREACH: Self = Self(113);
    /// `ENOBUFS`: no buffer space (a link's system backlog overflowed).
    pub(crate) const ENOBUFS: Self = Self(105);
    /// No such device or address.
    pub(crate) const ENXIO: Self = Self(6);
    /// Device or resource busy.
    pub(crate) const EBUSY: Self = Self(16);
    /// `ENOTSUPP` (524): the kernel's own "operation not supported", which user space sees as
    /// an unknown error number; the C module answers some netlink requests with it.
    pub(crate) const ENOTSUPP: Self = Self(524);
    /// `ELINKCONG`: the link is congested; C defines it as `EAGAIN`.
    pub(crate) const ELINKCONG: Self = Self::EAGAIN;

    /// The errno `n` (positive); `None` for 0 or a negative number.
    pub(crate) const fn from_positive(n: i32) -> Option<Self> {
        if n > 0 {
            Some(Self(n))
        } else {
            None
        }
    }

    /// The error number, positive.
    pub(crate) const fn get(self) -> i32 {
        self.0
    }
}
