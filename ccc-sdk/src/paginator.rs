//! Paginators: every page of a listing, or every item of it, one request per page.
//!
//! An action that answers page by page (`ListUsers`, `ListCallDetailRecordsV2`,
//! `ListGroupChatMessages`, …) has `into_paginator()` on its fluent builder. It gives a
//! [`Paginator`], a [`Stream`] of whole pages (the action's output), and
//! [`Paginator::items`] a stream of the items of those pages:
//!
//! ```no_run
//! # async fn demo(client: ccc_sdk::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let mut users = client
//!     .list_users()
//!     .instance_id("ccc-test")
//!     .into_paginator()
//!     .page_size(100)
//!     .items();
//! while let Some(user) = users.next().await {
//!     println!("{}", user?.user_id().unwrap_or_default());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Each page is one `send()` of the builder with the page's number (or token) and the page size
//! set, so everything the builder holds applies to every page: its parameters and its
//! [`CallOptions`](crate::CallOptions) (timeouts, retry policy). A page that fails is retried as
//! the retry policy says, like any call; if it still fails, the paginator yields the error and
//! ends.
//!
//! # Where it ends
//!
//! Actions that page by number ask for page 1 (or the page set on the builder), 2, 3, … and end
//! after a page that
//!
//! - holds no item, or
//! - brings the items read so far to the `TotalCount` the pages state (the largest stated:
//!   `ListCallDetailRecords` states it on page 1 only, and 0 on the pages after).
//!
//! A page whose own `PageNumber` is not past the previous page's is the service repeating
//! itself: it is not yielded, and the paginator ends. Actions that page by token end after a
//! page that holds no item, that gives no token (or an empty one), or that gives a token already
//! used: a server cannot make a paginator go round in circles.
//!
//! Nothing is read ahead: a page is requested when the stream is polled past the previous one.
//! The stream may still be long (a service may really hold millions of records):
//! [`Items::collect_at_most`] bounds what is gathered into memory.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub use futures_core::Stream;

use crate::error::SdkError;

/// One page's request, sent: the future of an action's `send()`.
pub type PageFuture<P, E> = Pin<Box<dyn Future<Output = Result<P, SdkError<E>>> + Send>>;

/// The paging parameters of one request. Set fields are written over the builder's; absent
/// ones leave it as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor<'a> {
    /// The page's number, counting from 1 (actions that page by number).
    pub number: Option<i64>,
    /// The token of the page (actions that page by token); absent for the first page.
    pub token: Option<&'a str>,
    /// How many items a page holds.
    pub size: Option<i64>,
}

/// Where the builder starts: the paging parameters set on it before `into_paginator()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// The page number set on the builder.
    pub number: Option<i64>,
    /// The page token set on the builder.
    pub token: Option<String>,
    /// The page size set on the builder.
    pub size: Option<i64>,
}

/// What a page says about the paging: read from the action's output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageFacts<'a> {
    /// How many items the page holds.
    pub items: usize,
    /// `TotalCount`: how many items the whole listing holds, as the page states.
    pub total: Option<i64>,
    /// The page's own `PageNumber`.
    pub number: Option<i64>,
    /// The token of the next page.
    pub next_token: Option<&'a str>,
}

/// How a page is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStyle {
    /// By number, counting from 1.
    Number,
    /// By the token the previous page gave.
    Token,
}

mod private {
    /// Keeps [`Paginate`](super::Paginate) for the generated builders.
    pub trait Sealed {}
}

pub(crate) use private::Sealed;

/// An action that answers page by page: implemented by the fluent builder of each such action
/// (generated from the spec, by the rule `ccc_spec::rules::pagination`), and by nothing else.
pub trait Paginate: Sealed + Clone + Send + 'static {
    /// A page: the action's output.
    type Page: Send + 'static;
    /// An item of a page.
    type Item: Send + 'static;
    /// The action's error.
    type Error: Send + 'static;
    /// How a page is asked for.
    const STYLE: PageStyle;

    /// The paging parameters set on the builder.
    fn start(&self) -> Start;

    /// The builder for the page at `cursor`; `None` when the action cannot take the number or
    /// the size (beyond its parameter's type).
    fn at(self, cursor: Cursor<'_>) -> Option<Self>;

    /// Sends the request, as `send()`.
    fn send_page(self) -> PageFuture<Self::Page, Self::Error>;

    /// What `page` says about the paging.
    fn facts(page: &Self::Page) -> PageFacts<'_>;

    /// The items of `page`, taken out of it.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
}

