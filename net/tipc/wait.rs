// SPDX-License-Identifier: GPL-2.0

//! Waiting on a socket with the core deciding when to stop, and with which error.

use crate::{
    proto::{
        conn::machine::{Waiting, Wake},
        errno::Errno,
    },
    socket::{error, TipcFamily},
};
use kernel::{ffi::c_long, net::sock::SkGuard, prelude::*};

/// The check before a sleep: time is left, no signal yet (the socket layer checks those).
const RUNNING: Waiting = Waiting {
    time_left: true,
    signal: false,
};

/// The check once the time ran out.
const OUT_OF_TIME: Waiting = Waiting {
    time_left: false,
    signal: false,
};

/// Waits on the locked socket until `check` says ready or fails, for at most `*timeo`
/// jiffies, releasing the lock while asleep.
///
/// `check` gets the guard and whether this is the first check (not after a sleep). It is
/// asked with time left before each sleep; when the time runs out it is asked once more
/// without, so the core chooses the error (`EAGAIN`, `ETIMEDOUT`, ...). A signal ends the
/// wait with `EINTR` or `ERESTARTSYS`, as the socket layer chooses.
pub(crate) fn wait_for(
    guard: &mut SkGuard<'_, TipcFamily>,
    timeo: &mut c_long,
    mut check: impl FnMut(&SkGuard<'_, TipcFamily>, bool, Waiting) -> Result<Wake, Errno>,
) -> Result {
    let mut first = true;
    let mut verdict = Ok(());
    let waited = guard.wait(timeo, |g| {
        let now = core::mem::replace(&mut first, false);
        match check(g, now, RUNNING) {
            Ok(Wake::Sleep | Wake::Interrupted) => false,
            Ok(Wake::Ready) => true,
            Err(e) => {
                verdict = Err(e);
                true
            }
        }
    });
    match waited {
        Ok(()) => verdict.map_err(error),
        Err(e) if e == EAGAIN => match check(guard, false, OUT_OF_TIME) {
            Ok(Wake::Ready) => Ok(()),
            Ok(_) => Err(EAGAIN),
            Err(e) => Err(error(e)),
        },
        Err(e) => Err(e),
    }
}

/// Milliseconds as jiffies, for a wait.
pub(crate) fn ms_to_jiffies(ms: u16) -> c_long {
    let jiffies = kernel::time::msecs_to_jiffies(u32::from(ms));
    c_long::try_from(jiffies).unwrap_or(c_long::MAX)
}
