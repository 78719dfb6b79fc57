//! Where the scheduler runner reads "now" and how it waits between passes.
//! Production always runs on [`Clock::Real`]; a [`ManualClock`] only exists
//! when code building the server in-process asks for one (the integration
//! tests), so no configuration key or endpoint can reach it.

use std::sync::Arc;
use std::time::Duration;

use meshcloud_kernel::time::{self, Timestamp};
use tokio::sync::watch;

#[derive(Clone, Default)]
pub enum Clock {
    /// The system clock; the runner sleeps in real time.
    #[default]
    Real,
    /// A clock that stands still until it is moved by hand.
    Manual(ManualClock),
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::Real => time::now(),
            Clock::Manual(m) => m.now(),
        }
    }

    /// Waits `d` after a pass made at `at`. A manual clock ignores `d` and
    /// waits until it is moved away from `at`, so a move between the pass and
    /// this call is not missed.
    pub(crate) async fn sleep_after(&self, at: Timestamp, d: Duration) {
        match self {
            Clock::Real => tokio::time::sleep(d).await,
            Clock::Manual(m) => {
                let mut moved = m.0.now.subscribe();
                // The sender lives in `m`, so this only ends when the clock moves.
                let _ = moved.wait_for(|t| *t != at).await;
            }
        }
    }

    /// Records that a pass at `at` has committed its claims.
    pub(crate) fn passed(&self, at: Timestamp) {
        if let Clock::Manual(m) = self {
            m.0.passed.send_replace(Some(at));
        }
    }
}

/// A clock moved only by [`ManualClock::set`] and [`ManualClock::advance`].
#[derive(Clone)]
pub struct ManualClock(Arc<Inner>);

struct Inner {
    now: watch::Sender<Timestamp>,
    /// The instant of the runner's last finished pass.
    passed: watch::Sender<Option<Timestamp>>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Arc::new(Inner { now: watch::Sender::new(start), passed: watch::Sender::new(None) }))
    }

    pub fn now(&self) -> Timestamp {
        *self.0.now.borrow()
    }

    /// Moves the clock to `t`; a runner waiting on it makes a pass at `t`.
    pub fn set(&self, t: Timestamp) {
        self.0.now.send_replace(t);
    }

    /// Moves the clock on by `d` and answers the new instant.
    pub fn advance(&self, d: chrono::Duration) -> Timestamp {
        let t = self.now() + d;
        self.set(t);
        t
    }

    /// Resolves once the runner has made a pass at `t` or later: every
    /// schedule due by then is claimed, with its run and event committed.
    /// System jobs claimed in that pass may still be running.
    pub async fn passed(&self, t: Timestamp) {
        let mut passed = self.0.passed.subscribe();
        // The sender lives in `self`: this only ends once such a pass happened.
        let _ = passed.wait_for(|p| p.is_some_and(|p| p >= t)).await;
    }

    /// The clock for the runner.
    pub fn clock(&self) -> Clock {
        Clock::Manual(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(50);

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).expect("instant")
    }

    #[test]
    fn a_manual_clock_stands_still_until_moved() {
        let m = ManualClock::new(at(100));
        assert_eq!(m.clock().now(), at(100));
        assert_eq!(m.advance(chrono::Duration::seconds(2)), at(102));
        m.set(at(200));
        assert_eq!(m.clock().now(), at(200));
    }

    #[tokio::test]
    async fn the_runner_sleeps_until_the_clock_moves() {
        let m = ManualClock::new(at(100));
        let c = m.clock();
        assert!(tokio::time::timeout(SHORT, c.sleep_after(at(100), Duration::ZERO)).await.is_err(), "woke unmoved");
        // A move made before the runner starts to wait is not missed.
        m.set(at(101));
        tokio::time::timeout(SHORT, c.sleep_after(at(100), Duration::from_secs(3600))).await.expect("woke");
    }

    #[tokio::test]
    async fn passed_waits_for_a_pass_at_or_after_the_instant() {
        let m = ManualClock::new(at(100));
        let c = m.clock();
        assert!(tokio::time::timeout(SHORT, m.passed(at(101))).await.is_err(), "no pass yet");
        c.passed(at(100));
        assert!(tokio::time::timeout(SHORT, m.passed(at(101))).await.is_err(), "an earlier pass");
        c.passed(at(102));
        tokio::time::timeout(SHORT, m.passed(at(101))).await.expect("a later pass counts");
    }
}
