//! Tests of the severity table, its order, parsing and serde, and of impact assessment.

use super::*;

#[test]
fn every_row_of_the_table() {
    let rows = [
        (
            Severity::Sev1,
            "Complete outage, all users affected",
            300,
            "Shadow Self down",
        ),
        (
            Severity::Sev2,
            "Degraded service, >50% affected",
            900,
            "High latency",
        ),
        (
            Severity::Sev3,
            "Minor degradation, <50% affected",
            3600,
            "Cache miss spike",
        ),
        (
            Severity::Sev4,
            "Cosmetic/minor, no user impact",
            86_400,
            "Dashboard error",
        ),
    ];
    for (sev, description, secs, example) in rows {
        assert_eq!(sev.description(), description);
        assert_eq!(sev.response_time(), Duration::from_secs(secs));
        assert_eq!(sev.example(), example);
    }
    assert_eq!(Severity::ALL.map(|s| s.level()), [1, 2, 3, 4]);
}

#[test]
fn sev1_is_the_most_severe() {
    assert!(Severity::Sev1 > Severity::Sev2);
    assert!(Severity::Sev2 > Severity::Sev3);
    assert!(Severity::Sev3 > Severity::Sev4);
    assert_eq!(Severity::ALL.iter().max(), Some(&Severity::Sev1));
    assert!(Severity::Sev2.is_worse_than(Severity::Sev3));
    assert!(!Severity::Sev3.is_worse_than(Severity::Sev3));
    let mut sorted = vec![
        Severity::Sev3,
        Severity::Sev1,
        Severity::Sev4,
        Severity::Sev2,
    ];
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sorted, Severity::ALL);
}

#[test]
fn parse_and_print() {
    for sev in Severity::ALL {
        assert_eq!(sev.to_string().parse::<Severity>().unwrap(), sev);
        assert_eq!(
            sev.to_string().to_lowercase().parse::<Severity>().unwrap(),
            sev
        );
    }
    assert_eq!(" Sev3 ".parse::<Severity>().unwrap(), Severity::Sev3);
    for bad in [
        "",
        "SEV",
        "SEV0",
        "SEV5",
        "SEV12",
        "3",
        "severity1",
        "S3V1",
        "SEV1x",
        "ŠEV1",
    ] {
        let err = bad.parse::<Severity>().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad:?}");
        assert!(err.to_string().contains("SEV1, SEV2, SEV3 or SEV4"));
    }
}

#[test]
fn serde_round_trip() {
    for sev in Severity::ALL {
        let json = serde_json::to_string(&sev).unwrap();
        assert_eq!(json, format!("\"{sev}\""));
        assert_eq!(serde_json::from_str::<Severity>(&json).unwrap(), sev);
    }
    assert!(serde_json::from_str::<Severity>("\"SEV9\"").is_err());
}

#[test]
fn only_sev1_and_sev2_page() {
    assert!(Severity::Sev1.pages());
    assert!(Severity::Sev2.pages());
    assert!(!Severity::Sev3.pages());
    assert!(!Severity::Sev4.pages());
}

#[test]
fn assess_boundaries() {
    let assess =
        |share, outage, visible| Severity::assess(&Impact::new(share, outage, visible).unwrap());
    // Complete outage wins over everything else.
    assert_eq!(assess(1.0, true, true), Severity::Sev1);
    assert_eq!(assess(0.3, true, true), Severity::Sev1);
    // 100 % affected but still answering: degraded, not an outage.
    assert_eq!(assess(1.0, false, true), Severity::Sev2);
    assert_eq!(assess(0.51, false, true), Severity::Sev2);
    // Exactly 50 %: the table is silent, we take the more severe level.
    assert_eq!(assess(0.5, false, true), Severity::Sev2);
    assert_eq!(assess(0.499_999, false, true), Severity::Sev3);
    assert_eq!(assess(0.01, false, true), Severity::Sev3);
    // Nobody affected, or nothing visible: SEV4.
    assert_eq!(assess(0.0, false, true), Severity::Sev4);
    assert_eq!(assess(0.9, false, false), Severity::Sev4);
    assert_eq!(Severity::assess(&Impact::none()), Severity::Sev4);
    assert_eq!(Severity::assess(&Impact::outage()), Severity::Sev1);
}

#[test]
fn out_of_range_impact_is_rejected() {
    for bad in [-0.01, 1.000_001, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = Impact::new(bad, false, true).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    }
    let json = r#"{"affected_share":1.5,"complete_outage":false,"user_visible":true}"#;
    assert!(serde_json::from_str::<Impact>(json).is_err());
}

#[test]
fn impact_serde_round_trip_and_worst() {
    let a = Impact::degraded(0.2).unwrap().with_users_affected(200);
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(serde_json::from_str::<Impact>(&json).unwrap(), a);
    let w = a.worst(Impact::outage());
    assert!(w.complete_outage());
    assert_eq!(w.affected_share(), 1.0);
    assert_eq!(w.users_affected(), Some(200));
}
