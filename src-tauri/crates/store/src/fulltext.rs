//! What a search means, whichever backend answers it.
//!
//! A query is the words typed, split at white space; words without a letter or digit are
//! dropped. A request matches when every word appears in its path, query, headers or text
//! body, the last word as a prefix (search as you type). A word with punctuation inside
//! (`payment_intent.succeeded`, `application/json`) is the phrase of its tokens, side by
//! side. Tokens are what SQLite FTS5's `unicode61` tokenizer makes of text: runs of letters
//! and digits, in lower case, Latin letters without their diacritics (`Café` is `cafe`).
//! SQLite's index is FTS5 itself; PostgreSQL's is a `tsvector` of these same tokens, made
//! here (its own parsers split text differently: `api.stripe.com` is one token to them).

/// The words of a query that count, in order; empty when none does.
pub(crate) fn words(q: &str) -> Vec<&str> {
    q.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// The tokens of `text`, in order.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(fold)
}

/// Lower case without diacritics, as `unicode61` folds (for the Latin-1 and Latin
/// Extended-A letters; other scripts are only lower-cased).
fn fold(token: &str) -> String {
    token
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| base_letter(c).unwrap_or(c))
        .collect()
}

/// The letter under a lower-case Latin letter with a diacritic, `None` for any other.
fn base_letter(c: char) -> Option<char> {
    // U+00E0 to U+00FF, then U+0100 to U+017F (upper and lower case alternate there);
    // '-' marks a letter without a decomposition (æ, ð, ø, þ, đ, ħ, ı, ĸ, ł, ŋ, œ, ŧ...).
    const LATIN_1: &str = "aaaaaa-ceeeeiiii-nooooo--uuuuy-y";
    const EXTENDED_A: &str = "aaaaaaccccccccdd--eeeeeeeeeegggggggghh--iiiiiiiii---jjkk-llllll----nnnnnn---oooooo--rrrrrrsssssssstttt--uuuuuuuuuuuuwwyyyzzzzzz-";
    let code = c as u32;
    let table = match code {
        0xe0..=0xff => LATIN_1.as_bytes().get((code - 0xe0) as usize),
        0x100..=0x17f => EXTENDED_A.as_bytes().get((code - 0x100) as usize),
        _ => None,
    };
    table.filter(|b| **b != b'-').map(|b| *b as char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_table() {
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
            ("Invoice PAID", &["invoice", "paid"]),
            (
                "payment_intent.payment_failed",
                &["payment", "intent", "payment", "failed"],
            ),
            (
                "application/json; charset=utf-8",
                &["application", "json", "charset", "utf", "8"],
            ),
            ("evt_1N.x", &["evt", "1n", "x"]),
            (
                "Café Crème, Ñandú, Zürich",
                &["cafe", "creme", "nandu", "zurich"],
            ),
            ("Łódź Ærø ŠĐ", &["łodz", "ærø", "sđ"]),
            ("{\"a\":[1,2]}", &["a", "1", "2"]),
            ("日本語 テキスト", &["日本語", "テキスト"]),
        ];
        for (text, want) in cases {
            assert_eq!(tokens(text).collect::<Vec<_>>(), *want, "{text:?}");
        }
    }

    #[test]
    fn every_latin_letter_with_a_diacritic_folds_to_ascii() {
        for (c, want) in [
            ('à', 'a'),
            ('ÿ', 'y'),
            ('ā', 'a'),
            ('č', 'c'),
            ('ž', 'z'),
            ('ő', 'o'),
        ] {
            assert_eq!(base_letter(c), Some(want), "{c}");
        }
        for c in ['æ', 'ø', 'ð', 'þ', 'ß', 'ł', 'œ', 'ı', 'a', 'z', '÷'] {
            assert_eq!(base_letter(c), None, "{c}");
        }
    }

    #[test]
    fn words_drop_what_has_no_letter_or_digit() {
        assert_eq!(words("  {} a\"b -- x.y "), ["a\"b", "x.y"]);
        assert!(words(" ,; ").is_empty());
    }
}
