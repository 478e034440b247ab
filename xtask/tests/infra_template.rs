//! The properties of `infra/template.yaml` that matter, asserted on the parsed template (tags such
//! as `!Ref` kept), so an edit that drops one fails here: ARM64 on `provided.al2023`, the 4-hour
//! schedule, one collector at a time, no retries and a 14-day failure queue, the API key on every
//! route but `/health` and the dashboard (throttled per method instead), every alarm with its threshold, and IAM limited to what the functions use.

use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn template() -> Value {
    let path = repo().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path).expect("infra/template.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("infra/template.yaml is YAML")
}

/// `value[key]`, failing with the path when it is missing.
#[track_caller]
fn at<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    let mut here = value;
    for (depth, key) in path.iter().enumerate() {
        here = here
            .as_mapping()
            .and_then(|m| m.get(*key))
            .unwrap_or_else(|| panic!("template has no {}", path[..=depth].join(".")));
    }
    here
}

fn resource<'a>(t: &'a Value, name: &str) -> &'a Value {
    at(t, &["Resources", name])
}

#[track_caller]
fn props<'a>(t: &'a Value, name: &str) -> &'a Value {
    at(t, &["Resources", name, "Properties"])
}

/// A function property, falling back to `Globals.Function` as SAM does.
#[track_caller]
fn function_prop<'a>(t: &'a Value, function: &str, key: &str) -> &'a Value {
    props(t, function)
        .get(key)
        .or_else(|| {
            t.get("Globals")
                .and_then(|g| g.get("Function"))
                .and_then(|g| g.get(key))
        })
        .unwrap_or_else(|| panic!("{function} has no {key}, nor does Globals.Function"))
}

/// An intrinsic function as `(name, argument)`, in short (`!Ref X`) or long (`{Ref: X}`) form,
/// with the `Fn::` prefix dropped.
fn intrinsic(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(tagged) => Some((
            tagged.tag.to_string().trim_start_matches('!').to_owned(),
            &tagged.value,
        )),
        Value::Mapping(m) if m.len() == 1 => {
            let (key, argument) = m.iter().next()?;
            let key = key.as_str()?;
            (key == "Ref" || key.starts_with("Fn::") || key == "Condition")
                .then(|| (key.trim_start_matches("Fn::").to_owned(), argument))
        }
        _ => None,
    }
}

fn is_ref(value: &Value, name: &str) -> bool {
    matches!(intrinsic(value), Some((f, arg)) if f == "Ref" && arg.as_str() == Some(name))
}

/// `!GetAtt X.Y` (or the list form) as `"X.Y"`.
fn get_att(value: &Value) -> Option<String> {
    match intrinsic(value)? {
        (f, Value::String(s)) if f == "GetAtt" => Some(s.clone()),
        (f, Value::Sequence(parts)) if f == "GetAtt" => Some(
            parts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("."),
        ),
        _ => None,
    }
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("{value:?} is not a number"))
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        other => panic!("{other:?} is neither a string nor a list of strings"),
    }
}

fn resources_of_type<'a>(t: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    at(t, &["Resources"])
        .as_mapping()
        .expect("Resources is a mapping")
        .iter()
        .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
        .map(|(name, r)| (name.as_str().expect("resource names are strings"), r))
        .collect()
}

#[test]
fn both_functions_are_arm64_rust_binaries_on_provided_al2023() {
    let t = template();
    for (function, package) in [
        ("CollectorFunction", "dorameter-collector"),
        ("ApiFunction", "dorameter-api"),
    ] {
        assert_eq!(
            function_prop(&t, function, "Runtime").as_str(),
            Some("provided.al2023"),
            "{function}"
        );
        assert_eq!(
            strings(function_prop(&t, function, "Architectures")),
            ["arm64"],
            "{function}"
        );
        assert_eq!(
            function_prop(&t, function, "Handler").as_str(),
            Some("bootstrap"),
            "{function}"
        );
        let metadata = at(resource(&t, function), &["Metadata"]);
        assert_eq!(
            at(metadata, &["BuildMethod"]).as_str(),
            Some("rust-cargolambda"),
            "{function}"
        );
        assert_eq!(
            at(metadata, &["BuildProperties", "Binary"]).as_str(),
            Some(package),
            "{function}"
        );

        // The binary SAM builds is the package in CodeUri (its one bin is named after it).
        let code_uri = at(props(&t, function), &["CodeUri"])
            .as_str()
            .expect("CodeUri is a path");
        let manifest = repo().join("infra").join(code_uri).join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|e| panic!("{function}: CodeUri {code_uri} has no Cargo.toml ({e})"));
        assert!(
            manifest.contains(&format!("name = \"{package}\"")),
            "{function}: {code_uri} is not {package}"
        );
    }
}

