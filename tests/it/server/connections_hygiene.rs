//! Connection hygiene on raw loopback sockets: stalled, empty and idle
//! connections are closed by the server within their timeouts, while other
//! clients are served; beyond `max_connections` new connections wait until
//! held ones are released or timed out.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
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
