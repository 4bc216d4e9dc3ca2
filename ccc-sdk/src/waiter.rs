//! Waiters: send a request again and again until its answer says the wait is over.
//!
//! Contact-centre code waits: for an agent to be `READY` after signing in or after a call's
//! after-call work, for a call to be answered. A [`Wait`] polls any action (a closure that sends
//! one request) and ends when
//!
//! - an answer meets its success condition (given to [`Wait::new`]): the wait returns that
//!   answer;
//! - an answer meets one of its failure conditions ([`Wait::fail_if`]);
//! - a request fails with an error not worth polling through: by default one that is not
//!   [transient](crate::SdkError::is_transient), so throttling, HTTP 5xx, timeouts and lost
//!   connections keep it polling while a bad parameter, an unknown user or missing credentials
//!   end it ([`Wait::retry_error`] changes that);
//! - the maximum wait has passed, or the maximum number of polls has been made.
//!
//! Every end but success is a [`WaitError`]: its [`kind`](WaitError::kind) says which, and it
//! keeps the last answer or the last error.
//!
//! For the common cases the client has named waiters, both polling `PollUserStatus`:
//! [`Client::wait_for_agent_state`] and [`Client::wait_for_call_state`].
//!
//! # Timing
//!
//! After each poll that does not end the wait, the waiter sleeps a random time between the
//! minimum delay and a cap that is the minimum delay at first and doubles after each poll, up to
//! the maximum delay: exponential backoff with jitter, so that many waiters do not poll in step.
//! Nothing an answer holds can make it sleep less than the minimum delay; a throttled answer
//! that asks for a longer pause (`x-acs-retry-after`) gets it, up to the maximum delay.
//!
//! No sleep ends past the maximum wait. When the next sleep would, it is shortened so that one
//! last poll starts at the deadline, unless less than the minimum delay is left: then the wait
//! ends without it. A poll that has started runs to its end, bounded by the call's own time
//! limit ([`ConfigBuilder::operation_timeout`](crate::ConfigBuilder::operation_timeout), 60 s by
//! default).
//!
//! Time is counted as the larger of the real time since the wait began and the time slept plus
//! the time the polls took, so that with a sleeper that does not really sleep (a test's virtual
//! clock, see [`Wait::sleeper`]) the maximum wait still holds in the sleeper's time.
//!
//! Defaults: a minimum delay of 1 s, a maximum delay of 10 s, a maximum wait of 5 minutes, no
//! limit on the number of polls. Refused, with a [`WaitPolicyError`] and before any poll: a
//! maximum wait of zero or over [`MAX_WAIT_LIMIT`] (a day), a minimum delay under
//! [`MIN_DELAY_FLOOR`] (10 ms), a minimum delay over the maximum delay, a limit of zero polls.
//!
//! ```no_run
//! use std::time::Duration;
//! use ccc_sdk::types::UserState;
//!
//! # async fn run(client: ccc_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
//! // A named waiter.
//! client
//!     .wait_for_agent_state("ccc-test", "agent-ann@ccc-test", UserState::Ready)
//!     .max_wait(Duration::from_secs(120))
//!     .await?;
//!
//! // Any action: wait until the user has a device registered.
//! let request = client.get_user().instance_id("ccc-test").user_id("agent-ann@ccc-test");
//! let user = ccc_sdk::waiter::Wait::new(
//!     || request.clone().send(),
//!     |out| out.data().and_then(|u| u.device_id()).is_some(),
//! )
//! .max_polls(20)
//! .await?;
//! println!("{:?}", user.data().and_then(|u| u.device_id()));
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::{SdkError, ServiceError};
use crate::operation::poll_user_status::{PollUserStatusError, PollUserStatusOutput};
use crate::retry::jitter_unit;
use crate::types::{CallContext, ChannelState, UserState};

/// The longest maximum wait a waiter takes: a day. A longer one is refused as a mistake (a wait
/// in milliseconds given as seconds, say); a process that waits longer polls again itself.
pub const MAX_WAIT_LIMIT: Duration = Duration::from_secs(24 * 60 * 60);
/// The shortest minimum delay a waiter takes: 10 ms, so that no waiter spins on the service.
pub const MIN_DELAY_FLOOR: Duration = Duration::from_millis(10);
/// The minimum delay unless set: 1 s.
pub const DEFAULT_MIN_DELAY: Duration = Duration::from_secs(1);
/// The maximum delay unless set: 10 s.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);
/// The maximum wait unless set: 5 minutes.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(5 * 60);

/// How a waiter times its polls: the delays between them, the maximum wait and the maximum
/// number of polls. Built and checked by [`WaitPolicy::builder`]; see [the module](self) for
/// how the delays are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitPolicy {
    min_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
    max_polls: Option<u32>,
}

impl Default for WaitPolicy {
    /// 1 s to 10 s between polls, at most 5 minutes in all, no limit on polls.
    fn default() -> Self {
        WaitPolicy {
            min_delay: DEFAULT_MIN_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            max_wait: DEFAULT_MAX_WAIT,
            max_polls: None,
        }
    }
}

