# SPDX-License-Identifier: GPL-2.0
"""KTAP output for the TIPC selftests, with kselftest's exit codes.

A test file declares its cases with @case and calls run(); each case passes unless it raises.
Raising Skip marks the case skipped. The process exits 0 when nothing failed (4 when every case
was skipped) and 1 otherwise, as kselftest expects.
"""

import contextlib
import ctypes
import errno
import os
import signal
import struct
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


class CaseTimeout(Exception):
    """A case ran past its deadline (not an OSError, so that raises_errno does not take it)."""


@contextlib.contextmanager
def deadline(seconds):
    """Fails the case (instead of hanging the run) if it runs longer than `seconds`; the
    signal interrupts a blocking socket call in the main thread."""
    def expired(signum, frame):
        raise CaseTimeout(f"case still running after {seconds} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# What a case made with tracked_case opened (sockets, subscribers, child processes): closed
# when the case ends.
_open = []


def track(obj):
    """Closes obj when the case that opened it ends; returns obj."""
    _open.append(obj)
    return obj


def untrack_all(close=lambda obj: obj.close()):
    """Calls close(obj) on every tracked object, ignoring OSError, and forgets them."""
    while _open:
        obj = _open.pop()
        try:
            close(obj)
        except OSError:
            pass


def tracked_case(seconds=60):
    """Registers fn() as a case under a deadline; what it tracked is closed afterwards."""
    def register(fn):
        def one():
            try:
                with deadline(seconds):
                    fn()
            finally:
                untrack_all()
        one.__name__ = fn.__name__
        case(one)
        return fn
    return register


def run():
    """Runs every registered case (or those TIPC_KTAP_ONLY names, separated by spaces) and
    exits with the kselftest code."""
    only = os.environ.get("TIPC_KTAP_ONLY", "").split()
    cases = [fn for fn in _cases if not only or fn.__name__ in only]
    print("TAP version 13")
    print(f"1..{len(cases)}")
    failed = skipped = 0
    for i, fn in enumerate(cases, 1):
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
    passed = len(cases) - failed - skipped
    print(f"# Totals: pass:{passed} fail:{failed} xfail:0 xpass:0 skip:{skipped} error:0")
    if failed:
        sys.exit(KSFT_FAIL)
    sys.exit(KSFT_SKIP if skipped == len(cases) else KSFT_PASS)


# Raw socket calls, for what Python's socket module cannot express (odd address lengths,
# negative scopes, foreign families, zero-length buffers). Each raises OSError like socket does.

_libc = ctypes.CDLL(None, use_errno=True)


class Iovec(ctypes.Structure):
    """struct iovec."""
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    """struct msghdr."""
    _fields_ = [("msg_name", ctypes.c_void_p), ("msg_namelen", ctypes.c_uint32),
                ("msg_iov", ctypes.POINTER(Iovec)), ("msg_iovlen", ctypes.c_size_t),
                ("msg_control", ctypes.c_void_p), ("msg_controllen", ctypes.c_size_t),
                ("msg_flags", ctypes.c_int)]


def _check(rc):
    if rc < 0:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))
    return rc


def sockaddr_tipc(addrtype, v1=0, v2=0, v3=0, scope=0, family=30):
    """struct sockaddr_tipc as bytes: family, addrtype, signed scope, then three u32."""
    return struct.pack("=HBbIII", family, addrtype, scope, v1, v2, v3)


def sys_bind(s, addr, addrlen=None):
    """bind(2) on socket s with raw address bytes; addrlen defaults to len(addr)."""
    buf = ctypes.create_string_buffer(bytes(addr), max(len(addr), 1))
    return _check(_libc.bind(s.fileno(), buf, len(addr) if addrlen is None else addrlen))


def sys_connect(s, addr, addrlen=None):
    """connect(2) on socket s with raw address bytes; addrlen defaults to len(addr)."""
    buf = ctypes.create_string_buffer(bytes(addr), max(len(addr), 1))
    return _check(_libc.connect(s.fileno(), buf, len(addr) if addrlen is None else addrlen))


def sys_sendto(s, data, addr, addrlen=None, flags=0):
    """sendto(2) with raw address bytes (None: a NULL address); returns the byte count."""
    dbuf = ctypes.create_string_buffer(bytes(data), max(len(data), 1))
    if addr is None:
        abuf, alen = None, 0
    else:
        abuf = ctypes.create_string_buffer(bytes(addr), max(len(addr), 1))
        alen = len(addr) if addrlen is None else addrlen
    return _check(_libc.sendto(s.fileno(), dbuf, ctypes.c_size_t(len(data)), flags, abuf, alen))


def sys_recv(s, n, flags=0):
    """recv(2) into an n-byte buffer (n may be 0); returns the count recv reported."""
    buf = ctypes.create_string_buffer(max(n, 1))
    return _check(_libc.recv(s.fileno(), buf, ctypes.c_size_t(n), flags))


def sys_getsockname(s):
    """getsockname(2): the raw address bytes the kernel wrote, cut to the returned length."""
    buf = ctypes.create_string_buffer(128)
    alen = ctypes.c_uint32(128)
    _check(_libc.getsockname(s.fileno(), buf, ctypes.byref(alen)))
    return buf.raw[: alen.value]
