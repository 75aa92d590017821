// SPDX-License-Identifier: GPL-2.0

//! Any message received from a bearer or a link, parsed by its user.

use super::bcast_proto::BcastProtoRepr;
use super::bundle::{check_content, BundleRepr};
use super::conn_mgr::ConnMgrRepr;
use super::consts::{Caps, User};
use super::crypto::KeyDistrRepr;
use super::data::DataRepr;
use super::discovery::DiscoveryRepr;
use super::ehdr::{is_encrypted, EhdrRepr};
use super::error::{Error, Result};
use super::fragment::FragmentRepr;
use super::group_proto::GroupProtoRepr;
use super::header::Packet;
use super::link_proto::LinkProtoRepr;
use super::name_distr::NameDistrRepr;
use super::topsrv_msg::TopSrvRepr;
use super::tunnel::TunnelRepr;

/// A parsed message, borrowing its payload from the buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Message<'a> {
    /// A data message and its payload.
    Data(DataRepr, &'a [u8]),
    /// `BCAST_PROTOCOL`.
    BcastProtocol(BcastProtoRepr),
    /// `MSG_BUNDLER` and its inner messages, all checked.
    Bundle(BundleRepr, &'a [u8]),
    /// `LINK_PROTOCOL`.
    LinkProtocol(LinkProtoRepr<'a>),
    /// `CONN_MANAGER`.
    ConnManager(ConnMgrRepr),
    /// `GROUP_PROTOCOL`.
    GroupProtocol(GroupProtoRepr),
    /// `TUNNEL_PROTOCOL` and the packet (or piece) it carries.
    Tunnel(TunnelRepr, &'a [u8]),
    /// `NAME_DISTRIBUTOR`.
    NameDistributor(NameDistrRepr<'a>),
    /// `MSG_FRAGMENTER` and its piece.
    Fragment(FragmentRepr, &'a [u8]),
    /// `LINK_CONFIG`.
    Discovery(DiscoveryRepr),
    /// `MSG_CRYPTO` key exchange.
    KeyDistr(KeyDistrRepr<'a>),
    /// `TOP_SRV` (node-internal).
    TopSrv(TopSrvRepr),
}

impl<'a> Message<'a> {
    /// Checks and parses the message at the start of `buf` (bytes past its size are ignored).
    /// `peer_caps` are the sender's capabilities, which decide whether a `STATE` message
    /// carries Gap ACK blocks.
    pub(crate) fn parse(buf: &'a [u8], peer_caps: Caps) -> Result<Self> {
        let p = Packet::new_checked(buf)?;
        let user = p.user().ok_or(Error::UnknownUser)?;
        Ok(match user {
            User::Low | User::Medium | User::High | User::Critical => {
                Self::Data(DataRepr::parse(&p)?, p.payload_ref())
            }
            User::BcastProtocol => Self::BcastProtocol(BcastProtoRepr::parse(&p)?),
            User::MsgBundler => {
                let r = BundleRepr::parse(&p)?;
                check_content(p.payload_ref(), r.msgcnt)?;
                Self::Bundle(r, p.payload_ref())
            }
            User::LinkProtocol => Self::LinkProtocol(LinkProtoRepr::parse(&p, peer_caps)?),
            User::ConnManager => Self::ConnManager(ConnMgrRepr::parse(&p)?),
            User::GroupProtocol => Self::GroupProtocol(GroupProtoRepr::parse(&p)?),
            User::TunnelProtocol => Self::Tunnel(TunnelRepr::parse(&p)?, p.payload_ref()),
            User::NameDistributor => Self::NameDistributor(NameDistrRepr::parse(&p)?),
            User::MsgFragmenter => Self::Fragment(FragmentRepr::parse(&p)?, p.payload_ref()),
            User::LinkConfig => Self::Discovery(DiscoveryRepr::parse(&p)?),
            User::MsgCrypto => Self::KeyDistr(KeyDistrRepr::parse(&p)?),
            User::TopSrv => Self::TopSrv(TopSrvRepr::parse(&p)?),
        })
    }

    /// The user.
    pub(crate) fn user(&self) -> User {
        match self {
            Self::Data(r, _) => match r.importance {
                super::consts::Importance::Low => User::Low,
                super::consts::Importance::Medium => User::Medium,
                super::consts::Importance::High => User::High,
                _ => User::Critical,
            },
            Self::BcastProtocol(_) => User::BcastProtocol,
            Self::Bundle(..) => User::MsgBundler,
            Self::LinkProtocol(_) => User::LinkProtocol,
            Self::ConnManager(_) => User::ConnManager,
            Self::GroupProtocol(_) => User::GroupProtocol,
            Self::Tunnel(..) => User::TunnelProtocol,
            Self::NameDistributor(_) => User::NameDistributor,
            Self::Fragment(..) => User::MsgFragmenter,
            Self::Discovery(_) => User::LinkConfig,
            Self::KeyDistr(_) => User::MsgCrypto,
            Self::TopSrv(_) => User::TopSrv,
        }
    }

    /// Writes the message into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            Self::Data(r, payload) => r.emit(buf, payload),
            Self::BcastProtocol(r) => r.emit(buf),
            Self::Bundle(r, payload) => r.emit(buf, payload),
            Self::LinkProtocol(r) => r.emit(buf),
            Self::ConnManager(r) => r.emit(buf),
            Self::GroupProtocol(r) => r.emit(buf),
            Self::Tunnel(r, payload) => r.emit(buf, payload),
            Self::NameDistributor(r) => r.emit(buf),
            Self::Fragment(r, payload) => r.emit(buf, payload),
            Self::Discovery(r) => r.emit(buf),
            Self::KeyDistr(r) => r.emit(buf),
            Self::TopSrv(r) => r.emit(buf),
        }
    }
}

/// What a bearer carries: a message, or an encrypted one behind its encryption header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Frame<'a> {
    /// A message in clear.
    Plain(Message<'a>),
    /// An encrypted message: the header is parsed, the ciphertext is opaque.
    Encrypted(EhdrRepr<'a>),
}

impl<'a> Frame<'a> {
    /// Parses what a bearer received. An encrypted frame has no length field, so `buf` must
    /// be exactly the frame; a plain message may be followed by padding.
    pub(crate) fn parse(buf: &'a [u8], peer_caps: Caps) -> Result<Self> {
        if is_encrypted(buf) {
            Ok(Self::Encrypted(EhdrRepr::parse(buf)?))
        } else {
            Ok(Self::Plain(Message::parse(buf, peer_caps)?))
        }
    }

    /// Writes the frame into `buf`; returns its length.
    pub(crate) fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            Self::Plain(m) => m.emit(buf),
            Self::Encrypted(r) => r.emit(buf),
        }
    }
}
