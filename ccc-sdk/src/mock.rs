//! A mock client for unit tests (feature `test-util`): a [`Client`] whose requests are answered
//! by rules that a test writes, instead of by the service.
//!
//! Only the network is replaced. A call on the mock client runs the path a call to the service
//! runs: its parameters are encoded and the request signed (with test credentials unless the
//! configuration names others), the rule's typed answer is written as the service writes it (an
//! output as JSON under its wire names, an error as the service's error body and HTTP status)
//! and read back by the code that reads the service's answers, and the client's retries and time
//! limits apply. A test that passes here passes for the reasons it would against the service.
//!
//! - A rule is made from the client method of its action, [`rule(Client::get_user)`](rule), so
//!   that its input, output and error are that action's types: an output of another action does
//!   not compile.
//! - It may answer only the requests whose typed input matches a predicate
//!   ([`match_requests`](RuleBuilder::match_requests)), and answers with an output, an error of
//!   the action (a documented variant or any code), a timeout, a transport failure, or nothing at
//!   all; the same answer every time ([`then_output`](RuleBuilder::then_output) and its
//!   siblings), or one after the other ([`sequence`](RuleBuilder::sequence)).
//! - Each request the client sends goes to the first rule of its action that matches it and has
//!   an answer left. A request no rule answers fails with
//!   [`SdkError::Dispatch`](crate::SdkError::Dispatch), whose source names the action, the input
//!   and each rule tried with why it did not answer; it is not retried.
//! - The mock records every request: its action, its typed input and its wire parameters
//!   ([`MockClient::calls`], [`MockClient::inputs`]). A retried call is one request per attempt,
//!   as the service would see it. [`MockClient::assert_all_used`] fails for a rule that never
//!   answered.
//!
//! ```
//! use ccc_sdk::mock::{self, MockClient};
//! use ccc_sdk::operation::get_user::{GetUserInput, GetUserOutput};
//! use ccc_sdk::types::User;
//! use ccc_sdk::Client;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let ann = mock::rule(Client::get_user)
//!     .match_requests(|input: &GetUserInput| input.user_id.as_deref() == Some("ann@ccc-test"))
//!     .then_output(|| {
//!         let mut user = User::default();
//!         user.display_name = Some("Ann".into());
//!         let mut out = GetUserOutput::default();
//!         out.data = Some(user);
//!         out
//!     });
//! let client = MockClient::builder().rule(&ann).build();
//!
//! let out = client.get_user().instance_id("ccc-test").user_id("ann@ccc-test").send().await.unwrap();
//! assert_eq!(out.data().and_then(|u| u.display_name()), Some("Ann"));
//! // Another user: no rule answers.
//! let err = client.get_user().instance_id("ccc-test").user_id("bob@ccc-test").send().await.unwrap_err();
//! assert!(ccc_sdk::error::DisplayErrorChain(&err).to_string().contains("GetUser"));
//!
//! assert_eq!(ann.num_calls(), 1);
//! assert_eq!(client.calls()[1].param("UserId"), Some("bob@ccc-test"));
//! client.assert_all_used();
//! # }
//! ```
//!
//! A rule's answers are of its action's types; anything else does not compile:
//!
//! ```compile_fail
//! use ccc_sdk::mock;
//! use ccc_sdk::operation::list_users::ListUsersOutput;
//! use ccc_sdk::Client;
//!
//! // ListUsers' output as an answer to GetUser: a type error.
//! let rule = mock::rule(Client::get_user).then_output(ListUsersOutput::default);
//! ```

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::client::Client;
use crate::codec::Params;
use crate::config::{Config, ConfigBuilder};
use crate::credentials::Credentials;
use crate::error::{DispatchError, ResponseError, ServiceError, TimeoutKind};
use crate::failure::Failure;
use crate::request::Operation;

/// The access key id the mock client signs with, unless its configuration names credentials.
pub const TEST_ACCESS_KEY_ID: &str = "mock-access-key-id";
/// The access key secret the mock client signs with, unless its configuration names credentials.
pub const TEST_ACCESS_KEY_SECRET: &str = "mock-access-key-secret";

/// The region of the mock client, unless its configuration names a region or an endpoint.
const TEST_REGION: &str = "cn-shanghai";

/// How much of an input's `Debug` an error about an unanswered request shows.
const SHOWN_INPUT_CHARS: usize = 400;

