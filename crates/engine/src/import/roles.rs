//! Roles: what each column means to the analysis. Presets recognise the
//! layouts of known tools by their column names; otherwise a column's name
//! and type decide. The dataset kind follows from the roles.

use super::infer::Candidates;
use crate::model::{ColumnInfo, ColumnType, DatasetKind, Role};

/// A column name folded for matching: lower case, every run of
/// non-alphanumeric characters (spaces, dots, `$`, `/`) one `_`, trimmed.
pub fn norm(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

type RoleNames = &'static [(Role, &'static [&'static str])];

/// A known export layout.
pub struct Preset {
    pub name: &'static str,
    /// Column names (normalised) that must all be present.
    pub requires: &'static [&'static str],
    /// Candidate columns per role, best first (normalised names).
    pub roles: RoleNames,
}

const PRESETS: &[Preset] = &[
    Preset {
        name: "GA4 BigQuery export",
        requires: &["event_timestamp", "user_pseudo_id"],
        roles: &[
            (Role::User, &["user_pseudo_id", "user_id"]),
            (
                Role::Session,
                &["event_params_ga_session_id", "ga_session_id"],
            ),
            (Role::Time, &["event_timestamp"]),
            (Role::Event, &["event_name"]),
            (
                Role::Page,
                &[
                    "event_params_page_location",
                    "page_location",
                    "event_params_page_title",
                ],
            ),
            (
                Role::Value,
                &[
                    "event_value_in_usd",
                    "ecommerce_purchase_revenue_in_usd",
                    "ecommerce_purchase_revenue",
                    "item_revenue_in_usd",
                    "item_revenue",
                    "event_params_value",
                ],
            ),
            (Role::Item, &["item_id", "items_item_id", "item_name"]),
        ],
    },
    Preset {
        name: "Snowplow atomic events",
        requires: &["domain_userid", "collector_tstamp"],
        roles: &[
            (Role::User, &["domain_userid", "network_userid"]),
            (Role::Session, &["domain_sessionid"]),
            (Role::Time, &["derived_tstamp", "collector_tstamp"]),
            (Role::Event, &["event_name", "event"]),
            (Role::Page, &["page_url", "page_urlpath"]),
            (Role::Value, &["tr_total", "se_value"]),
            (Role::Item, &["ti_sku", "ti_name"]),
        ],
    },
    Preset {
        name: "Amplitude export",
        requires: &["event_type", "amplitude_id"],
        roles: &[
            (Role::User, &["user_id", "amplitude_id", "device_id"]),
            (Role::Session, &["session_id"]),
            (
                Role::Time,
                &["event_time", "client_event_time", "server_upload_time"],
            ),
            (Role::Event, &["event_type"]),
            (
                Role::Page,
                &[
                    "event_properties_page_url",
                    "event_properties_url",
                    "event_properties_page",
                    "page_url",
                ],
            ),
            (
                Role::Value,
                &[
                    "revenue",
                    "event_properties_revenue",
                    "event_properties_price",
                ],
            ),
            (Role::Item, &["event_properties_product_id", "product_id"]),
        ],
    },
    Preset {
        name: "PostHog export",
        requires: &["event", "distinct_id", "timestamp", "uuid"],
        roles: &[
            (Role::User, &["distinct_id", "person_id"]),
            (Role::Session, &["session_id"]),
            (Role::Time, &["timestamp"]),
            (Role::Event, &["event"]),
            (Role::Page, &["current_url", "pathname"]),
            (Role::Value, &["revenue", "price", "amount"]),
            (Role::Item, &["product_id", "item_id", "sku"]),
        ],
    },
    Preset {
        name: "Mixpanel export",
        requires: &["event", "distinct_id", "time"],
        roles: &[
            (Role::User, &["distinct_id", "user_id"]),
            (Role::Session, &["session_id"]),
            (Role::Time, &["time"]),
            (Role::Event, &["event"]),
            (Role::Page, &["current_url", "url", "page"]),
            (Role::Value, &["revenue", "amount", "price"]),
            (Role::Item, &["product_id", "item_id", "sku"]),
        ],
    },
    Preset {
        name: "REES46 / Open CDP events",
        requires: &["event_time", "event_type", "user_session", "product_id"],
        roles: &[
            (Role::User, &["user_id"]),
            (Role::Session, &["user_session"]),
            (Role::Time, &["event_time"]),
            (Role::Event, &["event_type"]),
            (Role::Value, &["price"]),
            (Role::Item, &["product_id"]),
        ],
    },
    Preset {
        name: "Taobao UserBehavior",
        requires: &[
            "user_id",
            "item_id",
            "category_id",
            "behavior_type",
            "timestamp",
        ],
        roles: &[
            (Role::User, &["user_id"]),
            (Role::Time, &["timestamp"]),
            (Role::Event, &["behavior_type"]),
            (Role::Item, &["item_id"]),
        ],
    },
    Preset {
        name: "Shopify orders export",
        requires: &["name", "financial_status", "lineitem_name"],
        roles: &[
            (Role::User, &["email"]),
            (Role::Session, &["name"]),
            (Role::Time, &["created_at", "paid_at"]),
            (Role::Value, &["total"]),
            (Role::Item, &["lineitem_name", "lineitem_sku"]),
        ],
    },
    Preset {
        name: "Shopify products export",
        requires: &["handle", "variant_price"],
        roles: &[(Role::Item, &["handle"]), (Role::Value, &["variant_price"])],
    },
    Preset {
        name: "WooCommerce products export",
        requires: &["sku", "regular_price", "visibility_in_catalog"],
        roles: &[
            (Role::Item, &["sku", "id"]),
            (Role::Value, &["regular_price"]),
        ],
    },
    Preset {
        name: "Matomo actions log",
        requires: &["idvisitor", "idvisit", "server_time"],
        roles: &[
            (Role::User, &["idvisitor", "user_id"]),
            (Role::Session, &["idvisit"]),
            (Role::Time, &["server_time"]),
            (Role::Page, &["idaction_url", "url"]),
            (
                Role::Event,
                &["idaction_event_action", "idaction_name", "idgoal"],
            ),
            (Role::Value, &["revenue"]),
        ],
    },
    Preset {
        name: "Matomo visits log",
        requires: &["idvisit", "fingerprint", "firstactiontimestamp"],
        roles: &[
            (Role::User, &["fingerprint", "userid"]),
            (Role::Session, &["idvisit"]),
            (Role::Time, &["firstactiontimestamp", "lastactiontimestamp"]),
        ],
    },
];

/// Reports exported from GA4 and UA screens: aggregated rows.
const REPORT_PRESETS: &[(&str, &[&str])] = &[
    (
        "GA4 report",
        &[
            "event_count",
            "active_users",
            "total_users",
            "key_events",
            "views",
            "new_users",
        ],
    ),
    (
        "Universal Analytics report",
        &[
            "sessions",
            "pageviews",
            "unique_pageviews",
            "bounce_rate",
            "sessies",
        ],
    ),
];

/// The Taobao UserBehavior layout has no header: five columns, the fourth
/// holding pv/cart/fav/buy and the fifth epoch seconds.
const TAOBAO_NAMES: [&str; 5] = [
    "user_id",
    "item_id",
    "category_id",
    "behavior_type",
    "timestamp",
];

/// Finds the preset whose columns the file has; renames headerless
/// layouts it knows.
pub fn apply_preset(
    columns: &mut [ColumnInfo],
    cands: &[Candidates],
    has_header: bool,
) -> Option<&'static Preset> {
    if !has_header
        && columns.len() == 5
        && cands.len() == 5
        && cands[3].seen > 0
        && !cands[3].distinct_overflow
        && cands[3]
            .distinct
            .iter()
            .all(|v| matches!(v.as_str(), "pv" | "buy" | "cart" | "fav"))
        && columns[4].ty == ColumnType::Timestamp
    {
        for (c, n) in columns.iter_mut().zip(TAOBAO_NAMES) {
            c.name = n.to_string();
        }
    }
    let names: Vec<String> = columns.iter().map(|c| norm(&c.name)).collect();
    PRESETS
        .iter()
        .find(|p| p.requires.iter().all(|r| names.iter().any(|n| n == r)))
}

