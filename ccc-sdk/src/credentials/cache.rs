//! The cache behind every provider of temporary credentials: served as they are while more than
//! [`REFRESH_AHEAD`] remains, refreshed by one caller at a time below that, and kept in service
//! when a refresh fails but they have not expired yet.

use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use super::{Credentials, CredentialsError, ProvideFuture};

/// Credentials are refreshed once less than this remains before they expire, as the official
/// libraries do.
pub(crate) const REFRESH_AHEAD: Duration = Duration::from_secs(180);
/// After a failed refresh, credentials that still work are served this long before the next
/// try, so that a source that is down is not asked again on every call.
pub(crate) const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// Implements [`ProvideCredentials`](super::ProvideCredentials) for a provider that serves its
/// `fetch` through its `cache` field.
macro_rules! provide_through_cache {
    ($provider:ty) => {
        impl $crate::credentials::ProvideCredentials for $provider {
            fn provide_credentials(&self) -> $crate::credentials::ProvideFuture<'_> {
                self.cache.provide(|| self.fetch())
            }

            fn last_refresh_failure(&self) -> Option<$crate::credentials::CredentialsError> {
                self.cache.last_failure()
            }
        }
    };
}
pub(crate) use provide_through_cache;

#[derive(Debug, Default)]
pub(crate) struct Cache {
    state: Mutex<State>,
    /// Held by the one caller that refreshes; the others wait for its outcome.
    gate: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    current: Option<Credentials>,
    /// Refreshes finished, successful or not: a waiter that sees it move takes that outcome.
    refreshes: u64,
    failure: Option<CredentialsError>,
    quiet_until: Option<Instant>,
}

/// Credentials that have not expired yet.
fn unexpired(c: &Credentials, now: SystemTime) -> bool {
    c.expiration().is_none_or(|at| at > now)
}

impl State {
    /// What to serve without refreshing, if anything.
    fn serve(&self, now: SystemTime) -> Option<Credentials> {
        let c = self.current.as_ref()?;
        let fresh = match c.expiration() {
            None => true,
            Some(at) => at
                .duration_since(now)
                .is_ok_and(|left| left > REFRESH_AHEAD),
        };
        let resting = self.quiet_until.is_some_and(|t| Instant::now() < t) && unexpired(c, now);
        (fresh || resting).then(|| c.clone())
    }
}

impl Cache {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The credentials to serve without any I/O, if there are such.
    pub(crate) fn cached(&self) -> Option<Credentials> {
        self.state().serve(SystemTime::now())
    }

    /// Why the last refresh failed, if it did and credentials are still served.
    pub(crate) fn last_failure(&self) -> Option<CredentialsError> {
        self.state().failure.clone()
    }

