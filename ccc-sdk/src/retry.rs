//! Retries: which failures are worth another attempt, and how long to wait before it.

use std::time::{Duration, Instant};

use crate::failure::Failure;

/// How a client retries: exponential backoff with full jitter, bounded in attempts and in time.
///
/// Throttling, HTTP 5xx, timeouts and connection errors are retried; other 4xx errors are not.
/// Every attempt is signed afresh, with a new nonce and timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryConfig {
    /// 3 attempts, backoff from 100 ms doubling up to 5 s, no new attempt 30 s after the first.
    pub fn standard() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }

    /// One attempt only.
    pub fn disabled() -> Self {
        Self::standard().with_max_attempts(1)
    }

    /// Attempts in all, the first included; 0 is taken as 1.
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The backoff cap before the first retry; it doubles for each retry after.
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The largest backoff cap.
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// No retry starts once this long has passed since the first attempt began.
    pub fn with_max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// Attempts in all.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The time bound on starting retries.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }

    /// The wait before retry number `retry` (1 for the first), given a uniform sample in [0, 1).
    pub(crate) fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        cap.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// How one call retries, settled from the client's config and the call's options.
pub(crate) struct Policy<'a> {
    pub(crate) retry: &'a RetryConfig,
    pub(crate) attempt_timeout: Duration,
    pub(crate) idempotent: bool,
}

impl Policy<'_> {
    /// The wait before the attempt after attempt `n`, which failed with `failure`; `None` when
    /// no attempt follows: the failure would come again, the action may have run and is not safe
    /// to repeat, the attempts are spent, or the wait would end past the time bound counted from
    /// `started`. The service's `retry after` lengthens the wait, never shortens it.
    pub(crate) fn next_wait(
        &self,
        failure: &Failure,
        n: u32,
        started: Instant,
    ) -> Option<Duration> {
        if !(failure.is_retryable(self.idempotent) && n < self.retry.max_attempts()) {
            return None;
        }
        let backoff = self.retry.backoff(n, jitter_unit());
        let wait = failure.retry_after().map_or(backoff, |w| w.max(backoff));
        (started.elapsed() + wait < self.retry.max_elapsed()).then_some(wait)
    }
}

/// A uniform sample in [0, 1) for jitter.
pub(crate) fn jitter_unit() -> f64 {
    let bits = getrandom::u64().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64)
            .unwrap_or_default()
    });
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_within_its_cap() {
        let r = RetryConfig::standard();
        assert_eq!(
            r.backoff(1, 0.999_999),
            Duration::from_millis(100).mul_f64(0.999_999)
        );
        assert_eq!(r.backoff(2, 0.5), Duration::from_millis(100));
        assert_eq!(r.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(r.backoff(30, 0.5), Duration::from_millis(2500));
        assert_eq!(r.backoff(200, 1.0), Duration::from_secs(5));
        assert_eq!(r.backoff(1, 0.0), Duration::ZERO);
    }

    #[test]
    fn jitter_is_in_the_unit_interval() {
        for _ in 0..1000 {
            let u = jitter_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert_eq!(RetryConfig::disabled().max_attempts(), 1);
        assert_eq!(
            RetryConfig::standard().with_max_attempts(0).max_attempts(),
            1
        );
    }
}
