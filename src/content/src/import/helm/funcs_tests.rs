//! The template functions, each through the engine as a chart calls it.

use super::super::render;
use serde_json::{Value as Json, json};

/// Renders `text` with `values` as dot.
fn run(text: &str, values: Json) -> Result<String, String> {
    let sources = vec![
        ("t".to_string(), text.to_string()),
        ("h".to_string(), r#"{{- define "greet" }}hi {{ .who }}{{ end }}"#.to_string()),
    ];
    render::render(sources, vec![("t".to_string(), values)]).map(|mut out| out.remove(0).1).map_err(|e| e.to_string())
}

fn ok(text: &str) -> String {
    run(text, json!({"name": "web", "n": 3, "list": ["b", "a", "b"], "map": {"k": "v", "deep": {"x": 1}}, "empty": ""}))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn strings() {
    assert_eq!(ok(r#"{{ .name | quote }} {{ squote .name }} {{ quote .missing }}"#), r#""web" 'web' "#);
    assert_eq!(ok(r#"{{ upper .name }} {{ lower "AB" }} {{ title "hello world" }}"#), "WEB ab Hello World");
    assert_eq!(
        ok(r#"[{{ trim "  a  " }}] {{ trimAll "-" "--a--" }} {{ trimPrefix "a" "abc" }} {{ trimSuffix "-" "ab-" }}"#),
        "[a] a bc ab"
    );
    assert_eq!(ok(r#"{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ trunc 10 "ab" }}"#), "abc ef ab");
    assert_eq!(
        ok(
            r#"{{ replace "+" "_" "1+2" }} {{ contains "eb" .name }} {{ hasPrefix "w" .name }} {{ hasSuffix "x" .name }}"#
        ),
        "1_2 true true false"
    );
    assert_eq!(ok("{{ indent 2 \"a\\nb\" }}|{{ nindent 2 \"a\" }}"), "  a\n  b|\n  a");
    assert_eq!(
        ok(r#"{{ repeat 3 "ab" }} {{ substr 1 3 "abcd" }} {{ nospace "a b c" }} {{ cat "a" .missing "b" }}"#),
        "ababab bc abc a b"
    );
    assert_eq!(
        ok(r#"{{ printf "%s-%d" .name 5 }} {{ toString 5 }} {{ join "," (splitList "/" "a/b") }}"#),
        "web-5 5 a,b"
    );
    assert_eq!(ok(r#"{{ b64enc "hi" }} {{ b64dec "aGk=" }}"#), "aGk= hi");
    assert_eq!(ok(r#"{{ sha256sum "abc" | trunc 8 }}"#), "ba7816bf");
}

#[test]
fn logic_and_defaults() {
    assert_eq!(
        ok(r#"{{ default "x" .missing }} {{ default "x" .empty }} {{ default "x" .name }} {{ .missing | default 2 }}"#),
        "x x web 2"
    );
    assert_eq!(ok(r#"{{ empty .missing }} {{ empty .list }} {{ empty 0 }} {{ empty .map }}"#), "true false true false");
    assert_eq!(
        ok(r#"{{ coalesce .missing .empty "c" }} {{ ternary "y" "n" true }} {{ ternary "y" "n" false }}"#),
        "c y n"
    );
    assert_eq!(
        ok(
            r#"{{ eq .n 3 }} {{ ne .n 3 }} {{ lt .n 4 }} {{ gt .n 4 }} {{ eq .missing .nothing }} {{ eq .name "x" "web" }}"#
        ),
        "true false true false true true"
    );
    assert_eq!(ok(r#"{{ and true .name }} {{ or .missing "b" }} {{ not .empty }}"#), "web b true");
    assert_eq!(ok(r#"{{ kindOf .map }} {{ kindIs "slice" .list }} {{ typeOf .n }}"#), "map true int64");
    assert_eq!(
        ok(
            r#"{{ semverCompare ">=1.19-0" "v1.31.0" }} {{ semverCompare "<1.19" "v1.31.0-gke.1" }} {{ semverCompare "~1.2 || >=2" "2.1" }}"#
        ),
        "true false true"
    );
    assert!(run(r#"{{ required "need it" .missing }}"#, json!({})).unwrap_err().contains("need it"));
    assert!(run(r#"{{ fail "stop" }}"#, json!({})).unwrap_err().contains("stop"));
    assert_eq!(ok(r#"{{ lookup "v1" "Secret" "ns" "n" | len }}"#), "0");
}

#[test]
fn lists_dicts_and_numbers() {
    assert_eq!(
        ok(
            r#"{{ list 1 2 | len }} {{ first .list }} {{ last .list }} {{ rest .list | len }} {{ initial .list | len }}"#
        ),
        "2 b b 2 2"
    );
    assert_eq!(
        ok(
            r#"{{ uniq .list | join "" }} {{ sortAlpha .list | join "" }} {{ has "a" .list }} {{ without .list "b" | join "" }}"#
        ),
        "ba abb true a"
    );
    assert_eq!(
        ok(
            r#"{{ append .list "c" | join "" }} {{ prepend .list "c" | join "" }} {{ concat .list (list "z") | len }} {{ compact (list "" "a") | len }} {{ reverse .list | join "" }}"#
        ),
        "babc cbab 4 1 bab"
    );
    assert_eq!(
        ok(
            r#"{{ $d := dict "a" 1 "b" 2 }}{{ hasKey $d "a" }} {{ get $d "b" }} {{ get (set $d "c" 3) "c" }} {{ hasKey (unset $d "a") "a" }} {{ keys $d | sortAlpha | join "" }}"#
        ),
        "true 2 3 false ab"
    );
    assert_eq!(
        ok(
            r#"{{ $m := merge (dict "a" 1) (dict "a" 2 "b" 3) }}{{ $m.a }}{{ $m.b }} {{ (mergeOverwrite (dict "a" 1) (dict "a" 2)).a }} {{ dig "deep" "x" 0 .map }} {{ dig "no" "y" 9 .map }}"#
        ),
        "13 2 1 9"
    );
    assert_eq!(
        ok(
            r#"{{ pick .map "k" | len }} {{ omit .map "k" | len }} {{ values (dict "a" 1) | len }} {{ (deepCopy .map).k }}"#
        ),
        "1 1 1 v"
    );
    assert_eq!(
        ok(
            r#"{{ add 1 2 3 }} {{ add1 .n }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 2 }} {{ min 4 2 }} {{ int "12" }} {{ float64 "1.5" }}"#
        ),
        "6 4 3 6 3 1 5 2 12 1.5"
    );
    assert_eq!(ok(r#"{{ range until 3 }}{{ . }}{{ end }}"#), "012");
    assert!(run("{{ div 1 0 }}", json!({})).unwrap_err().contains("division by zero"));
    assert!(run("{{ until 1000000 }}", json!({})).is_err());
}

#[test]
fn helm_functions() {
    assert_eq!(ok(r#"{{ include "greet" (dict "who" .name) }}"#), "hi web");
    assert_eq!(ok(r#"{{ tpl "{{ .name }}!" . }}"#), "web!");
    assert_eq!(ok(r#"{{ toYaml .map }}"#), "deep:\n  x: 1\nk: v");
    assert_eq!(ok(r#"{{ toJson .map }}"#), r#"{"deep":{"x":1},"k":"v"}"#);
    assert_eq!(ok(r#"{{ (fromYaml "a: 1").a }} {{ (fromJson "{\"b\": 2}").b }} {{ toYaml (dict) }}"#), "1 2 {}");
    assert_eq!(ok(r#"{{ toYaml .list | nindent 2 }}"#), "\n  - b\n  - a\n  - b");
    assert!(run(r#"{{ include "nope" . }}"#, json!({})).unwrap_err().contains("no template named \"nope\""));
}

#[test]
fn to_yaml_keeps_strings_strings() {
    let out = ok(r#"{{ toYaml (dict "a" "1.0" "b" "true" "c" "" "d" "x\ny" "e" "08" "f" 1.5 "g" (list)) }}"#);
    let back: Json = serde_saphyr::from_str(&out).unwrap_or_else(|e| panic!("{out}: {e}"));
    assert_eq!(back, json!({"a": "1.0", "b": "true", "c": "", "d": "x\ny", "e": "08", "f": 1.5, "g": []}), "{out}");
}

#[test]
fn to_yaml_output_reads_back_as_kubernetes_reads_it() {
    let out = ok(r#"{{ toYaml (dict "a" "yes" "b" "on" "c" "0644" "d" "~" "e" "null") }}"#);
    let docs = super::super::super::yaml::documents(out.as_bytes()).unwrap_or_else(|e| panic!("{out}: {e}"));
    assert_eq!(docs[0].1, json!({"a": "yes", "b": "on", "c": "0644", "d": "~", "e": "null"}), "{out}");
}

#[test]
fn split_regular_expressions_and_paths() {
    assert_eq!(ok(r#"{{ (split "/" "a/b")._1 }} {{ tuple 1 2 | len }}"#), "b 2");
    assert_eq!(
        ok(
            r#"{{ regexMatch "^[a-z]+$" .name }} {{ regexFind "[0-9]+" "ab12c" }} {{ regexFindAll "[ab]" "abcab" 2 | join "" }}"#
        ),
        "true 12 ab"
    );
    assert_eq!(
        ok(
            r#"{{ regexReplaceAll "(a)(b)" "abab" "${2}$1" }} {{ regexReplaceAllLiteral "a" "aba" "$1" }} {{ regexSplit "," "a,b,c" -1 | len }}"#
        ),
        "baba $1b$1 3"
    );
    assert_eq!(ok(r#"{{ base "a/b.tgz" }} {{ dir "a/b.tgz" }} {{ ext "a/b.tgz" }} {{ dir "x" }}"#), "b.tgz a .tgz .");
    assert_eq!(ok(r#"{{ mustToJson (list 1) }} {{ mustMerge (dict "a" 1) (dict "b" 2) | len }}"#), "[1] 2");
    assert!(run(r#"{{ regexMatch "(" "x" }}"#, json!({})).unwrap_err().contains("regexMatch"));
}
