//! A small DNS client for one question: the TXT records of a name (RFC 1035
//! over UDP, recursion desired), asked of one configured resolver. Enough to
//! check domain claims without a resolver library.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

const TYPE_TXT: u16 = 16;
const CLASS_IN: u16 = 1;

/// The resolver to ask: the configured `ip:port`, else the first
/// `nameserver` of `/etc/resolv.conf` on port 53; `None` if there is neither.
pub fn resolver(configured: Option<&str>) -> Option<SocketAddr> {
    if let Some(c) = configured {
        return c.parse().ok();
    }
    let conf = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    conf.lines().find_map(|l| {
        let mut words = l.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()?
            .parse()
            .ok()
            .map(|ip| SocketAddr::new(ip, 53))
    })
}

/// The TXT values at `name` (each record's strings joined); empty when the
/// name does not exist or has none. Tries twice, `timeout` each.
pub async fn txt(resolver: SocketAddr, name: &str, timeout: Duration) -> Result<Vec<String>, String> {
    let bind: SocketAddr = if resolver.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let sock = UdpSocket::bind(bind).await.map_err(|e| format!("socket: {e}"))?;
    sock.connect(resolver).await.map_err(|e| format!("resolver {resolver}: {e}"))?;
    let mut last = String::from("no answer");
    for _ in 0..2 {
        let id = u16::from_be_bytes(uuid::Uuid::new_v4().as_bytes()[..2].try_into().unwrap_or([0, 0]));
        let query = encode_query(id, name)?;
        sock.send(&query).await.map_err(|e| format!("send: {e}"))?;
        let mut buf = vec![0u8; 4096];
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
                Err(_) => {
                    last = format!("no answer from {resolver} within {}s", timeout.as_secs());
                    break;
                }
                Ok(Err(e)) => return Err(format!("receive: {e}")),
                // A stray datagram (an earlier try's late answer): keep waiting.
                Ok(Ok(n)) => match parse_answer(&buf[..n], id) {
                    Some(answer) => return answer,
                    None => continue,
                },
            }
        }
    }
    Err(last)
}

fn encode_query(id: u16, name: &str) -> Result<Vec<u8>, String> {
    let mut q = Vec::with_capacity(12 + name.len() + 6);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00]); // a standard query, recursion desired
    q.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in name.trim_end_matches('.').split('.') {
        let len = u8::try_from(label.len()).ok().filter(|n| (1..=63).contains(n)).ok_or("bad DNS name")?;
        q.push(len);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&TYPE_TXT.to_be_bytes());
    q.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(q)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Skips a (possibly compressed) name; returns the offset after it.
fn skip_name(b: &[u8], mut at: usize) -> Option<usize> {
    loop {
        let len = *b.get(at)?;
        match len {
            0 => return Some(at + 1),
            l if l & 0xC0 == 0xC0 => return Some(at + 2),
            l => at += 1 + usize::from(l),
        }
    }
}

/// `None`: not the answer to query `id` (ignore it). Otherwise the TXT
/// values, or the error the server reported.
fn parse_answer(b: &[u8], id: u16) -> Option<Result<Vec<String>, String>> {
    if u16_at(b, 0)? != id || b.get(2)? & 0x80 == 0 {
        return None;
    }
    // Truncated (TC): the records do not fit a datagram, and this client
    // speaks no TCP. Said plainly rather than read in part or waited out.
    if b.get(2)? & 0x02 != 0 {
        return Some(Err("the resolver's answer was truncated: too many TXT records at the name".to_string()));
    }
    let rcode = b.get(3)? & 0x0F;
    match rcode {
        0 => {}
        3 => return Some(Ok(vec![])), // NXDOMAIN: no such name, so no record
        r => return Some(Err(format!("the resolver answered with error code {r}"))),
    }
    let (questions, answers) = (u16_at(b, 4)?, u16_at(b, 6)?);
    let mut at = 12;
    for _ in 0..questions {
        at = skip_name(b, at)? + 4;
    }
    let mut values = vec![];
    for _ in 0..answers {
        at = skip_name(b, at)?;
        let (kind, len) = (u16_at(b, at)?, usize::from(u16_at(b, at + 8)?));
        let data = b.get(at + 10..at + 10 + len)?;
        at += 10 + len;
        if kind != TYPE_TXT {
            continue; // a CNAME on the way
        }
        let (mut value, mut i) = (Vec::new(), 0);
        while i < data.len() {
            let n = usize::from(data[i]);
            value.extend_from_slice(data.get(i + 1..i + 1 + n)?);
            i += 1 + n;
        }
        values.push(String::from_utf8_lossy(&value).into_owned());
    }
    Some(Ok(values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_and_an_answer_round_trip() {
        let q = encode_query(0x1234, "_x.example.com").expect("query");
        assert_eq!(&q[..2], &[0x12, 0x34]);
        assert_eq!(&q[12..15], &[2, b'_', b'x']);
        assert!(encode_query(1, "a..b").is_err());
        // The answer: the question echoed, then one TXT record of two strings
        // whose name is a pointer to the question's.
        let mut a = q.clone();
        a[2] = 0x81;
        a[3] = 0x80;
        a[7] = 1;
        a.extend_from_slice(&[0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 8, 3, b'a', b'b', b'c', 3, b'd', b'e', b'f']);
        assert_eq!(parse_answer(&a, 0x1234), Some(Ok(vec!["abcdef".to_string()])));
        assert_eq!(parse_answer(&a, 0x9999), None, "another query's answer");
        a[3] = 0x83;
        assert_eq!(parse_answer(&a, 0x1234), Some(Ok(vec![])), "NXDOMAIN");
        assert!(parse_answer(&a[..3], 0x1234).is_none(), "a truncated datagram");
        a[2] = 0x83;
        assert!(matches!(parse_answer(&a, 0x1234), Some(Err(e)) if e.contains("truncated")), "the TC bit");
    }
}