impl WaitPolicy {
    /// A builder starting from the defaults.
    pub fn builder() -> WaitPolicyBuilder {
        WaitPolicyBuilder {
            policy: WaitPolicy::default(),
        }
    }

    /// The least time between two polls.
    pub fn min_delay(&self) -> Duration {
        self.min_delay
    }

    /// The most time between two polls.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// How long a wait may last in all.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// How many polls a wait may make, if limited.
    pub fn max_polls(&self) -> Option<u32> {
        self.max_polls
    }

    fn check(self) -> Result<Self, WaitPolicyError> {
        if self.max_wait.is_zero() {
            return Err(WaitPolicyError::ZeroMaxWait);
        }
        if self.max_wait > MAX_WAIT_LIMIT {
            return Err(WaitPolicyError::MaxWaitOverLimit {
                max_wait: self.max_wait,
            });
        }
        if self.min_delay < MIN_DELAY_FLOOR {
            return Err(WaitPolicyError::MinDelayUnderFloor {
                min_delay: self.min_delay,
            });
        }
        if self.min_delay > self.max_delay {
            return Err(WaitPolicyError::MinDelayOverMaxDelay {
                min_delay: self.min_delay,
                max_delay: self.max_delay,
            });
        }
        if self.max_polls == Some(0) {
            return Err(WaitPolicyError::ZeroMaxPolls);
        }
        Ok(self)
    }

    /// The pause after poll `poll` (1 for the first), given a uniform sample in [0, 1): between
    /// the minimum delay and a cap that doubles with each poll, up to the maximum delay.
    pub(crate) fn backoff(&self, poll: u32, unit: f64) -> Duration {
        let doubling = 1u32.checked_shl(poll.saturating_sub(1)).unwrap_or(u32::MAX);
        let cap = self
            .min_delay
            .saturating_mul(doubling)
            .min(self.max_delay)
            .max(self.min_delay);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.min_delay + (cap - self.min_delay).mul_f64(unit)
    }

    /// The sleep after poll `poll`, `elapsed` into the wait, when the service `asked` for a
    /// pause; `None` when less than the minimum delay is left before the deadline.
    pub(crate) fn next_sleep(
        &self,
        poll: u32,
        unit: f64,
        elapsed: Duration,
        asked: Option<Duration>,
    ) -> Option<Duration> {
        let mut pause = self.backoff(poll, unit);
        if let Some(asked) = asked {
            pause = pause.max(asked.min(self.max_delay));
        }
        let left = self.max_wait.saturating_sub(elapsed);
        if pause <= left {
            Some(pause)
        } else if left >= self.min_delay {
            // One last poll, at the deadline.
            Some(left)
        } else {
            None
        }
    }
}

/// Sets a [`WaitPolicy`]; [`build`](Self::build) refuses values that make no sense.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitPolicyBuilder {
    /// Not checked until `build`.
    policy: WaitPolicy,
}

impl Default for WaitPolicyBuilder {
    fn default() -> Self {
        WaitPolicy::builder()
    }
}

impl WaitPolicyBuilder {
    /// The least time between two polls (default 1 s; at least [`MIN_DELAY_FLOOR`]).
    pub fn min_delay(mut self, d: Duration) -> Self {
        self.policy.min_delay = d;
        self
    }

    /// The most time between two polls (default 10 s; at least the minimum delay).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.policy.max_delay = d;
        self
    }

    /// How long the wait may last in all (default 5 minutes; more than zero, at most
    /// [`MAX_WAIT_LIMIT`]).
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.policy.max_wait = d;
        self
    }

    /// How many polls the wait may make (default: no limit but the maximum wait; at least 1).
    pub fn max_polls(mut self, n: u32) -> Self {
        self.policy.max_polls = Some(n);
        self
    }

    /// The policy, or why it cannot be used.
    pub fn build(self) -> Result<WaitPolicy, WaitPolicyError> {
        self.policy.check()
    }
}

/// A waiter's settings that make no sense.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitPolicyError {
    /// The maximum wait is zero: no poll could be made.
    ZeroMaxWait,
    /// The maximum wait is over [`MAX_WAIT_LIMIT`].
    MaxWaitOverLimit {
        /// The maximum wait asked for.
        max_wait: Duration,
    },
    /// The minimum delay is under [`MIN_DELAY_FLOOR`]: the waiter would spin on the service.
    MinDelayUnderFloor {
        /// The minimum delay asked for.
        min_delay: Duration,
    },
    /// The minimum delay is over the maximum delay.
    MinDelayOverMaxDelay {
        /// The minimum delay asked for.
        min_delay: Duration,
        /// The maximum delay asked for.
        max_delay: Duration,
    },
    /// The maximum number of polls is zero.
    ZeroMaxPolls,
}

