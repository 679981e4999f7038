//! Saved work: funnels, segments (personas), comparisons, impact analyses
//! and reports, stored as the engine's own spec types ([`SavedSpec`]) so the
//! app and the CLI save, list and run the same thing. A spec that does not
//! parse as its kind's engine type is refused before anything is written.
//!
//! Items saved by versions before schema 3 were written in the app's own
//! JSON; migration 3 converts them ([`convert_legacy`]). One that cannot be
//! converted is kept under the kind `legacy_<kind>` with its JSON unchanged
//! and listed by [`Workspace::unreadable_items`] with the reason.
//!
//! Store keeps the rows (`store::saved`: JSON text, the kind names, migration
//! 3's pass); this module, above the analyses whose specs it names, gives
//! them their types and is where [`Workspace::open`] lives, so that opening
//! a file passes the conversion down to the migration.

use crate::compare::CompareSpec;
use crate::error::{Error, Result};
use crate::funnel::FunnelSpec;
use crate::impact::ImpactSpec;
use crate::report::build::ReportSpec;
use crate::segment::SegmentSpec;
pub use crate::store::{check_kind, ITEM_KINDS, LEGACY_PREFIX};
use crate::store::{SavedRow, Workspace};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use ts_rs::TS;

/// A saved spec: the engine's own type for each kind. On the wire
/// `{"kind": "funnel", "spec": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "spec", rename_all = "snake_case")]
#[ts(export)]
pub enum SavedSpec {
    Funnel(FunnelSpec),
    Segment(SegmentSpec),
    Compare(CompareSpec),
    Impact(ImpactSpec),
    Report(ReportSpec),
}

/// A named saved item: `{name, updated_at, kind, spec}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SavedItem {
    pub name: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub item: SavedSpec,
}

impl SavedItem {
    pub fn kind(&self) -> &'static str {
        self.item.kind()
    }
}

/// A stored item that is not (or no longer) a valid engine spec: kept as it
/// was written, with the reason it cannot be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UnreadableItem {
    /// As stored: `legacy_funnel` for an item migration 3 could not convert.
    pub kind: String,
    pub name: String,
    pub updated_at: String,
    /// Why it cannot be used, in a sentence.
    pub reason: String,
    #[ts(type = "unknown")]
    pub spec: Value,
}

impl SavedSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            SavedSpec::Funnel(_) => "funnel",
            SavedSpec::Segment(_) => "segment",
            SavedSpec::Compare(_) => "compare",
            SavedSpec::Impact(_) => "impact",
            SavedSpec::Report(_) => "report",
        }
    }

    /// Parses `spec` as the engine type of `kind`; a report is also
    /// validated. The error says which kind and why.
    pub fn from_json(kind: &str, spec: &Value) -> Result<SavedSpec> {
        check_kind(kind)?;
        let tagged = serde_json::json!({ "kind": kind, "spec": spec });
        let parsed: SavedSpec = serde_json::from_value(tagged).map_err(|e| {
            Error::Invalid(format!(
                "this is not a valid {kind} spec: {e}; nothing was saved"
            ))
        })?;
        parsed.validate()?;
        Ok(parsed)
    }

    /// Checks beyond parsing (a report's sections each have one kind).
    pub fn validate(&self) -> Result<()> {
        match self {
            SavedSpec::Report(r) => r.validate(),
            _ => Ok(()),
        }
    }

    /// The spec alone, as JSON (what is stored).
    pub fn spec_json(&self) -> Value {
        let v = serde_json::to_value(self).unwrap_or(Value::Null);
        match v {
            Value::Object(mut m) => m.remove("spec").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }
}

impl Workspace {
    /// Opens (creating if needed) the workspace at `path` and migrates it;
    /// items saved before schema 3 are converted by [`convert_legacy`].
    pub fn open(path: &Path) -> Result<Workspace> {
        Workspace::open_with(path, convert_legacy_json)
    }

    /// Saves (or replaces) a named item given as JSON: the JSON must parse
    /// as `kind`'s engine spec, else nothing is written. (The desktop
    /// shell's `save_item`.)
    pub fn save_item(&self, kind: &str, name: &str, spec: &Value) -> Result<()> {
        let parsed = SavedSpec::from_json(kind, spec)?;
        self.save(name, &parsed)
    }

