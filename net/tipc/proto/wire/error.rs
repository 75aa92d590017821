// SPDX-License-Identifier: GPL-2.0

//! Why a message was rejected (or could not be built): one variant per reason, each with an
//! index so a node can count rejections by reason.

/// A rejection reason.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub(crate) enum Error {
    /// Shorter than the smallest header (24 bytes).
    Truncated,
    /// The header size field is below 24 bytes.
    HeaderTooShort,
    /// The buffer ends inside the header.
    HeaderTruncated,
    /// Not version 2.
    BadVersion,
    /// The message size is smaller than its header.
    SizeBelowHeader,
    /// More than 66000 bytes of payload.
    PayloadTooLarge,
    /// The buffer ends before the message size.
    MessageTruncated,
    /// The user field is 4, which names no user.
    UnknownUser,
    /// The message is not of the user the parser reads.
    WrongUser,
    /// The user has no such message type.
    UnknownType,
    /// The user's messages have a header of another size.
    BadHeaderSize,
    /// A data message's header is too short for its type's fields.
    HeaderTooShortForType,
    /// The error code is not one TIPC defines.
    UnknownErrorCode,
    /// The importance field is above `SYSTEM`.
    BadImportance,
    /// A payload where the message has none.
    UnexpectedPayload,
    /// Gap ACK blocks run past the payload.
    GapAckTruncated,
    /// Gap ACK length field differs from the size the block counts make.
    GapAckLength,
    /// More than 128 Gap ACK blocks.
    GapAckTooMany,
    /// Domain record shorter than its 16-byte head.
    DomainTruncated,
    /// Domain record with more than 64 members.
    DomainTooManyMembers,
    /// Domain record whose member count does not match the bytes it has.
    DomainMemberCount,
    /// Domain record whose length field does not match its member count.
    DomainLength,
    /// `RESET` or `ACTIVATE` without exactly a 16-byte interface name.
    IfNameLength,
    /// A maximum packet size that is not a multiple of 4 or does not fit 18 bits.
    BadMaxPacket,
    /// Discovery with an unknown media type.
    MediaType,
    /// Discovery from the Ethernet broadcast address.
    MediaBroadcast,
    /// Discovery with a node identity that is not 16 bytes, or none though announced.
    NodeIdLength,
    /// Name distribution payload that is not whole 20-byte items.
    NameItemsLength,
    /// Name item with `lower` above `upper`.
    NameRange,
    /// Key exchange too short for a name, a length and the shortest key.
    CryptoKeyTruncated,
    /// Key exchange with an algorithm name that is not NUL-terminated.
    CryptoAlgName,
    /// Key exchange with a key length that is not 20, 28 or 36.
    CryptoKeyLength,
    /// Key exchange whose key length does not fill the payload exactly.
    CryptoKeySize,
    /// A tunnelled packet that is not one valid message filling the payload.
    TunnelInner,
    /// A fragment or piece number of 0, above the count, or other than 1 on the first.
    FragmentNumber,
    /// A fragment without data.
    FragmentEmpty,
    /// A fragment other than the first with no message in progress.
    FragmentNoFirst,
    /// A first fragment while a message is in progress.
    FragmentUnexpectedFirst,
    /// A fragment out of order.
    FragmentOutOfOrder,
    /// A fragmented message larger than the reassembly buffer or the largest message.
    ReassemblyTooLarge,
    /// Fragments that do not add up to the size the message declares.
    ReassemblyLength,
    /// A reassembled message, or its first fragment, is not a valid message.
    ReassemblyInner,
    /// An MTU below the smallest a bearer may have.
    MtuTooSmall,
    /// A message that needs no fragmenting.
    FitsInOnePacket,
    /// A bundle whose messages run past its end.
    BundleTruncated,
    /// A bundle holding an invalid message.
    BundleInner,
    /// A bundle holding a message of a user never bundled.
    BundleInnerUser,
    /// A bundle whose message count differs from the messages it holds, or is zero.
    BundleCount,
    /// The message does not fit in the bundle.
    BundleFull,
    /// A topology subscription or event of the wrong length.
    TopSrvTruncated,
    /// A subscription asking for both `PORTS` and `SERVICE`.
    SubscrFilter,
    /// A subscription with `lower` above `upper`.
    SubscrRange,
    /// A topology event of an unknown type.
    TopSrvEvent,
    /// An encrypted frame that ends inside its encryption header.
    EhdrTruncated,
    /// An encryption header whose version is not 7.
    EhdrVersion,
    /// An encryption header naming a user other than 0, `LINK_PROTOCOL` or `LINK_CONFIG`.
    EhdrUser,
    /// An encryption header with reserved bits set.
    EhdrReserved,
    /// An encryption header with the keepalive bit outside a link `STATE` message.
    EhdrKeepalive,
    /// An encryption header with sequence number 0.
    EhdrSeqno,
    /// An encrypted frame whose ciphertext is shorter than a header or longer than a message.
    EhdrCiphertextLength,
    /// The caller's buffer is too small for the message.
    BufferTooSmall,
}