impl fmt::Display for WaitPolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitPolicyError::ZeroMaxWait => f.write_str("the maximum wait is zero"),
            WaitPolicyError::MaxWaitOverLimit { max_wait } => write!(
                f,
                "the maximum wait of {max_wait:?} is over the limit of {MAX_WAIT_LIMIT:?} (a day)"
            ),
            WaitPolicyError::MinDelayUnderFloor { min_delay } => write!(
                f,
                "the minimum delay of {min_delay:?} is under {MIN_DELAY_FLOOR:?}, the least a \
                 waiter pauses between polls"
            ),
            WaitPolicyError::MinDelayOverMaxDelay {
                min_delay,
                max_delay,
            } => write!(
                f,
                "the minimum delay of {min_delay:?} is over the maximum delay of {max_delay:?}"
            ),
            WaitPolicyError::ZeroMaxPolls => f.write_str("the maximum number of polls is zero"),
        }
    }
}

impl std::error::Error for WaitPolicyError {}

/// Why a wait ended without success.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitErrorKind {
    /// The maximum wait ran out before an answer met the success condition.
    TimedOut {
        /// The maximum wait.
        max_wait: Duration,
    },
    /// The maximum number of polls was made, and no answer met the success condition.
    TooManyPolls {
        /// The maximum number of polls.
        max_polls: u32,
    },
    /// An answer met a failure condition ([`Wait::fail_if`]).
    FailureMatched,
    /// A poll failed with an error the waiter does not poll through ([`Wait::retry_error`]).
    ErrorNotRetried,
    /// The waiter's settings were refused; nothing was sent.
    InvalidPolicy(WaitPolicyError),
}

/// A wait that ended without success: why, with the last answer or the last error, the number
/// of polls and the time it took.
pub struct WaitError<O, E> {
    kind: WaitErrorKind,
    last: Option<Result<O, SdkError<E>>>,
    polls: u32,
    elapsed: Duration,
}

impl<O, E> WaitError<O, E> {
    /// Why the wait ended.
    pub fn kind(&self) -> &WaitErrorKind {
        &self.kind
    }

    /// The last answer, when the last poll got one.
    pub fn last_output(&self) -> Option<&O> {
        self.last.as_ref().and_then(|r| r.as_ref().ok())
    }

    /// The last error, when the last poll failed.
    pub fn last_error(&self) -> Option<&SdkError<E>> {
        self.last.as_ref().and_then(|r| r.as_ref().err())
    }

    /// The last poll's outcome, taken out; `None` when no poll was made.
    pub fn into_last(self) -> Option<Result<O, SdkError<E>>> {
        self.last
    }

    /// How many polls were made.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// How long the wait lasted, counted as the waiter counts it (see [the module](self)).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl<O, E> fmt::Debug for WaitError<O, E>
where
    O: fmt::Debug,
    E: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitError")
            .field("kind", &self.kind)
            .field("last", &self.last)
            .field("polls", &self.polls)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

/// `1 poll`, `2 polls`.
struct Polls(u32);

impl fmt::Display for Polls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.0 == 1 { "" } else { "s" };
        write!(f, "{} poll{s}", self.0)
    }
}

// Like `SdkError`, the last error's text is part of this one's, and its source is the last
// error's source: printing the chain says each thing once.
impl<O, E: fmt::Display> fmt::Display for WaitError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let polls = Polls(self.polls);
        match &self.kind {
            WaitErrorKind::TimedOut { max_wait } => write!(
                f,
                "gave up waiting after {polls}: the maximum wait of {max_wait:?} ran out"
            )?,
            WaitErrorKind::TooManyPolls { max_polls } => write!(
                f,
                "gave up waiting after {polls}, the most the waiter makes ({max_polls})"
            )?,
            WaitErrorKind::FailureMatched => {
                return write!(
                    f,
                    "stopped waiting after {polls}: the answer met a failure condition"
                );
            }
            WaitErrorKind::ErrorNotRetried => {
                f.write_str("stopped waiting: ")?;
                if let Some(e) = self.last_error() {
                    write!(f, "{e} (poll {}, not polled through)", self.polls)?;
                }
                return Ok(());
            }
            WaitErrorKind::InvalidPolicy(e) => return write!(f, "invalid waiter: {e}"),
        }
        if let Some(e) = self.last_error() {
            write!(f, "; the last poll failed: {e}")?;
        }
        Ok(())
    }
}

impl<O, E> std::error::Error for WaitError<O, E>
where
    O: fmt::Debug,
    E: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.last_error().and_then(std::error::Error::source)
    }
}

/// What a [`Wait`] awaits: its answer, or why it ended without one.
pub type WaitFuture<'a, O, E> =
    Pin<Box<dyn Future<Output = Result<O, WaitError<O, E>>> + Send + 'a>>;

type PollFuture<'a, O, E> = Pin<Box<dyn Future<Output = Result<O, SdkError<E>>> + Send + 'a>>;
type PollFn<'a, O, E> = Box<dyn FnMut() -> PollFuture<'a, O, E> + Send + 'a>;
type Condition<'a, O> = Box<dyn Fn(&O) -> bool + Send + 'a>;
type ErrorCondition<'a, E> = Box<dyn Fn(&SdkError<E>) -> bool + Send + 'a>;
type SleepFn<'a> =
    Box<dyn FnMut(Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> + Send + 'a>;

/// A wait on any action: polls until an answer meets the success condition, or until one of
/// the ends described in [the module](self). Set it up with its methods, then `.await` it (it
/// is [`IntoFuture`]).
///
/// `O` is the action's output, `E` its error.
#[must_use = "nothing is sent until the wait is awaited"]
pub struct Wait<'a, O, E> {
    poll: PollFn<'a, O, E>,
    success: Condition<'a, O>,
    failure: Vec<Condition<'a, O>>,
    retry_error: ErrorCondition<'a, E>,
    policy: WaitPolicyBuilder,
    sleep: SleepFn<'a>,
}

