//! The cache of built indexes, in memory and on disk ([`super::disk`]).

use super::*;

pub(super) fn poisoned<T>(_: T) -> Error {
    Error::Internal("the index cache lock is poisoned".into())
}

/// Datasets with fewer rows than this are not cached on disk by default:
/// they build in a few milliseconds.
pub const DISK_MIN_ROWS: u64 = 100_000;

/// Built indexes, keyed by dataset id and unit, in memory and (for datasets
/// of at least [`DISK_MIN_ROWS`] rows) on disk beside the workspace file
/// (see [`disk`]). An index in memory is used while the dataset's catalog
/// record (id, rows, import time, content hash, stored size, columns) is
/// unchanged; one on disk while its fingerprint matches.
pub struct IndexCache {
    map: HashMap<(i64, Unit), Arc<EventIndex>>,
    disk_min_rows: Option<u64>,
}

impl Default for IndexCache {
    fn default() -> Self {
        IndexCache {
            map: HashMap::new(),
            disk_min_rows: (!disk::disabled_by_env()).then_some(DISK_MIN_ROWS),
        }
    }
}

pub(super) fn same_version(a: &DatasetRecord, b: &DatasetRecord) -> bool {
    a.id == b.id
        && a.info.rows == b.info.rows
        && a.info.imported_at == b.info.imported_at
        && a.info.stored_bytes == b.info.stored_bytes
        && a.info.columns == b.info.columns
        && a.content_hash == b.content_hash
}

impl IndexCache {
    pub fn new() -> Self {
        Self::default()
    }
    /// A cache that keeps indexes on disk for datasets of at least
    /// `min_rows` rows (`None`: memory only).
    pub fn with_disk(min_rows: Option<u64>) -> Self {
        IndexCache {
            map: HashMap::new(),
            disk_min_rows: min_rows,
        }
    }
    /// The index of `dataset` for `unit`: from memory, else from the disk
    /// cache, else built (and written to the disk cache).
    pub fn get(
        &mut self,
        ws: &Workspace,
        dataset: &DatasetRecord,
        unit: Unit,
    ) -> Result<Arc<EventIndex>> {
        let key = (dataset.id, unit);
        if let Some(ix) = self.map.get(&key) {
            if same_version(&ix.record, dataset) {
                return Ok(ix.clone());
            }
        }
        let slot = match self.disk_min_rows {
            Some(min) if dataset.info.rows >= min && cfg!(target_endian = "little") => {
                Some(disk::Slot {
                    dir: disk::cache_dir(ws.path()),
                    dataset_id: dataset.id,
                    unit,
                    fingerprint: disk::fingerprint(ws, dataset)?,
                })
            }
            _ => None,
        };
        let loaded = slot.as_ref().and_then(|s| EventIndex::load(s, dataset));
        let ix = match loaded {
            Some(ix) => ix,
            None => {
                let mut ix = EventIndex::build(ws, dataset, unit)?;
                if let Some(slot) = slot {
                    if disk::save_index(&slot, &ix).is_ok() {
                        disk::prune(ws, &slot);
                        ix.disk = Some(slot);
                    }
                }
                ix
            }
        };
        let ix = Arc::new(ix);
        self.map.insert(key, ix.clone());
        Ok(ix)
    }
    /// Whether an index is cached in memory.
    pub fn contains(&self, dataset_id: i64, unit: Unit) -> bool {
        self.map.contains_key(&(dataset_id, unit))
    }
    /// Forgets every index of a dataset (after it is deleted or replaced).
    /// Files on disk are left: they no longer match and are replaced or
    /// pruned at the next build.
    pub fn forget(&mut self, dataset_id: i64) {
        self.map.retain(|(id, _), _| *id != dataset_id);
    }
    pub fn clear(&mut self) {
        self.map.clear()
    }
    /// Deletes the disk cache of a workspace (the `<workspace>.index`
    /// folder); it is rebuilt as queries need it.
    pub fn delete_disk_cache(ws: &Workspace) -> Result<()> {
        let dir = disk::cache_dir(ws.path());
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(Error::Io { path: dir, source }),
        }
    }
}