impl Error {
    /// Every reason, in index order.
    pub(crate) const ALL: [Self; 60] = [
        Self::Truncated,
        Self::HeaderTooShort,
        Self::HeaderTruncated,
        Self::BadVersion,
        Self::SizeBelowHeader,
        Self::PayloadTooLarge,
        Self::MessageTruncated,
        Self::UnknownUser,
        Self::WrongUser,
        Self::UnknownType,
        Self::BadHeaderSize,
        Self::HeaderTooShortForType,
        Self::UnknownErrorCode,
        Self::BadImportance,
        Self::UnexpectedPayload,
        Self::GapAckTruncated,
        Self::GapAckLength,
        Self::GapAckTooMany,
        Self::DomainTruncated,
        Self::DomainTooManyMembers,
        Self::DomainMemberCount,
        Self::DomainLength,
        Self::IfNameLength,
        Self::BadMaxPacket,
        Self::MediaType,
        Self::MediaBroadcast,
        Self::NodeIdLength,
        Self::NameItemsLength,
        Self::NameRange,
        Self::CryptoKeyTruncated,
        Self::CryptoAlgName,
        Self::CryptoKeyLength,
        Self::CryptoKeySize,
        Self::TunnelInner,
        Self::FragmentNumber,
        Self::FragmentEmpty,
        Self::FragmentNoFirst,
        Self::FragmentUnexpectedFirst,
        Self::FragmentOutOfOrder,
        Self::ReassemblyTooLarge,
        Self::ReassemblyLength,
        Self::ReassemblyInner,
        Self::MtuTooSmall,
        Self::FitsInOnePacket,
        Self::BundleTruncated,
        Self::BundleInner,
        Self::BundleInnerUser,
        Self::BundleCount,
        Self::BundleFull,
        Self::TopSrvTruncated,
        Self::SubscrFilter,
        Self::SubscrRange,
        Self::TopSrvEvent,
        Self::EhdrTruncated,
        Self::EhdrVersion,
        Self::EhdrUser,
        Self::EhdrReserved,
        Self::EhdrKeepalive,
        Self::EhdrSeqno,
        Self::EhdrCiphertextLength,
    ];

    /// Number of reasons, counting `BufferTooSmall` (an emit-side error, last).
    pub(crate) const COUNT: usize = Self::ALL.len() + 1;

    /// The reason's index, for counters.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// The result of parsing or emitting.
pub(crate) type Result<T> = core::result::Result<T, Error>;

/// Rejections counted by reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RejectCounters {
    counts: [u64; Error::COUNT],
}

impl Default for RejectCounters {
    fn default() -> Self {
        Self {
            counts: [0; Error::COUNT],
        }
    }
}

impl RejectCounters {
    /// Counts one rejection.
    pub(crate) fn record(&mut self, e: Error) {
        if let Some(c) = self.counts.get_mut(e.index()) {
            *c = c.saturating_add(1);
        }
    }

    /// Rejections for reason `e`.
    pub(crate) fn get(&self, e: Error) -> u64 {
        self.counts.get(e.index()).copied().unwrap_or(0)
    }

    /// All rejections.
    pub(crate) fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, c| a.saturating_add(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_are_distinct_and_dense() {
        for (i, e) in Error::ALL.iter().enumerate() {
            assert_eq!(e.index(), i);
        }
        assert_eq!(Error::BufferTooSmall.index(), Error::COUNT - 1);
    }

    #[test]
    fn counting() {
        let mut c = RejectCounters::default();
        c.record(Error::BadVersion);
        c.record(Error::BadVersion);
        c.record(Error::BufferTooSmall);
        assert_eq!(c.get(Error::BadVersion), 2);
        assert_eq!(c.total(), 3);
    }
}
