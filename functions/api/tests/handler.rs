//! The API function called directly with real API Gateway events (REST v1 and HTTP v2, with and
//! without `x-api-key`), converted by `lambda_http` as in Lambda, against a fresh database.

use cloud::testing::{AWS_TEST_VARS, FakeCloudWatch, MotoServer};
use cloud::{ApiFunction, Vars};
use http_body_util::BodyExt;
use serde_json::Value;
use store::testing::TestDatabase;

const V1_TEAMS: &str = include_str!("data/apigw_v1_teams.json");
const V2_VELOCITY: &str = include_str!("data/apigw_v2_velocity.json");
const TEAMS: &str = r#"{"teams":[{"id":"platform","name":"Platform","members":[
    {"github":"alice","joined_at":"2025-01-01"}]}]}"#;

/// A migrated database with the `platform` team.
async fn database() -> TestDatabase {
    let (db, store) = TestDatabase::migrated_store().await;
    let teams = domain::TeamConfig::from_json(TEAMS).expect("team config");
    store.sync_teams(&teams).await.expect("teams written");
    db
}

/// The fixture, optionally without its `x-api-key` header or with another key.
fn event(fixture: &str, key: Option<&str>) -> lambda_http::Request {
    let mut json: Value = serde_json::from_str(fixture).expect("fixture JSON");
    for headers in ["headers", "multiValueHeaders"] {
        if let Some(map) = json.get_mut(headers).and_then(Value::as_object_mut) {
            match key {
                None => {
                    map.remove("x-api-key");
                }
                Some(key) if headers == "headers" => {
                    map.insert("x-api-key".into(), key.into());
                }
                Some(key) => {
                    map.insert("x-api-key".into(), serde_json::json!([key]));
                }
            }
        }
    }
    lambda_http::request::from_str(&json.to_string()).expect("lambda_http parses the event")
}

async fn call(function: &ApiFunction, request: lambda_http::Request) -> (u16, Value) {
    let response = function.handle(request).await;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn function(db: &TestDatabase, more: &[(String, String)]) -> ApiFunction {
    let vars = Vars::from_pairs([
        ("DATABASE_URL", db.url.as_str()),
        ("API_KEYS", "test-key"),
        ("METRICS_ENABLED", "false"),
    ])
    .with(more.to_vec());
    ApiFunction::from_vars(vars).expect("valid settings")
}

#[tokio::test]
async fn a_rest_api_event_with_a_key_lists_teams_whatever_the_stage() {
    let db = database().await;
    let function = function(&db, &[]);

    let (status, body) = call(&function, event(V1_TEAMS, Some("test-key"))).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["teams"][0]["id"], "platform", "{body}");
}

#[tokio::test]
async fn events_without_or_with_a_wrong_key_are_refused_by_the_app_too() {
    let db = database().await;
    let function = function(&db, &[]);

    for (fixture, key) in [
        (V1_TEAMS, None),
        (V2_VELOCITY, None),
        (V2_VELOCITY, Some("wrong")),
    ] {
        let (status, body) = call(&function, event(fixture, key)).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    }
}

#[tokio::test]
async fn an_http_api_event_with_a_key_gets_weekly_velocity() {
    let db = database().await;
    let function = function(&db, &[]);

    let (status, body) = call(&function, event(V2_VELOCITY, Some("test-key"))).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["team_id"], "platform");
    assert_eq!(body["from"], "2026-01-05");
    assert!(body["weeks"].is_array(), "{body}");
}

#[tokio::test]
async fn a_rotated_api_key_secret_is_reread_once_and_the_request_answered_again() {
    let db = database().await;
    let moto = MotoServer::start();
    let arn = moto.create_secret("dorameter/api-keys", "old-key").await;
    let mut vars = moto.vars();
    vars.push(("API_KEYS_SECRET_ARN".into(), arn.clone()));
    vars.push(("SECRET_REFRESH_MIN_INTERVAL".into(), "0s".into()));
    let function = function(&db, &vars);

    let (before, _) = call(&function, event(V1_TEAMS, Some("old-key"))).await;
    moto.rotate_secret(&arn, "new-key").await;
    let (after, body) = call(&function, event(V1_TEAMS, Some("new-key"))).await;
    let (stale, _) = call(&function, event(V1_TEAMS, Some("old-key"))).await;

    assert_eq!(before, 200);
    assert_eq!(after, 200, "{body}");
    assert_eq!(stale, 401);
    // Cold start, the refresh after `new-key` was refused, the refresh after `old-key` was.
    assert_eq!(function.secrets().fetches(), 3);
}

#[tokio::test]
async fn wrong_keys_cannot_make_the_function_hammer_secrets_manager() {
    let db = database().await;
    let moto = MotoServer::start();
    let arn = moto.create_secret("dorameter/api-keys", "the-key").await;
    let mut vars = moto.vars();
    vars.push(("API_KEYS_SECRET_ARN".into(), arn));
    let function = function(&db, &vars);

    for _ in 0..5 {
        let (status, _) = call(&function, event(V1_TEAMS, Some("guess"))).await;
        assert_eq!(status, 401);
    }

    assert_eq!(
        function.secrets().fetches(),
        1,
        "refreshes are at most one a minute"
    );
}

#[tokio::test]
async fn an_unreachable_database_answers_503_and_is_counted_in_api_errors() {
    let cloudwatch = FakeCloudWatch::start().await;
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut vars: Vec<(String, String)> = AWS_TEST_VARS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    vars.extend(cloudwatch.vars());
    vars.extend([
        (
            "DATABASE_URL".to_owned(),
            format!("postgres://postgres@127.0.0.1:{closed_port}/x?connect_timeout=1"),
        ),
        ("API_KEYS".into(), "test-key".into()),
        ("API_METRICS_INTERVAL".into(), "0s".into()),
        ("AWS_LAMBDA_FUNCTION_NAME".into(), "dorameter-api".into()),
    ]);
    let function = ApiFunction::from_vars(Vars::from_pairs(vars)).expect("settings");

    let (status, body) = call(&function, event(V1_TEAMS, Some("test-key"))).await;

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    let calls = cloudwatch.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].namespace, "Dorameter");
    let errors = calls[0].datum("ApiErrors").expect("ApiErrors sent");
    assert_eq!(errors.value, Some(1.0));
    assert_eq!(errors.unit.as_deref(), Some("Count"));
    assert_eq!(
        errors.dimensions,
        [("FunctionName".to_owned(), "dorameter-api".to_owned())]
    );
}