/// The role a column's name and type suggest when no preset applies.
pub fn guess_role(name: &str, ty: ColumnType) -> Option<Role> {
    let n = norm(name);
    let is = |names: &[&str]| names.contains(&n.as_str());
    let numeric = matches!(ty, ColumnType::Integer | ColumnType::Decimal);
    if is(&[
        "user_id",
        "userid",
        "user",
        "uid",
        "user_pseudo_id",
        "client_id",
        "clientid",
        "distinct_id",
        "visitor_id",
        "customer_id",
        "customerid",
        "person_id",
        "customer_unique_id",
        "anonymous_id",
        "idvisitor",
        "fingerprint",
        "cookie_id",
        "device_id",
    ]) {
        return Some(Role::User);
    }
    if is(&[
        "session_id",
        "sessionid",
        "session",
        "ga_session_id",
        "domain_sessionid",
        "visit_id",
        "user_session",
        "idvisit",
        "session_key",
    ]) {
        return Some(Role::Session);
    }
    if matches!(ty, ColumnType::Timestamp | ColumnType::Date)
        && is(&[
            "time",
            "timestamp",
            "event_time",
            "event_timestamp",
            "ts",
            "datetime",
            "date_time",
            "collector_tstamp",
            "derived_tstamp",
            "created_at",
            "date",
            "day",
            "event_date",
            "order_date",
            "invoicedate",
            "invoice_date",
            "order_purchase_timestamp",
            "server_time",
            "sell_date",
            "visit_time",
            "hit_time",
            "dagindex",
            "day_index",
        ])
    {
        return Some(Role::Time);
    }
    if !numeric
        && is(&[
            "event",
            "event_name",
            "event_type",
            "event_action",
            "action",
            "behavior_type",
            "eventname",
            "eventtype",
            "event_category",
            "step",
            "funnel_step",
        ])
    {
        return Some(Role::Event);
    }
    if !numeric
        && is(&[
            "page",
            "page_path",
            "url",
            "page_url",
            "page_location",
            "pagepath",
            "page_urlpath",
            "path",
            "page_path_and_screen_class",
            "landing_page",
            "page_title_and_screen_class",
            "page_title",
            "pathname",
            "current_url",
            "landing_page_path",
            "page_name",
            "screen_name",
        ])
    {
        return Some(Role::Page);
    }
    if numeric
        && is(&[
            "value",
            "revenue",
            "price",
            "amount",
            "purchase_revenue",
            "event_value",
            "total",
            "total_revenue",
            "sales",
            "order_value",
            "item_revenue",
            "unitprice",
            "unit_price",
            "event_value_in_usd",
            "sell_price",
        ])
    {
        return Some(Role::Value);
    }
    if is(&[
        "item",
        "item_id",
        "product_id",
        "sku",
        "item_name",
        "product",
        "stockcode",
        "stock_code",
        "product_name",
        "productid",
        "variant_sku",
    ]) {
        return Some(Role::Item);
    }
    None
}

