// SPDX-License-Identifier: GPL-2.0

//! Error numbers the core returns, with Linux's values.

/// A positive Linux error number, as the core reports a failure the user sees.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Errno(i32);

impl Errno {
    /// `EPROTOTYPE`: protocol wrong type for socket.
    pub(crate) const EPROTOTYPE: Self = Self(91);
    /// `EPROTONOSUPPORT`: protocol not supported.
    pub(crate) const EPROTONOSUPPORT: Self = Self(93);

    /// The error number, positive.
    pub(crate) const fn get(self) -> i32 {
        self.0
    }
}