#[test]
fn the_collector_runs_every_4_hours_by_default_one_run_at_a_time_for_up_to_900_seconds() {
    let t = template();
    let collector = props(&t, "CollectorFunction");
    assert_eq!(number(at(collector, &["Timeout"])), 900.0);
    assert_eq!(number(at(collector, &["MemorySize"])), 256.0);
    assert_eq!(
        number(at(collector, &["ReservedConcurrentExecutions"])),
        1.0
    );

    let events: Vec<&Value> = at(collector, &["Events"])
        .as_mapping()
        .expect("Events")
        .values()
        .collect();
    assert_eq!(events.len(), 1, "the collector has one trigger");
    assert_eq!(at(events[0], &["Type"]).as_str(), Some("Schedule"));
    assert!(is_ref(
        at(events[0], &["Properties", "Schedule"]),
        "CollectorSchedule"
    ));
    assert_eq!(
        at(&t, &["Parameters", "CollectorSchedule", "Default"]).as_str(),
        Some("rate(4 hours)")
    );
}

#[test]
fn a_failed_collector_run_is_not_retried_and_lands_in_a_queue_kept_14_days() {
    let t = template();
    let invoke = at(props(&t, "CollectorFunction"), &["EventInvokeConfig"]);
    assert_eq!(number(at(invoke, &["MaximumRetryAttempts"])), 0.0);
    let on_failure = at(invoke, &["DestinationConfig", "OnFailure"]);
    assert_eq!(at(on_failure, &["Type"]).as_str(), Some("SQS"));
    assert_eq!(
        get_att(at(on_failure, &["Destination"])).as_deref(),
        Some("DeadLetterQueue.Arn")
    );

    assert_eq!(
        at(resource(&t, "DeadLetterQueue"), &["Type"]).as_str(),
        Some("AWS::SQS::Queue")
    );
    assert_eq!(
        number(at(
            props(&t, "DeadLetterQueue"),
            &["MessageRetentionPeriod"]
        )),
        14.0 * 24.0 * 3600.0
    );
}

/// The routes open without a key: liveness and the dashboard's page and assets, `GET` only.
const KEYLESS: [(&str, &str); 3] = [("GET", "/"), ("GET", "/assets/{file}"), ("GET", "/health")];

#[test]
fn every_api_route_but_health_and_the_dashboard_requires_the_api_key() {
    let t = template();
    assert_eq!(
        at(props(&t, "Api"), &["Auth", "ApiKeyRequired"]).as_bool(),
        Some(true)
    );

    let mut open = Vec::new();
    let mut keyed = Vec::new();
    for (name, function) in resources_of_type(&t, "AWS::Serverless::Function") {
        let Some(events) = function.get("Properties").and_then(|p| p.get("Events")) else {
            continue;
        };
        for event in events.as_mapping().expect("Events").values() {
            if at(event, &["Type"]).as_str() != Some("Api") {
                continue;
            }
            assert_eq!(
                name, "ApiFunction",
                "only the API function is behind API Gateway"
            );
            let properties = at(event, &["Properties"]);
            assert!(
                is_ref(at(properties, &["RestApiId"]), "Api"),
                "every route is on the keyed API"
            );
            let path = at(properties, &["Path"]).as_str().expect("Path").to_owned();
            let method = at(properties, &["Method"])
                .as_str()
                .expect("Method")
                .to_owned();
            let required = properties
                .get("Auth")
                .and_then(|a| a.get("ApiKeyRequired"))
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if required {
                keyed.push(path)
            } else {
                open.push((method.to_uppercase(), path))
            }
        }
    }
    open.sort();
    let expected: Vec<(String, String)> = KEYLESS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(open, expected, "exactly these routes are keyless");
    assert!(
        keyed.contains(&"/{proxy+}".to_owned()),
        "a catch-all route carries every other path: {keyed:?}"
    );
    assert!(
        resources_of_type(&t, "AWS::ApiGateway::Method").is_empty(),
        "no hand-written method could skip the key"
    );
}

