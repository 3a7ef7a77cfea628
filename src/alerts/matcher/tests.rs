//! The matcher parser's tests: amtool's syntax, errors, properties.

use super::*;

#[test]
fn parses_all_four_operators() {
    let f = Filter::parse(r#"a=1 b!=2 c=~"x.*" d!~y"#).expect("parses");
    let ops: Vec<_> = f
        .terms
        .iter()
        .map(|t| match t {
            Term::Label(m) => (m.name.clone(), m.op, m.value.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            ("a".into(), MatchOp::Eq, "1".into()),
            ("b".into(), MatchOp::Ne, "2".into()),
            ("c".into(), MatchOp::Re, "x.*".into()),
            ("d".into(), MatchOp::NotRe, "y".into()),
        ]
    );
}

#[test]
fn amtool_braces_and_commas() {
    let f = Filter::parse(r#"{alertname="x", level=~"warn.*"} disk"#).expect("parses");
    assert_eq!(f.terms.len(), 3);
    assert_eq!(f.terms[2], Term::Text("disk".into()));
}

#[test]
fn regex_is_anchored() {
    let m = Matcher::parse(r#"alertname=~"warning_.*""#).expect("parses");
    assert!(m.matches(Some("warning_frontend_x")));
    assert!(!m.matches(Some("critical_warning_x")));
}

#[test]
fn fixed_fields_refuse_unknown_values_and_silenced_is_asked_for() {
    let e = Filter::parse("@state=bogus").expect_err("bogus state");
    assert_eq!(
        e.message,
        r#"@state is one of firing, pending, silenced, inhibited, not "bogus""#
    );
    let e = Filter::parse("@severity!=crit").expect_err("short severity");
    assert!(
        e.message.starts_with("@severity is one of critical, error"),
        "{e}"
    );
    assert!(
        Filter::parse(r#"@state=~"sil.*""#).is_ok(),
        "regexes are not checked"
    );
    let asks = |f: &str| Filter::parse(f).expect("filter").asks_for_suppressed();
    assert!(asks("@state=silenced") && asks(r#"@state=~"silenced|inhibited""#));
    assert!(!asks("@state!=silenced") && !asks("@state=firing") && !asks("silenced"));
}

#[test]
fn errors_are_clear() {
    let e = Filter::parse(r#"a=~"(""#).expect_err("bad regex");
    assert_eq!(e.message, r#"invalid regex in a=~"(": unclosed group"#);
    let e = Filter::parse(r#"a="open"#).expect_err("unterminated");
    assert!(e.message.contains("unterminated quote"), "{e}");
    let e = Filter::parse("@colour=red").expect_err("unknown field");
    assert!(e.message.contains("unknown field @colour"), "{e}");
    let e = Filter::parse("=x").expect_err("no name");
    assert!(e.message.contains("no label name"), "{e}");
    let e = Filter::parse("{a=b").expect_err("brace");
    assert!(e.message.contains("closing"), "{e}");
}

#[test]
fn unknown_fields_list_the_known_ones() {
    let e = Filter::parse("@colour=red").expect_err("unknown field");
    assert!(
        e.message
            .ends_with("expected one of @state, @team, @source, @severity"),
        "{e}"
    );
    assert!(
        Filter::parse("@State=firing").is_err(),
        "field names are lower-case"
    );
}

#[test]
fn single_matcher_parse_rejects_text_and_fields() {
    assert!(Matcher::parse("hello").is_err());
    assert!(Matcher::parse("@team=x").is_err());
    assert!(Matcher::parse("a=b c=d").is_err());
    let m = Matcher::parse(r#"description="a \"quoted\" thing""#).expect("parses");
    assert_eq!(m.value, r#"a "quoted" thing"#);
    assert_eq!(m.to_string(), r#"description="a \"quoted\" thing""#);
    assert_eq!(Matcher::parse(&m.to_string()).expect("round trip"), m);
}

/// What the user typed is what is stored (Alertmanager 0.25 / amtool).
#[test]
fn backslashes_are_kept_as_typed() {
    let cases = [
        (r#"foo=~"\d+""#, r"\d+"),
        (r#"instance=~"host\.example\.com""#, r"host\.example\.com"),
        (r#"foo="bar\w""#, r"bar\w"),
        (r#"foo="a\"b""#, r#"a"b"#),
        (r#"foo="a\\b""#, r"a\b"),
        (r#"foo="a\nb""#, "a\nb"),
    ];
    for (typed, stored) in cases {
        let m = Matcher::parse(typed).expect(typed);
        assert_eq!(m.value, stored, "{typed}");
        assert_eq!(Matcher::parse(&m.to_string()).expect("round trip"), m);
    }
}

#[test]
fn unquoted_backslash_or_quote_is_refused_with_the_quoted_form() {
    let e = Matcher::parse(r#"job=value""#).expect_err("stray quote");
    assert!(
        e.message.contains(r#"write it quoted, job="value\"""#),
        "{e}"
    );
    let e = Matcher::parse(r"foo=\d+").expect_err("bare backslash");
    assert!(e.message.contains(r#"write it quoted, foo="\d+""#), "{e}");
    // Printed as typed: a backslash is doubled only before what would
    // read as an escape.
    for (value, printed) in [
        (r"\d+", r#""\d+""#),
        (r"a\", r#""a\\""#),
        (r"\n", r#""\\n""#),
        ("\\\n", r#""\\\n""#),
        (r#"say "hi""#, r#""say \"hi\"""#),
    ] {
        assert_eq!(quote(value), printed, "{value:?}");
    }
}

#[test]
fn spaces_around_operators() {
    let m = Matcher::parse(r#"foo = "bar""#).expect("spaces");
    assert_eq!(
        (m.name.as_str(), m.op, m.value.as_str()),
        ("foo", MatchOp::Eq, "bar")
    );
    let f = Filter::parse(r#"{a = "1", b =~ "2"}"#).expect("braces");
    assert_eq!(f.terms.len(), 2);
    // A word not followed by an operator stays free text.
    let f = Filter::parse("disk full").expect("text");
    assert_eq!(
        f.terms,
        vec![Term::Text("disk".into()), Term::Text("full".into())]
    );
}

#[test]
fn silence_matchers_as_amtool_takes_them() {
    let shown = |text: &str| -> Result<Vec<String>, String> {
        parse_silence_matchers(text)
            .map(|v| v.iter().map(ToString::to_string).collect())
            .map_err(|e| e.message)
    };
    // amtool's shorthand: a first bare word is the alertname, as typed.
    assert_eq!(shown("HighCPU"), Ok(vec![r#"alertname="HighCPU""#.into()]));
    assert_eq!(
        shown(r#"HighCPU, instance = "a:9100""#),
        Ok(vec![
            r#"alertname="HighCPU""#.into(),
            r#"instance="a:9100""#.into()
        ])
    );
    assert_eq!(
        shown(r#"{foo="bar", baz!~"quux.*"}"#),
        Ok(vec![r#"foo="bar""#.into(), r#"baz!~"quux.*""#.into()])
    );
    // Later free text is refused, quoted as typed (not lower-cased).
    assert_eq!(
        shown("alertname=High CPU"),
        Err(r#"expected a matcher such as name="value" at column 16, found "CPU""#.into())
    );
    assert_eq!(
        shown("@team=search"),
        Err("@team cannot be used in a silence".into())
    );
    assert_eq!(shown(" , "), Err("at least one matcher is needed".into()));
    assert_eq!(
        shown("{foo=bar}}"),
        Err(r#"unexpected "}" at column 10"#.into())
    );
    // A set that would silence every alert is refused before anything
    // is sent (Alertmanager's rule: one matcher must not match "").
    for everything in [
        r#"foo=~".*""#,
        "foo=,bar=",
        r#"{foo=""}"#,
        r#"a!="x", b=~"y|""#,
    ] {
        let e = shown(everything).expect_err(everything);
        assert!(e.contains("matches every alert"), "{everything}: {e}");
    }
    assert!(shown(r#"alertname="x", foo=~".*""#).is_ok());
}

#[test]
fn invalid_and_quoted_label_names_are_named_in_the_error() {
    let e = Matcher::parse(r#"invalid-name = "valid label""#).expect_err("dash");
    assert_eq!(
        e.message,
        r#"label name "invalid-name" at column 1 is not valid: label names are letters, digits and _, and do not start with a digit"#
    );
    let e = Filter::parse(r#"{"foo"="bar"}"#).expect_err("quoted name");
    assert!(
        e.message
            .starts_with("quoted label names are not supported"),
        "{e}"
    );
    // A dashed word without an operator is still free text.
    assert_eq!(
        Filter::parse("disk-full").expect("text").terms,
        vec![Term::Text("disk-full".into())]
    );
}

#[test]
fn flags_round_trip() {
    for op in [MatchOp::Eq, MatchOp::Ne, MatchOp::Re, MatchOp::NotRe] {
        assert_eq!(MatchOp::from_flags(op.is_regex(), op.is_equal()), op);
    }
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = MatchOp> {
        prop_oneof![
            Just(MatchOp::Eq),
            Just(MatchOp::Ne),
            Just(MatchOp::Re),
            Just(MatchOp::NotRe)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any input: a filter or a clear error, never a panic.
        #[test]
        fn never_panics(text in "\\PC{0,60}") {
            let _ = Filter::parse(&text);
            let _ = Matcher::parse(&text);
        }

        /// Whatever silence text the parser accepts (built from the
        /// pieces people type: names, operators, bare and quoted values
        /// with escapes, braces, commas, spaces), printing the result
        /// and parsing that again gives the same matchers.
        #[test]
        fn accepted_silence_text_round_trips(
            parts in proptest::collection::vec(
                (
                    "[a-z_][a-z0-9_]{0,6}",
                    prop_oneof![Just("="), Just("!="), Just("=~"), Just("!~"), Just(" = ")],
                    prop_oneof![
                        "[a-z0-9.*+-]{0,6}",
                        "\"([a-z .,}{]|\\\\[\"\\\\nQEd.])*\"",
                    ],
                ),
                1..4,
            ),
            braces in any::<bool>(),
            sep in prop_oneof![Just(","), Just(", "), Just(" ")],
        ) {
            let body: Vec<String> = parts
                .iter()
                .map(|(n, op, v)| format!("{n}{op}{v}"))
                .collect();
            let text = if braces {
                format!("{{{}}}", body.join(sep))
            } else {
                body.join(sep)
            };
            // Not vacuous: plain `name=value` lists must be accepted.
            let plain = parts
                .iter()
                .all(|(_, op, v)| *op == "=" && !v.is_empty() && !v.starts_with('"'));
            let parsed = parse_silence_matchers(&text);
            prop_assert!(!plain || parsed.is_ok(), "{} refused: {:?}", text, parsed);
            if let Ok(first) = parsed {
                let printed: Vec<String> = first.iter().map(ToString::to_string).collect();
                let again = parse_silence_matchers(&printed.join(", "));
                prop_assert_eq!(again.as_ref(), Ok(&first), "{} → {:?}", text, printed);
            }
        }

        /// Printing a matcher and parsing it back gives the same matcher,
        /// whatever its value holds (quotes, backslashes, spaces, unicode).
        #[test]
        fn display_round_trips(
            name in "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
            op in op(),
            value in "[ -~äöü\"\\\\]{0,20}",
        ) {
            // Regex matchers need a valid regex: escape the value.
            let value = if op.is_regex() { regex::escape(&value) } else { value };
            let m = Matcher::new(&name, op, &value).expect("valid");
            let back = Matcher::parse(&m.to_string()).expect("parses");
            prop_assert_eq!(&back, &m);
            let f = Filter::parse(&format!("{{{m}}}")).expect("in braces");
            prop_assert_eq!(f.terms, vec![Term::Label(m)]);
        }
    }
}
