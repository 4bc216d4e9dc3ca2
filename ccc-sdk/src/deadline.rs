//! The time limits of one call, kept by one timer: the operation's, the current attempt's, and the
//! next read's (which moves on whenever bytes arrive). One timer per call instead of one per limit:
//! each timer registered with the runtime costs a clock read, a lock and a removal when it is
//! dropped, on every call.
//!
//! A read that makes progress only moves its deadline (an atomic store); the timer stays where it was
//! and, when it fires, is set again to the earliest deadline still ahead. So a call whose answer
//! comes in time registers one timer and never resets it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::task::Poll;
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use crate::error::TimeoutKind;
use crate::failure::Failure;

/// Where a deadline beyond the clock's range is put.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// No deadline, in the atomics of [`Deadlines`].
const NONE: u64 = u64::MAX;

/// The deadlines of one call. The moving ones are nanoseconds since the call started, in atomics
/// so that a call's future stays `Send`; only that future touches them.
pub(crate) struct Deadlines {
    start: Instant,
    operation_limit: Duration,
    /// The current attempt's deadline, while an attempt runs, and its limit.
    attempt: AtomicU64,
    attempt_limit: AtomicU64,
    /// When the next bytes of the answer are due, while an attempt runs.
    read: AtomicU64,
    read_limit: Duration,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(NONE - 1)
}

impl Deadlines {
    /// The deadlines of a call starting now.
    pub(crate) fn new(operation_limit: Duration, read_limit: Duration) -> Deadlines {
        Deadlines {
            start: Instant::now(),
            operation_limit,
            attempt: AtomicU64::new(NONE),
            attempt_limit: AtomicU64::new(0),
            read: AtomicU64::new(NONE),
            read_limit,
        }
    }

    fn since_start(&self, after: Duration) -> u64 {
        nanos(self.start.elapsed()).saturating_add(nanos(after))
    }

    /// An attempt starts now: it must end within `limit`, and its answer must start within the
    /// read limit (which covers connecting, sending and the wait for the answer's head).
    pub(crate) fn start_attempt(&self, limit: Duration) {
        let now = nanos(self.start.elapsed());
        self.attempt
            .store(now.saturating_add(nanos(limit)), Relaxed);
        self.attempt_limit.store(nanos(limit), Relaxed);
        self.read
            .store(now.saturating_add(nanos(self.read_limit)), Relaxed);
    }

    /// The attempt is over: only the operation's deadline remains.
    pub(crate) fn end_attempt(&self) {
        self.attempt.store(NONE, Relaxed);
        self.read.store(NONE, Relaxed);
    }

    /// Bytes of the answer arrived: the next ones have the whole read limit again.
    pub(crate) fn progress(&self) {
        if self.read.load(Relaxed) != NONE {
            self.read.store(self.since_start(self.read_limit), Relaxed);
        }
    }

    /// The earliest deadline, with the failure its passing means.
    fn earliest(&self) -> (Instant, TimeoutKind, Duration) {
        let mut earliest = (
            nanos(self.operation_limit),
            TimeoutKind::Operation,
            self.operation_limit,
        );
        let attempt = self.attempt.load(Relaxed);
        if attempt < earliest.0 {
            let limit = Duration::from_nanos(self.attempt_limit.load(Relaxed));
            earliest = (attempt, TimeoutKind::Attempt, limit);
        }
        let read = self.read.load(Relaxed);
        if read < earliest.0 {
            earliest = (read, TimeoutKind::Read, self.read_limit);
        }
        let (at, kind, limit) = earliest;
        // A limit too large for the clock (`Duration::MAX`) means decades, as tokio's own
        // timeouts take it.
        let at = self
            .start
            .checked_add(Duration::from_nanos(at))
            .unwrap_or(self.start + FAR_FUTURE);
        (at, kind, limit)
    }
}

