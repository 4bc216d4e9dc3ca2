//! Fault injection: make chosen requests fail the ways real networks and services fail, so that
//! clients' retry, timeout and decoding paths can be tested.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::util::Rng;

/// The seed the fault RNG starts with, so runs are reproducible without calling [`Faults::seed`].
pub const DEFAULT_FAULT_SEED: u64 = 0x00C0_FFEE;

/// What an injected fault does to a request. Faults apply only to requests that authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// HTTP 400 `Throttling.User`, with Alibaba's error body.
    Throttling,
    /// HTTP 500 `InternalError`.
    InternalError,
    /// HTTP 503 `ServiceUnavailable`.
    ServiceUnavailable,
    /// Any error status, code and message, with Alibaba's error body.
    Error {
        /// HTTP status.
        status: u16,
        /// Error code, e.g. `Throttling`.
        code: String,
        /// Error message.
        message: String,
    },
    /// Sleeps this long, then answers normally (or as a later fault says). Delays add up.
    Delay(Duration),
    /// Closes the connection without sending any response.
    DropConnection,
    /// HTTP 200 with JSON cut short: `{"RequestId": "x", "Code"`.
    MalformedJson,
    /// HTTP 200 with a body that is not JSON at all.
    NotJson,
    /// Any status, content type and body, sent as is.
    RawBody {
        /// HTTP status.
        status: u16,
        /// `Content-Type` header value.
        content_type: String,
        /// The body bytes.
        body: Vec<u8>,
    },
    /// The normal answer's headers with its full `Content-Length`, half of the body, then the
    /// connection is closed.
    TruncatedBody,
}

/// How often a fault fires.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Trigger {
    Always,
    Times(u64),
    Rate(f64),
}

/// A fault to inject: what it does, to which action, how often. Built with the constructors and
/// refined with [`Fault::for_action`], [`Fault::times`] or [`Fault::rate`]; by default it applies
/// to every action, on every request, until removed.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    kind: FaultKind,
    action: Option<String>,
    trigger: Trigger,
}

impl Fault {
    /// A fault of the given kind.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            action: None,
            trigger: Trigger::Always,
        }
    }

    /// HTTP 400 `Throttling.User`.
    pub fn throttling() -> Self {
        Fault::new(FaultKind::Throttling)
    }

    /// HTTP 500 `InternalError`.
    pub fn internal_error() -> Self {
        Fault::new(FaultKind::InternalError)
    }

    /// HTTP 503 `ServiceUnavailable`.
    pub fn service_unavailable() -> Self {
        Fault::new(FaultKind::ServiceUnavailable)
    }

    /// Any error response with Alibaba's error body.
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Fault::new(FaultKind::Error {
            status,
            code: code.into(),
            message: message.into(),
        })
    }

    /// Sleeps before answering.
    pub fn delay(delay: Duration) -> Self {
        Fault::new(FaultKind::Delay(delay))
    }

    /// Closes the connection without a response.
    pub fn drop_connection() -> Self {
        Fault::new(FaultKind::DropConnection)
    }

    /// HTTP 200 with JSON cut short.
    pub fn malformed_json() -> Self {
        Fault::new(FaultKind::MalformedJson)
    }

    /// HTTP 200 with a body that is not JSON.
    pub fn not_json() -> Self {
        Fault::new(FaultKind::NotJson)
    }

    /// Any status, content type and body.
    pub fn raw_body(
        status: u16,
        content_type: impl Into<String>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        Fault::new(FaultKind::RawBody {
            status,
            content_type: content_type.into(),
            body: body.into(),
        })
    }

    /// A body shorter than its `Content-Length`, then the connection closes.
    pub fn truncated_body() -> Self {
        Fault::new(FaultKind::TruncatedBody)
    }

    /// Only requests for this action (wire name, e.g. `ResetAgentState`).
    pub fn for_action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Only the next `n` matching requests; then the fault removes itself.
    pub fn times(mut self, n: u64) -> Self {
        self.trigger = Trigger::Times(n);
        self
    }

    /// Each matching request with this probability (clamped to 0..=1), drawn from the seedable
    /// RNG of [`Faults`].
    pub fn rate(mut self, probability: f64) -> Self {
        let p = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        self.trigger = Trigger::Rate(p);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }
}

/// Identifies an injected fault, to remove it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FaultId(u64);

impl FaultId {
    /// The number the control API shows for this fault.
    pub fn raw(self) -> u64 {
        self.0
    }

    pub(crate) fn from_raw(n: u64) -> Self {
        FaultId(n)
    }
}

#[derive(Debug)]
struct Rules {
    rules: Vec<(FaultId, Fault)>,
    next_id: u64,
    rng: Rng,
}

/// The injected faults; clones share them. Safe to change while the emulator runs.
#[derive(Clone, Debug)]
pub struct Faults {
    rules: Arc<Mutex<Rules>>,
    // Lets the hot path skip the lock when nothing is injected.
    active: Arc<AtomicUsize>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults::new(DEFAULT_FAULT_SEED)
    }
}

