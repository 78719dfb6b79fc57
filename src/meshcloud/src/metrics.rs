//! Prometheus text metrics: request counts by route and status, and a latency
//! histogram by route. Routes are path templates, never raw paths, so the
//! number of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Series {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    /// By method, then route: a request looks its series up by `&str`
    /// without allocating a key.
    series: Mutex<BTreeMap<String, BTreeMap<String, Series>>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let Ok(mut map) = self.series.lock() else { return };
        let routes = match map.get_mut(method) {
            Some(r) => r,
            None => map.entry(method.to_string()).or_default(),
        };
        let s = match routes.get_mut(route) {
            Some(s) => s,
            None => routes.entry(route.to_string()).or_default(),
        };
        *s.by_status.entry(status).or_default() += 1;
        s.count += 1;
        s.sum += secs;
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(map) = self.series.lock() else { return out };
        out.push_str("# HELP meshcloud_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE meshcloud_http_requests_total counter\n");
        for (method, route, s) in map.iter().flat_map(|(m, routes)| routes.iter().map(move |(r, s)| (m, r, s))) {
            for (status, n) in &s.by_status {
                let _ = writeln!(
                    out,
                    "meshcloud_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP meshcloud_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE meshcloud_http_request_duration_seconds histogram\n");
        for (method, route, s) in map.iter().flat_map(|(m, routes)| routes.iter().map(move |(r, s)| (m, r, s))) {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "meshcloud_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(out, "meshcloud_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "meshcloud_http_request_duration_seconds_sum{{{labels}}} {}", s.sum);
            let _ = writeln!(out, "meshcloud_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        out
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/api/identity/orgs", 200, Duration::from_millis(2));
        m.observe("GET", "/api/identity/orgs", 401, Duration::from_millis(20));
        let text = m.render();
        assert!(
            text.contains(
                "meshcloud_http_requests_total{method=\"GET\",route=\"/api/identity/orgs\",status=\"200\"} 1"
            )
        );
        assert!(text.contains("le=\"0.0025\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("_count{method=\"GET\",route=\"/api/identity/orgs\"} 2"));
    }
}