    /// Saves (or replaces) a named item.
    pub fn save(&self, name: &str, spec: &SavedSpec) -> Result<()> {
        let kind = spec.kind();
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid(format!("a saved {kind} needs a name")));
        }
        spec.validate()?;
        self.put_saved_row(kind, name, &spec.spec_json().to_string())
    }

    /// The saved items of one kind (every kind with `None`), by kind and
    /// name. Items that are not valid engine specs are left out: see
    /// [`Workspace::unreadable_items`].
    pub fn saved(&self, kind: Option<&str>) -> Result<Vec<SavedItem>> {
        if let Some(k) = kind {
            check_kind(k)?;
        }
        Ok(self
            .saved_rows(kind)?
            .into_iter()
            .filter_map(|row| {
                let SavedRow {
                    kind,
                    name,
                    spec,
                    updated_at,
                } = row;
                let item = read_row(&kind, &spec).ok()?;
                Some(SavedItem {
                    name,
                    updated_at,
                    item,
                })
            })
            .collect())
    }

    /// The saved items of a kind (the desktop shell's `list_items`).
    pub fn list_items(&self, kind: &str) -> Result<Vec<SavedItem>> {
        self.saved(Some(kind))
    }

    /// One saved item's spec; a clear error when there is none by that
    /// name, or when it cannot be used.
    pub fn load_saved(&self, kind: &str, name: &str) -> Result<SavedSpec> {
        check_kind(kind)?;
        let find = |k: &str| self.saved_spec_text(k, name.trim());
        if let Some(spec) = find(kind)? {
            return read_row(kind, &spec).map_err(|reason| {
                Error::Invalid(format!(
                    "the saved {kind} \"{name}\" cannot be used: {reason}"
                ))
            });
        }
        if let Some(spec) = find(&format!("{LEGACY_PREFIX}{kind}"))? {
            return Err(Error::Invalid(format!(
                "the saved {kind} \"{name}\" cannot be used: {}",
                legacy_reason(kind, name, &spec)
            )));
        }
        let names: Vec<String> = self
            .saved(Some(kind))?
            .into_iter()
            .map(|i| format!("\"{}\"", i.name))
            .collect();
        Err(Error::Invalid(if names.is_empty() {
            format!("there is no saved {kind} \"{name}\" (none is saved)")
        } else {
            format!(
                "there is no saved {kind} \"{name}\"; saved: {}",
                names.join(", ")
            )
        }))
    }

    /// Items that are kept but cannot be used: those saved by an earlier
    /// version that could not be converted (kind `legacy_<kind>`), and any
    /// that no longer parse as their kind's spec.
    pub fn unreadable_items(&self) -> Result<Vec<UnreadableItem>> {
        let mut out = Vec::new();
        for SavedRow {
            kind,
            name,
            spec: text,
            updated_at,
        } in self.saved_rows(None)?
        {
            let reason = if let Some(base) = kind.strip_prefix(LEGACY_PREFIX) {
                legacy_reason(base, &name, &text)
            } else {
                match read_row(&kind, &text) {
                    Ok(_) => continue,
                    Err(reason) => reason,
                }
            };
            out.push(UnreadableItem {
                spec: serde_json::from_str(&text).unwrap_or(Value::String(text)),
                kind,
                name,
                updated_at,
                reason,
            });
        }
        Ok(out)
    }
}

/// Saves a segment in the workspace (kind "segment", under its name),
/// after checking that it parses back.
pub fn save_segment(ws: &Workspace, spec: &SegmentSpec) -> Result<()> {
    let v = serde_json::to_value(spec)
        .map_err(|e| Error::Internal(format!("a segment did not serialise: {e}")))?;
    ws.save_item("segment", &spec.name, &v)
}

