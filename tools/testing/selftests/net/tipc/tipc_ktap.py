# SPDX-License-Identifier: GPL-2.0
"""KTAP output for the TIPC selftests, with kselftest's exit codes.

A test file declares its cases with @case and calls run(); each case passes unless it raises.
Raising Skip marks the case skipped. The process exits 0 when nothing failed (4 when every case
was skipped) and 1 otherwise, as kselftest expects.
"""

import errno
import sys
import traceback

KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4

_cases = []


class Skip(Exception):
    """Raised by a case that cannot run here; the message says why."""


def case(fn):
    """Registers fn as a test case, named after the function."""
    _cases.append(fn)
    return fn


def eq(got, want, what=""):
    """Fails the case unless got == want."""
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}" if what else f"got {got!r}, want {want!r}")


def raises_errno(want, fn, *args):
    """Fails the case unless fn(*args) raises OSError with errno `want`."""
    try:
        result = fn(*args)
    except OSError as e:
        if e.errno != want:
            raise AssertionError(
                f"{fn.__name__}{args}: got {errno.errorcode.get(e.errno, e.errno)}, "
                f"want {errno.errorcode[want]}"
            ) from None
        return
    if hasattr(result, "close"):
        result.close()
    raise AssertionError(f"{fn.__name__}{args}: succeeded, want {errno.errorcode[want]}")


def run():
    """Runs every registered case and exits with the kselftest code."""
    print("TAP version 13")
    print(f"1..{len(_cases)}")
    failed = skipped = 0
    for i, fn in enumerate(_cases, 1):
        name = fn.__name__
        try:
            fn()
        except Skip as e:
            skipped += 1
            print(f"ok {i} {name} # SKIP {e}")
        except Exception:
            failed += 1
            for line in traceback.format_exc().rstrip().splitlines():
                print(f"# {line}")
            print(f"not ok {i} {name}")
        else:
            print(f"ok {i} {name}")
        sys.stdout.flush()
    passed = len(_cases) - failed - skipped
    print(f"# Totals: pass:{passed} fail:{failed} xfail:0 xpass:0 skip:{skipped} error:0")
    if failed:
        sys.exit(KSFT_FAIL)
    sys.exit(KSFT_SKIP if skipped == len(_cases) else KSFT_PASS)