mod private {
    /// Keeps [`Action`](super::Action) for the generated fluent builders.
    pub trait Sealed {}
}

pub(crate) use private::Sealed;

/// An action of the API, as the mock sees it: implemented by the fluent builder of every action
/// (`GetUserFluentBuilder`, …), and by nothing else. Rules are typed by it: see [`rule`].
pub trait Action: Sealed + Send + 'static {
    /// The action's input.
    type Input: Clone + fmt::Debug + Send + Sync + 'static;
    /// The action's output.
    type Output: serde::Serialize + Send + 'static;
    /// The action's error enum.
    type Error: AsRef<ServiceError> + Send + 'static;
    /// The action's wire name, e.g. `GetUser`.
    const NAME: &'static str;
}

/// A typed input as the mock keeps it: matched by rules, recorded, shown in errors.
pub(crate) trait TypedInput: Any + fmt::Debug + Send + Sync {
    /// A copy to keep in the record of calls.
    fn to_shared(&self) -> Arc<dyn TypedInput>;
}

impl<T: Any + Clone + fmt::Debug + Send + Sync> TypedInput for T {
    fn to_shared(&self) -> Arc<dyn TypedInput> {
        Arc::new(self.clone())
    }
}

/// The input as `T`, if it is one.
fn downcast<T: Any>(input: &dyn TypedInput) -> Option<&T> {
    let any: &dyn Any = input;
    any.downcast_ref()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these counters half-written.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts a rule for the action of a client method: `mock::rule(Client::get_user)`. The method
/// is not called; it names the action, and so the types its predicate and answers take.
///
/// The rule records where it was made, which errors about unanswered requests and unused rules
/// show.
#[track_caller]
pub fn rule<A: Action>(method: impl FnOnce(&Client) -> A) -> RuleBuilder<A> {
    let _ = method;
    RuleBuilder {
        at: Location::caller(),
        matches: None,
        action: PhantomData,
    }
}

type Predicate<I> = Box<dyn Fn(&I) -> bool + Send + Sync>;
type Make<T> = Arc<dyn Fn() -> T + Send + Sync>;

/// A rule being made: made by [`rule`]; ends with one of the `then_` methods, or with
/// [`sequence`](Self::sequence).
#[must_use = "a rule answers nothing until a `then_` method or a sequence makes it"]
pub struct RuleBuilder<A: Action> {
    at: &'static Location<'static>,
    matches: Option<Predicate<A::Input>>,
    action: PhantomData<fn() -> A>,
}

impl<A: Action> RuleBuilder<A> {
    /// Answers only the requests whose input this predicate accepts; without it, every request
    /// of the action.
    pub fn match_requests(mut self, f: impl Fn(&A::Input) -> bool + Send + Sync + 'static) -> Self {
        self.matches = Some(Box::new(f));
        self
    }

    /// Answers every matching request with this output, made afresh each time.
    pub fn then_output(self, f: impl Fn() -> A::Output + Send + Sync + 'static) -> Rule {
        self.forever(output::<A>(f))
    }

    /// Answers every matching request with this error of the action: a documented variant
    /// (`GetUserError::NotExistsInstanceId(..)`) or any code (`ServiceError::builder()…build()
    /// .into()`). It goes on the wire as the service sends errors (its HTTP status, the error
    /// body), so the call's error enum is chosen by the code, as for a real answer.
    pub fn then_error(self, f: impl Fn() -> A::Error + Send + Sync + 'static) -> Rule {
        self.forever(error::<A>(f))
    }

    /// Answers every matching request with a read timeout: the transport reports that no byte
    /// came within the configured read timeout, at once, without waiting for it.
    pub fn then_timeout(self) -> Rule {
        self.forever(Reply::Timeout)
    }

    /// Never answers a matching request: the client's own time limits (attempt, read,
    /// operation) end the call, after their real durations; under tokio's paused clock
    /// (`#[tokio::test(start_paused = true)]`) at once.
    pub fn then_no_answer(self) -> Rule {
        self.forever(Reply::NoAnswer)
    }

    /// Fails every matching request in the transport, e.g. with
    /// [`DispatchError::connect`] (nothing was sent) or [`DispatchError::exchange`] (the
    /// connection was lost after sending).
    pub fn then_transport_failure(
        self,
        f: impl Fn() -> DispatchError + Send + Sync + 'static,
    ) -> Rule {
        self.forever(Reply::Transport(Arc::new(f)))
    }

    /// Answers one request after the other with the answers added to the sequence; once they
    /// are all given, the rule is used up and answers no more.
    ///
    /// ```
    /// # use ccc_sdk::{mock, Client, error::ServiceError, operation::get_user::GetUserOutput};
    /// let throttled = || ServiceError::builder().code("Throttling.User").build().into();
    /// let rule = mock::rule(Client::get_user)
    ///     .sequence()
    ///     .error(throttled)
    ///     .times(2)
    ///     .output(GetUserOutput::default)
    ///     .build();
    /// ```
    pub fn sequence(self) -> Sequence<A> {
        Sequence {
            rule: self,
            steps: Vec::new(),
        }
    }

    fn forever(self, answer: Reply) -> Rule {
        self.finish(vec![Step {
            answer,
            times: None,
        }])
    }

    fn finish(self, steps: Vec<Step>) -> Rule {
        let matches = self.matches.map(|f| -> Predicate<dyn TypedInput> {
            Box::new(move |input: &dyn TypedInput| downcast::<A::Input>(input).is_some_and(&f))
        });
        Rule {
            inner: Arc::new(RuleInner {
                action: A::NAME,
                at: self.at,
                matches,
                steps,
                state: Mutex::default(),
            }),
        }
    }
}

fn output<A: Action>(f: impl Fn() -> A::Output + Send + Sync + 'static) -> Reply {
    Reply::Output(Arc::new(move || serde_json::to_vec(&f())))
}

fn error<A: Action>(f: impl Fn() -> A::Error + Send + Sync + 'static) -> Reply {
    Reply::Error(Arc::new(move || f().as_ref().clone()))
}

/// The answers of a rule, one request after the other: made by [`RuleBuilder::sequence`].
/// Each answer added answers one request, unless [`times`](Self::times) or
/// [`forever`](Self::forever) says otherwise.
#[must_use = "the sequence answers nothing until `build` makes it a rule"]
pub struct Sequence<A: Action> {
    rule: RuleBuilder<A>,
    steps: Vec<Step>,
}

impl<A: Action> Sequence<A> {
    fn push(mut self, answer: Reply) -> Self {
        self.steps.push(Step {
            answer,
            times: Some(1),
        });
        self
    }

    /// Then this output.
    pub fn output(self, f: impl Fn() -> A::Output + Send + Sync + 'static) -> Self {
        self.push(output::<A>(f))
    }

    /// Then this error (see [`RuleBuilder::then_error`]).
    pub fn error(self, f: impl Fn() -> A::Error + Send + Sync + 'static) -> Self {
        self.push(error::<A>(f))
    }

    /// Then a read timeout (see [`RuleBuilder::then_timeout`]).
    pub fn timeout(self) -> Self {
        self.push(Reply::Timeout)
    }

    /// Then no answer at all (see [`RuleBuilder::then_no_answer`]).
    pub fn no_answer(self) -> Self {
        self.push(Reply::NoAnswer)
    }

    /// Then a transport failure (see [`RuleBuilder::then_transport_failure`]).
    pub fn transport_failure(self, f: impl Fn() -> DispatchError + Send + Sync + 'static) -> Self {
        self.push(Reply::Transport(Arc::new(f)))
    }

    /// The answer added last answers `n` requests in all (0: none).
    ///
    /// # Panics
    ///
    /// Before any answer is added.
    #[track_caller]
    pub fn times(mut self, n: u64) -> Self {
        let last = self
            .steps
            .last_mut()
            .expect("`times` repeats the answer added last: add one first");
        last.times = Some(n);
        self
    }

    /// The answer added last answers every request from then on: the rule is never used up.
    ///
    /// # Panics
    ///
    /// Before any answer is added.
    #[track_caller]
    pub fn forever(mut self) -> Self {
        let last = self
            .steps
            .last_mut()
            .expect("`forever` repeats the answer added last: add one first");
        last.times = None;
        self
    }

    /// The rule.
    pub fn build(self) -> Rule {
        self.rule.finish(self.steps)
    }
}

/// What a rule answers one request with, its types erased.
#[derive(Clone)]
enum Reply {
    /// An output, written as the service writes it: JSON, under the wire names.
    Output(Make<serde_json::Result<Vec<u8>>>),
    Error(Make<ServiceError>),
    Timeout,
    NoAnswer,
    Transport(Make<DispatchError>),
}

/// One answer of a rule, and how many requests it answers (`None`: all from then on).
struct Step {
    answer: Reply,
    times: Option<u64>,
}

/// A rule of a mock client: which requests of an action it answers, and how. Made by [`rule`];
/// clones share their count of calls, so a test can keep one to ask it afterwards.
#[derive(Clone)]
pub struct Rule {
    inner: Arc<RuleInner>,
}

struct RuleInner {
    action: &'static str,
    at: &'static Location<'static>,
    matches: Option<Predicate<dyn TypedInput>>,
    steps: Vec<Step>,
    state: Mutex<RuleState>,
}

#[derive(Default)]
struct RuleState {
    /// The step that answers next, and how many requests it has answered.
    step: usize,
    used_in_step: u64,
    calls: u64,
}

impl RuleState {
    /// Moves past the steps that have no answer left; whether one is left.
    fn settle(&mut self, steps: &[Step]) -> bool {
        while let Some(step) = steps.get(self.step) {
            match step.times {
                Some(n) if self.used_in_step >= n => {
                    self.step += 1;
                    self.used_in_step = 0;
                }
                _ => return true,
            }
        }
        false
    }
}

impl RuleInner {
    /// The next answer, counted as given; `None` once the rule is used up.
    fn take(&self) -> Option<Reply> {
        let mut state = lock(&self.state);
        if !state.settle(&self.steps) {
            return None;
        }
        let answer = self.steps[state.step].answer.clone();
        state.used_in_step += 1;
        state.calls += 1;
        Some(answer)
    }
}

impl Rule {
    /// The action the rule answers, e.g. `GetUser`.
    pub fn action(&self) -> &'static str {
        self.inner.action
    }

    /// How many requests the rule has answered.
    pub fn num_calls(&self) -> u64 {
        lock(&self.inner.state).calls
    }

    /// Whether the rule has given all its answers (never, for one made by a `then_` method or a
    /// sequence ending with [`forever`](Sequence::forever)).
    pub fn is_used_up(&self) -> bool {
        !lock(&self.inner.state).settle(&self.inner.steps)
    }
}

