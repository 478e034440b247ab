use super::*;

fn parse(doc: &str) -> Result<TeamConfig, ConfigError> {
    TeamConfig::from_json(doc)
}

#[track_caller]
fn check_rejected(doc: &str, expected_in_message: &[&str]) {
    let err = parse(doc).expect_err("config should be rejected");
    let message = err.to_string();
    for needle in expected_in_message {
        assert!(
            message.contains(needle),
            "{message:?} should mention {needle:?}"
        );
    }
}

const EXAMPLE: &str = r#"{"teams": [{"id": "platform", "name": "Platform", "description": "optional",
  "members": [{"github": "alice", "weight": 0.5, "joined_at": "2026-01-01", "left_at": "2026-03-01"},
              {"github": "bob", "weight": 1.0, "joined_at": "2025-06-01"}]}]}"#;

#[test]
fn the_documented_example_parses() {
    let config = parse(EXAMPLE).unwrap();
    let team = &config.teams[0];
    assert_eq!(team.id.as_str(), "platform");
    assert_eq!(team.description.as_deref(), Some("optional"));
    assert_eq!(team.members.len(), 2);
    assert_eq!(team.members[0].login, "alice");
    assert_eq!(team.members[0].weight, 0.5);
    assert!(team.members[1].left_at.is_none());
    assert!(!team.include_bots);
}

#[test]
fn weight_defaults_to_one_and_name_to_id() {
    let config =
        parse(r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01"}]}]}"#)
            .unwrap();
    assert_eq!(config.teams[0].members[0].weight, 1.0);
    assert_eq!(config.teams[0].name, "a");
}

#[test]
fn logins_are_lowercased() {
    let config =
        parse(r#"{"teams":[{"id":"a","members":[{"github":"Alice","joined_at":"2026-01-01"}]}]}"#)
            .unwrap();
    assert_eq!(config.teams[0].members[0].login, "alice");
}

#[test]
fn unknown_fields_are_rejected_with_their_path() {
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"x","wieght":1,"joined_at":"2026-01-01"}]}]}"#,
        &["teams[0].members[0]", "wieght", "line 1"],
    );
    check_rejected(r#"{"teams":[], "extra": 1}"#, &["extra"]);
    // The team and member are named by id and login too, not only by index.
    check_rejected(
        r#"{"teams":[{"id":"platform","members":[{"github":"bob","joined_at":"2026-01-01"},{"github":"Alice","wieght":1,"joined_at":"2026-01-01"}]}]}"#,
        &[
            "teams[0].members[1]",
            "team \"platform\"",
            "member \"Alice\"",
            "wieght",
        ],
    );
    check_rejected(
        r#"{"teams":[{"id":"platform","members":[{"github":"alice","weight":"0.5","joined_at":"2026-01-01"}]}]}"#,
        &["team \"platform\"", "member \"alice\"", "weight"],
    );
    check_rejected(
        r#"{"teams":[{"id":"a","colour":"red"}]}"#,
        &["teams[0]", "colour"],
    );
}

