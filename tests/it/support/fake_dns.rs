//! A DNS server for one test: answers TXT questions over UDP on 127.0.0.1
//! from a table the test fills, NXDOMAIN for every other name.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};

pub struct FakeDns {
    pub addr: SocketAddr,
    records: Arc<Mutex<HashMap<String, Vec<String>>>>,
}

impl FakeDns {
    /// Binds and answers on a thread of its own until the process ends.
    pub fn start() -> FakeDns {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind dns");
        let addr = sock.local_addr().expect("dns addr");
        let records: Arc<Mutex<HashMap<String, Vec<String>>>> = Arc::default();
        let table = records.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok((n, peer)) = sock.recv_from(&mut buf) {
                if let Some(answer) = answer(&buf[..n], &table.lock().unwrap()) {
                    let _ = sock.send_to(&answer, peer);
                }
            }
        });
        FakeDns { addr, records }
    }

    /// Publishes a TXT record (one string) at `name`.
    pub fn set_txt(&self, name: &str, value: &str) {
        self.records.lock().unwrap().entry(name.to_lowercase()).or_default().push(value.to_string());
    }
}

/// The response to a query: its header and question echoed, then the TXT
/// records of the name (their owner a pointer to the question's name).
fn answer(q: &[u8], table: &HashMap<String, Vec<String>>) -> Option<Vec<u8>> {
    let mut at = 12;
    let mut labels = vec![];
    loop {
        let len = usize::from(*q.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(q.get(at..at + len)?).to_lowercase());
        at += len;
    }
    let question_end = at + 4;
    let name = labels.join(".");
    let mut r = q.get(..question_end)?.to_vec();
    r[2] = 0x81; // a response, recursion desired
    r[3] = 0x80; // recursion available, no error
    let found = table.get(&name);
    match found {
        None => r[3] |= 3, // NXDOMAIN
        Some(values) => {
            r[6..8].copy_from_slice(&u16::try_from(values.len()).unwrap().to_be_bytes());
            for v in values {
                r.extend_from_slice(&[0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60]);
                let len = u8::try_from(v.len()).unwrap();
                r.extend_from_slice(&(u16::from(len) + 1).to_be_bytes());
                r.push(len);
                r.extend_from_slice(v.as_bytes());
            }
        }
    }
    Some(r)
}
