//! Connection hygiene on raw loopback sockets: stalled, empty and idle
//! connections are closed by the server within their timeouts, while other
//! clients are served; beyond `max_connections` new connections wait until
//! held ones are released or timed out. Stalled request bodies and clients
//! that stop reading are cut off too, and idle HTTP/2 connections are closed
//! with a GOAWAY.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;

use crate::support::Server;

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";

fn addr(s: &Server) -> SocketAddr {
    s.base.trim_start_matches("http://").parse().expect("server address")
}

async fn connect(at: SocketAddr) -> TcpStream {
    TcpStream::connect(at).await.expect("connect")
}

/// Reads one response (headers and a Content-Length body); returns its status.
async fn read_response(sock: &mut TcpStream) -> u16 {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().expect("content-length"));
            if buf.len() >= end + 4 + length {
                return head[9..12].parse().expect("status");
            }
        }
        let n = sock.read(&mut chunk).await.expect("read response");
        assert!(n > 0, "connection closed before a complete response");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// `/healthz` on a fresh connection; the status and how long it took.
async fn healthz(at: SocketAddr) -> (u16, Duration) {
    let start = Instant::now();
    let mut sock = connect(at).await;
    sock.write_all(HEALTHZ).await.expect("send");
    let status = read_response(&mut sock).await;
    (status, start.elapsed())
}