impl AsRef<Rule> for Rule {
    fn as_ref(&self) -> &Rule {
        self
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rule for {} at {} ({} calls)",
            self.inner.action,
            self.inner.at,
            self.num_calls()
        )
    }
}

/// One request the mock client received: its action, its typed input and its wire parameters.
#[derive(Clone)]
pub struct Call {
    action: &'static str,
    input: Arc<dyn TypedInput>,
    params: Vec<(String, String)>,
}

impl Call {
    /// The action, e.g. `ResetAgentState`.
    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The typed input, if it is a `T` (`call.input::<GetUserInput>()`).
    pub fn input<T: Any>(&self) -> Option<&T> {
        downcast(&*self.input)
    }

    /// The value of a parameter, by wire name (`UserId`), as sent: text, a list or struct as
    /// its JSON text or flattened under `Name.1`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every parameter sent, by wire name, in the order they were encoded (query, then body);
    /// without the protocol's own (signature, timestamp, nonce, credentials).
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}

impl fmt::Debug for Call {
    // Parameter values are left out: the input's `Debug` hides the sensitive ones, they do not.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Call")
            .field("action", &self.action)
            .field("input", &self.input)
            .field("params", &names)
            .finish()
    }
}

/// The mock's side of the client: the rules, and the record of requests.
pub(crate) struct Transport {
    rules: Vec<Rule>,
    calls: Mutex<Vec<Call>>,
}

