//! The `saved_items` table as rows: a kind, a name, the spec as JSON text
//! and when it was saved. What the JSON means (each analysis's spec type)
//! is the business of [`crate::saved`], above the analyses; store keeps the
//! rows, the kind names and migration 3's pass over them, given the
//! conversion by the opener ([`ConvertItem`]).

use super::{now_rfc3339, Workspace};
use crate::error::{Error, Result};
use rusqlite::params;
use serde_json::Value;

/// The kinds of saved item, as stored and as `stepwise save KIND` takes them.
pub const ITEM_KINDS: [&str; 5] = ["funnel", "segment", "compare", "impact", "report"];

/// The kind prefix of an item saved by an earlier version that could not be
/// converted to an engine spec (kept, not lost).
pub const LEGACY_PREFIX: &str = "legacy_";

/// Migration 3's conversion of one item saved before schema 3 (the app's
/// own JSON): `(kind, name, spec)` to the engine spec's JSON, or why it
/// cannot be converted. Store does not know the analyses' specs, so the
/// opener passes it ([`Workspace::open_with`]; `Workspace::open` passes
/// `crate::saved`'s).
pub type ConvertItem = fn(&str, &str, &Value) -> std::result::Result<Value, String>;

/// A [`ConvertItem`] that converts nothing: for a scratch workspace of a
/// layer below the analyses, which never opens a file of schema 2 (if one
/// did, its items would be kept as `legacy_<kind>`).
pub fn convert_nothing(kind: &str, _: &str, _: &Value) -> std::result::Result<Value, String> {
    Err(format!("no conversion of a saved {kind} was given"))
}

/// Refuses a kind that is not one of [`ITEM_KINDS`].
pub fn check_kind(kind: &str) -> Result<()> {
    if ITEM_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "\"{kind}\" is not a kind of saved item; use one of {}",
            ITEM_KINDS.join(", ")
        )))
    }
}

/// One row of `saved_items`, its spec as the JSON text stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedRow {
    pub kind: String,
    pub name: String,
    pub spec: String,
    pub updated_at: String,
}

impl Workspace {
    /// Stores (or replaces) the item `kind`/`name` with `spec` (JSON text),
    /// and in the same transaction drops the unconverted item of the same
    /// kind and name it replaces, if any. The caller has checked `spec`.
    pub(crate) fn put_saved_row(&self, kind: &str, name: &str, spec: &str) -> Result<()> {
        let tx = self.conn.unchecked_transaction().map_err(self.err())?;
        tx.execute(
            "INSERT INTO saved_items(kind, name, spec, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(kind, name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
            params![kind, name, spec, now_rfc3339()],
        )
        .map_err(self.err())?;
        tx.execute(
            "DELETE FROM saved_items WHERE kind = ?1 AND name = ?2",
            params![format!("{LEGACY_PREFIX}{kind}"), name],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(())
    }

    /// The rows of one stored kind (every kind with `None`), by kind and name.
    pub(crate) fn saved_rows(&self, kind: Option<&str>) -> Result<Vec<SavedRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT kind, name, spec, updated_at FROM saved_items
                 WHERE ?1 IS NULL OR kind = ?1 ORDER BY kind, name",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map([kind], |r| {
                Ok(SavedRow {
                    kind: r.get(0)?,
                    name: r.get(1)?,
                    spec: r.get(2)?,
                    updated_at: r.get(3)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<Vec<SavedRow>>>()
            .map_err(self.err())
    }

    /// The stored spec text of `kind`/`name`, if there is one.
    pub(crate) fn saved_spec_text(&self, kind: &str, name: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT spec FROM saved_items WHERE kind = ?1 AND name = ?2",
                params![kind, name],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(self.err())
    }

    pub fn delete_item(&self, kind: &str, name: &str) -> Result<bool> {
        if !kind.starts_with(LEGACY_PREFIX) {
            check_kind(kind)?;
        }
        let n = self
            .conn
            .execute(
                "DELETE FROM saved_items WHERE kind = ?1 AND name = ?2",
                params![kind, name],
            )
            .map_err(self.err())?;
        Ok(n > 0)
    }
}

/// Migration 3: every item of schema 2 becomes its engine spec, or is kept
/// as `legacy_<kind>` when it cannot be converted.
pub(super) fn migrate_legacy_items(
    tx: &rusqlite::Transaction,
    convert: ConvertItem,
) -> rusqlite::Result<()> {
    let rows: Vec<(i64, String, String, String)> = {
        let mut st = tx.prepare("SELECT id, kind, name, spec FROM saved_items")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, kind, name, text) in rows {
        if !ITEM_KINDS.contains(&kind.as_str()) {
            continue;
        }
        let converted = serde_json::from_str::<Value>(&text)
            .map_err(|e| e.to_string())
            .and_then(|v| convert(&kind, &name, &v));
        match converted {
            Ok(spec) => tx.execute(
                "UPDATE saved_items SET spec = ?1 WHERE id = ?2",
                params![spec.to_string(), id],
            )?,
            Err(_) => tx.execute(
                "UPDATE saved_items SET kind = ?1 WHERE id = ?2",
                params![format!("{LEGACY_PREFIX}{kind}"), id],
            )?,
        };
    }
    Ok(())
}