/// Whether at most one column of a dataset has this role: every role but
/// dimension and metric.
fn one_column(role: Role) -> bool {
    !matches!(role, Role::Dimension | Role::Metric)
}

fn role_fits(role: Role, ty: ColumnType) -> bool {
    match role {
        Role::Time => matches!(
            ty,
            ColumnType::Timestamp | ColumnType::Date | ColumnType::Integer
        ),
        Role::Value => matches!(ty, ColumnType::Integer | ColumnType::Decimal),
        _ => true,
    }
}

/// Assigns roles (a preset's first, then by name; at most one column per
/// role but dimension and metric; explicit `--map` overrides win) and decides the kind: an event
/// table has a time and an event or page column; anything else is a
/// metric table whose other columns are dimensions (text, dates) or
/// metrics (numbers, durations; a value found by name becomes a metric,
/// one named by a preset or `--map` stays a value).
pub fn assign_roles(
    columns: &mut [ColumnInfo],
    overrides: &[(Role, String)],
    preset: Option<&Preset>,
) -> DatasetKind {
    for c in columns.iter_mut() {
        c.role = None;
    }
    let names: Vec<String> = columns.iter().map(|c| norm(&c.name)).collect();
    let mut taken = std::collections::HashSet::new();
    let mut from_preset = vec![false; columns.len()];
    if let Some(p) = preset {
        for (role, cands) in p.roles {
            for cand in *cands {
                if let Some(i) = names.iter().position(|n| n == cand) {
                    if columns[i].role.is_none() && role_fits(*role, columns[i].ty) {
                        columns[i].role = Some(*role);
                        from_preset[i] = true;
                        taken.insert(*role);
                        break;
                    }
                }
            }
        }
    }
    for c in columns.iter_mut() {
        if c.role.is_some() {
            continue;
        }
        if let Some(r) = guess_role(&c.name, c.ty) {
            if !taken.contains(&r) {
                c.role = Some(r);
                taken.insert(r);
            }
        }
    }
    for (role, col) in overrides {
        // A one-column role (user, time, event...) moves to the mapped
        // column; dimensions and metrics are many, so mapping one more
        // keeps the others (`--map dimension=A --map dimension=B`).
        if one_column(*role) {
            for c in columns.iter_mut() {
                if c.role == Some(*role) {
                    c.role = None;
                }
            }
        }
        if let Some(c) = columns.iter_mut().find(|c| &c.name == col) {
            c.role = Some(*role);
        }
    }
    let has = |r: Role| columns.iter().any(|c| c.role == Some(r));
    let time_is_instant = columns
        .iter()
        .any(|c| c.role == Some(Role::Time) && matches!(c.ty, ColumnType::Timestamp));
    if time_is_instant && (has(Role::Event) || has(Role::Page)) {
        DatasetKind::Events
    } else {
        for (c, preset_role) in columns.iter_mut().zip(from_preset) {
            let explicit = preset_role || overrides.iter().any(|(_, n)| n == &c.name);
            match c.role {
                Some(Role::Value) if !explicit => c.role = Some(Role::Metric),
                Some(_) => {}
                None => {
                    c.role = Some(match c.ty {
                        ColumnType::Integer | ColumnType::Decimal | ColumnType::Duration => {
                            Role::Metric
                        }
                        _ => Role::Dimension,
                    })
                }
            }
        }
        DatasetKind::Metrics
    }
}