impl Transport {
    /// Answers one signed request, as the service's HTTP response would, or fails it as the
    /// transport would.
    pub(crate) async fn exchange(
        &self,
        op: &Operation,
        input: &dyn TypedInput,
        params: &Params<'_>,
        request: reqwest::Request,
        config: &Config,
    ) -> Result<reqwest::Response, Failure> {
        // Signed and laid out like any request; the rules read the typed input instead.
        drop(request);
        self.record(op.action, input, params);
        match self.answer(op.action, input)? {
            Reply::Output(make) => {
                let body = make().map_err(|e| {
                    Failure::Response(ResponseError::new(
                        200,
                        None,
                        format!("the mock cannot write the output: {e}"),
                        b"",
                    ))
                })?;
                http_response(200, None, None, body)
            }
            Reply::Error(make) => {
                let e = make();
                http_response(
                    e.http_status(),
                    e.request_id(),
                    e.retry_after(),
                    error_body(&e),
                )
            }
            Reply::Timeout => Err(Failure::Timeout(TimeoutKind::Read, config.read_timeout)),
            Reply::NoAnswer => std::future::pending().await,
            Reply::Transport(make) => Err(Failure::Dispatch(make())),
        }
    }

    fn record(&self, action: &'static str, input: &dyn TypedInput, params: &Params<'_>) {
        let params = params
            .query
            .iter()
            .chain(&params.body)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        lock(&self.calls).push(Call {
            action,
            input: input.to_shared(),
            params,
        });
    }

