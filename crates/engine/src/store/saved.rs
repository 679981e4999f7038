//! Saved definitions: funnels, segments and reports, kept as their JSON
//! specs so the app and the CLI read the same structure.

use super::{now_rfc3339, Workspace};
use crate::error::{Error, Result};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const ITEM_KINDS: [&str; 4] = ["funnel", "segment", "report", "compare"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SavedItem {
    pub kind: String,
    pub name: String,
    #[ts(type = "unknown")]
    pub spec: serde_json::Value,
    pub updated_at: String,
}

fn check_kind(kind: &str) -> Result<()> {
    if ITEM_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "\"{kind}\" is not a kind of saved item; use one of {}",
            ITEM_KINDS.join(", ")
        )))
    }
}

impl Workspace {
    /// Saves (or replaces) a named item.
    pub fn save_item(&self, kind: &str, name: &str, spec: &serde_json::Value) -> Result<()> {
        check_kind(kind)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid(format!("a saved {kind} needs a name")));
        }
        self.conn
            .execute(
                "INSERT INTO saved_items(kind, name, spec, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(kind, name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
                params![kind, name, spec.to_string(), now_rfc3339()],
            )
            .map_err(self.err())?;
        Ok(())
    }

    pub fn list_items(&self, kind: &str) -> Result<Vec<SavedItem>> {
        check_kind(kind)?;
        let mut st = self
            .conn
            .prepare("SELECT kind, name, spec, updated_at FROM saved_items WHERE kind = ?1 ORDER BY name")
            .map_err(self.err())?;
        let rows = st
            .query_map([kind], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, name, spec, updated_at) = row.map_err(self.err())?;
            let spec = serde_json::from_str(&spec).map_err(|e| {
                Error::Internal(format!("saved {kind} \"{name}\" is not valid JSON: {e}"))
            })?;
            out.push(SavedItem {
                kind,
                name,
                spec,
                updated_at,
            });
        }
        Ok(out)
    }

    pub fn delete_item(&self, kind: &str, name: &str) -> Result<bool> {
        check_kind(kind)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_replace_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
        let a = serde_json::json!({"dataset": "d", "steps": [{"event": "a"}]});
        let b = serde_json::json!({"dataset": "d", "steps": [{"event": "b"}]});
        ws.save_item("funnel", "Checkout", &a).unwrap();
        ws.save_item("funnel", "Checkout", &b).unwrap();
        ws.save_item("segment", "Mobile", &a).unwrap();
        let f = ws.list_items("funnel").unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].spec, b);
        assert!(ws.delete_item("funnel", "Checkout").unwrap());
        assert!(ws.list_items("funnel").unwrap().is_empty());
        assert_eq!(ws.list_items("segment").unwrap().len(), 1);
        assert!(ws.save_item("gadget", "x", &a).is_err());
        assert!(ws.save_item("funnel", "  ", &a).is_err());
    }
}
