//! The paginator of an action that answers page by page: `into_paginator()` on its fluent
//! builder, and the builder's `Paginate` impl, which tells the generic paginator of
//! `ccc_sdk::paginator` how to ask for a page and what a page says.

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs;
use crate::model::{Operation, PagingField, PagingParam, PagingStyle};

/// Nothing for an action that does not page.
pub(super) fn paginator(op: &Operation<'_>) -> TokenStream {
    let Some(paging) = &op.paging else {
        return TokenStream::new();
    };
    let names = &op.names;
    let (fluent, output, error) = (&names.fluent, &names.output, &names.error);
    let (page, items, item) = (&paging.page, &paging.items, &paging.item);

    // A number of the paginator (`i64`) as the parameter's type, and back.
    let narrow = |wide: bool| {
        if wide {
            quote!(n)
        } else {
            quote!(i32::try_from(n).ok()?)
        }
    };
    let widen = |wide: bool| {
        if wide {
            quote!(.copied())
        } else {
            quote!(.map(|n| i64::from(*n)))
        }
    };
    let read = |f: &PagingField| {
        let ident = &f.ident;
        if f.wide {
            quote!(p.#ident)
        } else {
            quote!(p.#ident.map(i64::from))
        }
    };

    let (size_start, size_at) = match &paging.size {
        Some(PagingParam { set, get, wide }) => {
            let (widen, narrow) = (widen(*wide), narrow(*wide));
            let default = paging
                .default_size
                .map(|n| {
                    let n = proc_macro2::Literal::i64_unsuffixed(n);
                    quote!(.or(Some(#n)))
                })
                .unwrap_or_default();
            (
                quote!(self.input.#get() #widen #default),
                quote! {
                    if let Some(n) = cursor.size {
                        this = this.#set(#narrow);
                    }
                },
            )
        }
        None => (quote!(None), TokenStream::new()),
    };
    let (style, how, number_start, token_start, cursor_at, facts) = match &paging.style {
        PagingStyle::Number {
            param,
            total,
            number,
        } => {
            let PagingParam { set, get, wide } = param;
            let (widen, narrow) = (widen(*wide), narrow(*wide));
            let total = read(total);
            let number = number.as_ref().map(|n| {
                let n = read(n);
                quote!(number: #n,)
            });
            (
                quote!(Number),
                "by number: the paginator sets `PageNumber` itself, from 1 (or the number set on \
                 this builder), and ends after an empty page or once the items read reach the \
                 `TotalCount` the pages state",
                quote!(self.input.#get() #widen),
                quote!(None),
                quote! {
                    if let Some(n) = cursor.number {
                        this = this.#set(#narrow);
                    }
                },
                quote! {
                    items: p.#items.as_ref().map_or(0, Vec::len),
                    total: #total,
                    #number
                },
            )
        }
        PagingStyle::Token { set, get, next } => (
            quote!(Token),
            "by token: the paginator sets `NextPageToken` from each page, and ends after an \
             empty page, or a page with no next token or one already used",
            quote!(None),
            quote!(self.input.#get().cloned()),
            quote! {
                if let Some(token) = cursor.token {
                    this = this.#set(token);
                }
            },
            quote! {
                items: p.#items.as_ref().map_or(0, Vec::len),
                next_token: p.#next.as_deref(),
            },
        ),
    };
    let doc = docs::outer(&format!(
        "Every page of the listing, each one request of this builder (its parameters and \
         [`options`](Self::options) apply to every page), as a \
         [`Paginator`](crate::paginator::Paginator); its \
         [`items`](crate::paginator::Paginator::items) are those of {}, one by one.\n\n\
         Pages go {how}.{size}",
        docs::code(&paging.items_wire),
        size = match (&paging.size, paging.default_size) {
            (Some(_), Some(n)) => format!(
                "\n\nNothing else needs setting: with no page size set on this builder or the \
                 paginator, a page holds up to {n} items, the most the action takes."
            ),
            _ => String::new(),
        },
    ));
    quote! {
        impl #fluent {
            #doc
            pub fn into_paginator(self) -> crate::paginator::Paginator<Self> {
                crate::paginator::Paginator::new(self)
            }
        }

        impl crate::paginator::Sealed for #fluent {}

        impl crate::paginator::Paginate for #fluent {
            type Page = #output;

            type Item = #item;

            type Error = #error;

            const STYLE: crate::paginator::PageStyle = crate::paginator::PageStyle::#style;

            fn start(&self) -> crate::paginator::Start {
                crate::paginator::Start {
                    number: #number_start,
                    token: #token_start,
                    size: #size_start,
                }
            }

            fn at(self, cursor: crate::paginator::Cursor<'_>) -> Option<Self> {
                let mut this = self;
                #cursor_at
                #size_at
                Some(this)
            }

            fn send_page(self) -> crate::paginator::PageFuture<Self::Page, Self::Error> {
                Box::pin(self.send())
            }

            fn facts(page: &Self::Page) -> crate::paginator::PageFacts<'_> {
                let Some(p) = &page.#page else {
                    return crate::paginator::PageFacts::default();
                };
                crate::paginator::PageFacts {
                    #facts
                    ..Default::default()
                }
            }

            fn into_items(page: Self::Page) -> Vec<Self::Item> {
                page.#page.and_then(|p| p.#items).unwrap_or_default()
            }
        }
    }
}