#[test]
fn each_keyless_method_is_throttled_at_the_stage_and_compressed_bodies_pass_as_binary() {
    let t = template();
    let api = props(&t, "Api");
    let settings = at(api, &["MethodSettings"])
        .as_sequence()
        .expect("MethodSettings");
    for (method, path) in KEYLESS {
        // MethodSettings write a resource's slashes as `~1` after a leading `/`: `/~1health`.
        let encoded = if path == "/" {
            "/".to_owned()
        } else {
            format!("/{}", path.replace('/', "~1"))
        };
        let setting = settings
            .iter()
            .find(|s| {
                at(s, &["ResourcePath"]).as_str() == Some(encoded.as_str())
                    && at(s, &["HttpMethod"]).as_str() == Some(method)
            })
            .unwrap_or_else(|| panic!("no MethodSettings for {method} {encoded}"));
        assert!(is_ref(
            at(setting, &["ThrottlingRateLimit"]),
            "KeylessThrottleRateLimit"
        ));
        assert!(is_ref(
            at(setting, &["ThrottlingBurstLimit"]),
            "KeylessThrottleBurstLimit"
        ));
        assert_eq!(at(setting, &["LoggingLevel"]).as_str(), Some("ERROR"));
    }
    for parameter in ["KeylessThrottleRateLimit", "KeylessThrottleBurstLimit"] {
        assert!(number(at(&t, &["Parameters", parameter, "Default"])) >= 1.0);
    }
    assert_eq!(strings(at(api, &["BinaryMediaTypes"])), ["*~1*"]);
}

#[test]
fn the_api_key_belongs_to_a_usage_plan_with_throttle_and_quota_parameters() {
    let t = template();
    assert_eq!(
        at(resource(&t, "ApiKey"), &["Type"]).as_str(),
        Some("AWS::ApiGateway::ApiKey")
    );
    let plan = props(&t, "UsagePlan");
    let stage = &at(plan, &["ApiStages"]).as_sequence().expect("ApiStages")[0];
    assert!(is_ref(at(stage, &["ApiId"]), "Api"));
    assert!(is_ref(
        at(plan, &["Throttle", "RateLimit"]),
        "ApiThrottleRateLimit"
    ));
    assert!(is_ref(
        at(plan, &["Throttle", "BurstLimit"]),
        "ApiThrottleBurstLimit"
    ));
    assert!(is_ref(at(plan, &["Quota", "Limit"]), "ApiQuotaLimit"));
    assert!(is_ref(at(plan, &["Quota", "Period"]), "ApiQuotaPeriod"));
    let key = props(&t, "UsagePlanKey");
    assert!(is_ref(at(key, &["KeyId"]), "ApiKey"));
    assert!(is_ref(at(key, &["UsagePlanId"]), "UsagePlan"));
}

#[test]
fn api_access_logs_are_json_without_request_data_and_the_stage_carries_the_version() {
    let t = template();
    let api = props(&t, "Api");
    let format = at(api, &["AccessLogSetting", "Format"])
        .as_str()
        .expect("Format");
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(format).expect("the access log format is a JSON object");
    for field in ["requestId", "status", "responseLatency", "apiKeyId"] {
        assert!(fields.contains_key(field), "access logs lack {field}");
    }
    assert_eq!(
        get_att(at(api, &["AccessLogSetting", "DestinationArn"])).as_deref(),
        Some("ApiAccessLogGroup.Arn")
    );
    for setting in at(api, &["MethodSettings"])
        .as_sequence()
        .expect("MethodSettings")
    {
        assert_eq!(
            at(setting, &["DataTraceEnabled"]).as_bool(),
            Some(false),
            "data tracing logs the key"
        );
    }
    assert!(is_ref(at(api, &["Variables", "version"]), "AppVersion"));
}