    /// The answer of the first rule of the action that matches and has one left.
    fn answer(&self, action: &'static str, input: &dyn TypedInput) -> Result<Reply, Failure> {
        let mut tried = Vec::new();
        for rule in self.rules.iter().map(|r| &*r.inner) {
            if rule.action != action {
                continue;
            }
            if rule.matches.as_ref().is_some_and(|m| !m(input)) {
                tried.push((rule, "the input does not match"));
                continue;
            }
            match rule.take() {
                Some(answer) => return Ok(answer),
                None => tried.push((rule, "used up")),
            }
        }
        Err(Failure::Dispatch(DispatchError::no_rule(
            self.unanswered(action, input, &tried),
        )))
    }

    fn unanswered(
        &self,
        action: &'static str,
        input: &dyn TypedInput,
        tried: &[(&RuleInner, &str)],
    ) -> NoRule {
        let mut shown = format!("{input:?}");
        if let Some((cut, _)) = shown.char_indices().nth(SHOWN_INPUT_CHARS) {
            shown.truncate(cut);
            shown.push('…');
        }
        let mut text = format!("no rule answers {action} with {shown}; ");
        if tried.is_empty() {
            text.push_str(&format!("no rule is for {action}"));
        } else {
            let each: Vec<String> = tried
                .iter()
                .map(|(rule, why)| {
                    let calls = lock(&rule.state).calls;
                    format!("the rule at {} ({why}; {calls} calls)", rule.at)
                })
                .collect();
            text.push_str(&format!("tried {}", each.join(", ")));
        }
        let mut others: Vec<&str> = self
            .rules
            .iter()
            .map(|r| r.inner.action)
            .filter(|a| *a != action)
            .collect();
        others.sort_unstable();
        others.dedup();
        if !others.is_empty() {
            text.push_str(&format!("; other rules are for {}", others.join(", ")));
        }
        NoRule(text)
    }
}

/// An answer as the service's HTTP response.
fn http_response(
    status: u16,
    request_id: Option<&str>,
    retry_after: Option<std::time::Duration>,
    body: Vec<u8>,
) -> Result<reqwest::Response, Failure> {
    let mut response = http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json;charset=utf-8");
    if let Some(id) = request_id {
        response = response.header("x-acs-request-id", id);
    }
    if let Some(wait) = retry_after {
        response = response.header("x-acs-retry-after", wait.as_millis().to_string());
    }
    response
        .body(body)
        .map(reqwest::Response::from)
        .map_err(|e| {
            Failure::Response(ResponseError::new(
                status,
                None,
                format!("the mock cannot write this answer: {e}"),
                b"",
            ))
        })
}

/// A service error's body, as the service writes it.
fn error_body(e: &ServiceError) -> Vec<u8> {
    let mut o = serde_json::Map::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            o.insert(k.into(), v.into());
        }
    };
    put("RequestId", e.request_id());
    put("HostId", e.host_id());
    put("Code", Some(e.code()));
    put("Message", Some(e.message()));
    put("Recommend", e.recommend());
    serde_json::Value::Object(o).to_string().into_bytes()
}

/// Why no rule answered a request: the source of the call's error.
struct NoRule(String);

impl fmt::Display for NoRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NoRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl std::error::Error for NoRule {}

