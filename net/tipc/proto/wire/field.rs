// SPDX-License-Identifier: GPL-2.0

//! Big-endian reads and writes at byte offsets, and bit fields inside 32-bit words.
//!
//! Every read returns `None` past the end of the buffer and every write reports whether it
//! fitted, so nothing here can panic on a short buffer.

/// The big-endian `u16` at `at`, if the buffer holds it.
pub(crate) fn read_u16(buf: &[u8], at: usize) -> Option<u16> {
    let end = at.checked_add(2)?;
    let b = buf.get(at..end)?;
    let mut a = [0u8; 2];
    a.copy_from_slice(b);
    Some(u16::from_be_bytes(a))
}

/// The big-endian `u32` at `at`, if the buffer holds it.
pub(crate) fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    let b = buf.get(at..end)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    Some(u32::from_be_bytes(a))
}

/// The big-endian `u64` at `at`, if the buffer holds it.
pub(crate) fn read_u64(buf: &[u8], at: usize) -> Option<u64> {
    let end = at.checked_add(8)?;
    let b = buf.get(at..end)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_be_bytes(a))
}

/// The `N` bytes at `at`, if the buffer holds them.
pub(crate) fn read_array<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    let end = at.checked_add(N)?;
    let b = buf.get(at..end)?;
    let mut a = [0u8; N];
    a.copy_from_slice(b);
    Some(a)
}

/// Writes `bytes` at `at`; false if they do not fit.
pub(crate) fn write_bytes(buf: &mut [u8], at: usize, bytes: &[u8]) -> bool {
    let Some(end) = at.checked_add(bytes.len()) else {
        return false;
    };
    match buf.get_mut(at..end) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

/// Writes the big-endian `u16` at `at`; false if it does not fit.
pub(crate) fn write_u16(buf: &mut [u8], at: usize, v: u16) -> bool {
    write_bytes(buf, at, &v.to_be_bytes())
}

/// Writes the big-endian `u32` at `at`; false if it does not fit.
pub(crate) fn write_u32(buf: &mut [u8], at: usize, v: u32) -> bool {
    write_bytes(buf, at, &v.to_be_bytes())
}

/// Writes the big-endian `u64` at `at`; false if it does not fit.
pub(crate) fn write_u64(buf: &mut [u8], at: usize, v: u64) -> bool {
    write_bytes(buf, at, &v.to_be_bytes())
}

/// The field of `mask` bits at bit `pos` of `word`.
pub(crate) const fn bits(word: u32, pos: u32, mask: u32) -> u32 {
    (word >> pos) & mask
}

/// `word` with the field of `mask` bits at bit `pos` replaced by `val` (cut to the mask).
pub(crate) const fn with_bits(word: u32, pos: u32, mask: u32, val: u32) -> u32 {
    (word & !(mask << pos)) | ((val & mask) << pos)
}

/// `v` rounded up to a multiple of 4, or `None` on overflow.
pub(crate) const fn align4(v: usize) -> Option<usize> {
    match v.checked_add(3) {
        Some(x) => Some(x & !3),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let b = [1, 2, 3, 4, 5];
        assert_eq!(read_u16(&b, 3), Some(0x0405));
        assert_eq!(read_u16(&b, 4), None);
        assert_eq!(read_u32(&b, 1), Some(0x0203_0405));
        assert_eq!(read_u32(&b, 2), None);
        assert_eq!(read_u32(&b, usize::MAX), None);
        assert_eq!(read_u64(&b, 0), None);
        assert_eq!(read_array::<2>(&b, 4), None);
    }

    #[test]
    fn writes_stop_at_the_end() {
        let mut b = [0u8; 4];
        assert!(write_u16(&mut b, 2, 0xabcd));
        assert!(!write_u32(&mut b, 1, 1));
        assert!(!write_u16(&mut b, usize::MAX, 1));
        assert_eq!(b, [0, 0, 0xab, 0xcd]);
    }

    #[test]
    fn bit_fields() {
        assert_eq!(bits(0xe000_0000, 29, 7), 7);
        assert_eq!(with_bits(0xffff_ffff, 4, 0x1f, 0), 0xffff_fe0f);
        assert_eq!(with_bits(0, 0, 0xffff, 0x1_2345), 0x2345);
        assert_eq!(align4(5), Some(8));
        assert_eq!(align4(usize::MAX), None);
    }
}