#[test]
fn malformed_json_reports_line_and_column() {
    check_rejected("{\n  \"teams\": [\n    {\"id\": }\n]}", &["line 3"]);
    check_rejected(r#"{"teams": 5}"#, &["teams"]);
    check_rejected(r#"{}"#, &["missing field `teams`"]);
}

#[test]
fn duplicate_and_invalid_team_ids_are_rejected() {
    check_rejected(
        r#"{"teams":[{"id":"a"},{"id":"a"}]}"#,
        &["\"a\"", "duplicate"],
    );
    for bad in [
        "",
        "Platform",
        "has space",
        "-lead",
        "trail-",
        "dou--ble",
        "é",
        "a/b",
    ] {
        let doc = format!(r#"{{"teams":[{{"id":{bad:?}}}]}}"#);
        check_rejected(&doc, &["field `id`"]);
    }
    for good in ["a", "platform", "data-eng", "team_2", "42"] {
        let doc = format!(r#"{{"teams":[{{"id":{good:?}}}]}}"#);
        assert!(parse(&doc).is_ok(), "{good}");
    }
}

#[test]
fn weights_outside_zero_to_one_are_rejected() {
    for bad in ["1.01", "-0.1", "2"] {
        let doc = format!(
            r#"{{"teams":[{{"id":"a","members":[{{"github":"x","weight":{bad},"joined_at":"2026-01-01"}}]}}]}}"#
        );
        check_rejected(&doc, &["team \"a\"", "member \"x\"", "field `weight`"]);
    }
    for good in ["0", "0.0", "1", "0.333"] {
        let doc = format!(
            r#"{{"teams":[{{"id":"a","members":[{{"github":"x","weight":{good},"joined_at":"2026-01-01"}}]}}]}}"#
        );
        assert!(parse(&doc).is_ok(), "{good}");
    }
}

#[test]
fn left_at_must_follow_joined_at() {
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01","left_at":"2026-01-01"}]}]}"#,
        &["member \"x\"", "field `left_at`"],
    );
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-02-01","left_at":"2026-01-01"}]}]}"#,
        &["field `left_at`"],
    );
}

#[test]
fn bad_dates_and_logins_name_their_field() {
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"01/02/2026"}]}]}"#,
        &["field `joined_at`", "01/02/2026"],
    );
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01","left_at":"soon"}]}]}"#,
        &["field `left_at`"],
    );
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"not a login","joined_at":"2026-01-01"}]}]}"#,
        &["field `github`"],
    );
}

#[test]
fn overlapping_spans_in_one_team_are_rejected_case_insensitively() {
    check_rejected(
        r#"{"teams":[{"id":"a","members":[
            {"github":"x","joined_at":"2026-01-01","left_at":"2026-03-01"},
            {"github":"X","joined_at":"2026-02-01"}]}]}"#,
        &["team \"a\"", "member \"x\"", "overlaps"],
    );
    check_rejected(
        r#"{"teams":[{"id":"a","members":[
            {"github":"x","joined_at":"2026-01-01"},
            {"github":"x","joined_at":"2026-02-01","left_at":"2026-03-01"}]}]}"#,
        &["overlaps"],
    );
}

#[test]
fn adjacent_spans_are_a_weight_change() {
    let config = parse(
        r#"{"teams":[{"id":"a","members":[
            {"github":"x","weight":0.5,"joined_at":"2026-01-01","left_at":"2026-03-01"},
            {"github":"x","weight":1.0,"joined_at":"2026-03-01"}]}]}"#,
    )
    .unwrap();
    assert_eq!(config.teams[0].members.len(), 2);
}

#[test]
fn overallocation_across_teams_is_rejected_unless_allowed() {
    let doc = r#"{"teams":[
        {"id":"a","members":[{"github":"x","weight":0.6,"joined_at":"2026-01-01"}]},
        {"id":"b","members":[{"github":"X","weight":0.5,"joined_at":"2026-02-01","left_at":"2026-03-01"}]}]}"#;
    check_rejected(
        doc,
        &[
            "member \"x\"",
            "field `weight`",
            "2026-02-01",
            "1.1",
            "allow_overallocation",
        ],
    );
    let allowed = doc.replacen('{', r#"{"allow_overallocation": true, "#, 1);
    assert!(parse(&allowed).unwrap().allow_overallocation);
}

#[test]
fn a_split_that_sums_to_one_is_allowed() {
    parse(
        r#"{"teams":[
        {"id":"a","members":[{"github":"x","weight":0.1,"joined_at":"2026-01-01"}]},
        {"id":"b","members":[{"github":"x","weight":0.2,"joined_at":"2026-01-01"}]},
        {"id":"c","members":[{"github":"x","weight":0.7,"joined_at":"2026-01-01"}]}]}"#,
    )
    .unwrap();
    // Sequential full-time memberships in two teams never overlap.
    parse(
        r#"{"teams":[
        {"id":"a","members":[{"github":"x","joined_at":"2026-01-01","left_at":"2026-02-01"}]},
        {"id":"b","members":[{"github":"x","joined_at":"2026-02-01"}]}]}"#,
    )
    .unwrap();
}