    /// What a caching provider answers: the cached credentials at once, without allocating, or
    /// a refresh with `fetch`.
    pub(crate) fn provide<'a, F>(
        &'a self,
        fetch: impl FnOnce() -> F + Send + 'a,
    ) -> ProvideFuture<'a>
    where
        F: Future<Output = Result<Credentials, CredentialsError>> + Send + 'a,
    {
        match self.cached() {
            Some(c) => ProvideFuture::ready(Ok(c)),
            None => ProvideFuture::new(self.get_or_refresh(fetch)),
        }
    }

    /// Serves the cached credentials, or refreshes them with `fetch`: one caller at a time, the
    /// others taking its outcome.
    pub(crate) async fn get_or_refresh<F>(
        &self,
        fetch: impl FnOnce() -> F,
    ) -> Result<Credentials, CredentialsError>
    where
        F: Future<Output = Result<Credentials, CredentialsError>>,
    {
        let seen = {
            let state = self.state();
            if let Some(c) = state.serve(SystemTime::now()) {
                return Ok(c);
            }
            state.refreshes
        };
        let _gate = self.gate.lock().await;
        {
            let state = self.state();
            let now = SystemTime::now();
            if let Some(c) = state.serve(now) {
                return Ok(c);
            }
            if state.refreshes != seen {
                // Another caller refreshed while this one waited: its outcome is this one's.
                if let Some(c) = state.current.as_ref().filter(|c| unexpired(c, now)) {
                    return Ok(c.clone());
                }
                if let Some(e) = &state.failure {
                    return Err(e.clone());
                }
            }
        }
        let outcome = fetch().await;
        let mut state = self.state();
        state.refreshes += 1;
        match outcome {
            Ok(c) => {
                state.current = Some(c.clone());
                state.failure = None;
                state.quiet_until = None;
                Ok(c)
            }
            Err(e) => {
                let now = SystemTime::now();
                match state.current.clone().filter(|c| unexpired(c, now)) {
                    Some(c) => {
                        let until = c.expiration().map_or(String::new(), |at| {
                            format!(
                                "; serving the current credentials until {}",
                                super::time::format(at)
                            )
                        });
                        state.failure = Some(e.context(format!("refresh failed{until}")));
                        state.quiet_until = Some(Instant::now() + RETRY_AFTER_FAILURE);
                        Ok(c)
                    }
                    None => {
                        state.failure = Some(e.clone());
                        Err(e)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn expiring_in(secs: u64) -> Credentials {
        Credentials::new("id", "secret")
            .with_security_token("token")
            .with_expiration(SystemTime::now() + Duration::from_secs(secs))
    }

    #[tokio::test]
    async fn fresh_credentials_are_served_without_fetching() {
        let cache = Cache::default();
        let fetches = AtomicU32::new(0);
        for _ in 0..3 {
            cache
                .get_or_refresh(|| async {
                    fetches.fetch_add(1, Ordering::SeqCst);
                    Ok(expiring_in(3600))
                })
                .await
                .unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(cache.cached().is_some());
    }

    #[tokio::test]
    async fn credentials_near_expiry_are_refreshed_once_for_many_waiters() {
        let cache = Arc::new(Cache::default());
        // Valid, but inside the refresh window, and so is every refreshed set.
        cache
            .get_or_refresh(|| async { Ok(expiring_in(100)) })
            .await
            .unwrap();
        assert!(cache.cached().is_none());
        let fetches = Arc::new(AtomicU32::new(0));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (cache, fetches) = (Arc::clone(&cache), Arc::clone(&fetches));
                tokio::spawn(async move {
                    cache
                        .get_or_refresh(|| async {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok(expiring_in(100))
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_refresh_serves_valid_credentials_and_says_so() {
        let cache = Cache::default();
        cache
            .get_or_refresh(|| async { Ok(expiring_in(100)) })
            .await
            .unwrap();
        let got = cache
            .get_or_refresh(|| async { Err(CredentialsError::new("STS is down")) })
            .await
            .unwrap();
        assert_eq!(got.access_key_id(), "id");
        let failure = cache.last_failure().unwrap().to_string();
        assert!(
            failure.starts_with("refresh failed; serving the current credentials until "),
            "{failure}"
        );
        assert!(failure.ends_with(": STS is down"), "{failure}");
        // Served without asking again for a while.
        let got = cache
            .get_or_refresh(|| async { panic!("asked again right after a failure") })
            .await;
        assert!(got.is_ok());
    }

    #[tokio::test]
    async fn a_failed_refresh_of_expired_credentials_is_an_error() {
        let cache = Cache::default();
        let expired =
            Credentials::new("id", "s").with_expiration(SystemTime::now() - Duration::from_secs(1));
        cache
            .get_or_refresh(|| async { Ok(expired) })
            .await
            .unwrap();
        let err = cache
            .get_or_refresh(|| async { Err(CredentialsError::new("STS is down")) })
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "STS is down");
        // A success clears the failure.
        cache
            .get_or_refresh(|| async { Ok(expiring_in(3600)) })
            .await
            .unwrap();
        assert!(cache.last_failure().is_none());
    }
}