/// The report preset a metric table matches, for the import report.
pub fn report_preset(columns: &[ColumnInfo]) -> Option<&'static str> {
    let names: Vec<String> = columns.iter().map(|c| norm(&c.name)).collect();
    REPORT_PRESETS
        .iter()
        .find(|(_, cols)| cols.iter().any(|c| names.iter().any(|n| n == c)))
        .map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(spec: &[(&str, ColumnType)]) -> Vec<ColumnInfo> {
        spec.iter()
            .map(|(n, t)| ColumnInfo {
                name: n.to_string(),
                ty: *t,
                role: None,
            })
            .collect()
    }
    fn role_of(c: &[ColumnInfo], name: &str) -> Option<Role> {
        c.iter().find(|c| c.name == name).and_then(|c| c.role)
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(
            norm(" Page path and screen class "),
            "page_path_and_screen_class"
        );
        assert_eq!(norm("properties.$current_url"), "properties_current_url");
        assert_eq!(norm("Lineitem name"), "lineitem_name");
    }

    #[test]
    fn an_event_table_needs_time_and_event_or_page() {
        use ColumnType::*;
        let mut c = cols(&[
            ("event_time", Timestamp),
            ("event_type", Text),
            ("user_id", Integer),
            ("price", Decimal),
        ]);
        assert_eq!(assign_roles(&mut c, &[], None), DatasetKind::Events);
        assert_eq!(role_of(&c, "price"), Some(Role::Value));
        let mut c = cols(&[("Event name", Text), ("Event count", Integer)]);
        assert_eq!(assign_roles(&mut c, &[], None), DatasetKind::Metrics);
        assert_eq!(role_of(&c, "Event name"), Some(Role::Event));
        assert_eq!(role_of(&c, "Event count"), Some(Role::Metric));
    }

    #[test]
    fn presets_beat_names() {
        use ColumnType::*;
        let mut c = cols(&[
            ("user_id", Text),
            ("domain_userid", Text),
            ("domain_sessionid", Text),
            ("collector_tstamp", Timestamp),
            ("derived_tstamp", Timestamp),
            ("event_name", Text),
            ("page_url", Text),
        ]);
        let p = apply_preset(&mut c, &[], true);
        assert_eq!(p.map(|p| p.name), Some("Snowplow atomic events"));
        assert_eq!(assign_roles(&mut c, &[], p), DatasetKind::Events);
        assert_eq!(role_of(&c, "domain_userid"), Some(Role::User));
        assert_eq!(role_of(&c, "user_id"), None);
        assert_eq!(role_of(&c, "derived_tstamp"), Some(Role::Time));
    }

    #[test]
    fn overrides_win() {
        use ColumnType::*;
        let mut c = cols(&[("ts", Timestamp), ("what", Text), ("who", Text)]);
        let kind = assign_roles(
            &mut c,
            &[(Role::Event, "what".into()), (Role::User, "who".into())],
            None,
        );
        assert_eq!(kind, DatasetKind::Events);
        assert_eq!(role_of(&c, "what"), Some(Role::Event));
        assert_eq!(role_of(&c, "who"), Some(Role::User));
    }

    #[test]
    fn several_columns_can_be_mapped_to_dimension() {
        use ColumnType::*;
        // the REES46 export: category_code and brand both as dimensions
        let mut c = cols(&[
            ("event_time", Timestamp),
            ("event_type", Text),
            ("category_code", Text),
            ("brand", Text),
            ("price", Decimal),
            ("user_id", Integer),
        ]);
        let kind = assign_roles(
            &mut c,
            &[
                (Role::Dimension, "category_code".into()),
                (Role::Dimension, "brand".into()),
            ],
            None,
        );
        assert_eq!(kind, DatasetKind::Events);
        assert_eq!(role_of(&c, "category_code"), Some(Role::Dimension));
        assert_eq!(role_of(&c, "brand"), Some(Role::Dimension));
        assert_eq!(role_of(&c, "event_type"), Some(Role::Event));
        // metrics likewise; a one-column role still moves to the last one mapped
        let mut c = cols(&[("page", Text), ("views", Integer), ("users", Integer)]);
        assign_roles(
            &mut c,
            &[
                (Role::Metric, "views".into()),
                (Role::Metric, "users".into()),
                (Role::Page, "page".into()),
            ],
            None,
        );
        assert_eq!(role_of(&c, "views"), Some(Role::Metric));
        assert_eq!(role_of(&c, "users"), Some(Role::Metric));
        let mut c = cols(&[("ts", Timestamp), ("a", Text), ("b", Text)]);
        assign_roles(
            &mut c,
            &[(Role::Event, "a".into()), (Role::Event, "b".into())],
            None,
        );
        assert_eq!(role_of(&c, "a"), None);
        assert_eq!(role_of(&c, "b"), Some(Role::Event));
    }
}
