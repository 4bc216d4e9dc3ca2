//! Value lists written into a description: bullets (`- OFFLINE（离线）`) or an inline list after
//! `取值：` / `包括：` (`INBOUND（呼入），OUTBOUND（呼出）`).

/// One listed item: its code, if it has one, and the words that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub code: Option<String>,
    pub description: Option<String>,
}

/// A list found in a description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Listed {
    pub items: Vec<Item>,
    /// The text before the list (`座席状态码。`), without a trailing `包括：`.
    pub lead: Option<String>,
}

impl Listed {
    /// The codes, when every item has one.
    pub fn codes(&self) -> Option<Vec<&str>> {
        self.items.iter().map(|i| i.code.as_deref()).collect()
    }

    pub fn coded_items(&self) -> usize {
        self.items.iter().filter(|i| i.code.is_some()).count()
    }
}

const MARKERS: &[&str] = &[
    "取值：",
    "取值:",
    "取值范围：",
    "包括：",
    "包括:",
    "可选值：",
    "枚举值：",
];

/// The list a cleaned description holds (bullets as `- item`), if any; at least two items.
pub(crate) fn listed(desc: &str) -> Option<Listed> {
    let bullets: Vec<&str> = desc.lines().filter_map(|l| l.strip_prefix("- ")).collect();
    if bullets.len() >= 2 {
        let lead: Vec<&str> = desc.lines().take_while(|l| !l.starts_with("- ")).collect();
        return Some(Listed {
            items: bullets.iter().map(|b| item(b)).collect(),
            lead: lead_text(&lead.join("\n")),
        });
    }
    for marker in MARKERS {
        if let Some(at) = desc.find(marker) {
            let rest = &desc[at + marker.len()..];
            let rest = rest.lines().next().unwrap_or("");
            let rest = rest.split('。').next().unwrap_or(rest);
            let items: Vec<Item> = rest
                .split(['，', ',', '、', '；', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(item)
                .collect();
            if items.len() >= 2 {
                return Some(Listed {
                    items,
                    lead: lead_text(&desc[..at]),
                });
            }
        }
    }
    None
}

fn lead_text(s: &str) -> Option<String> {
    let mut t = s.trim();
    for m in MARKERS {
        t = t.strip_suffix(m).unwrap_or(t);
    }
    let t = t.trim_end_matches(['：', ':', ' ']).trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A code: ASCII letters, digits and `_`, starting with a letter.
fn is_code(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `OFFLINE`, `ON_SITE`, `ACW`: capitals, digits and `_`, at least two characters.
pub(crate) fn is_upper_code(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

const TRIM: &[char] = &[
    ' ', '：', ':', '，', ',', '。', '；', ';', '、', '-', '—', '（', '）', '(', ')',
];

fn words(s: &str) -> Option<String> {
    let t = s.trim_matches(TRIM).trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Reads `CODE（words）`, `CODE words`, `CODE：words` or `words（CODE）`. When both ends hold a
/// code-like word, an UPPER_CASE one is preferred, then the leading one.
fn item(text: &str) -> Item {
    let text = text.trim().trim_end_matches(['。', '；', ';', '，', ',']);
    let leading = leading_code(text);
    let trailing = trailing_code(text);
    let pick = match (&leading, &trailing) {
        (Some(l), Some(t)) if !is_upper_code(&l.0) && is_upper_code(&t.0) => trailing,
        (Some(_), _) => leading,
        (None, _) => trailing,
    };
    match pick {
        Some((code, rest)) => Item {
            code: Some(code),
            description: words(&rest),
        },
        None => Item {
            code: None,
            description: words(text),
        },
    }
}

/// `CODE（words）` → (`CODE`, `（words）`).
fn leading_code(text: &str) -> Option<(String, String)> {
    let token_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let (token, rest) = text.split_at(token_end);
    let follows_ok = rest.is_empty()
        || rest.starts_with(|c: char| c.is_whitespace() || "（(：:，,-—、".contains(c));
    (is_code(token) && follows_ok).then(|| (token.to_string(), rest.to_string()))
}

/// `words（CODE）` → (`CODE`, `words`).
fn trailing_code(text: &str) -> Option<(String, String)> {
    let inner = text.strip_suffix('）').or_else(|| text.strip_suffix(')'))?;
    let open = inner.rfind(['（', '('])?;
    let open_len = inner[open..].chars().next().map_or(1, char::len_utf8);
    let code = inner[open + open_len..].trim();
    is_code(code).then(|| (code.to_string(), inner[..open].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(desc: &str) -> Vec<String> {
        listed(desc)
            .map(|l| l.items.into_iter().filter_map(|i| i.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn bullets_with_codes_first_or_last() {
        let l = listed("状态码。包括：\n- OFFLINE（离线）\n- BREAK（小休）").unwrap();
        assert_eq!(l.lead.as_deref(), Some("状态码。"));
        assert_eq!(
            l.items[0],
            Item {
                code: Some("OFFLINE".into()),
                description: Some("离线".into())
            }
        );
        assert_eq!(
            codes("模式\n- 场内模式，也称正常模式（ON_SITE）\n- 场外模式（OFF_SITE）"),
            ["ON_SITE", "OFF_SITE"]
        );
        assert_eq!(
            codes("x\n- ACW 话后处理\n- Ringing 振铃"),
            ["ACW", "Ringing"]
        );
        assert_eq!(
            codes("x\n- The office (ON_SITE)\n- READY（Ready）"),
            ["ON_SITE", "READY"]
        );
    }

    #[test]
    fn inline_lists() {
        assert_eq!(
            codes("通话类型。取值：INBOUND（呼入），OUTBOUND（呼出）。"),
            ["INBOUND", "OUTBOUND"]
        );
        assert_eq!(listed("系统规定参数。取值：MakeCall。"), None);
        assert_eq!(listed("纯文字描述。"), None);
    }

    #[test]
    fn upper_codes() {
        assert!(is_upper_code("ON_SITE"));
        assert!(is_upper_code("ACW"));
        assert!(!is_upper_code("Ringing"));
        assert!(!is_upper_code("A"));
    }
}