/// A [`Client`] answered by rules: made by [`MockClient::builder`] or [`mock_client!`]. It
/// derefs to the client, so a test passes `&mock` where its code takes a `&Client`; its own
/// methods read the record of requests.
#[derive(Clone)]
pub struct MockClient {
    client: Client,
    transport: Arc<Transport>,
}

impl MockClient {
    /// A builder of a mock client.
    pub fn builder() -> MockClientBuilder {
        MockClientBuilder::default()
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Every request received so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.transport.calls).clone()
    }

    /// Every request received so far, in order, taken out of the record: the next call of
    /// [`calls`](Self::calls) sees only the requests after this one.
    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *lock(&self.transport.calls))
    }

    /// The typed inputs of the requests of one action, in order: `mock.inputs(Client::get_user)`.
    pub fn inputs<A: Action>(&self, method: impl FnOnce(&Client) -> A) -> Vec<A::Input> {
        let _ = method;
        lock(&self.transport.calls)
            .iter()
            .filter(|c| c.action == A::NAME)
            .filter_map(|c| c.input::<A::Input>().cloned())
            .collect()
    }

    /// The rules, in the order they are tried.
    pub fn rules(&self) -> &[Rule] {
        &self.transport.rules
    }

    /// Fails (panics) when a rule has answered no request, naming each such rule and where
    /// it was made.
    #[track_caller]
    pub fn assert_all_used(&self) {
        let unused: Vec<String> = self
            .transport
            .rules
            .iter()
            .filter(|r| r.num_calls() == 0)
            .map(|r| format!("the rule for {} at {}", r.inner.action, r.inner.at))
            .collect();
        assert!(
            unused.is_empty(),
            "{} of the mock's rules answered no request: {}",
            unused.len(),
            unused.join(", ")
        );
    }
}

impl Deref for MockClient {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl fmt::Debug for MockClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockClient")
            .field("rules", &self.transport.rules)
            .field("calls", &lock(&self.transport.calls).len())
            .finish()
    }
}

/// Builder of a [`MockClient`].
#[derive(Default)]
#[must_use = "the mock client is made by `build`"]
pub struct MockClientBuilder {
    rules: Vec<Rule>,
    config: Option<ConfigBuilder>,
}

impl MockClientBuilder {
    /// Adds a rule (a clone that shares its count of calls); rules are tried in the order added.
    pub fn rule(mut self, rule: impl AsRef<Rule>) -> Self {
        self.rules.push(rule.as_ref().clone());
        self
    }

    /// The client's configuration: retries, time limits, signature version, … Without
    /// credentials, the client signs with [`TEST_ACCESS_KEY_ID`] and [`TEST_ACCESS_KEY_SECRET`];
    /// without an endpoint or a region, it is a client of `cn-shanghai`. The default is
    /// `Config::builder()`: 3 attempts with backoff from 100 ms, as a real client's.
    pub fn config(mut self, config: ConfigBuilder) -> Self {
        self.config = Some(config);
        self
    }

    /// The mock client.
    ///
    /// # Panics
    ///
    /// When the configuration is invalid (`ConfigBuilder::build` fails).
    #[track_caller]
    pub fn build(self) -> MockClient {
        let mut config = self.config.unwrap_or_else(Config::builder);
        let (has_credentials, has_target) = config.has_credentials_and_target();
        if !has_credentials {
            config =
                config.credentials(Credentials::new(TEST_ACCESS_KEY_ID, TEST_ACCESS_KEY_SECRET));
        }
        if !has_target {
            config = config.region(TEST_REGION);
        }
        let transport = Arc::new(Transport {
            rules: self.rules,
            calls: Mutex::default(),
        });
        let client = config
            .build()
            .and_then(|config| Client::with_mock(config, transport.clone()))
            .unwrap_or_else(|e| panic!("the mock client's configuration: {e}"));
        MockClient { client, transport }
    }
}

/// A [`MockClient`] with these rules, tried in this order:
/// `mock_client!(get_ann, reset_ann)`. The rules are borrowed, not moved, so the test can ask
/// them their [`num_calls`](Rule::num_calls) afterwards.
#[macro_export]
macro_rules! mock_client {
    ($($rule:expr),* $(,)?) => {
        $crate::mock::MockClient::builder()
            $( .rule(&$rule) )*
            .build()
    };
}

pub use crate::mock_client;
