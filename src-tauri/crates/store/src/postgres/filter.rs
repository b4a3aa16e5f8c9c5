//! The WHERE clause of listings and exports, from a [`RequestFilter`], with the same meaning
//! as SQLite's (`sqlite::requests::where_clause`).

use tokio_postgres::types::ToSql;

use super::search;
use crate::RequestFilter;

/// A bound argument.
pub(crate) type Arg = Box<dyn ToSql + Sync + Send>;

/// The delivery summary of a request `r` (see `Request::delivery`).
pub(crate) const DELIVERY: &str = "(SELECT CASE WHEN bool_or(d.state = 'failed') THEN 'failed'
    WHEN bool_or(d.state = 'pending') THEN 'pending' WHEN count(*) > 0 THEN 'succeeded' END
    FROM deliveries d WHERE d.request_seq = r.seq)";

/// How [`where_clause`] treats the full-text query.
#[derive(PartialEq, Eq)]
pub(crate) enum FullText {
    /// As a condition on `r.seq` (every match is looked up first): for exports.
    Subquery,
    /// As a condition on `request_search s`, which the caller joins to `r`: for pages, so
    /// that the planner may walk the newest requests and check each instead.
    Joined,
}

/// Conditions on `requests r` (and `request_search s` when `Joined`) and their arguments,
/// numbered from `$1`.
pub(crate) fn where_clause(filter: &RequestFilter, full_text: FullText) -> (String, Vec<Arg>) {
    let mut conds = vec!["true".to_string()];
    // Conditions without an argument.
    let mut fixed: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut add = |cond: &str, value: Arg| {
        args.push(value);
        conds.push(cond.replace("$N", &format!("${}", args.len())));
    };
    match filter.endpoint.as_deref() {
        Some(e) if e.eq_ignore_ascii_case("default") => fixed.push("r.endpoint_id IS NULL".into()),
        Some(e) => add(
            "(r.endpoint_name = $N OR r.endpoint_id = $N)",
            Box::new(e.to_string()),
        ),
        None => {}
    }
    if let Some(method) = &filter.method {
        add("r.method = $N", Box::new(method.to_ascii_uppercase()));
    }
    if let Some(provider) = &filter.provider {
        add("r.provider = $N", Box::new(provider.to_ascii_lowercase()));
    }
    match &filter.event_type {
        Some(glob) if glob.contains(['*', '?', '[']) => match glob_regex(glob) {
            Some(regex) => add("r.event_type ~ $N", Box::new(regex)),
            None => fixed.push("false".into()),
        },
        Some(exact) => add("r.event_type = $N", Box::new(exact.clone())),
        None => {}
    }
    if let Some(status) = &filter.signature {
        add("r.sig_status = $N", Box::new(status.to_ascii_lowercase()));
    }
    if let Some(tag) = &filter.tag {
        add("$N = ANY (r.tags)", Box::new(tag.clone()));
    }
    if let Some(duplicate) = filter.duplicate {
        add("(r.duplicate_of IS NOT NULL) = $N", Box::new(duplicate));
    }
    if let Some(since) = filter.since_us {
        add("r.received_at_us >= $N", Box::new(since));
    }
    if let Some(until) = filter.until_us {
        add("r.received_at_us < $N", Box::new(until));
    }
    if let Some(pinned) = filter.pinned {
        add("r.pinned = $N", Box::new(pinned));
    }
    if !filter.ids.is_empty() {
        add("r.id = ANY ($N)", Box::new(filter.ids.clone()));
    }
    match filter.delivery {
        Some(Some(state)) => add(
            &format!("{DELIVERY} = $N"),
            Box::new(state.as_str().to_string()),
        ),
        Some(None) => fixed.push(format!("{DELIVERY} IS NULL")),
        None => {}
    }
    if let Some(before) = filter.before_seq {
        add("r.seq < $N", Box::new(before));
    }
    if let Some(q) = filter.q.as_deref().and_then(search::query) {
        let cond = match full_text {
            FullText::Subquery => {
                "r.seq IN (SELECT s.seq FROM request_search s WHERE s.doc @@ $N::text::tsquery)"
            }
            FullText::Joined => "s.doc @@ $N::text::tsquery",
        };
        add(cond, Box::new(q));
    }
    conds.extend(fixed);
    (conds.join(" AND "), args)
}

/// The arguments as `query` takes them.
pub(crate) fn refs(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter()
        .map(|a| a.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// A regular expression that matches what SQLite's GLOB `glob` matches, or `None` when it
/// matches nothing (a `[` never closed). GLOB: `*` any run, `?` one character, `[...]` a set
/// of characters and `a-z` ranges (a `]` first is a member, a `-` first or last is one, a
/// range running backwards holds nothing), `[^...]` its complement; case-sensitive. Every
/// character but a letter or digit is written as its code (`\UXXXXXXXX`), so nothing in the
/// glob is read as a regular expression's syntax.
pub(crate) fn glob_regex(glob: &str) -> Option<String> {
    let mut out = String::from("^");
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            '[' => out.push_str(&glob_set(&mut chars)?),
            c => out.push_str(&literal(c)),
        }
    }
    out.push('$');
    Some(out)
}

/// The set after a `[`, as SQLite reads it (`patternCompare` in its `func.c`), as a bracket
/// expression; `None` when it is never closed.
fn glob_set(chars: &mut std::str::Chars<'_>) -> Option<String> {
    let rest: Vec<char> = chars.clone().collect();
    let mut i = 0;
    let mut out = String::from("[");
    if rest.first() == Some(&'^') {
        out.push('^');
        i += 1;
    }
    if rest.get(i) == Some(&']') {
        out.push_str(&literal(']'));
        i += 1;
    }
    let mut prior: Option<char> = None;
    loop {
        match *rest.get(i)? {
            ']' => break,
            '-' if prior.is_some() && !matches!(rest.get(i + 1), None | Some(']')) => {
                let (from, to) = (prior.take()?, rest[i + 1]);
                if from <= to {
                    out.push_str(&format!("{}-{}", literal(from), literal(to)));
                }
                i += 2;
            }
            c => {
                out.push_str(&literal(c));
                prior = Some(c);
                i += 1;
            }
        }
    }
    for _ in 0..=i {
        chars.next();
    }
    // A set always holds its first character, so the expression is never `[]`.
    out.push(']');
    Some(out)
}

/// One character, as itself when it is a letter or digit, else as its code.
fn literal(c: char) -> String {
    if c.is_alphanumeric() {
        c.to_string()
    } else {
        format!("\\U{:08X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_regex_table() {
        let dot = "\\U0000002E";
        let cases = [
            ("charge.*", Some(format!("^charge{dot}.*$"))),
            ("a?c", Some("^a.c$".into())),
            ("[ab]x", Some("^[ab]x$".into())),
            ("[^ab]x", Some("^[^ab]x$".into())),
            ("[a-c]", Some("^[aa-c]$".into())),
            ("[z-a]", Some("^[z]$".into())),
            ("[]x]", Some("^[\\U0000005Dx]$".into())),
            ("[a-]", Some("^[a\\U0000002D]$".into())),
            (
                "x+(y)",
                Some("^x\\U0000002B\\U00000028y\\U00000029$".into()),
            ),
            ("batch[1", None),
        ];
        for (glob, want) in cases {
            assert_eq!(glob_regex(glob), want, "{glob}");
        }
    }
}