/// What the faults decided for one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) delay: Duration,
    pub(crate) outcome: Option<FaultKind>,
}

impl Faults {
    pub(crate) fn new(seed: u64) -> Self {
        Faults {
            rules: Arc::new(Mutex::new(Rules {
                rules: Vec::new(),
                next_id: 0,
                rng: Rng::new(seed),
            })),
            active: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Rules> {
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a fault. Faults are checked in the order they were added: delays add up, and the first
    /// other fault that fires decides the answer.
    pub fn inject(&self, fault: Fault) -> FaultId {
        let mut rules = self.lock();
        let id = FaultId(rules.next_id);
        rules.next_id += 1;
        if fault.trigger != Trigger::Times(0) {
            rules.rules.push((id, fault));
        }
        self.active.store(rules.rules.len(), Ordering::Release);
        id
    }

    /// Removes a fault; `false` if it was gone already (removed, or used up by [`Fault::times`]).
    pub fn remove(&self, id: FaultId) -> bool {
        let mut rules = self.lock();
        let before = rules.rules.len();
        rules.rules.retain(|(i, _)| *i != id);
        self.active.store(rules.rules.len(), Ordering::Release);
        rules.rules.len() != before
    }

    /// Removes every fault.
    pub fn clear(&self) {
        let mut rules = self.lock();
        rules.rules.clear();
        self.active.store(0, Ordering::Release);
    }

    /// Restarts the RNG behind [`Fault::rate`] from `seed`.
    pub fn seed(&self, seed: u64) {
        self.lock().rng = Rng::new(seed);
    }

    /// How many faults are in force.
    pub fn len(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    /// Whether no fault is in force.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decides what happens to one authenticated request for `action`.
    pub(crate) fn decide(&self, action: &str) -> Decision {
        let mut decision = Decision::default();
        if self.active.load(Ordering::Acquire) == 0 {
            return decision;
        }
        let mut guard = self.lock();
        let Rules { rules, rng, .. } = &mut *guard;
        let mut i = 0;
        while i < rules.len() {
            let fault = &mut rules[i].1;
            let applies = fault.action.as_deref().is_none_or(|a| a == action);
            let fires = applies
                && match &mut fault.trigger {
                    Trigger::Always => true,
                    Trigger::Times(n) => {
                        *n -= 1;
                        true
                    }
                    Trigger::Rate(p) => rng.next_f64() < *p,
                };
            if !fires {
                i += 1;
                continue;
            }
            let kind = if fault.trigger == Trigger::Times(0) {
                rules.remove(i).1.kind
            } else {
                i += 1;
                fault.kind.clone()
            };
            match kind {
                FaultKind::Delay(d) => decision.delay = decision.delay.saturating_add(d),
                other => {
                    decision.outcome = Some(other);
                    break;
                }
            }
        }
        self.active.store(rules.len(), Ordering::Release);
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_counts_down_and_removes_itself() {
        let faults = Faults::default();
        faults.inject(Fault::throttling().for_action("A").times(2));
        assert!(faults.decide("B").outcome.is_none());
        assert_eq!(faults.decide("A").outcome, Some(FaultKind::Throttling));
        assert_eq!(faults.decide("A").outcome, Some(FaultKind::Throttling));
        assert!(faults.decide("A").outcome.is_none());
        assert!(faults.is_empty());
    }

    #[test]
    fn delays_add_up_and_first_terminal_wins() {
        let faults = Faults::default();
        faults.inject(Fault::delay(Duration::from_millis(5)));
        faults.inject(Fault::delay(Duration::from_millis(7)).times(1));
        faults.inject(Fault::internal_error());
        let id = faults.inject(Fault::service_unavailable());
        let d = faults.decide("X");
        assert_eq!(d.delay, Duration::from_millis(12));
        assert_eq!(d.outcome, Some(FaultKind::InternalError));
        assert_eq!(faults.decide("X").delay, Duration::from_millis(5));
        assert!(faults.remove(id));
        assert!(!faults.remove(id));
        faults.clear();
        assert!(faults.decide("X").outcome.is_none());
    }

    #[test]
    fn rate_is_reproducible_with_a_seed() {
        let run = |seed| {
            let faults = Faults::new(seed);
            faults.inject(Fault::drop_connection().rate(0.5));
            (0..64)
                .map(|_| faults.decide("A").outcome.is_some())
                .collect::<Vec<_>>()
        };
        let a = run(1);
        assert_eq!(a, run(1));
        let fired = a.iter().filter(|f| **f).count();
        assert!((16..=48).contains(&fired), "{fired}");
        let never = Faults::default();
        never.inject(Fault::not_json().rate(0.0));
        assert!((0..100).all(|_| never.decide("A").outcome.is_none()));
    }
}