#[test]
fn include_bots_defaults_from_the_top_level() {
    let config =
        parse(r#"{"include_bots": true, "teams":[{"id":"a"},{"id":"b","include_bots":false}]}"#)
            .unwrap();
    assert!(config.team("a").unwrap().include_bots);
    assert!(!config.team("b").unwrap().include_bots);
}

#[test]
fn teams_come_out_sorted_by_id() {
    let config = parse(r#"{"teams":[{"id":"b"},{"id":"a"}]}"#).unwrap();
    let ids: Vec<_> = config.teams.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn bot_suffix_is_accepted_in_any_case() {
    for login in ["renovate[bot]", "Renovate[BOT]", "dependabot[Bot]"] {
        let doc = format!(
            r#"{{"teams":[{{"id":"a","members":[{{"github":{login:?},"joined_at":"2026-01-01"}}]}}]}}"#
        );
        assert!(parse(&doc).is_ok(), "{login}");
    }
    for bad in ["[bot]", "[BOT]", "a[bot][bot]x", "é[bot]"] {
        let doc = format!(
            r#"{{"teams":[{{"id":"a","members":[{{"github":{bad:?},"joined_at":"2026-01-01"}}]}}]}}"#
        );
        check_rejected(&doc, &["field `github`"]);
    }
}

#[test]
fn anything_after_the_document_is_refused_with_its_line_and_column() {
    check_rejected(
        r#"{"teams":[]}garbage"#,
        &["after the JSON document", "line 1, column 13"],
    );
    check_rejected(
        "{\"teams\":[]}\n {\"teams\":[{\"id\":\"a\"}]}",
        &["after the JSON document", "line 2, column 2"],
    );
    assert!(parse("  {\"teams\":[]} \n\t ").is_ok());
}

#[test]
fn a_nul_character_in_a_team_name_or_description_is_refused() {
    check_rejected(
        r#"{"teams":[{"id":"a","name":"Plat\u0000form"}]}"#,
        &["team \"a\"", "field `name`", "NUL"],
    );
    check_rejected(
        r#"{"teams":[{"id":"a","description":"x\u0000"}]}"#,
        &["team \"a\"", "field `description`", "NUL"],
    );
}

#[test]
fn instants_are_rounded_to_the_microsecond_before_validation() {
    check_rejected(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01T00:00:00.0000001Z","left_at":"2026-01-01T00:00:00.0000002Z"}]}]}"#,
        &["member \"x\"", "field `left_at`", "microsecond"],
    );
    let config = parse(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2026-01-01T00:00:00.0000019Z"}]}]}"#,
    )
    .unwrap();
    assert_eq!(
        config.teams[0].members[0].joined_at,
        crate::time::parse_config_instant("2026-01-01T00:00:00.000001Z").unwrap()
    );
}

#[test]
fn a_leap_second_joins_at_the_next_second() {
    let config = parse(
        r#"{"teams":[{"id":"a","members":[{"github":"x","joined_at":"2016-12-31T23:59:60Z"}]}]}"#,
    )
    .unwrap();
    assert_eq!(
        config.teams[0].members[0].joined_at,
        crate::time::parse_config_instant("2017-01-01T00:00:00Z").unwrap()
    );
}

#[test]
fn a_weight_of_minus_zero_is_zero() {
    let config = parse(
        r#"{"teams":[{"id":"a","members":[{"github":"x","weight":-0,"joined_at":"2026-01-01"}]}]}"#,
    )
    .unwrap();
    let weight = config.teams[0].members[0].weight;
    assert_eq!(weight.to_bits(), 0.0_f64.to_bits(), "{weight}");
    let config = parse(
        r#"{"teams":[{"id":"a","members":[{"github":"x","weight":-0.0,"joined_at":"2026-01-01"}]}]}"#,
    )
    .unwrap();
    assert!(config.teams[0].members[0].weight.is_sign_positive());
}