/// Runs `future` until it ends or the earliest of the `deadlines` passes, whichever comes first
/// (the future is polled first, so an answer that is ready wins). `timer` is the call's one
/// timer: created the first time a future has to wait, set again only when it must.
pub(crate) async fn within<F: Future>(
    mut timer: Pin<&mut Option<Sleep>>,
    deadlines: &Deadlines,
    future: F,
) -> Result<F::Output, Failure> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        loop {
            let (at, kind, limit) = deadlines.earliest();
            let Some(mut sleep) = timer.as_mut().as_pin_mut() else {
                timer.set(Some(tokio::time::sleep_until(at)));
                continue;
            };
            if sleep.deadline() != at {
                sleep.as_mut().reset(at);
            }
            if sleep.poll(cx).is_pending() {
                return Poll::Pending;
            }
            // The timer fired: at the earliest deadline, unless a read made progress since it
            // was set, in which case it is set again to the new one.
            if deadlines.earliest().0 <= at {
                return Poll::Ready(Err(Failure::Timeout(kind, limit)));
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// The timeout a result is, if it is one.
    fn timeout<T>(r: Result<T, Failure>) -> Option<(TimeoutKind, Duration)> {
        match r {
            Err(Failure::Timeout(kind, limit)) => Some((kind, limit)),
            _ => None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_earliest_deadline_names_the_timeout() {
        let deadlines = Deadlines::new(10 * SECOND, 2 * SECOND);
        let mut timer = std::pin::pin!(None);
        let never = std::future::pending::<()>;
        // No attempt: only the operation's deadline.
        assert_eq!(
            timeout(within(timer.as_mut(), &deadlines, never()).await),
            Some((TimeoutKind::Operation, 10 * SECOND))
        );

        let deadlines = Deadlines::new(10 * SECOND, 2 * SECOND);
        deadlines.start_attempt(5 * SECOND);
        assert_eq!(
            timeout(within(timer.as_mut(), &deadlines, never()).await),
            Some((TimeoutKind::Read, 2 * SECOND))
        );

        let deadlines = Deadlines::new(10 * SECOND, 20 * SECOND);
        deadlines.start_attempt(5 * SECOND);
        assert_eq!(
            timeout(within(timer.as_mut(), &deadlines, never()).await),
            Some((TimeoutKind::Attempt, 5 * SECOND))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn progress_moves_the_read_deadline_on() {
        let deadlines = Deadlines::new(60 * SECOND, 2 * SECOND);
        let mut timer = std::pin::pin!(None);
        deadlines.start_attempt(30 * SECOND);
        let started = Instant::now();
        // Bytes every 1.5 s, five times: no read timeout, though 7.5 s pass.
        let trickle = async {
            for _ in 0..5 {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                deadlines.progress();
            }
            "done"
        };
        assert!(matches!(
            within(timer.as_mut(), &deadlines, trickle).await,
            Ok("done")
        ));
        assert_eq!(started.elapsed(), Duration::from_millis(7500));
        // Then silence: the read times out 2 s after the last bytes.
        assert_eq!(
            timeout(within(timer.as_mut(), &deadlines, std::future::pending::<()>()).await),
            Some((TimeoutKind::Read, 2 * SECOND))
        );
        assert_eq!(started.elapsed(), Duration::from_millis(9500));
    }

    #[tokio::test(start_paused = true)]
    async fn limits_beyond_the_clock_are_decades_away() {
        let deadlines = Deadlines::new(Duration::MAX, Duration::MAX);
        deadlines.start_attempt(Duration::MAX);
        deadlines.progress();
        let mut timer = std::pin::pin!(None);
        let started = Instant::now();
        let out = timeout(within(timer.as_mut(), &deadlines, std::future::pending::<()>()).await);
        assert!(out.is_some());
        assert!(started.elapsed() >= FAR_FUTURE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_ready_future_wins_and_sets_no_timer() {
        let deadlines = Deadlines::new(SECOND, SECOND);
        let mut timer = std::pin::pin!(None::<Sleep>);
        assert!(matches!(
            within(timer.as_mut(), &deadlines, async { 7 }).await,
            Ok(7)
        ));
        assert!(timer.is_none());
    }
}
