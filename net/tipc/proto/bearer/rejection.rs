// SPDX-License-Identifier: GPL-2.0

//! Why a bearer or media configuration was refused: the errno and the extended-ack text the
//! C module gives.

use crate::proto::errno::Errno;
use core::ffi::CStr;

/// A refusal: the errno and the extack message, if C sets one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Rejection {
    /// The error returned to netlink.
    pub(crate) errno: Errno,
    /// `NL_SET_ERR_MSG`'s text.
    pub(crate) extack: Option<&'static CStr>,
}

impl Rejection {
    /// `EINVAL` with `text`.
    pub(crate) const fn invalid(text: &'static CStr) -> Self {
        Self {
            errno: Errno::EINVAL,
            extack: Some(text),
        }
    }

    /// `errno` with no text.
    pub(crate) const fn bare(errno: Errno) -> Self {
        Self {
            errno,
            extack: None,
        }
    }
}