/// A [`Stream`] of the pages of a listing: made by the `into_paginator()` of an action's fluent
/// builder. See [the module](self) for where it ends.
///
/// Pull pages with [`next`](Paginator::next), or with any `Stream` combinator library.
#[must_use = "nothing is sent until the paginator is polled"]
pub struct Paginator<Op: Paginate> {
    /// The builder of every page; `None` once the paginator has ended.
    request: Option<Op>,
    in_flight: Option<PageFuture<Op::Page, Op::Error>>,
    /// The number of the next page to ask for.
    number: i64,
    /// The token of the next page; `None` for the builder's own.
    token: Option<String>,
    size: Option<i64>,
    /// The `PageNumber` of the last page yielded.
    last_number: Option<i64>,
    /// Items yielded so far.
    seen: u64,
    /// The largest `TotalCount` the pages stated.
    total: Option<i64>,
    /// Tokens used so far.
    tokens: HashSet<String>,
    pages: u64,
}

// Nothing is pinned in place: the builder is only cloned, and the request in flight is boxed.
impl<Op: Paginate> Unpin for Paginator<Op> {}

impl<Op: Paginate> Paginator<Op> {
    pub(crate) fn new(request: Op) -> Self {
        let start = request.start();
        Paginator {
            number: start.number.unwrap_or(1),
            token: None,
            size: start.size,
            last_number: None,
            seen: 0,
            total: None,
            tokens: start.token.into_iter().collect(),
            pages: 0,
            request: Some(request),
            in_flight: None,
        }
    }

    /// Asks for pages of `size` items, over a page size set on the builder; the service decides
    /// what sizes it accepts (most CCC listings take 1 to 100). Set it before the first page:
    /// numbered pages count in pages of one size, and a size changed midway would skip or repeat
    /// items.
    pub fn page_size(mut self, size: u32) -> Self {
        self.size = Some(i64::from(size));
        self
    }

    /// The items of the pages, one by one, in order.
    pub fn items(self) -> Items<Op> {
        Items {
            pages: self,
            current: Vec::new().into_iter(),
        }
    }

    /// The next page; `None` once the listing has ended (after an error too).
    pub async fn next(&mut self) -> Option<Result<Op::Page, SdkError<Op::Error>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// How many pages have been received so far.
    pub fn pages_received(&self) -> u64 {
        self.pages
    }

    /// Whether the paginator has ended: it will send nothing more.
    pub fn is_done(&self) -> bool {
        self.request.is_none() && self.in_flight.is_none()
    }

    fn end(&mut self) {
        self.request = None;
        self.in_flight = None;
    }

    /// Takes in a page: whether to yield it, and what to ask for next (or to end).
    fn take_in(&mut self, page: &Op::Page) -> bool {
        let facts = Op::facts(page);
        match Op::STYLE {
            PageStyle::Number => {
                if let (Some(n), Some(last)) = (facts.number, self.last_number)
                    && n <= last
                {
                    self.end();
                    return false;
                }
                self.last_number = facts.number.or(self.last_number);
                self.seen = self
                    .seen
                    .saturating_add(u64::try_from(facts.items).unwrap_or(u64::MAX));
                // Some listings state the total on page 1 only, and 0 after it: the largest
                // total stated counts, and a total of 0 says nothing.
                self.total = self.total.max(facts.total);
                let reached = self
                    .total
                    .is_some_and(|t| t > 0 && i64::try_from(self.seen).unwrap_or(i64::MAX) >= t);
                match self.number.checked_add(1) {
                    Some(next) if facts.items > 0 && !reached => self.number = next,
                    _ => self.end(),
                }
            }
            PageStyle::Token => {
                let next = facts
                    .next_token
                    .filter(|t| facts.items > 0 && !t.is_empty() && !self.tokens.contains(*t));
                match next {
                    Some(t) => {
                        self.tokens.insert(t.to_owned());
                        self.token = Some(t.to_owned());
                    }
                    None => self.end(),
                }
            }
        }
        true
    }
}