/// The saved segments of a workspace (one that no longer parses is listed
/// by [`Workspace::unreadable_items`] instead).
pub fn saved_segments(ws: &Workspace) -> Result<Vec<SegmentSpec>> {
    Ok(ws
        .list_items("segment")?
        .into_iter()
        .filter_map(|item| match item.item {
            SavedSpec::Segment(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// A stored row as its engine spec, or why not.
fn read_row(kind: &str, text: &str) -> std::result::Result<SavedSpec, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("it is not valid JSON: {e}"))?;
    SavedSpec::from_json(kind, &v).map_err(|e| match e {
        Error::Invalid(m) => {
            let prefix = format!("this is not a valid {kind} spec: ");
            let m = m.trim_end_matches("; nothing was saved");
            m.strip_prefix(&prefix).unwrap_or(m).to_string()
        }
        e => e.to_string(),
    })
}

fn legacy_reason(kind: &str, name: &str, text: &str) -> String {
    let why = match serde_json::from_str::<Value>(text) {
        Err(e) => format!("it is not valid JSON: {e}"),
        Ok(v) => match convert_legacy(kind, name, &v) {
            Ok(_) => "it was not converted".to_string(),
            Err(e) => e,
        },
    };
    format!(
        "it was saved by an earlier version of Stepwise and could not be converted to a {kind} spec ({why}); it is kept unchanged as \"{LEGACY_PREFIX}{kind}\" until a {kind} is saved under the same name"
    )
}

// ---- items saved before schema 3 --------------------------------------------

/// Converts a spec saved by the app before schema 3 (its own JSON, see
/// ui/src/lib/segment.ts and report.ts of that version) into the engine's
/// spec of `kind`:
/// - segment conditions `{"metric": ...}` become `{"measure": ...}`, and
///   `within_days_of_first_seen` becomes `within_days` (in segments, and in
///   the segments of funnels, comparisons and report sections);
/// - a segment without a name takes the item's;
/// - a report `{title, subtitle, sections: [{type: "funnel"|"compare",
///   title, spec, findings} | {type: "text", title, text}]}` becomes a
///   report spec: the section title is the heading, the findings the intro.
///
/// Specs already in the engine's shape come back unchanged. The error says
/// why the result does not parse.
pub fn convert_legacy(
    kind: &str,
    name: &str,
    spec: &Value,
) -> std::result::Result<SavedSpec, String> {
    let mut v = spec.clone();
    match kind {
        "segment" => legacy_segment(&mut v, Some(name)),
        "funnel" => legacy_funnel(&mut v),
        "compare" => legacy_compare(&mut v),
        "report" => legacy_report(&mut v),
        _ => {}
    }
    read_row(kind, &v.to_string())
}

fn legacy_condition(c: &mut Value) {
    let Some(o) = c.as_object_mut() else { return };
    if o.contains_key("metric") && !o.contains_key("measure") && !o.contains_key("column") {
        if let Some(m) = o.remove("metric") {
            o.insert("measure".into(), m);
        }
    }
    if let Some(d) = o.remove("within_days_of_first_seen") {
        o.entry("within_days").or_insert(d);
    }
    if let Some(Value::Array(cs)) = o.get_mut("conditions") {
        cs.iter_mut().for_each(legacy_condition);
    }
    if let Some(n) = o.get_mut("not") {
        legacy_condition(n);
    }
}

fn legacy_segment(v: &mut Value, name: Option<&str>) {
    let Some(o) = v.as_object_mut() else { return };
    if let Some(Value::Array(cs)) = o.get_mut("conditions") {
        cs.iter_mut().for_each(legacy_condition);
    }
    let unnamed = o
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty());
    if let (true, Some(n)) = (unnamed, name) {
        o.insert("name".into(), Value::String(n.to_string()));
    }
}

fn legacy_funnel(v: &mut Value) {
    if let Some(s) = v.get_mut("segment") {
        legacy_segment(s, None);
    }
}

fn legacy_compare(v: &mut Value) {
    if let Some(f) = v.get_mut("funnel") {
        legacy_funnel(f);
    }
    if let Some(Value::Array(segs)) = v.get_mut("segments") {
        for s in segs {
            match s.get_mut("not") {
                Some(inner) => legacy_segment(inner, None),
                None => legacy_segment(s, None),
            }
        }
    }
}

fn legacy_report(v: &mut Value) {
    let Some(Value::Array(sections)) = v.get_mut("sections") else {
        return;
    };
    for s in sections.iter_mut() {
        let Some(o) = s.as_object_mut() else { continue };
        if let Some(Value::String(ty)) = o.remove("type") {
            // The app's section: {type, title, spec, findings} or {type: "text", title, text}.
            let mut out = serde_json::Map::new();
            if let Some(t) = o
                .remove("title")
                .filter(|t| t.as_str().is_some_and(|t| !t.trim().is_empty()))
            {
                out.insert("heading".into(), t);
            }
            if let Some(f) = o
                .remove("findings")
                .filter(|f| f.as_str().is_some_and(|f| !f.trim().is_empty()))
            {
                out.insert("intro".into(), f);
            }
            match ty.as_str() {
                "text" => {
                    if let Some(t) = o.remove("text") {
                        out.insert("text".into(), t);
                    }
                }
                other => {
                    if let Some(spec) = o.remove("spec") {
                        out.insert(other.to_string(), spec);
                    }
                }
            }
            // Anything else the app wrote is kept, so parsing names it.
            out.extend(std::mem::take(o));
            *o = out;
        }
        if let Some(f) = o.get_mut("funnel") {
            legacy_funnel(f);
        }
        if let Some(f) = o.get_mut("trend") {
            legacy_funnel(f);
        }
        if let Some(c) = o.get_mut("compare") {
            legacy_compare(c);
        }
    }
}

/// [`convert_legacy`] as migration 3 takes it (`store::ConvertItem`): the
/// converted spec's JSON.
fn convert_legacy_json(kind: &str, name: &str, spec: &Value) -> std::result::Result<Value, String> {
    convert_legacy(kind, name, spec).map(|s| s.spec_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn save_replace_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
        let a = json!({"dataset": "d", "steps": [{"event": "a"}]});
        let b = json!({"dataset": "d", "steps": [{"event": "b"}]});
        let seg = json!({"name": "Mobile", "conditions": [{"column": "device", "op": "eq", "value": "mobile"}]});
        ws.save_item("funnel", "Checkout", &a).unwrap();
        ws.save_item("funnel", "Checkout", &b).unwrap();
        ws.save_item("segment", "Mobile", &seg).unwrap();
        let f = ws.list_items("funnel").unwrap();
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].item.spec_json(), b);
        assert!(ws.delete_item("funnel", "Checkout").unwrap());
        assert!(ws.list_items("funnel").unwrap().is_empty());
        assert_eq!(ws.list_items("segment").unwrap().len(), 1);
        assert_eq!(ws.saved(None).unwrap().len(), 1);
        assert!(ws.save_item("gadget", "x", &a).is_err());
        assert!(ws.save_item("funnel", "  ", &a).is_err());
    }

    #[test]
    fn a_spec_that_does_not_parse_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
        // the app's old value condition: "metric" where the engine wants "measure"
        let old = json!({"name": "Big", "conditions": [{"metric": "revenue", "op": "gte", "value": 100}]});
        let e = ws
            .save_item("segment", "Big", &old)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a valid segment spec"), "{e}");
        assert!(e.contains("nothing was saved"), "{e}");
        let funnel_as_segment = json!({"dataset": "d", "steps": [{"event": "a"}]});
        assert!(ws.save_item("segment", "F", &funnel_as_segment).is_err());
        let empty_report = json!({"title": " ", "sections": []});
        assert!(ws.save_item("report", "R", &empty_report).is_err());
        assert!(ws.saved(None).unwrap().is_empty());
        assert!(ws.unreadable_items().unwrap().is_empty());
    }

    #[test]
    fn typed_save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
        let spec: ImpactSpec = serde_json::from_value(
            json!({"dataset": "d", "goal": {"event": "purchase"}, "candidates": "auto"}),
        )
        .unwrap();
        ws.save("Drivers", &SavedSpec::Impact(spec.clone()))
            .unwrap();
        assert_eq!(
            ws.load_saved("impact", "Drivers").unwrap(),
            SavedSpec::Impact(spec)
        );
        let e = ws.load_saved("impact", "Nope").unwrap_err().to_string();
        assert!(
            e.contains("no saved impact \"Nope\"") && e.contains("\"Drivers\""),
            "{e}"
        );
        let all = ws.saved(None).unwrap();
        assert_eq!(all[0].kind(), "impact");
        // the wire shape stays {name, updated_at, kind, spec}
        let wire = serde_json::to_value(&all[0]).unwrap();
        let mut keys: Vec<&str> = wire
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(keys, ["kind", "name", "spec", "updated_at"]);
        assert_eq!(wire["spec"]["goal"]["event"], "purchase");
    }

    #[test]
    fn legacy_segment_and_report_convert() {
        let seg = json!({"name": "", "match": "all", "colour": "#0072B2", "conditions": [
            {"metric": "revenue", "op": "gte", "value": 100},
            {"did": {"event": "cart"}, "at_least": 2, "within_days_of_first_seen": 7},
            {"not": {"match": "any", "conditions": [{"metric": "sessions", "op": "lt", "value": 2}]}}
        ]});
        let SavedSpec::Segment(s) = convert_legacy("segment", "Buyers", &seg).unwrap() else {
            panic!()
        };
        assert_eq!(s.name, "Buyers");
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["conditions"][0]["measure"], "revenue");
        assert_eq!(v["conditions"][1]["within_days"], 7);
        assert_eq!(
            v["conditions"][2]["not"]["conditions"][0]["measure"],
            "sessions"
        );

        let funnel = json!({"dataset": "d", "steps": [{"event": "a"}, {"event": "b"}]});
        let report = json!({"title": "Q3", "sections": [
            {"type": "funnel", "title": "Checkout", "spec": funnel, "findings": "Half leave."},
            {"type": "text", "title": "Next", "text": "Fix the cart."}
        ]});
        let SavedSpec::Report(r) = convert_legacy("report", "Q3", &report).unwrap() else {
            panic!()
        };
        assert_eq!(r.sections.len(), 2);
        assert_eq!(r.sections[0].heading.as_deref(), Some("Checkout"));
        assert_eq!(r.sections[0].intro.as_deref(), Some("Half leave."));
        assert!(r.sections[0].funnel.is_some());
        assert_eq!(r.sections[1].text.as_deref(), Some("Fix the cart."));

        let bad = json!({"name": "x", "conditions": [{"did": {"event": "a"}, "within_days_of_first_seen": 1.5}]});
        let e = convert_legacy("segment", "x", &bad).unwrap_err();
        assert!(
            e.contains("within_days") || e.contains("u32") || e.contains("invalid"),
            "{e}"
        );
    }
}