/// Waits until the server closes `sock` (end of stream or a reset); panics
/// after `limit`. Returns when, measured from `since`.
async fn closed_by_server(sock: &mut TcpStream, since: Instant, limit: Duration, what: &str) -> Duration {
    let mut chunk = [0u8; 1024];
    let closed = timeout(limit, async {
        loop {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "{what}: still open after {limit:?}");
    since.elapsed()
}

#[tokio::test]
async fn stalled_empty_and_idle_connections_are_closed_while_others_are_served() {
    let s = Server::start_with(|c| {
        c.header_read_timeout_secs = 1;
        c.keep_alive_timeout_secs = 2;
    })
    .await;
    let at = addr(&s);
    let opened = Instant::now();

    let mut partial = connect(at).await;
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").await.expect("send");
    let mut empty = connect(at).await;
    // Slowloris: header bytes keep coming, but the headers never end.
    let (mut trickle, mut trickle_tx) = connect(at).await.into_split();
    let writer = tokio::spawn(async move {
        let _ = trickle_tx.write_all(b"GET /healthz HTTP/1.1\r\n").await;
        while trickle_tx.write_all(b"X").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    });

    // A keep-alive connection serves a second request after a pause shorter
    // than its timeout, then goes idle.
    let mut idle = connect(at).await;
    idle.write_all(HEALTHZ).await.expect("send");
    assert_eq!(read_response(&mut idle).await, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    idle.write_all(HEALTHZ).await.expect("send");
    assert_eq!(read_response(&mut idle).await, 200);
    let idle_since = Instant::now();

    // Meanwhile other clients are served at once.
    let (status, took) = healthz(at).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_millis(500), "healthz took {took:?} next to stalled connections");

    let limit = Duration::from_secs(5);
    let partial_at = closed_by_server(&mut partial, opened, limit, "partial headers").await;
    let empty_at = closed_by_server(&mut empty, opened, limit, "empty connection").await;
    let mut trickle_buf = [0u8; 64];
    let trickle_closed = timeout(limit, async {
        loop {
            match trickle.read(&mut trickle_buf).await {
                Ok(0) | Err(_) => return opened.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await;
    let trickle_at = trickle_closed.expect("slowloris connection still open");
    writer.abort();
    let idle_after = closed_by_server(&mut idle, idle_since, limit, "idle keep-alive").await;

    // Closed by the header deadline (1 s), not at once, and not kept alive
    // by the trickling bytes.
    for (what, at) in [("partial", partial_at), ("empty", empty_at), ("trickle", trickle_at)] {
        assert!(at >= Duration::from_millis(800) && at < Duration::from_secs(4), "{what} closed after {at:?}");
    }
    // Idle connections get the longer keep-alive timeout (2 s).
    assert!(idle_after >= Duration::from_millis(1700), "idle connection closed after only {idle_after:?}");

    let (status, _) = healthz(at).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn beyond_the_connection_cap_new_connections_wait_for_a_free_slot() {
    let s = Server::start_with(|c| {
        c.max_connections = 4;
        c.header_read_timeout_secs = 2;
        c.keep_alive_timeout_secs = 1;
    })
    .await;
    let at = addr(&s);

    // Four silent connections fill the cap: a fifth client waits.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(at).await);
    }
    let waiting = tokio::spawn(healthz(at));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "a fifth connection was served past the cap of four");

    // Released: it is served at once, long before any timeout frees a slot.
    let released = Instant::now();
    drop(held);
    let (status, _) = timeout(Duration::from_secs(5), waiting).await.expect("served").expect("join");
    assert_eq!(status, 200);
    let after = released.elapsed();
    assert!(after < Duration::from_millis(1500), "served {after:?} after the release");

    // Held and never released: the header deadline frees the slots.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(at).await);
    }
    let holding = Instant::now();
    let waiting = tokio::spawn(healthz(at));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "a fifth connection was served past the cap of four");
    let (status, _) = timeout(Duration::from_secs(6), waiting).await.expect("served").expect("join");
    assert_eq!(status, 200);
    let after = holding.elapsed();
    assert!(after >= Duration::from_millis(1500), "served after {after:?}, before the held connections timed out");
    for (i, sock) in held.iter_mut().enumerate() {
        closed_by_server(sock, holding, Duration::from_secs(6), &format!("held connection {i}")).await;
    }

    let (status, took) = healthz(at).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_millis(500), "healthz took {took:?} once the cap was free");
}

#[tokio::test]
async fn shutdown_finishes_a_request_in_flight_and_is_not_held_up_by_stalled_connections() {
    let s = Server::start_with(|c| c.header_read_timeout_secs = 1).await;
    let at = addr(&s);
    let mut partial = connect(at).await;
    partial.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n").await.expect("send");
    let mut empty = connect(at).await;
    let mut idle = connect(at).await;
    idle.write_all(HEALTHZ).await.expect("send");
    assert_eq!(read_response(&mut idle).await, 200);
    // A request whose body is still on its way when shutdown begins.
    let mut busy = connect(at).await;
    let body = r#"{"email": "nobody@example.com", "password": "wrong-password"}"#;
    let head = format!(
        "POST /api/meshcloud/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    busy.write_all(head.as_bytes()).await.expect("send");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    let stopping = tokio::spawn(s.stop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    busy.write_all(body.as_bytes()).await.expect("send the body during the drain");
    let status = timeout(Duration::from_secs(5), read_response(&mut busy)).await.expect("answered");
    assert!((400..500).contains(&status), "the in-flight request was answered: {status}");
    let _tmp = timeout(Duration::from_secs(5), stopping).await.expect("stopped").expect("join");
    let took = started.elapsed();
    // The drain allows 30 s; only the header deadline (1 s) holds it up.
    assert!(took < Duration::from_secs(4), "shutdown took {took:?}");
    for (what, sock) in [("partial", &mut partial), ("empty", &mut empty), ("idle", &mut idle)] {
        closed_by_server(sock, started, Duration::from_secs(1), what).await;
    }
}

/// Reads until the server closes `sock`; returns everything received.
async fn read_to_close(sock: &mut TcpStream, limit: Duration, what: &str) -> Vec<u8> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    let closed = timeout(limit, async {
        loop {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "{what}: still open after {limit:?}");
    got
}

#[tokio::test]
async fn stalled_request_bodies_fail_and_free_their_slots() {
    let s = Server::start_with(|c| {
        c.max_connections = 4;
        c.header_read_timeout_secs = 1;
        c.keep_alive_timeout_secs = 10;
        c.body_read_timeout_secs = 2;
    })
    .await;
    let at = addr(&s);

    // Four clients declare 100 bytes of body, send 10 and stop: the cap is full.
    let head = "POST /api/meshcloud/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n";
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let mut sock = connect(at).await;
        sock.write_all(head.as_bytes()).await.expect("send headers");
        sock.write_all(br#"{"email": "#).await.expect("send part of the body");
        stalled.push(sock);
    }
    let since = Instant::now();
    let waiting = tokio::spawn(healthz(at));
    // Past the header deadline: the headers are complete, so it does not apply.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(!waiting.is_finished(), "a fifth connection was served past the cap of four");

    // The body deadline (2 s) frees the slots: /healthz is answered.
    let (status, _) = timeout(Duration::from_secs(6), waiting).await.expect("served").expect("join");
    assert_eq!(status, 200);
    let served = since.elapsed();
    assert!(served >= Duration::from_millis(1700) && served < Duration::from_secs(5), "served after {served:?}");

    for (i, sock) in stalled.iter_mut().enumerate() {
        let got = read_to_close(sock, Duration::from_secs(3), &format!("stalled body {i}")).await;
        // Answered with a client error before the close, or just closed.
        if got.starts_with(b"HTTP/1.1 ") {
            let status = String::from_utf8_lossy(&got[9..12]).to_string();
            assert!(status.starts_with('4'), "stalled body {i} answered {status}");
        }
    }
    let (status, took) = healthz(at).await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_millis(500), "healthz took {took:?} once the stalled bodies were gone");
}

#[tokio::test]
async fn a_client_that_stops_reading_is_disconnected_after_the_write_timeout() {
    let s = Server::start_with(|c| {
        c.max_connections = 1;
        c.keep_alive_timeout_secs = 3;
        c.write_timeout_secs = 1;
    })
    .await;
    let at = addr(&s);

    // One response's size. This waits for the only slot, held by the
    // start-up check's pooled connection until its keep-alive timeout.
    let mut probe = connect(at).await;
    probe.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.expect("send");
    let size = read_to_close(&mut probe, Duration::from_secs(8), "the size probe").await.len();
    assert!(size > 10_000, "the API description is only {size} bytes");

    // Pipelined requests for it, far more than the socket buffers of both
    // ends hold, on a socket with a small receive buffer; nothing is read.
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("receive buffer");
    let mut sock = socket.connect(at).await.expect("connect");
    let count = (32 * 1024 * 1024 / size).clamp(4, 2000);
    let requests = b"GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(count);
    sock.write_all(&requests).await.expect("send requests");
    let since = Instant::now();

    // The non-reader holds the only slot until the write timeout (1 s) ends
    // it, well before its keep-alive timeout (3 s) could.
    let (status, _) = timeout(Duration::from_secs(8), healthz(at)).await.expect("healthz answered");
    assert_eq!(status, 200);
    let served = since.elapsed();
    assert!(served >= Duration::from_millis(700) && served < Duration::from_millis(2500), "served after {served:?}");

    let got = read_to_close(&mut sock, Duration::from_secs(5), "non-reading client").await;
    assert!(got.len() < size * count, "all {count} responses were delivered: the connection was not cut off");
}

/// An HTTP/2 frame: type, flags, stream and payload.
struct H2Frame {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
}

const H2_SETTINGS: u8 = 0x4;
const H2_PING: u8 = 0x6;
const H2_GOAWAY: u8 = 0x7;
const H2_ACK: u8 = 0x1;
const H2_END_STREAM: u8 = 0x1;

fn h2_frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).expect("frame length").to_be_bytes();
    let mut f = vec![len[1], len[2], len[3], kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// The next frame, or `None` once the server closed the connection.
async fn read_h2_frame(sock: &mut TcpStream) -> Option<H2Frame> {
    let mut head = [0u8; 9];
    sock.read_exact(&mut head).await.ok()?;
    let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
    let mut payload = vec![0u8; len];
    sock.read_exact(&mut payload).await.ok()?;
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    Some(H2Frame { kind: head[3], flags: head[4], stream, payload })
}

/// A prior-knowledge HTTP/2 opening with `settings` (SETTINGS payload) and
/// `GET /healthz` on stream 1 (HPACK: indexed :method GET and :scheme http,
/// literal :path and :authority).
fn h2_get_healthz(settings: &[u8]) -> Vec<u8> {
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend(h2_frame(H2_SETTINGS, 0, 0, settings));
    let mut block = vec![0x82, 0x86, 0x04, 8];
    block.extend_from_slice(b"/healthz");
    block.extend_from_slice(&[0x01, 9]);
    block.extend_from_slice(b"localhost");
    hello.extend(h2_frame(0x1, 0x4 | H2_END_STREAM, 1, &block));
    hello
}

/// Acknowledges a SETTINGS or PING frame of the server as a client does (a
/// SETTINGS ack is empty; a PING ack echoes the payload).
async fn h2_ack(sock: &mut TcpStream, f: &H2Frame) -> std::io::Result<()> {
    if (f.kind == H2_SETTINGS || f.kind == H2_PING) && f.flags & H2_ACK == 0 {
        let echo = if f.kind == H2_PING { &f.payload[..] } else { &[] };
        sock.write_all(&h2_frame(f.kind, H2_ACK, 0, echo)).await?;
    }
    Ok(())
}

/// Reads frames, acknowledging the server's SETTINGS and PINGs as a client
/// does, until one matches `until`; panics on a GOAWAY unless it matches.
async fn h2_until(sock: &mut TcpStream, what: &str, until: impl Fn(&H2Frame) -> bool) -> H2Frame {
    loop {
        let f = read_h2_frame(sock).await.unwrap_or_else(|| panic!("closed while waiting for {what}"));
        if until(&f) {
            return f;
        }
        assert_ne!(f.kind, H2_GOAWAY, "GOAWAY while waiting for {what}: {:?}", f.payload);
        h2_ack(sock, &f).await.expect("acknowledge");
    }
}

#[tokio::test]
async fn an_idle_http2_connection_outlives_the_header_timeout_and_is_closed_with_goaway() {
    let s = Server::start_with(|c| {
        c.header_read_timeout_secs = 1;
        c.keep_alive_timeout_secs = 3;
    })
    .await;
    let at = addr(&s);

    let mut sock = connect(at).await;
    sock.write_all(&h2_get_healthz(&[])).await.expect("send");
    let response = h2_until(&mut sock, "the response headers", |f| f.kind == 0x1 && f.stream == 1).await;
    assert_eq!(response.payload.first(), Some(&0x88), "not :status 200");
    if response.flags & H2_END_STREAM == 0 {
        h2_until(&mut sock, "the end of the response", |f| f.stream == 1 && f.flags & H2_END_STREAM != 0).await;
    }
    let idle_since = Instant::now();

    // Past the header deadline the idle connection still answers a PING,
    // and the PING does not count as the start of a request.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sock.write_all(&h2_frame(H2_PING, 0, 0, b"meshping")).await.expect("ping");
    let pong = timeout(
        Duration::from_secs(1),
        h2_until(&mut sock, "the PING ack", |f| f.kind == H2_PING && f.flags & H2_ACK != 0),
    )
    .await
    .expect("PING answered");
    assert_eq!(pong.payload, b"meshping");

    // The keep-alive deadline (3 s) brings a GOAWAY without an error, then the close.
    let goaway = timeout(Duration::from_secs(5), h2_until(&mut sock, "GOAWAY", |f| f.kind == H2_GOAWAY))
        .await
        .expect("GOAWAY sent");
    let after = idle_since.elapsed();
    assert!(after >= Duration::from_millis(2700) && after < Duration::from_secs(5), "GOAWAY after {after:?}");
    assert_eq!(goaway.payload.get(4..8), Some(&[0u8, 0, 0, 0][..]), "GOAWAY with an error code");
    let closed = timeout(Duration::from_secs(3), async {
        while let Some(f) = read_h2_frame(&mut sock).await {
            let _ = h2_ack(&mut sock, &f).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "still open after its GOAWAY");
}

#[tokio::test]
async fn an_http2_client_that_grants_no_window_is_disconnected_after_the_write_timeout() {
    let s = Server::start_with(|c| {
        c.keep_alive_timeout_secs = 10;
        c.write_timeout_secs = 1;
    })
    .await;
    let at = addr(&s);

    // A client that reads its socket (it acknowledges SETTINGS and PINGs)
    // but grants no flow-control window: the response body cannot be sent.
    let mut sock = connect(at).await;
    // SETTINGS_INITIAL_WINDOW_SIZE = 0.
    sock.write_all(&h2_get_healthz(&[0, 0x4, 0, 0, 0, 0])).await.expect("send");
    let since = Instant::now();

    let closed = timeout(Duration::from_secs(5), async {
        while let Some(f) = read_h2_frame(&mut sock).await {
            assert!(f.kind != 0x0 || f.payload.is_empty(), "DATA sent without a window");
            let _ = h2_ack(&mut sock, &f).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "still open, its response waiting for a window");
    let after = since.elapsed();
    assert!(after >= Duration::from_millis(700) && after < Duration::from_secs(4), "closed after {after:?}");
}