impl<Op: Paginate> Stream for Paginator<Op> {
    type Item = Result<Op::Page, SdkError<Op::Error>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.in_flight.is_none() {
            let Some(request) = &this.request else {
                return Poll::Ready(None);
            };
            let cursor = Cursor {
                number: (Op::STYLE == PageStyle::Number).then_some(this.number),
                token: this.token.as_deref(),
                size: this.size,
            };
            match request.clone().at(cursor) {
                Some(request) => this.in_flight = Some(request.send_page()),
                None => {
                    this.end();
                    return Poll::Ready(None);
                }
            }
        }
        let Some(in_flight) = &mut this.in_flight else {
            return Poll::Ready(None);
        };
        let result = match in_flight.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.in_flight = None;
        match result {
            Err(e) => {
                this.end();
                Poll::Ready(Some(Err(e)))
            }
            Ok(page) => {
                this.pages += 1;
                if this.take_in(&page) {
                    Poll::Ready(Some(Ok(page)))
                } else {
                    Poll::Ready(None)
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.is_done() {
            (0, Some(0))
        } else {
            (0, None)
        }
    }
}

impl<Op: Paginate + fmt::Debug> fmt::Debug for Paginator<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("request", &self.request)
            .field("in_flight", &self.in_flight.is_some())
            .field("number", &self.number)
            .field("token", &self.token)
            .field("size", &self.size)
            .field("seen", &self.seen)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

/// A [`Stream`] of the items of a listing, page after page: made by [`Paginator::items`].
///
/// Each page's items are handed out as they are, moved out of the page; an error ends it, as it
/// ends the paginator.
#[must_use = "nothing is sent until the stream is polled"]
pub struct Items<Op: Paginate> {
    pages: Paginator<Op>,
    current: std::vec::IntoIter<Op::Item>,
}

// As for `Paginator`: nothing inside is pinned in place.
impl<Op: Paginate> Unpin for Items<Op> {}

impl<Op: Paginate> Items<Op> {
    /// The next item; `None` once the listing has ended (after an error too).
    pub async fn next(&mut self) -> Option<Result<Op::Item, SdkError<Op::Error>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Gathers the items into a vector, at most `max` of them: fewer when the listing ends
    /// first, exactly `max` when it holds more (no further page is asked for). The first error
    /// is returned instead.
    pub async fn collect_at_most(
        mut self,
        max: usize,
    ) -> Result<Vec<Op::Item>, SdkError<Op::Error>> {
        let mut out = Vec::new();
        while out.len() < max {
            match self.next().await {
                Some(Ok(item)) => out.push(item),
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        Ok(out)
    }

    /// How many pages have been received so far.
    pub fn pages_received(&self) -> u64 {
        self.pages.pages_received()
    }
}

impl<Op: Paginate> Stream for Items<Op> {
    type Item = Result<Op::Item, SdkError<Op::Error>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        // Each turn either returns or takes in a page, and the pages end at the first empty one.
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.current = Op::into_items(page).into_iter(),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.current.len();
        (buffered, self.pages.is_done().then_some(buffered))
    }
}

impl<Op: Paginate + fmt::Debug> fmt::Debug for Items<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What a fake page request asked for: number, token, size.
    type Asked = (Option<i64>, Option<String>, Option<i64>);

    #[derive(Debug, Default)]
    struct FakePage {
        items: Vec<u32>,
        total: Option<i64>,
        number: Option<i64>,
        next: Option<String>,
    }

    type Answer = Box<dyn Fn(&Asked) -> Result<FakePage, SdkError<()>> + Send + Sync>;

    /// A builder of a fake action, numbered (`TOKEN = false`) or by token; every request it
    /// sends is logged and answered by `answer`.
    #[derive(Clone)]
    struct Fake<const TOKEN: bool> {
        start: Start,
        asked: Asked,
        log: Arc<Mutex<Vec<Asked>>>,
        answer: Arc<Answer>,
    }

    impl<const TOKEN: bool> Fake<TOKEN> {
        fn new(
            answer: impl Fn(&Asked) -> Result<FakePage, SdkError<()>> + Send + Sync + 'static,
        ) -> Self {
            Fake {
                start: Start::default(),
                asked: (None, None, None),
                log: Arc::default(),
                answer: Arc::new(Box::new(answer)),
            }
        }

        fn log(&self) -> Vec<Asked> {
            self.log.lock().unwrap().clone()
        }
    }

    impl<const TOKEN: bool> Sealed for Fake<TOKEN> {}

    impl<const TOKEN: bool> Paginate for Fake<TOKEN> {
        type Page = FakePage;
        type Item = u32;
        type Error = ();
        const STYLE: PageStyle = if TOKEN {
            PageStyle::Token
        } else {
            PageStyle::Number
        };

        fn start(&self) -> Start {
            self.start.clone()
        }

        fn at(mut self, cursor: Cursor<'_>) -> Option<Self> {
            // As a parameter of type `i32` would.
            let number = cursor.number.map(i32::try_from).transpose().ok()?;
            self.asked = (
                number.map(i64::from).or(self.start.number),
                cursor.token.map(str::to_owned).or(self.start.token.clone()),
                cursor.size.or(self.start.size),
            );
            Some(self)
        }

        fn send_page(self) -> PageFuture<FakePage, ()> {
            self.log.lock().unwrap().push(self.asked.clone());
            Box::pin(std::future::ready((self.answer)(&self.asked)))
        }

        fn facts(page: &FakePage) -> PageFacts<'_> {
            PageFacts {
                items: page.items.len(),
                total: page.total,
                number: page.number,
                next_token: page.next.as_deref(),
            }
        }

        fn into_items(page: FakePage) -> Vec<u32> {
            page.items
        }
    }

    /// Page `n` of `size` items of a listing of `total`: the items `(n-1)*size ..`.
    fn numbered_page(asked: &Asked, total: u32) -> FakePage {
        let (n, size) = (asked.0.unwrap(), asked.2.unwrap_or(10));
        let from = u32::try_from((n - 1) * size).unwrap().min(total);
        let to = (from + u32::try_from(size).unwrap()).min(total);
        FakePage {
            items: (from..to).collect(),
            total: Some(i64::from(total)),
            number: Some(n),
            next: None,
        }
    }

    async fn all_items<Op: Paginate>(p: Paginator<Op>) -> Vec<Op::Item> {
        p.items().collect_at_most(usize::MAX).await.ok().unwrap()
    }

    #[tokio::test]
    async fn numbered_pages_end_at_the_total() {
        let fake = Fake::<false>::new(|a| Ok(numbered_page(a, 25)));
        let items = all_items(Paginator::new(fake.clone()).page_size(10)).await;
        assert_eq!(items, (0..25).collect::<Vec<_>>());
        let numbers: Vec<_> = fake.log().iter().map(|a| (a.0, a.2)).collect();
        assert_eq!(
            numbers,
            [
                (Some(1), Some(10)),
                (Some(2), Some(10)),
                (Some(3), Some(10))
            ]
        );
    }

    #[tokio::test]
    async fn a_total_stated_on_page_one_only_still_counts() {
        // As `ListCallDetailRecords`: `TotalCount` is 0 on every page but the first.
        let fake = Fake::<false>::new(|a| {
            let mut page = numbered_page(a, 25);
            if a.0 != Some(1) {
                page.total = Some(0);
            }
            Ok(page)
        });
        let items = all_items(Paginator::new(fake.clone()).page_size(10)).await;
        assert_eq!(items, (0..25).collect::<Vec<_>>());
        assert_eq!(fake.log().len(), 3);
        // Started past page 1, no page states a total: the empty page ends it.
        let mut later = fake.clone();
        later.start.number = Some(2);
        later.log = Arc::default();
        let items = all_items(Paginator::new(later.clone()).page_size(10)).await;
        assert_eq!(items, (10..25).collect::<Vec<_>>());
        assert_eq!(later.log().len(), 3);
    }

    #[tokio::test]
    async fn the_builder_s_page_number_and_size_are_where_it_starts() {
        let mut fake = Fake::<false>::new(|a| Ok(numbered_page(a, 25)));
        fake.start.number = Some(2);
        fake.start.size = Some(5);
        let items = all_items(Paginator::new(fake.clone())).await;
        // Pages 2 to 5, then page 6 is empty: started past page 1, the count cannot tell.
        assert_eq!(items, (5..25).collect::<Vec<_>>());
        let numbers: Vec<_> = fake.log().iter().map(|a| a.0.unwrap()).collect();
        assert_eq!(numbers, [2, 3, 4, 5, 6]);
    }

    #[tokio::test]
    async fn an_empty_page_ends_whatever_the_total_says() {
        let fake = Fake::<false>::new(|a| {
            Ok(FakePage {
                total: Some(i64::MAX),
                number: a.0,
                ..FakePage::default()
            })
        });
        let mut pages = Paginator::new(fake.clone());
        assert!(pages.next().await.unwrap().unwrap().items.is_empty());
        assert!(pages.next().await.is_none());
        assert!(pages.is_done());
        assert_eq!(fake.log().len(), 1);
    }

    #[tokio::test]
    async fn a_page_number_that_does_not_advance_ends_and_is_not_yielded() {
        // Always page 1, whatever is asked, and a total that never comes.
        let fake = Fake::<false>::new(|_| {
            Ok(FakePage {
                items: vec![1, 2, 3],
                total: Some(i64::MAX),
                number: Some(1),
                next: None,
            })
        });
        let items = all_items(Paginator::new(fake.clone())).await;
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(fake.log().len(), 2);
    }

    #[tokio::test]
    async fn a_page_number_beyond_the_parameter_s_type_ends() {
        let mut fake = Fake::<false>::new(|a| {
            Ok(FakePage {
                items: vec![7],
                total: None,
                number: a.0,
                next: None,
            })
        });
        fake.start.number = Some(i64::from(i32::MAX) - 1);
        let items = all_items(Paginator::new(fake.clone())).await;
        assert_eq!(items, [7, 7]);
        assert_eq!(fake.log().len(), 2);
    }

    #[tokio::test]
    async fn an_error_is_yielded_then_the_paginator_ends() {
        let fake = Fake::<false>::new(|a| {
            if a.0 == Some(2) {
                Err(SdkError::Service(()))
            } else {
                Ok(numbered_page(a, 100))
            }
        });
        let mut items = Paginator::new(fake.clone()).page_size(10).items();
        for i in 0..10 {
            assert_eq!(items.next().await.unwrap().ok(), Some(i));
        }
        assert!(matches!(
            items.next().await,
            Some(Err(SdkError::Service(())))
        ));
        assert!(items.next().await.is_none());
        assert_eq!(fake.log().len(), 2);
        assert_eq!(items.pages_received(), 1);
    }

    #[tokio::test]
    async fn collect_at_most_stops_asking_for_pages() {
        // A listing without end: every page full, no total.
        let fake = Fake::<false>::new(|a| {
            Ok(FakePage {
                items: vec![0; 10],
                total: None,
                number: a.0,
                next: None,
            })
        });
        let items = Paginator::new(fake.clone())
            .items()
            .collect_at_most(25)
            .await
            .ok()
            .unwrap();
        assert_eq!(items.len(), 25);
        assert_eq!(fake.log().len(), 3);
    }

    fn token_page(items: Vec<u32>, next: Option<&str>) -> FakePage {
        FakePage {
            items,
            next: next.map(str::to_owned),
            ..FakePage::default()
        }
    }

    #[tokio::test]
    async fn tokens_lead_from_page_to_page_until_none_is_given() {
        let fake = Fake::<true>::new(|a| {
            Ok(match a.1.as_deref() {
                None => token_page(vec![1, 2], Some("b")),
                Some("b") => token_page(vec![3], Some("c")),
                Some("c") => token_page(vec![4], Some("")),
                Some(other) => panic!("asked for {other}"),
            })
        });
        let items = all_items(Paginator::new(fake.clone()).page_size(2)).await;
        assert_eq!(items, [1, 2, 3, 4]);
        let asked: Vec<_> = fake.log().into_iter().map(|a| (a.0, a.1, a.2)).collect();
        assert_eq!(
            asked,
            [
                (None, None, Some(2)),
                (None, Some("b".into()), Some(2)),
                (None, Some("c".into()), Some(2)),
            ]
        );
    }

    #[tokio::test]
    async fn a_token_already_used_ends() {
        // `a` → `b` → `a` again: a circle.
        let mut fake = Fake::<true>::new(|a| {
            Ok(match a.1.as_deref() {
                Some("a") => token_page(vec![1], Some("b")),
                _ => token_page(vec![2], Some("a")),
            })
        });
        fake.start.token = Some("a".into());
        let items = all_items(Paginator::new(fake.clone())).await;
        assert_eq!(items, [1, 2]);
        assert_eq!(fake.log().len(), 2);
        // The same token over and over.
        let fake = Fake::<true>::new(|_| Ok(token_page(vec![5], Some("same"))));
        let items = all_items(Paginator::new(fake.clone())).await;
        assert_eq!(items, [5, 5]);
        assert_eq!(fake.log().len(), 2);
        // An empty page ends, even with a fresh token.
        let fake = Fake::<true>::new(|a| Ok(token_page(Vec::new(), Some(&format!("{:?}x", a.1)))));
        assert!(all_items(Paginator::new(fake.clone())).await.is_empty());
        assert_eq!(fake.log().len(), 1);
    }
}