impl<O, E> fmt::Debug for Wait<'_, O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("policy", &self.policy.policy)
            .field("failure_conditions", &self.failure.len())
            .finish_non_exhaustive()
    }
}

impl<'a, O, E> Wait<'a, O, E>
where
    O: Send + 'a,
    E: AsRef<ServiceError> + Send + 'a,
{
    /// A wait that calls `poll` for each poll (typically `|| request.clone().send()` on an
    /// action's fluent builder) until an answer meets `success`.
    pub fn new<P, F, S>(mut poll: P, success: S) -> Self
    where
        P: FnMut() -> F + Send + 'a,
        F: Future<Output = Result<O, SdkError<E>>> + Send + 'a,
        S: Fn(&O) -> bool + Send + 'a,
    {
        Wait {
            poll: Box::new(move || Box::pin(poll())),
            success: Box::new(success),
            failure: Vec::new(),
            retry_error: Box::new(SdkError::is_transient),
            policy: WaitPolicy::builder(),
            sleep: Box::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }

    /// Polls until the wait ends.
    async fn run(self) -> Result<O, WaitError<O, E>> {
        let Wait {
            mut poll,
            success,
            failure,
            retry_error,
            policy,
            mut sleep,
        } = self;
        let policy = policy.build().map_err(|e| WaitError {
            kind: WaitErrorKind::InvalidPolicy(e),
            last: None,
            polls: 0,
            elapsed: Duration::ZERO,
        })?;
        let started = Instant::now();
        // Time slept plus time polling: what a sleeper that does not really sleep has counted.
        let mut counted = Duration::ZERO;
        let mut polls = 0u32;
        loop {
            polls = polls.saturating_add(1);
            let sent = Instant::now();
            let answer = poll().await;
            counted = counted.saturating_add(sent.elapsed());
            let answer = match answer {
                Ok(out) if success(&out) => return Ok(out),
                other => other,
            };
            let stop = match &answer {
                Ok(out) => failure
                    .iter()
                    .any(|c| c(out))
                    .then_some(WaitErrorKind::FailureMatched),
                Err(e) => (!retry_error(e)).then_some(WaitErrorKind::ErrorNotRetried),
            };
            let elapsed = started.elapsed().max(counted);
            let end = |kind, last| WaitError {
                kind,
                last: Some(last),
                polls,
                elapsed,
            };
            if let Some(kind) = stop {
                return Err(end(kind, answer));
            }
            if let Some(max_polls) = policy.max_polls.filter(|m| polls >= *m) {
                return Err(end(WaitErrorKind::TooManyPolls { max_polls }, answer));
            }
            let asked = answer
                .as_ref()
                .err()
                .and_then(SdkError::as_service_error)
                .and_then(|e| e.as_ref().retry_after());
            let Some(pause) = policy.next_sleep(polls, jitter_unit(), elapsed, asked) else {
                let kind = WaitErrorKind::TimedOut {
                    max_wait: policy.max_wait,
                };
                return Err(end(kind, answer));
            };
            drop(answer);
            sleep(pause).await;
            counted = counted.saturating_add(pause);
        }
    }
}

impl<'a, O, E> Wait<'a, O, E> {
    /// Ends the wait with [`WaitErrorKind::FailureMatched`] when an answer meets `condition`
    /// (and not the success condition, which is looked at first). Each call adds a condition;
    /// any one of them ends the wait.
    pub fn fail_if(mut self, condition: impl Fn(&O) -> bool + Send + 'a) -> Self {
        self.failure.push(Box::new(condition));
        self
    }

    /// Which errors the wait polls through: `true` keeps polling, `false` ends the wait with
    /// [`WaitErrorKind::ErrorNotRetried`]. The default is
    /// [`SdkError::is_transient`]; to wait for something to appear, poll through its
    /// `NotExists` error as well:
    /// `.retry_error(|e| e.is_transient() || e.code() == Some("NotExists.JobId"))`.
    pub fn retry_error(mut self, keep_polling: impl Fn(&SdkError<E>) -> bool + Send + 'a) -> Self {
        self.retry_error = Box::new(keep_polling);
        self
    }

    /// The least time between two polls (default 1 s; at least [`MIN_DELAY_FLOOR`]).
    pub fn min_delay(mut self, d: Duration) -> Self {
        self.policy = self.policy.min_delay(d);
        self
    }

    /// The most time between two polls (default 10 s; at least the minimum delay).
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.policy = self.policy.max_delay(d);
        self
    }

    /// How long the wait may last in all (default 5 minutes; more than zero, at most
    /// [`MAX_WAIT_LIMIT`]).
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.policy = self.policy.max_wait(d);
        self
    }

    /// How many polls the wait may make (default: no limit but the maximum wait; at least 1).
    pub fn max_polls(mut self, n: u32) -> Self {
        self.policy = self.policy.max_polls(n);
        self
    }

    /// All the timing at once, from a policy already checked.
    pub fn policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = WaitPolicyBuilder { policy };
        self
    }

    /// What sleeps between polls: a function from the pause to a future that ends when the
    /// pause is over. The default is `tokio::time::sleep`. A test gives one that moves a virtual
    /// clock forward (the emulator's, with `state().advance_clock(d)`) and returns at once, or
    /// one that records the pauses.
    pub fn sleeper<F>(mut self, mut sleep: impl FnMut(Duration) -> F + Send + 'a) -> Self
    where
        F: Future<Output = ()> + Send + 'a,
    {
        self.sleep = Box::new(move |d| Box::pin(sleep(d)));
        self
    }
}

