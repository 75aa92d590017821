// SPDX-License-Identifier: GPL-2.0

//! Bearer names, enabling rules and media addresses against the C module's behaviour.

use super::media::{Media, MediaProps, DEF_LINK_UDP_MTU, MIN_UDP_MTU};
use super::media_addr::{MediaAddr, UdpAddr};
use super::name::BearerName;
use super::props::{PropRequest, MEDIA_LINK_PRI};
use super::rejection::Rejection;
use super::table::{mtu_bad, Attachment, Bearers};
use super::BearerId;
use crate::proto::errno::Errno;

fn enable(t: &mut Bearers, name: &str, prio: u32) -> Result<BearerId, Rejection> {
    let adm = t.admit(name.as_bytes(), prio, MediaProps::default_for)?;
    let addr = match adm.media {
        Media::Eth => MediaAddr::eth([2, 0, 0, 0, 0, adm.id.index() as u8]),
        Media::Udp => MediaAddr::udp(UdpAddr::v4([10, 0, 0, 1], 6118)),
    };
    let att = Attachment {
        addr,
        dev_mtu: 1500,
    };
    Ok(t.attach(&adm, 0, &att).id)
}

#[test]
fn names() {
    let ok = BearerName::parse(b"eth:eth0\0junk").unwrap();
    assert_eq!(ok.as_bytes(), b"eth:eth0");
    assert_eq!(ok.media_name(), b"eth");
    assert_eq!(ok.if_name(), b"eth0");
    assert_eq!(&ok.if_name_field()[..5], b"eth0\0");
    assert!(BearerName::parse(b"udp:a:b").is_some());
    for bad in [
        &b"eth0"[..],
        b":eth0",
        b"eth:",
        b"0123456789abcdef:x",
        b"eth:0123456789abcdef",
        b"eth:0123456789abcdefghijklmnopqrst",
    ] {
        assert_eq!(BearerName::parse(bad), None, "{bad:?}");
    }
    assert!(BearerName::parse(b"0123456789abcde:0123456789abcde").is_some());
}

#[test]
fn enable_rules_in_c_order() {
    let mut t = Bearers::default();
    let e = |s| Err(Rejection::invalid(s));
    assert_eq!(enable(&mut t, "eth", 10), e(c"Illegal name"));
    assert_eq!(enable(&mut t, "eth:x", 33), e(c"Illegal priority"));
    assert_eq!(enable(&mut t, "ib:x", 33), e(c"Illegal priority"));
    assert_eq!(enable(&mut t, "ib:x", 5), e(c"Media not registered"));
    assert_eq!(
        enable(&mut t, "eth:a", MEDIA_LINK_PRI),
        Ok(BearerId::new(0).unwrap())
    );
    assert_eq!(enable(&mut t, "eth:a", 3), e(c"Already enabled"));
    assert_eq!(enable(&mut t, "eth:b", 10), Ok(BearerId::new(1).unwrap()));
    // A third bearer of priority 10 is lowered to 9.
    assert_eq!(enable(&mut t, "udp:c", 10), Ok(BearerId::new(2).unwrap()));
    let c = t.find(b"udp:c").unwrap();
    assert_eq!(
        (c.props.priority, c.props.mtu, c.encap_hlen),
        (9, DEF_LINK_UDP_MTU, 28)
    );
    assert_eq!(enable(&mut t, "eth:d", 10), e(c"Max 3 bearers permitted"));
    t.remove(BearerId::new(1).unwrap());
    assert_eq!(enable(&mut t, "eth:d", 4), Ok(BearerId::new(1).unwrap()));
}

#[test]
fn priority_zero_cannot_be_lowered() {
    let mut t = Bearers::default();
    enable(&mut t, "eth:a", 0).unwrap();
    enable(&mut t, "eth:b", 0).unwrap();
    assert_eq!(
        enable(&mut t, "eth:c", 0),
        Err(Rejection::invalid(c"Cannot adjust to lower"))
    );
}

#[test]
fn properties() {
    let bad = |r: PropRequest| r.validate();
    let p = |priority, tolerance, window| PropRequest {
        priority,
        tolerance,
        window,
        mtu: None,
    };
    assert_eq!(bad(p(Some(31), Some(50), Some(50))), Ok(()));
    assert_eq!(bad(p(Some(32), None, None)), Err(Errno::EINVAL));
    assert_eq!(bad(p(None, Some(49), None)), Err(Errno::EINVAL));
    assert_eq!(bad(p(None, Some(30001), None)), Err(Errno::EINVAL));
    assert_eq!(bad(p(None, None, Some(16))), Err(Errno::EINVAL));
    let mut eth = MediaProps::default_for(Media::Eth);
    let mtu = PropRequest {
        mtu: Some(1000),
        ..PropRequest::default()
    };
    assert_eq!(
        eth.apply(Media::Eth, &mtu, MIN_UDP_MTU),
        Err(Rejection::invalid(c"MTU property is unsupported"))
    );
    let mut udp = MediaProps::default_for(Media::Udp);
    let low = PropRequest {
        mtu: Some(127),
        ..PropRequest::default()
    };
    assert_eq!(
        udp.apply(Media::Udp, &low, MIN_UDP_MTU),
        Err(Rejection::invalid(c"MTU value is out-of-range"))
    );
    assert_eq!(udp.apply(Media::Udp, &mtu, MIN_UDP_MTU), Ok(()));
    assert!(mtu_bad(99) && !mtu_bad(100));
    assert_eq!(udp.mtu, 1000);
}

#[test]
fn media_addresses_in_discovery() {
    let eth = MediaAddr::eth([0x52, 0x54, 0, 0, 0, 1]);
    let m = eth.to_msg();
    assert_eq!(&m[..10], &[0, 0, 0, 1, 0x52, 0x54, 0, 0, 0, 1]);
    assert_eq!(MediaAddr::from_msg(Media::Eth, &m), Some(eth));
    assert!(MediaAddr::eth([0xff; 6]).is_broadcast());
    let v6 = UdpAddr::v6([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9], 6118);
    let udp = MediaAddr::udp(v6);
    let m = udp.to_msg();
    assert_eq!(&m[..8], &[0, 0, 0, 3, 0x86, 0xdd, 0x17, 0xe6]);
    assert_eq!(MediaAddr::from_msg(Media::Udp, &m), Some(udp));
    assert_eq!(udp.udp_addr(), Some(v6));
    // UDP wants its own media type; a multicast group is a broadcast address.
    assert_eq!(MediaAddr::from_msg(Media::Udp, &eth.to_msg()), None);
    assert!(MediaAddr::udp(UdpAddr::v4([239, 0, 0, 1], 6118)).is_broadcast());
}