/// What one alarm must watch and when it must fire.
struct Alarm {
    name: &'static str,
    namespace: &'static str,
    metric: &'static str,
    statistic: &'static str,
    comparison: &'static str,
    threshold: Threshold,
    missing_data: &'static str,
}

enum Threshold {
    Value(f64),
    Parameter(&'static str),
}

#[track_caller]
fn check_alarm(t: &Value, expected: &Alarm) {
    let name = expected.name;
    assert_eq!(
        at(resource(t, name), &["Type"]).as_str(),
        Some("AWS::CloudWatch::Alarm"),
        "{name}"
    );
    let alarm = props(t, name);
    assert_eq!(
        at(alarm, &["Namespace"]).as_str(),
        Some(expected.namespace),
        "{name}"
    );
    assert_eq!(
        at(alarm, &["MetricName"]).as_str(),
        Some(expected.metric),
        "{name}"
    );
    let statistic = alarm
        .get("Statistic")
        .or_else(|| alarm.get("ExtendedStatistic"))
        .and_then(Value::as_str);
    assert_eq!(statistic, Some(expected.statistic), "{name}");
    assert_eq!(
        at(alarm, &["ComparisonOperator"]).as_str(),
        Some(expected.comparison),
        "{name}"
    );
    match expected.threshold {
        Threshold::Value(v) => assert_eq!(number(at(alarm, &["Threshold"])), v, "{name}"),
        Threshold::Parameter(p) => assert!(is_ref(at(alarm, &["Threshold"]), p), "{name}"),
    }
    assert_eq!(
        at(alarm, &["TreatMissingData"]).as_str(),
        Some(expected.missing_data),
        "{name}"
    );
    let actions = at(alarm, &["AlarmActions"])
        .as_sequence()
        .expect("AlarmActions");
    assert!(
        actions.iter().any(|a| is_ref(a, "AlarmTopic")),
        "{name} does not notify the topic"
    );
}

#[test]
fn each_alarm_fires_at_its_threshold_and_notifies_the_topic() {
    let t = template();
    let timeout_ms = number(at(props(&t, "CollectorFunction"), &["Timeout"])) * 1000.0;
    let alarms = [
        Alarm {
            name: "CollectorErrorsAlarm",
            namespace: "AWS/Lambda",
            metric: "Errors",
            statistic: "Sum",
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: Threshold::Value(1.0),
            missing_data: "notBreaching",
        },
        Alarm {
            name: "CollectorDurationAlarm",
            namespace: "AWS/Lambda",
            metric: "Duration",
            statistic: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: Threshold::Value(0.8 * timeout_ms),
            missing_data: "notBreaching",
        },
        Alarm {
            name: "SyncStaleAlarm",
            namespace: "Dorameter",
            metric: "SyncComplete",
            statistic: "Maximum",
            comparison: "LessThanThreshold",
            threshold: Threshold::Value(1.0),
            missing_data: "breaching",
        },
        Alarm {
            name: "GithubApiErrorsAlarm",
            namespace: "Dorameter",
            metric: "GithubApiErrors",
            statistic: "Sum",
            comparison: "GreaterThanThreshold",
            threshold: Threshold::Parameter("GithubApiErrorsThreshold"),
            missing_data: "notBreaching",
        },
        Alarm {
            name: "DeadLetterQueueAlarm",
            namespace: "AWS/SQS",
            metric: "ApproximateNumberOfMessagesVisible",
            statistic: "Maximum",
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: Threshold::Value(1.0),
            missing_data: "notBreaching",
        },
        Alarm {
            name: "Api5xxAlarm",
            namespace: "AWS/ApiGateway",
            metric: "5XXError",
            statistic: "Average",
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: Threshold::Value(0.01),
            missing_data: "notBreaching",
        },
        Alarm {
            name: "ApiLatencyAlarm",
            namespace: "AWS/ApiGateway",
            metric: "Latency",
            statistic: "p99",
            comparison: "GreaterThanThreshold",
            threshold: Threshold::Value(500.0),
            missing_data: "notBreaching",
        },
    ];
    for alarm in &alarms {
        check_alarm(&t, alarm);
    }
    assert_eq!(
        resources_of_type(&t, "AWS::CloudWatch::Alarm").len(),
        alarms.len(),
        "an alarm is untested"
    );

    // "No successful sync in 8 hours": every hourly period of the last 8 must lack a 1.
    let stale = props(&t, "SyncStaleAlarm");
    let window = number(at(stale, &["Period"])) * number(at(stale, &["EvaluationPeriods"]));
    assert_eq!(window, 8.0 * 3600.0);
    assert_eq!(
        number(at(stale, &["DatapointsToAlarm"])),
        number(at(stale, &["EvaluationPeriods"]))
    );

    // The functions publish their metrics under their own name (cloud::Metrics).
    for name in ["SyncStaleAlarm", "GithubApiErrorsAlarm"] {
        let dimension = &at(props(&t, name), &["Dimensions"])
            .as_sequence()
            .expect("Dimensions")[0];
        assert_eq!(
            at(dimension, &["Name"]).as_str(),
            Some("FunctionName"),
            "{name}"
        );
        assert!(
            is_ref(at(dimension, &["Value"]), "CollectorFunction"),
            "{name}"
        );
    }

    let subscription = props(&t, "AlarmEmailSubscription");
    assert!(is_ref(at(subscription, &["TopicArn"]), "AlarmTopic"));
    assert!(is_ref(at(subscription, &["Endpoint"]), "AlarmEmail"));
}

/// Every statement of a role's inline policies.
fn statements(t: &Value, role: &str) -> Vec<Mapping> {
    at(props(t, role), &["Policies"])
        .as_sequence()
        .expect("Policies")
        .iter()
        .flat_map(|policy| {
            at(policy, &["PolicyDocument", "Statement"])
                .as_sequence()
                .expect("Statement")
                .clone()
        })
        .map(|s| s.as_mapping().expect("a statement is a mapping").clone())
        .collect()
}

/// The secret a `!If [Cond, !Ref Created, !Ref Passed]` (possibly nested) can name, as the
/// names of the resources and parameters it refers to.
fn refs_in(value: &Value, found: &mut BTreeSet<String>) {
    match intrinsic(value) {
        Some((f, Value::String(name))) if f == "Ref" => {
            if name != "AWS::NoValue" {
                found.insert(name.clone());
            }
        }
        Some((f, Value::Sequence(args))) if f == "If" => {
            args[1..].iter().for_each(|a| refs_in(a, found))
        }
        _ => panic!("{value:?} is not a !Ref or an !If of refs"),
    }
}

#[test]
fn function_roles_allow_only_their_logs_their_secrets_their_queue_and_dorameter_metrics() {
    let t = template();
    let cases = [
        (
            "CollectorFunction",
            "CollectorRole",
            "CollectorLogGroup",
            vec![
                "GithubTokenSecret",
                "GithubTokenSecretArn",
                "DatabaseUrlSecret",
                "DatabaseUrlSecretArn",
                "DatabaseSecret",
                "TeamConfigJsonSecretArn",
            ],
            vec![
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "secretsmanager:GetSecretValue",
                "sqs:SendMessage",
                "cloudwatch:PutMetricData",
            ],
        ),
        (
            "ApiFunction",
            "ApiRole",
            "ApiLogGroup",
            vec![
                "DatabaseUrlSecret",
                "DatabaseUrlSecretArn",
                "DatabaseSecret",
                "ApiKeysSecret",
                "ApiKeysSecretArn",
            ],
            vec![
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "secretsmanager:GetSecretValue",
                "cloudwatch:PutMetricData",
            ],
        ),
    ];
    for (function, role, log_group, secrets, actions) in cases {
        assert_eq!(
            get_att(at(props(&t, function), &["Role"])),
            Some(format!("{role}.Arn")),
            "{function}"
        );
        assert!(
            props(&t, function).get("Policies").is_none(),
            "{function}: no SAM policy templates beside the role"
        );
        assert!(
            is_ref(
                at(props(&t, function), &["LoggingConfig", "LogGroup"]),
                log_group
            ),
            "{function}"
        );

        let mut granted = BTreeSet::new();
        for statement in statements(&t, role) {
            let statement = Value::Mapping(statement);
            assert_eq!(at(&statement, &["Effect"]).as_str(), Some("Allow"));
            let statement_actions = strings(at(&statement, &["Action"]));
            for action in &statement_actions {
                assert!(!action.contains('*'), "{role}: wildcard action {action}");
                assert!(
                    actions.contains(&action.as_str()),
                    "{role}: unexpected action {action}"
                );
                granted.insert(action.clone());
            }
            let resource = at(&statement, &["Resource"]);
            if statement_actions == ["cloudwatch:PutMetricData"] {
                // PutMetricData has no resource-level permission: the namespace condition scopes it.
                assert_eq!(resource.as_str(), Some("*"));
                let namespace = at(
                    &statement,
                    &["Condition", "StringEquals", "cloudwatch:namespace"],
                );
                assert_eq!(namespace.as_str(), Some("Dorameter"), "{role}");
                let env = at(
                    props(&t, function),
                    &["Environment", "Variables", "METRICS_NAMESPACE"],
                );
                assert_eq!(
                    env.as_str(),
                    Some("Dorameter"),
                    "{function} publishes where its role may"
                );
            } else {
                assert_ne!(
                    resource.as_str(),
                    Some("*"),
                    "{role}: {statement_actions:?} on every resource"
                );
            }
            if statement_actions == ["secretsmanager:GetSecretValue"] {
                let mut named = BTreeSet::new();
                for r in resource.as_sequence().expect("a list of secrets") {
                    refs_in(r, &mut named);
                }
                let expected: BTreeSet<String> = secrets.iter().map(|s| s.to_string()).collect();
                assert_eq!(named, expected, "{role} reads exactly its secrets");
            }
            if statement_actions.iter().any(|a| a.starts_with("logs:")) {
                assert_eq!(
                    get_att(resource),
                    Some(format!("{log_group}.Arn")),
                    "{role} writes its own logs"
                );
            }
            if statement_actions == ["sqs:SendMessage"] {
                assert_eq!(get_att(resource).as_deref(), Some("DeadLetterQueue.Arn"));
            }
        }
        let expected: BTreeSet<String> = actions.iter().map(|s| s.to_string()).collect();
        assert_eq!(granted, expected, "{role}");

        // Each *_SECRET_ARN the function reads is one its role may read.
        let mut read = BTreeSet::new();
        for (name, value) in at(props(&t, function), &["Environment", "Variables"])
            .as_mapping()
            .expect("Variables")
        {
            if name.as_str().is_some_and(|n| n.ends_with("_SECRET_ARN")) {
                refs_in(value, &mut read);
            }
        }
        assert!(
            read.iter().all(|s| secrets.contains(&s.as_str())),
            "{function} reads {read:?}"
        );

        // The only managed policy is the VPC one, and only inside a VPC.
        if let Some(managed) = props(&t, role).get("ManagedPolicyArns") {
            let text = format!("{managed:?}");
            assert!(
                text.contains("AWSLambdaVPCAccessExecutionRole") && text.contains("InVpc"),
                "{role}: {text}"
            );
        }
    }
}

#[test]
fn the_three_secrets_are_created_unless_an_existing_arn_is_passed() {
    let t = template();
    for (secret, parameter) in [
        ("GithubTokenSecret", "GithubTokenSecretArn"),
        ("DatabaseUrlSecret", "DatabaseUrlSecretArn"),
        ("ApiKeysSecret", "ApiKeysSecretArn"),
    ] {
        assert_eq!(
            at(&t, &["Parameters", parameter, "Default"]).as_str(),
            Some(""),
            "{parameter}"
        );
        assert_eq!(
            at(resource(&t, secret), &["Type"]).as_str(),
            Some("AWS::SecretsManager::Secret")
        );
        assert!(
            resource(&t, secret).get("Condition").is_some(),
            "{secret} is conditional"
        );
        assert!(
            props(&t, secret).get("SecretString").is_none(),
            "{secret} holds no literal in the template"
        );
    }
    // The API Gateway key is the secret's key, so one x-api-key passes both checks.
    let value = format!("{:?}", at(props(&t, "ApiKey"), &["Value"]));
    assert!(
        value.contains("{{resolve:secretsmanager:") && value.contains("ApiKeysSecret"),
        "{value}"
    );
}

#[test]
fn the_optional_database_is_off_by_default_encrypted_protected_and_private() {
    let t = template();
    assert_eq!(
        at(&t, &["Parameters", "CreateDatabase", "Default"]).as_str(),
        Some("false")
    );
    let database = resource(&t, "Database");
    assert_eq!(
        at(database, &["Condition"]).as_str(),
        Some("CreateDatabase")
    );
    assert_eq!(at(database, &["DeletionPolicy"]).as_str(), Some("Snapshot"));
    let database = props(&t, "Database");
    assert_eq!(at(database, &["Engine"]).as_str(), Some("postgres"));
    assert_eq!(at(database, &["StorageEncrypted"]).as_bool(), Some(true));
    assert_eq!(at(database, &["DeletionProtection"]).as_bool(), Some(true));
    assert_eq!(at(database, &["PubliclyAccessible"]).as_bool(), Some(false));
    let password = format!("{:?}", at(database, &["MasterUserPassword"]));
    assert!(
        password.contains("{{resolve:secretsmanager:${DatabaseSecret}"),
        "{password}"
    );
    assert!(is_ref(
        at(props(&t, "DatabaseSecretAttachment"), &["TargetId"]),
        "Database"
    ));
}

#[test]
fn every_log_group_has_a_retention() {
    let t = template();
    let groups = resources_of_type(&t, "AWS::Logs::LogGroup");
    assert!(
        groups.len() >= 4,
        "function, access and execution log groups: {}",
        groups.len()
    );
    for (name, _) in groups {
        assert!(
            is_ref(
                at(props(&t, name), &["RetentionInDays"]),
                "LogRetentionDays"
            ),
            "{name}"
        );
    }
}

#[test]
fn the_outputs_name_the_api_url_key_queue_and_topic() {
    let t = template();
    for output in [
        "ApiUrl",
        "DashboardUrl",
        "ApiKeyId",
        "DeadLetterQueueUrl",
        "AlarmTopicArn",
    ] {
        at(&t, &["Outputs", output, "Value"]);
    }
}

#[test]
fn taggable_resources_carry_the_project_tag() {
    let t = template();
    let function_tags = at(&t, &["Globals", "Function", "Tags", "project"]);
    assert_eq!(function_tags.as_str(), Some("dorameter"));
    for kind in [
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::Logs::LogGroup",
        "AWS::SecretsManager::Secret",
        "AWS::IAM::Role",
        "AWS::ApiGateway::ApiKey",
        "AWS::ApiGateway::UsagePlan",
        "AWS::RDS::DBInstance",
    ] {
        for (name, _) in resources_of_type(&t, kind) {
            let tags = at(props(&t, name), &["Tags"]).as_sequence().expect("Tags");
            let project = tags.iter().any(|tag| {
                tag.get("Key").and_then(Value::as_str) == Some("project")
                    && tag.get("Value").and_then(Value::as_str) == Some("dorameter")
            });
            assert!(project, "{name} lacks the project tag");
        }
    }
}

#[test]
fn every_checkov_suppression_gives_its_reason() {
    let t = template();
    for (name, r) in at(&t, &["Resources"]).as_mapping().expect("Resources") {
        let Some(skips) = r
            .get("Metadata")
            .and_then(|m| m.get("checkov"))
            .and_then(|c| c.get("skip"))
        else {
            continue;
        };
        for skip in skips.as_sequence().expect("skip is a list") {
            let id = at(skip, &["id"]).as_str().expect("id");
            let reason = skip.get("comment").and_then(Value::as_str).unwrap_or("");
            assert!(
                reason.len() >= 30,
                "{name:?}: {id} is suppressed without a reason"
            );
        }
    }
}

#[test]
fn the_api_is_created_after_the_regions_api_gateway_logging_role() {
    let t = template();
    // A stage with access logs fails to create until the account's CloudWatch role is set; the
    // API's description names ApiGatewayAccount so CloudFormation orders them.
    let description = format!("{:?}", at(props(&t, "Api"), &["Description"]));
    assert!(
        description.contains("${ApiGatewayAccount}"),
        "{description}"
    );
    assert_eq!(
        at(resource(&t, "ApiGatewayAccount"), &["DeletionPolicy"]).as_str(),
        Some("Retain"),
        "other APIs of the region rely on the setting"
    );
}
