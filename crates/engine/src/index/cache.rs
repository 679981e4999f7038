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
    /// How each index in `map` was obtained.
    origins: HashMap<(i64, Unit), IndexOrigin>,
}

/// Where an index came from when a query first needed it in this cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexOrigin {
    /// Read back from the disk cache (memory-mapped).
    Disk,
    /// Built from the stored column chunks.
    Built,
}

impl IndexOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            IndexOrigin::Disk => "disk",
            IndexOrigin::Built => "built",
        }
    }
}

impl Default for IndexCache {
    fn default() -> Self {
        IndexCache {
            map: HashMap::new(),
            disk_min_rows: (!disk::disabled_by_env()).then_some(DISK_MIN_ROWS),
            origins: HashMap::new(),
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
            origins: HashMap::new(),
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
        let origin = if loaded.is_some() {
            IndexOrigin::Disk
        } else {
            IndexOrigin::Built
        };
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
        self.origins.insert(key, origin);
        Ok(ix)
    }
    /// How the indexes in memory were obtained (one entry per index), for
    /// the CLI's timing figures: whether the first query read the disk
    /// cache or built its index.
    pub fn origins(&self) -> Vec<IndexOrigin> {
        self.map
            .keys()
            .filter_map(|k| self.origins.get(k).copied())
            .collect()
    }
    /// Builds the index a first funnel on a new dataset version needs (users;
    /// sessions when the dataset has no user column) and writes it to the
    /// disk cache, as an import does right after its commit so that the
    /// first query in any process loads it instead of building it. Does
    /// nothing for metric tables, datasets below the disk threshold, a cache
    /// turned off, or a dataset without the roles an index needs. Returns
    /// whether a current index file was written.
    pub fn prepare_disk(ws: &Workspace, dataset: &DatasetRecord) -> bool {
        let mut cache = IndexCache::new();
        cache.prepare_disk_with(ws, dataset)
    }
    /// [`IndexCache::prepare_disk`] with this cache's disk threshold.
    pub fn prepare_disk_with(&mut self, ws: &Workspace, dataset: &DatasetRecord) -> bool {
        use crate::model::DatasetKind;
        let Some(min) = self.disk_min_rows else {
            return false;
        };
        if dataset.info.kind != DatasetKind::Events || dataset.info.rows < min {
            return false;
        }
        let has = |r: Role| role_column(dataset, r).is_some();
        let unit = if has(Role::User) {
            Unit::Users
        } else if has(Role::Session) {
            Unit::Sessions
        } else {
            return false;
        };
        if !has(Role::Time) || !(has(Role::Event) || has(Role::Page)) {
            return false;
        }
        match self.get(ws, dataset, unit) {
            Ok(ix) => ix.disk.is_some(),
            Err(_) => false,
        }
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
        self.origins.retain(|(id, _), _| *id != dataset_id);
    }
    pub fn clear(&mut self) {
        self.map.clear();
        self.origins.clear();
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
