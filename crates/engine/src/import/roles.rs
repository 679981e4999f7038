//! Role detection from column names and types, and the dataset kind that
//! follows from the roles.

use crate::model::{ColumnInfo, ColumnType, DatasetKind, Role};

fn norm(name: &str) -> String {
    name.trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The role a column's name and type suggest for an event table.
pub fn guess_role(name: &str, ty: ColumnType) -> Option<Role> {
    let n = norm(name);
    let is = |names: &[&str]| names.contains(&n.as_str());
    if is(&[
        "user_id",
        "userid",
        "user",
        "uid",
        "user_pseudo_id",
        "client_id",
        "distinct_id",
        "visitor_id",
        "customer_id",
        "person_id",
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
    ]) {
        return Some(Role::Session);
    }
    if matches!(
        ty,
        ColumnType::Timestamp | ColumnType::Integer | ColumnType::Date
    ) && is(&[
        "time",
        "timestamp",
        "event_time",
        "event_timestamp",
        "ts",
        "datetime",
        "collector_tstamp",
        "derived_tstamp",
        "created_at",
    ]) {
        return Some(Role::Time);
    }
    if is(&[
        "event",
        "event_name",
        "event_type",
        "event_action",
        "action",
        "behavior_type",
    ]) {
        return Some(Role::Event);
    }
    if is(&[
        "page",
        "page_path",
        "url",
        "page_url",
        "page_location",
        "pagepath",
        "page_urlpath",
        "path",
    ]) {
        return Some(Role::Page);
    }
    if matches!(ty, ColumnType::Integer | ColumnType::Decimal)
        && is(&[
            "value",
            "revenue",
            "price",
            "amount",
            "purchase_revenue",
            "event_value",
            "total",
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
    ]) {
        return Some(Role::Item);
    }
    None
}

/// Assigns roles to columns (at most one column per role; explicit
/// overrides win) and decides the kind of dataset.
pub fn assign_roles(columns: &mut [ColumnInfo], overrides: &[(Role, String)]) -> DatasetKind {
    for c in columns.iter_mut() {
        c.role = guess_role(&c.name, c.ty);
    }
    // One column per role: the first wins.
    let mut seen = std::collections::HashSet::new();
    for c in columns.iter_mut() {
        if let Some(r) = c.role {
            if !seen.insert(r) {
                c.role = None;
            }
        }
    }
    for (role, col) in overrides {
        for c in columns.iter_mut() {
            if c.role == Some(*role) {
                c.role = None;
            }
        }
        if let Some(c) = columns.iter_mut().find(|c| &c.name == col) {
            c.role = Some(*role);
        }
    }
    let has = |r: Role| columns.iter().any(|c| c.role == Some(r));
    if has(Role::Time) && (has(Role::Event) || has(Role::Page)) {
        DatasetKind::Events
    } else {
        for c in columns.iter_mut() {
            if c.role.is_none() || !matches!(c.role, Some(Role::Dimension | Role::Metric)) {
                c.role = Some(match c.ty {
                    ColumnType::Integer | ColumnType::Decimal | ColumnType::Duration => {
                        Role::Metric
                    }
                    _ => Role::Dimension,
                });
            }
        }
        DatasetKind::Metrics
    }
}
