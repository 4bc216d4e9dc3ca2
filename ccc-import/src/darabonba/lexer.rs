//! Splits Darabonba source into tokens, keeping comments aside so that doc markers such as
//! `@deprecated` can be found before the item they document.

use super::error::{Pos, TeaError};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    /// A string literal, escapes resolved.
    Str(String),
    Num(String),
    Punct(&'static str),
    Eof,
}

impl Tok {
    /// How the token is named in an error message.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Str(_) => "a string".into(),
            Tok::Num(n) => format!("the number {n}"),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::Eof => "the end of the file".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: Pos,
    /// The comments between the previous token and this one: a range of `Lexed::comments`.
    pub comments: (usize, usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Comment {
    /// `true` for `/* … */`, `false` for `// …`.
    pub block: bool,
    pub text: String,
}

pub(crate) struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
}

/// Multi-character operators, longest first.
const MULTI: &[&str] = &[
    "...", "==", "!=", "<=", ">=", "&&", "||", "=>", "++", "--", "+=", "-=",
];
const SINGLE: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ",", ";", ":", "?", ".", "=", "@", "!", "+", "-", "*", "/", "<",
    ">", "&", "|", "%", "^", "~", "$", "#",
];

struct Lexer<'a> {
    file: &'a str,
    chars: Vec<char>,
    i: usize,
    line: u32,
    col: u32,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> TeaError {
        TeaError::new(self.file, pos, message)
    }

    fn string(&mut self, quote: char) -> Result<String, TeaError> {
        let start = self.pos();
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(
                        self.error(start, format!("unterminated string (no closing {quote})"))
                    );
                }
                Some(c) if c == quote => return Ok(out),
                Some('\\') => {
                    let at = self.pos();
                    match self.bump() {
                        None => {
                            return Err(self.error(start, "unterminated string (ends in '\\')"));
                        }
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some('r') => out.push('\r'),
                        Some('0') => out.push('\0'),
                        Some('u') => {
                            let mut code = 0u32;
                            for _ in 0..4 {
                                let d =
                                    self.bump().and_then(|c| c.to_digit(16)).ok_or_else(|| {
                                        self.error(at, "expected four hex digits after '\\u'")
                                    })?;
                                code = code * 16 + d;
                            }
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        }
                        // `\\`, `\'`, `\"`, `\``, `\$` and any other escaped character stand for
                        // themselves.
                        Some(c) => out.push(c),
                    }
                }
                Some(c) => out.push(c),
            }
        }
    }
}

