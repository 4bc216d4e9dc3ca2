//! What a client may hold of the emulator: how long a connection may idle or take to send a
//! request, how many connections are served at once, and how much memory request bodies take.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Limits on what clients may hold; every one is configurable on
/// [`EmulatorBuilder`](crate::EmulatorBuilder) and by a flag of the `ccc-emulator` binary.
///
/// Past a limit a client is answered, not left hanging: an idle connection is closed, a request
/// whose body does not arrive in time gets `408 RequestTimeout`, a connection beyond the cap (when
/// no idle connection can make room) and a body that does not fit in the memory budget get
/// `503 ServiceUnavailable`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How long an HTTP/1.1 connection may stay open with no request in flight (before its first
    /// request, between requests). Default [`Limits::DEFAULT_IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
    /// The same for an HTTP/2 connection. Default [`Limits::DEFAULT_IDLE_TIMEOUT`].
    pub http2_idle_timeout: Duration,
    /// Time a client has to send a request's headers: a new connection's first request from
    /// when the connection is accepted (HTTP/2: the preface and a first request), a later
    /// request's from its first byte. A connection that sends nothing is closed after it. Default
    /// [`Limits::DEFAULT_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's whole body, from its headers: a body dripped a byte at
    /// a time cannot hold a connection longer. Default [`Limits::DEFAULT_READ_TIMEOUT`].
    pub body_read_timeout: Duration,
    /// Connections served at once. At the cap, a new connection is admitted by closing the one
    /// idle longest (no request in flight, none of the next received; HTTP/2 with a `GOAWAY`);
    /// when every connection is busy it is answered `503` and closed. Default
    /// [`Limits::DEFAULT_MAX_CONNECTIONS`], lowered where the process may open fewer files (see
    /// [`Limits::for_this_process`]), so that the emulator can still accept, and refuse, a
    /// connection when clients hold many.
    pub max_connections: usize,
    /// Largest request body; a larger one is refused (`400 InvalidParameter`, naming `Body`).
    /// Default [`Limits::DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
    /// Memory for the bodies of all requests being read, together; a body that would pass it is
    /// answered `503` at once. Default [`Limits::DEFAULT_MAX_BODY_BYTES_IN_FLIGHT`].
    pub max_body_bytes_in_flight: usize,
}

impl Limits {
    /// Longer than common clients keep an idle pooled connection (the SDK: 60 s), so that the
    /// emulator is not the side that closes a connection a client is about to reuse.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
    /// Default for the header and body read timeouts.
    pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default connection cap.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    /// Default largest body; the API's form bodies are far smaller.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
    /// Default memory for bodies in flight.
    pub const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT: usize = 64 * 1024 * 1024;
}

/// File descriptors kept free beside the connections: the listener, refusals in progress, idle
/// connections being closed to make room, files.
const FD_RESERVE: usize = 96;

impl Limits {
    /// The defaults, with [`Limits::max_connections`] lowered to fit the process's open-file limit
    /// where it can be read (Linux), keeping a reserve for refusals.
    pub fn for_this_process() -> Self {
        let mut limits = Limits::default();
        if let Some(files) = open_file_limit() {
            limits.max_connections = limits
                .max_connections
                .min(files.saturating_sub(FD_RESERVE))
                .max(1);
        }
        limits
    }
}

/// The soft limit on open files, from `/proc/self/limits` (`None` elsewhere or when unlimited).
fn open_file_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            idle_timeout: Limits::DEFAULT_IDLE_TIMEOUT,
            http2_idle_timeout: Limits::DEFAULT_IDLE_TIMEOUT,
            header_read_timeout: Limits::DEFAULT_READ_TIMEOUT,
            body_read_timeout: Limits::DEFAULT_READ_TIMEOUT,
            max_connections: Limits::DEFAULT_MAX_CONNECTIONS,
            max_body_bytes: Limits::DEFAULT_MAX_BODY_BYTES,
            max_body_bytes_in_flight: Limits::DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
        }
    }
}

/// Bytes reserved for request bodies being read, against one shared budget.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    max: usize,
    used: AtomicUsize,
}

/// The budget is spent.
#[derive(Debug)]
pub(crate) struct OverBudget;

impl BodyBudget {
    pub(crate) fn new(max: usize) -> Self {
        BodyBudget {
            max,
            used: AtomicUsize::new(0),
        }
    }

    /// Bytes reserved now.
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// An empty reservation, grown as a body arrives and given back when dropped.
    pub(crate) fn reservation(&self) -> Reservation<'_> {
        Reservation {
            budget: self,
            held: 0,
        }
    }
}

/// Part of a [`BodyBudget`], held while a body is in memory.
#[derive(Debug)]
pub(crate) struct Reservation<'b> {
    budget: &'b BodyBudget,
    held: usize,
}

impl Reservation<'_> {
    /// Holds at least `bytes` in all, or fails leaving the reservation as it was.
    pub(crate) fn grow_to(&mut self, bytes: usize) -> Result<(), OverBudget> {
        let Some(extra) = bytes.checked_sub(self.held).filter(|&e| e > 0) else {
            return Ok(());
        };
        let max = self.budget.max;
        self.budget
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(extra).filter(|&total| total <= max)
            })
            .map_err(|_| OverBudget)?;
        self.held = bytes;
        Ok(())
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if self.held > 0 {
            self.budget.used.fetch_sub(self.held, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_fits_the_open_file_limit() {
        let limits = Limits::for_this_process();
        assert!(limits.max_connections <= Limits::DEFAULT_MAX_CONNECTIONS);
        if let Some(files) = open_file_limit() {
            assert!(limits.max_connections + FD_RESERVE <= files.max(FD_RESERVE + 1));
        }
    }

    #[test]
    fn reservations_share_the_budget_and_give_it_back() {
        let budget = BodyBudget::new(100);
        let mut a = budget.reservation();
        a.grow_to(60).unwrap();
        a.grow_to(40).unwrap(); // never shrinks
        let mut b = budget.reservation();
        assert!(b.grow_to(41).is_err());
        assert_eq!(budget.used(), 60);
        b.grow_to(40).unwrap();
        assert_eq!(budget.used(), 100);
        drop(a);
        assert_eq!(budget.used(), 40);
        b.grow_to(usize::MAX).unwrap_err();
        drop(b);
        assert_eq!(budget.used(), 0);
    }
}
