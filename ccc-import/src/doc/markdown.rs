//! The layout of a reference page: title, summary, `##` sections, pipe tables whose cells may span
//! several lines, and fenced code blocks.

/// Why a page could not be read, with the 1-based line it concerns (0: the page as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub line: usize,
    pub reason: String,
}

pub(crate) fn problem(line: usize, reason: impl Into<String>) -> Problem {
    Problem {
        line,
        reason: reason.into(),
    }
}

/// A page split into lines, with the positions of its title and sections.
pub(crate) struct Page<'a> {
    /// The page's lines; `lines[i]` is line `i + 1`.
    pub lines: Vec<&'a str>,
    /// Whether each line is inside a fenced code block (fence lines included).
    in_fence: Vec<bool>,
}

/// A `## Heading` and the lines up to the next one: `start..end` are 0-based indexes of its body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Section {
    pub heading_line: usize,
    pub start: usize,
    pub end: usize,
}

/// A pipe table: its column titles and rows of raw (still escaped) cells.
#[derive(Debug)]
pub(crate) struct Table {
    pub header_line: usize,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based line where the row starts.
    pub line: usize,
    pub cells: Vec<String>,
}

impl Table {
    /// The index of the first column whose title is one of `titles`.
    pub fn column(&self, titles: &[&str]) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| titles.iter().any(|t| c.eq_ignore_ascii_case(t)))
    }

    pub fn require(&self, titles: &[&str]) -> Result<usize, Problem> {
        self.column(titles).ok_or_else(|| {
            problem(
                self.header_line,
                format!(
                    "malformed table: no column `{}` (columns: {})",
                    titles[0],
                    self.columns.join(", ")
                ),
            )
        })
    }
}

/// A fenced code block: the 1-based line of its opening fence and its text (each line ended by `\n`).
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub line: usize,
    pub text: String,
}

impl<'a> Page<'a> {
    pub fn new(text: &'a str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut in_fence = Vec::with_capacity(lines.len());
        let mut open = false;
        for line in &lines {
            if line.trim_start().starts_with("```") {
                in_fence.push(true);
                open = !open;
            } else {
                in_fence.push(open);
            }
        }
        Page { lines, in_fence }
    }

    /// The `# Title` line: its 1-based line number and text.
    pub fn title(&self) -> Option<(usize, &'a str)> {
        self.lines
            .iter()
            .enumerate()
            .find(|(i, l)| !self.in_fence[*i] && l.starts_with("# "))
            .map(|(i, l)| (i + 1, l[2..].trim()))
    }

    /// The first paragraph line after the title, before any section.
    pub fn summary(&self, title_line: usize) -> Option<String> {
        for (i, l) in self.lines.iter().enumerate().skip(title_line) {
            if self.in_fence[i] || l.starts_with('#') {
                return None;
            }
            let t = l.trim();
            if !t.is_empty() {
                return Some(unescape(t));
            }
        }
        None
    }

    /// The section whose heading is `## name`.
    pub fn section(&self, name: &str) -> Option<Section> {
        let idx = self.lines.iter().enumerate().position(|(i, l)| {
            !self.in_fence[i] && l.starts_with("## ") && l[3..].trim() == name
        })?;
        let end = self
            .lines
            .iter()
            .enumerate()
            .skip(idx + 1)
            .find(|(i, l)| !self.in_fence[*i] && (l.starts_with("# ") || l.starts_with("## ")))
            .map(|(i, _)| i)
            .unwrap_or(self.lines.len());
        Some(Section {
            heading_line: idx + 1,
            start: idx + 1,
            end,
        })
    }