/// Tokenizes a whole file. The last token is always `Tok::Eof`.
pub(crate) fn lex(file: &str, text: &str) -> Result<Lexed, TeaError> {
    let mut lx = Lexer {
        file,
        chars: text.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
    };
    let mut tokens = Vec::new();
    let mut comments = Vec::new();
    let mut comment_start = 0;
    loop {
        let Some(c) = lx.peek(0) else {
            tokens.push(Token {
                tok: Tok::Eof,
                pos: lx.pos(),
                comments: (comment_start, comments.len()),
            });
            break;
        };
        if c.is_whitespace() || c == '\u{feff}' {
            lx.bump();
            continue;
        }
        let pos = lx.pos();
        if c == '/' && lx.peek(1) == Some('/') {
            let mut text = String::new();
            lx.bump();
            lx.bump();
            while let Some(c) = lx.peek(0) {
                if c == '\n' {
                    break;
                }
                text.push(c);
                lx.bump();
            }
            comments.push(Comment { block: false, text });
            continue;
        }
        if c == '/' && lx.peek(1) == Some('*') {
            lx.bump();
            lx.bump();
            let mut text = String::new();
            loop {
                match lx.peek(0) {
                    None => return Err(lx.error(pos, "unterminated comment (no closing */)")),
                    Some('*') if lx.peek(1) == Some('/') => {
                        lx.bump();
                        lx.bump();
                        break;
                    }
                    Some(c) => {
                        text.push(c);
                        lx.bump();
                    }
                }
            }
            comments.push(Comment { block: true, text });
            continue;
        }
        let tok = if c == '\'' || c == '"' || c == '`' {
            Tok::Str(lx.string(c)?)
        } else if c.is_ascii_alphabetic()
            || c == '_'
            || c == '$' && lx.peek(1).is_some_and(|n| n.is_ascii_alphabetic())
        {
            let mut s = String::new();
            while let Some(c) = lx.peek(0) {
                if c.is_ascii_alphanumeric() || c == '_' || c == '$' {
                    s.push(c);
                    lx.bump();
                } else {
                    break;
                }
            }
            Tok::Ident(s)
        } else if c.is_ascii_digit() {
            let mut s = String::new();
            while let Some(c) = lx.peek(0) {
                let in_number = c.is_ascii_alphanumeric()
                    || c == '_'
                    || c == '.' && lx.peek(1).is_some_and(|n| n.is_ascii_digit());
                if !in_number {
                    break;
                }
                s.push(c);
                lx.bump();
            }
            Tok::Num(s)
        } else if let Some(p) = MULTI
            .iter()
            .find(|m| m.chars().enumerate().all(|(k, mc)| lx.peek(k) == Some(mc)))
        {
            for _ in 0..p.len() {
                lx.bump();
            }
            Tok::Punct(p)
        } else if let Some(p) = SINGLE.iter().find(|s| s.starts_with(c)) {
            lx.bump();
            Tok::Punct(p)
        } else {
            return Err(lx.error(pos, format!("unexpected character {c:?}")));
        };
        tokens.push(Token {
            tok,
            pos,
            comments: (comment_start, comments.len()),
        });
        comment_start = comments.len();
    }
    Ok(Lexed { tokens, comments })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        lex("t.tea", text)
            .unwrap()
            .tokens
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn strings_keep_escapes_resolved() {
        assert_eq!(
            toks(r#"'a\'b' "c\"d" 'e\\f' 'g\nh' '\u0041'"#),
            vec![
                Tok::Str("a'b".into()),
                Tok::Str("c\"d".into()),
                Tok::Str("e\\f".into()),
                Tok::Str("g\nh".into()),
                Tok::Str("A".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_are_kept_aside_and_attached_to_the_next_token() {
        let l = lex("t", "a // one\n/** two\n * @deprecated x */ b").unwrap();
        assert_eq!(l.comments.len(), 2);
        assert_eq!(l.tokens[0].comments, (0, 0));
        assert_eq!(l.tokens[1].comments, (0, 2));
        assert!(l.comments[1].block);
        assert_eq!(l.tokens[1].pos, Pos { line: 3, col: 21 });
    }

    #[test]
    fn operators_longest_first() {
        assert_eq!(
            toks("a == b = c && !d"),
            vec![
                Tok::Ident("a".into()),
                Tok::Punct("=="),
                Tok::Ident("b".into()),
                Tok::Punct("="),
                Tok::Ident("c".into()),
                Tok::Punct("&&"),
                Tok::Punct("!"),
                Tok::Ident("d".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let l = lex("t", "/* 中文 */ x").unwrap();
        assert_eq!(l.tokens[0].pos, Pos { line: 1, col: 10 });
    }

    #[test]
    fn errors_have_line_and_column() {
        let e = lex("t.tea", "a\n  'open").err().unwrap();
        assert_eq!(
            e.to_string(),
            "t.tea:2:3: unterminated string (no closing ')"
        );
        let e = lex("t.tea", "x /* never").err().unwrap();
        assert_eq!(
            e.to_string(),
            "t.tea:1:3: unterminated comment (no closing */)"
        );
        let e = lex("t.tea", "\n\n   \u{1}").err().unwrap();
        assert_eq!(e.to_string(), "t.tea:3:4: unexpected character '\\u{1}'");
    }
}