impl<'a, O, E> IntoFuture for Wait<'a, O, E>
where
    O: Send + 'a,
    E: AsRef<ServiceError> + Send + 'a,
{
    type Output = Result<O, WaitError<O, E>>;
    type IntoFuture = WaitFuture<'a, O, E>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// The agent's state in a `PollUserStatus` answer.
fn agent_state(out: &PollUserStatusOutput) -> Option<&UserState> {
    out.data()?.user_context()?.user_state()
}

/// The call `job_id` in a `PollUserStatus` answer, if the agent is in it.
fn call_of<'o>(out: &'o PollUserStatusOutput, job_id: &str) -> Option<&'o CallContext> {
    out.data()?
        .call_context()
        .filter(|c| c.job_id() == Some(job_id))
}

impl Client {
    /// Waits until the agent `user_id` of `instance_id` is in `state`, and returns the
    /// `PollUserStatus` answer that showed it. Polls `PollUserStatus`, the action an agent's
    /// workbench polls (GetUser tells who a user is, not what they are doing).
    ///
    /// The usual waits: `READY` after signing in, or after a call's after-call work
    /// (`WORKING`) ends. Set the timing on the [`Wait`] it returns; add a failure condition
    /// with [`fail_if`](Wait::fail_if) (say, the agent going `OFFLINE`).
    ///
    /// ```no_run
    /// # async fn run(client: ccc_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use ccc_sdk::types::UserState;
    /// client
    ///     .wait_for_agent_state("ccc-test", "agent-ann@ccc-test", UserState::Ready)
    ///     .max_wait(std::time::Duration::from_secs(60))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_agent_state(
        &self,
        instance_id: impl Into<String>,
        user_id: impl Into<String>,
        state: UserState,
    ) -> Wait<'static, PollUserStatusOutput, PollUserStatusError> {
        let request = self
            .poll_user_status()
            .instance_id(instance_id)
            .user_id(user_id);
        Wait::new(
            move || request.clone().send(),
            move |out| agent_state(out) == Some(&state),
        )
    }

    /// Waits until every channel (every party's leg) of the call `job_id` is in `state`, as
    /// seen by the agent `user_id` who is in the call, and returns the `PollUserStatus` answer
    /// that showed it: `ChannelState::Answered` once the call is connected. Polls
    /// `PollUserStatus`, the one action that reads a call's channels without acting on the call.
    ///
    /// Ends with [`WaitErrorKind::FailureMatched`] when the agent's status no longer shows the
    /// call: it ended, or the agent left it. A state this SDK does not name can be waited for
    /// as `ChannelState::from("HELD")`.
    ///
    /// ```no_run
    /// # async fn run(client: ccc_sdk::Client, job: String) -> Result<(), Box<dyn std::error::Error>> {
    /// use ccc_sdk::types::ChannelState;
    /// client
    ///     .wait_for_call_state("ccc-test", "agent-ann@ccc-test", &job, ChannelState::Answered)
    ///     .max_wait(std::time::Duration::from_secs(60))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_call_state(
        &self,
        instance_id: impl Into<String>,
        user_id: impl Into<String>,
        job_id: impl Into<String>,
        state: ChannelState,
    ) -> Wait<'static, PollUserStatusOutput, PollUserStatusError> {
        let request = self
            .poll_user_status()
            .instance_id(instance_id)
            .user_id(user_id);
        let job: String = job_id.into();
        let gone = job.clone();
        Wait::new(
            move || request.clone().send(),
            move |out| {
                call_of(out, &job).is_some_and(|call| {
                    let channels = call.channel_contexts();
                    !channels.is_empty()
                        && channels.iter().all(|c| c.channel_state() == Some(&state))
                })
            },
        )
        .fail_if(move |out| call_of(out, &gone).is_none())
    }
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "the scripted answers are whole errors"
)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;

    use super::*;
    use crate::error::{TimeoutError, TimeoutKind};

    const MS: Duration = Duration::from_millis(1);
    const S: Duration = Duration::from_secs(1);

    fn policy(min: Duration, max: Duration, wait: Duration) -> WaitPolicy {
        WaitPolicy::builder()
            .min_delay(min)
            .max_delay(max)
            .max_wait(wait)
            .build()
            .expect("a valid policy")
    }

    fn service(status: u16, code: &str, retry_after: Option<Duration>) -> SdkError<ServiceError> {
        SdkError::Service(ServiceError {
            http_status: status,
            code: code.into(),
            message: "m".into(),
            request_id: Some("req-1".into()),
            host_id: None,
            recommend: None,
            retry_after,
            attempts: 1,
        })
    }

    fn timeout() -> SdkError<ServiceError> {
        SdkError::Timeout(TimeoutError {
            kind: TimeoutKind::Operation,
            limit: Some(S),
            attempts: 1,
        })
    }

    type Answer = Result<u32, SdkError<ServiceError>>;

    /// Answers from `script` in turn, then `Ok(0)` for ever; counts the polls.
    struct Script {
        answers: Mutex<VecDeque<Answer>>,
        polls: Mutex<u32>,
    }

    impl Script {
        fn new(answers: impl IntoIterator<Item = Answer>) -> Self {
            Script {
                answers: Mutex::new(answers.into_iter().collect()),
                polls: Mutex::new(0),
            }
        }

        fn next(&self) -> std::future::Ready<Answer> {
            *self.polls.lock().unwrap() += 1;
            std::future::ready(self.answers.lock().unwrap().pop_front().unwrap_or(Ok(0)))
        }

        fn polls(&self) -> u32 {
            *self.polls.lock().unwrap()
        }
    }

    /// A wait on `script` until an answer of `done`, sleeping into `slept`.
    fn wait<'a>(
        script: &'a Script,
        done: u32,
        slept: &'a Mutex<Vec<Duration>>,
    ) -> Wait<'a, u32, ServiceError> {
        Wait::new(move || script.next(), move |n| *n == done).sleeper(move |d| {
            slept.lock().unwrap().push(d);
            std::future::ready(())
        })
    }

    #[test]
    fn backoff_starts_at_the_minimum_and_doubles_up_to_the_maximum() {
        let p = policy(S, 10 * S, 60 * S);
        assert_eq!(p.backoff(1, 0.999), S);
        assert_eq!(p.backoff(2, 0.0), S);
        assert_eq!(p.backoff(2, 0.5), S + S / 2);
        assert_eq!(p.backoff(3, 0.5), S + 3 * S / 2);
        assert_eq!(p.backoff(3, 1.0), 4 * S);
        assert_eq!(p.backoff(4, 1.0), 8 * S);
        assert_eq!(p.backoff(5, 1.0), 10 * S);
        assert_eq!(p.backoff(u32::MAX, 1.0), 10 * S);
        assert_eq!(p.backoff(u32::MAX, f64::NAN), S);
        for poll in 1..70 {
            let cap = (S * 2u32.saturating_pow(poll - 1)).min(10 * S);
            for unit in [0.0, 0.25, 0.5, 0.999_999] {
                let d = p.backoff(poll, unit);
                assert!(d >= S && d <= cap, "poll {poll} unit {unit}: {d:?}");
            }
        }
    }

    #[test]
    fn no_sleep_ends_past_the_deadline() {
        let p = policy(S, 4 * S, 10 * S);
        // Room for the whole pause.
        assert_eq!(p.next_sleep(3, 1.0, 2 * S, None), Some(4 * S));
        // Shortened to a last poll at the deadline.
        assert_eq!(p.next_sleep(3, 1.0, 7 * S, None), Some(3 * S));
        assert_eq!(p.next_sleep(3, 1.0, 9 * S, None), Some(S));
        // Less than the minimum delay left: no more polls.
        assert_eq!(p.next_sleep(1, 0.0, 9 * S + MS, None), None);
        assert_eq!(p.next_sleep(1, 0.0, 11 * S, None), None);
    }

    #[test]
    fn a_pause_the_service_asks_for_is_kept_up_to_the_maximum_delay() {
        let p = policy(S, 4 * S, 60 * S);
        assert_eq!(p.next_sleep(1, 0.0, S, Some(3 * S)), Some(3 * S));
        assert_eq!(p.next_sleep(1, 0.0, S, Some(60 * S)), Some(4 * S));
        // Never shorter than the backoff.
        assert_eq!(p.next_sleep(1, 0.0, S, Some(MS)), Some(S));
    }

    #[test]
    fn settings_that_make_no_sense_are_refused_when_built() {
        let b = WaitPolicy::builder;
        assert_eq!(
            b().max_wait(Duration::ZERO).build(),
            Err(WaitPolicyError::ZeroMaxWait)
        );
        assert_eq!(
            b().max_wait(MAX_WAIT_LIMIT + MS).build(),
            Err(WaitPolicyError::MaxWaitOverLimit {
                max_wait: MAX_WAIT_LIMIT + MS
            })
        );
        assert!(b().max_wait(MAX_WAIT_LIMIT).build().is_ok());
        assert_eq!(
            b().min_delay(Duration::ZERO).build(),
            Err(WaitPolicyError::MinDelayUnderFloor {
                min_delay: Duration::ZERO
            })
        );
        assert!(b().min_delay(MIN_DELAY_FLOOR).build().is_ok());
        assert_eq!(
            b().min_delay(5 * S).max_delay(2 * S).build(),
            Err(WaitPolicyError::MinDelayOverMaxDelay {
                min_delay: 5 * S,
                max_delay: 2 * S
            })
        );
        assert_eq!(b().max_polls(0).build(), Err(WaitPolicyError::ZeroMaxPolls));
        assert_eq!(b().build(), Ok(WaitPolicy::default()));
        let e = b()
            .max_wait(Duration::from_secs(86_401))
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("a day"), "{e}");
    }

    #[tokio::test]
    async fn a_refused_wait_sends_nothing() {
        let script = Script::new([]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 0, &slept)
            .max_wait(Duration::ZERO)
            .await
            .unwrap_err();
        assert_eq!(
            e.kind(),
            &WaitErrorKind::InvalidPolicy(WaitPolicyError::ZeroMaxWait)
        );
        assert_eq!((e.polls(), script.polls()), (0, 0));
        assert!(e.to_string().starts_with("invalid waiter: "), "{e}");
        let e = wait(&script, 0, &slept)
            .min_delay(10 * S)
            .max_delay(S)
            .await
            .unwrap_err();
        assert!(matches!(e.kind(), WaitErrorKind::InvalidPolicy(_)));
        assert_eq!(script.polls(), 0);
    }

    #[tokio::test]
    async fn the_answer_that_meets_the_condition_ends_the_wait() {
        let script = Script::new([Ok(1), Ok(2), Ok(3), Ok(4)]);
        let slept = Mutex::new(Vec::new());
        let out = wait(&script, 4, &slept)
            .min_delay(S)
            .max_delay(30 * S)
            .await
            .unwrap();
        assert_eq!((out, script.polls()), (4, 4));
        let slept = slept.into_inner().unwrap();
        assert_eq!(slept.len(), 3);
        // The cap doubles: 1 s, then up to 2 s, then up to 4 s.
        assert_eq!(slept[0], S);
        assert!(slept[1] >= S && slept[1] <= 2 * S, "{slept:?}");
        assert!(slept[2] >= S && slept[2] <= 4 * S, "{slept:?}");
    }

    #[tokio::test]
    async fn pauses_are_jittered_within_their_bounds() {
        let script = Script::new([]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept)
            .min_delay(100 * MS)
            .max_delay(S)
            .max_polls(200)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::TooManyPolls { max_polls: 200 });
        let slept = slept.into_inner().unwrap();
        assert_eq!(slept.len(), 199);
        assert!(slept.iter().all(|d| *d >= 100 * MS && *d <= S), "{slept:?}");
        // Past the fifth poll the cap is the maximum delay: draws spread over [min, max].
        let late = &slept[10..];
        let distinct: std::collections::HashSet<_> = late.iter().collect();
        assert!(distinct.len() > late.len() / 2, "{late:?}");
        assert!(late.iter().any(|d| *d < 400 * MS) && late.iter().any(|d| *d > 700 * MS));
    }

    #[tokio::test]
    async fn no_answer_makes_it_poll_faster_than_its_minimum_delay() {
        // Answers that fail fast (errors polled through) or match nothing: the pause is the same.
        let script = Script::new((0..50).map(|i| match i % 2 {
            0 => Err(timeout()),
            _ => Ok(7),
        }));
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept)
            .min_delay(250 * MS)
            .max_delay(250 * MS)
            .max_polls(50)
            .await
            .unwrap_err();
        assert!(matches!(e.kind(), WaitErrorKind::TooManyPolls { .. }));
        let slept = slept.into_inner().unwrap();
        assert_eq!(slept.len(), 49);
        assert!(slept.iter().all(|d| *d == 250 * MS), "{slept:?}");
    }

    #[tokio::test]
    async fn the_maximum_wait_ends_it_with_the_last_answer() {
        let script = Script::new([]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept)
            .min_delay(S)
            .max_delay(S)
            .max_wait(5 * S + S / 2)
            .await
            .unwrap_err();
        assert_eq!(
            e.kind(),
            &WaitErrorKind::TimedOut {
                max_wait: 5500 * MS
            }
        );
        // Polls at 0, 1, 2, 3, 4 and 5 s; then half a second is left, under the minimum delay.
        assert_eq!((e.polls(), script.polls()), (6, 6));
        let slept = slept.into_inner().unwrap();
        assert_eq!(slept, vec![S; 5]);
        assert!(
            e.elapsed() >= 5 * S && e.elapsed() < 5500 * MS,
            "{:?}",
            e.elapsed()
        );
        assert_eq!(e.last_output(), Some(&0));
        assert!(e.last_error().is_none());
        assert_eq!(
            e.to_string(),
            "gave up waiting after 6 polls: the maximum wait of 5.5s ran out"
        );
    }

    #[tokio::test]
    async fn the_last_sleep_is_shortened_to_poll_at_the_deadline() {
        let script = Script::new([]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept)
            .min_delay(S)
            .max_delay(S * 4)
            .max_wait(S * 3)
            .await
            .unwrap_err();
        assert!(matches!(e.kind(), WaitErrorKind::TimedOut { .. }));
        let slept = slept.into_inner().unwrap();
        let total: Duration = slept.iter().sum();
        assert!(total <= 3 * S, "{slept:?}");
        assert!(slept.iter().all(|d| *d >= S), "{slept:?}");
        // The last pause leaves less than the minimum delay before the deadline.
        assert!(3 * S - total < S, "{slept:?}");
    }

    #[tokio::test]
    async fn a_poll_cap_ends_it_with_the_last_error() {
        let script = Script::new((0..5).map(|_| Err(service(503, "ServiceUnavailable", None))));
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept)
            .min_delay(S)
            .max_polls(3)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::TooManyPolls { max_polls: 3 });
        assert_eq!((e.polls(), script.polls()), (3, 3));
        assert_eq!(slept.into_inner().unwrap().len(), 2);
        assert_eq!(
            e.last_error().and_then(SdkError::code),
            Some("ServiceUnavailable")
        );
        let text = e.to_string();
        assert!(
            text.starts_with("gave up waiting after 3 polls, the most the waiter makes (3)")
                && text.contains("; the last poll failed: ServiceUnavailable: m (HTTP 503"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_failure_condition_ends_it_at_once() {
        let script = Script::new([Ok(1), Ok(13), Ok(2)]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 2, &slept)
            .fail_if(|n| *n == 99)
            .fail_if(|n| *n == 13)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::FailureMatched);
        assert_eq!((e.polls(), e.last_output()), (2, Some(&13)));
        assert_eq!(e.into_last().map(Result::ok), Some(Some(13)));
    }

    #[tokio::test]
    async fn success_is_looked_at_before_failure() {
        let script = Script::new([Ok(5)]);
        let slept = Mutex::new(Vec::new());
        let out = wait(&script, 5, &slept).fail_if(|n| *n == 5).await;
        assert_eq!(out.unwrap(), 5);
    }

    #[tokio::test]
    async fn transient_errors_are_polled_through_and_others_end_it() {
        let script = Script::new([
            Err(service(400, "Throttling.User", None)),
            Err(service(500, "InternalError", None)),
            Err(timeout()),
            Err(service(400, "InvalidParameter", None)),
            Ok(1),
        ]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept).await.unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::ErrorNotRetried);
        assert_eq!((e.polls(), script.polls()), (4, 4));
        assert_eq!(
            e.last_error().and_then(SdkError::code),
            Some("InvalidParameter")
        );
        assert_eq!(
            e.to_string(),
            "stopped waiting: InvalidParameter: m (HTTP 400, request id req-1) (poll 4, not \
             polled through)"
        );
    }

    #[tokio::test]
    async fn which_errors_to_poll_through_can_be_chosen() {
        let script = Script::new([Err(service(404, "NotExists.JobId", None)), Ok(1)]);
        let slept = Mutex::new(Vec::new());
        let out = wait(&script, 1, &slept)
            .retry_error(|e| e.is_transient() || e.code() == Some("NotExists.JobId"))
            .await;
        assert_eq!(out.unwrap(), 1);
        // And a transient error can end it.
        let script = Script::new([Err(timeout()), Ok(1)]);
        let e = wait(&script, 1, &slept)
            .retry_error(|_| false)
            .await
            .unwrap_err();
        assert_eq!((e.kind(), e.polls()), (&WaitErrorKind::ErrorNotRetried, 1));
    }

    #[tokio::test]
    async fn a_throttled_answer_s_pause_is_kept() {
        let script = Script::new([Err(service(400, "Throttling.User", Some(3 * S))), Ok(1)]);
        let slept = Mutex::new(Vec::new());
        wait(&script, 1, &slept)
            .min_delay(S)
            .max_delay(5 * S)
            .await
            .unwrap();
        assert_eq!(slept.into_inner().unwrap(), vec![3 * S]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_sleeper_is_tokio_s() {
        let script = Script::new([Ok(0), Ok(0), Ok(1)]);
        let begun = tokio::time::Instant::now();
        let out = Wait::new(|| script.next(), |n| *n == 1)
            .min_delay(2 * S)
            .max_delay(2 * S)
            .await
            .unwrap();
        assert_eq!(out, 1);
        // Tokio's paused clock moved by the two pauses.
        assert_eq!(begun.elapsed(), 4 * S);
    }

    #[tokio::test]
    async fn a_policy_sets_all_the_timing() {
        let p = WaitPolicy::builder()
            .min_delay(2 * S)
            .max_delay(2 * S)
            .max_wait(60 * S)
            .max_polls(2)
            .build()
            .unwrap();
        let script = Script::new([]);
        let slept = Mutex::new(Vec::new());
        let e = wait(&script, 1, &slept).policy(p).await.unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::TooManyPolls { max_polls: 2 });
        assert_eq!(slept.into_inner().unwrap(), vec![2 * S]);
    }
}