    /// The first table inside a section.
    pub fn table(&self, section: Section) -> Result<Option<Table>, Problem> {
        let Some(first) =
            (section.start..section.end).find(|&i| !self.in_fence[i] && self.is_row_start(i))
        else {
            return Ok(None);
        };
        let header_line = first + 1;
        let columns: Vec<String> = split_cells(self.lines[first])
            .into_iter()
            .map(|c| c.trim().to_string())
            .collect();
        let sep = first + 1;
        if sep >= section.end
            || !split_cells(self.lines[sep]).iter().all(|c| {
                let c = c.trim();
                !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':')
            })
        {
            return Err(problem(
                sep + 1,
                "malformed table: the header row is not followed by a `|--|--|` separator row",
            ));
        }
        let mut rows = Vec::new();
        let mut i = sep + 1;
        while i < section.end && self.is_row_start(i) {
            let start = i;
            let mut text = self.lines[i].trim_end().to_string();
            while !closes_row(&text) {
                i += 1;
                let next = self.lines.get(i).copied();
                match next {
                    Some(l)
                        if i < section.end
                            && !l.starts_with('|')
                            && !l.starts_with('#')
                            && !self.in_fence[i] =>
                    {
                        text.push('\n');
                        text.push_str(l.trim_end());
                    }
                    _ => {
                        return Err(problem(
                            start + 1,
                            "malformed table: the row is not closed with `|`",
                        ));
                    }
                }
            }
            let cells = split_cells(&text);
            if cells.len() != columns.len() {
                return Err(problem(
                    start + 1,
                    format!(
                        "malformed table: the row has {} cells, the header {}",
                        cells.len(),
                        columns.len()
                    ),
                ));
            }
            rows.push(Row {
                line: start + 1,
                cells,
            });
            i += 1;
        }
        Ok(Some(Table {
            header_line,
            columns,
            rows,
        }))
    }

    fn is_row_start(&self, i: usize) -> bool {
        self.lines[i].starts_with('|')
    }

    /// The fenced block that follows line index `after` (0-based) within `section`.
    pub fn block_after(&self, after: usize, section: Section) -> Result<Option<Block>, Problem> {
        let Some(open) = (after + 1..section.end).find(|&i| {
            let l = self.lines[i].trim_start();
            l.starts_with("```") || (!l.is_empty() && !self.in_fence[i] && is_marker(l))
        }) else {
            return Ok(None);
        };
        if !self.lines[open].trim_start().starts_with("```") {
            // Another marker came first: this one has no block.
            return Ok(None);
        }
        let close = (open + 1..self.lines.len())
            .find(|&i| self.lines[i].trim_start().starts_with("```"))
            .ok_or_else(|| problem(open + 1, "code block is not closed with ```"))?;
        let mut text = String::new();
        for l in &self.lines[open + 1..close] {
            text.push_str(l);
            text.push('\n');
        }
        Ok(Some(Block {
            line: open + 1,
            text,
        }))
    }

    /// The lines of a section that are outside code blocks, as (0-based index, text).
    pub fn prose(&self, section: Section) -> impl Iterator<Item = (usize, &'a str)> + '_ {
        (section.start..section.end)
            .filter(|&i| !self.in_fence[i])
            .map(|i| (i, self.lines[i]))
    }
}

/// Lines that introduce an example block.
fn is_marker(l: &str) -> bool {
    l.contains("`XML`") || l.contains("`JSON`") || l.contains("请求示例") || l.contains("返回示例")
}

fn closes_row(text: &str) -> bool {
    text.len() > 1 && text.ends_with('|') && !text.ends_with("\\|")
}

/// Splits `|a|b\|c|d|` into `a`, `b\|c`, `d` (escapes are kept; see [`unescape`]).
fn split_cells(row: &str) -> Vec<String> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = if row.ends_with('|') && !row.ends_with("\\|") {
        &row[..row.len() - 1]
    } else {
        row
    };
    let mut cells = vec![String::new()];
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let cell = cells.last_mut().expect("one cell");
                cell.push('\\');
                if let Some(n) = chars.next() {
                    cell.push(n);
                }
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().expect("one cell").push(c),
        }
    }
    cells
}

/// Removes markdown escapes (`\_` → `_`, `-\>` → `->`, `\[` → `[`).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// A cell as text: escapes removed, each line trimmed, blank lines dropped, bullets as `- item`.
pub(crate) fn cell_text(raw: &str) -> String {
    let text = unescape(raw);
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match bullet(t) {
            Some(item) => out.push(format!("- {item}")),
            None => out.push(t.to_string()),
        }
    }
    out.join("\n")
}

/// The text of a bullet line (`-   OFFLINE（离线）` → `OFFLINE（离线）`).
pub(crate) fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for marker in ["-", "*", "•"] {
        if let Some(rest) = t.strip_prefix(marker)
            && rest.starts_with(char::is_whitespace)
        {
            return Some(rest.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_on_unescaped_pipes() {
        assert_eq!(split_cells("|a|b\\|c|d |"), vec!["a", "b\\|c", "d "]);
        assert_eq!(unescape("ON\\_SITE -\\> \\[\\]"), "ON_SITE -> []");
    }

    #[test]
    fn multi_line_cells_keep_bullets() {
        let t = cell_text("状态：\n\n -   OFFLINE（离线）\n-   BREAK（小休） ");
        assert_eq!(t, "状态：\n- OFFLINE（离线）\n- BREAK（小休）");
    }
}
