//! Building an index from a dataset's column chunks: reading the chunks,
//! times as µs, sorting by (unit, time), and columns loaded on first use.

use super::*;

/// The stored chunks of one column, copied out of the workspace (so they
/// can be decoded on other threads).
/// From this many rows on, the event and page codes are put in index order
/// one after the other (peak memory), below it on two threads (speed).
const SEQUENTIAL_PERMUTE_ROWS: usize = 20_000_000;

pub(super) fn read_blobs(
    ws: &Workspace,
    dataset: &DatasetRecord,
    col: usize,
) -> Result<Vec<Vec<u8>>> {
    let mut st = ws
        .conn()
        .prepare_cached(
            "SELECT data FROM column_chunks WHERE dataset_id = ?1 AND col = ?2 ORDER BY chunk",
        )
        .map_err(ws.err())?;
    let mut rows = st
        .query(rusqlite::params![dataset.id, col as i64])
        .map_err(ws.err())?;
    let mut out = Vec::new();
    let total = dataset.info.rows.div_ceil(crate::column::CHUNK_ROWS as u64);
    let stage = format!(
        "Reading column \"{}\"",
        dataset
            .info
            .columns
            .get(col)
            .map_or("", |c| c.name.as_str())
    );
    while let Some(row) = rows.next().map_err(ws.err())? {
        crate::job::step(&stage, out.len() as u64, total)?;
        let blob = row.get_ref(0).map_err(ws.err())?;
        out.push(
            blob.as_blob()
                .map_err(|e| Error::Internal(e.to_string()))?
                .to_vec(),
        );
    }
    crate::job::step(&stage, total, total)?;
    Ok(out)
}

/// Reads a column straight into interned form, chunk by chunk, with one
/// dictionary for the whole column (cheaper than [`Workspace::read_column`]
/// and re-interning when a text column has many distinct values).
pub(super) fn read_interned(
    ws: &Workspace,
    dataset: &DatasetRecord,
    col: usize,
) -> Result<Interned> {
    Ok(intern_blobs(read_blobs(ws, dataset, col)?, true)?.0)
}

/// Decodes a time column's chunks.
pub(super) fn decode_time(blobs: Vec<Vec<u8>>, ty: ColumnType, col_name: &str) -> Result<Vec<i64>> {
    let mut whole = Column::empty(ty);
    // room for every row at once: growing by doubling would copy the
    // column and hold up to twice its size (at 100M events, 1.6 GB)
    if let Values::Int(v) = &mut whole.values {
        v.reserve_exact(blobs.len() * crate::column::CHUNK_ROWS);
    }
    for b in blobs {
        whole.append(Column::decode(&b)?)?;
    }
    time_micros_raw(whole, col_name)
}
/// A time column as µs since the epoch (None for null).
pub(crate) fn time_micros(col: &Column, col_name: &str) -> Result<Vec<Option<i64>>> {
    Ok(time_micros_raw(col.clone(), col_name)?
        .into_iter()
        .map(|t| (t != NULL_TIME).then_some(t))
        .collect())
}

/// A missing time in [`time_micros_raw`].
pub(super) const NULL_TIME: i64 = i64::MIN;

/// A time column as µs since the epoch, [`NULL_TIME`] for null; consumes
/// the column so a timestamp column without nulls is used as it is.
pub(super) fn time_micros_raw(col: Column, col_name: &str) -> Result<Vec<i64>> {
    let valid = col.valid;
    let ok = |i: usize| valid.as_ref().is_none_or(|v| v[i]);
    Ok(match (col.values, col.ty) {
        (Values::Int(mut v), ColumnType::Timestamp) => {
            if valid.is_some() {
                for (i, x) in v.iter_mut().enumerate() {
                    if !ok(i) {
                        *x = NULL_TIME;
                    }
                }
            }
            v
        }
        (Values::Int(v), ColumnType::Date) => v
            .iter()
            .enumerate()
            .map(|(i, &d)| if ok(i) { d.saturating_mul(86_400_000_000) } else { NULL_TIME })
            .collect(),
        (Values::Int(v), _) => {
            let max = v
                .iter()
                .enumerate()
                .filter(|&(i, _)| ok(i))
                .map(|(_, x)| x.unsigned_abs())
                .max()
                .unwrap_or(0);
            // seconds up to year ~5138, then ms, µs, ns
            let (mul, div) = if max < 100_000_000_000 {
                (1_000_000, 1)
            } else if max < 100_000_000_000_000 {
                (1_000, 1)
            } else if max < 100_000_000_000_000_000 {
                (1, 1)
            } else {
                (1, 1_000)
            };
            v.iter()
                .enumerate()
                .map(|(i, &x)| if ok(i) { x.saturating_mul(mul) / div } else { NULL_TIME })
                .collect()
        }
        (Values::Float(v), _) => v
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if ok(i) && x.is_finite() {
                    (x * 1e6).round() as i64
                } else {
                    NULL_TIME
                }
            })
            .collect(),
        _ => {
            return Err(Error::Invalid(format!(
                "the time column \"{col_name}\" holds {} values, not times; map another column to the time role",
                col.ty.as_str()
            )))
        }
    })
}

/// Stable counting sort of `rows` by `key` (keys below `nkeys`); also
/// returns the bucket bounds (`nkeys + 1` entries).
pub(super) fn counting_sort(
    rows: &[u32],
    nkeys: usize,
    key: impl Fn(u32) -> u32,
) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; nkeys + 1];
    for &r in rows {
        start[key(r) as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let bounds = start.clone();
    let mut out = vec![0u32; rows.len()];
    for &r in rows {
        let k = key(r) as usize;
        out[start[k] as usize] = r;
        start[k] += 1;
    }
    (out, bounds)
}

/// Reorders a column into index order.
pub(super) fn permute(col: &Column, rows: &[u32]) -> Result<Column> {
    if rows.iter().any(|&r| r as usize >= col.len()) {
        return Err(Error::Internal(
            "the analysis index does not match the dataset; delete the .index folder beside the workspace".into(),
        ));
    }
    let values = match &col.values {
        Values::Int(v) => Values::Int(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Float(v) => Values::Float(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Bool(v) => Values::Bool(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Text { dict, codes } => Values::Text {
            dict: dict.clone(),
            codes: rows.iter().map(|&r| codes[r as usize]).collect(),
        },
    };
    Ok(Column {
        ty: col.ty,
        values,
        valid: col
            .valid
            .as_ref()
            .map(|v| rows.iter().map(|&r| v[r as usize]).collect()),
    })
}

pub(super) fn joined<T>(r: std::thread::Result<Result<T>>) -> Result<T> {
    r.map_err(|_| Error::Internal("an index thread panicked".into()))?
}

impl EventIndex {
    /// Builds the index of an event dataset for counting `unit`.
    pub fn build(ws: &Workspace, dataset: &DatasetRecord, unit: Unit) -> Result<EventIndex> {
        let name = &dataset.info.name;
        let time_idx = role_column(dataset, Role::Time).ok_or_else(|| {
            Error::missing_role(
                Role::Time,
                format!("dataset \"{name}\" has no time column, so it cannot make a funnel"),
            )
        })?;
        let user_idx = role_column(dataset, Role::User);
        let session_idx = role_column(dataset, Role::Session);
        let event_idx = role_column(dataset, Role::Event);
        let page_idx = role_column(dataset, Role::Page);
        if event_idx.is_none() && page_idx.is_none() {
            return Err(Error::missing_role(Role::Event, format!(
                "dataset \"{name}\" has neither an event nor a page column, so it has no steps to match"
            )));
        }
        match unit {
            Unit::Users if user_idx.is_none() => {
                return Err(Error::missing_role(Role::User, format!(
                    "dataset \"{name}\" has no user column, so it cannot count users{}",
                    if session_idx.is_some() { "; count sessions instead" } else { "" }
                )))
            }
            Unit::Sessions if user_idx.is_none() && session_idx.is_none() => {
                return Err(Error::missing_role(Role::Session, format!(
                    "dataset \"{name}\" has neither a user nor a session column, so it cannot count sessions"
                )))
            }
            _ => {}
        }
        let time_name = &dataset.info.columns[time_idx].name;
        let time_ty = dataset.info.columns[time_idx].ty;
        // SQLite reads are one thread: the unit columns' stored chunks are
        // copied out first and interned on a second thread while this one
        // reads and decodes the time, event and page columns one at a
        // time; each column's chunks are freed as they are decoded (at
        // 100M events they are over 1 GB together)
        let blobs = |i: Option<usize>| i.map(|i| read_blobs(ws, dataset, i)).transpose();
        let user_blobs = blobs(user_idx)?;
        let session_blobs = blobs(match unit {
            Unit::Sessions => session_idx,
            Unit::Users => None,
        })?;
        type Units = (Option<(Interned, usize)>, Option<(Interned, usize)>);
        let (units_part, rest_part) = std::thread::scope(|sc| {
            let h = sc.spawn(move || -> Result<Units> {
                let intern =
                    |b: Option<Vec<Vec<u8>>>| b.map(|b| intern_blobs(b, false)).transpose();
                Ok((intern(user_blobs)?, intern(session_blobs)?))
            });
            let rest = (|| {
                let times = decode_time(read_blobs(ws, dataset, time_idx)?, time_ty, time_name)?;
                let intern = |i: Option<usize>| -> Result<Option<Interned>> {
                    match i {
                        Some(i) => Ok(Some(intern_blobs(read_blobs(ws, dataset, i)?, true)?.0)),
                        None => Ok(None),
                    }
                };
                Ok((times, intern(event_idx)?, intern(page_idx)?))
            })();
            (joined(h.join()), rest)
        });
        crate::job::step("Sorting the events by unit and time", 0, 0)?;
        let (users, sessions) = units_part?;
        let (times, event_raw, page_raw): (Vec<i64>, Option<Interned>, Option<Interned>) =
            rest_part?;
        let n = times.len();
        if n > u32::MAX as usize - 1 {
            return Err(Error::Invalid(format!(
                "dataset \"{name}\" has more than 4 billion rows; split it"
            )));
        }
        let check_len = |x: Option<&Interned>| x.is_none_or(|x| x.codes.len() == n);
        if !check_len(users.as_ref().map(|x| &x.0))
            || !check_len(sessions.as_ref().map(|x| &x.0))
            || !check_len(event_raw.as_ref())
            || !check_len(page_raw.as_ref())
        {
            return Err(Error::Internal(format!(
                "dataset \"{name}\" has columns of different lengths"
            )));
        }

        // usable rows, in row order
        let ucodes = users.as_ref().map(|x| &x.0.codes[..]);
        let scodes = sessions.as_ref().map(|x| &x.0.codes[..]);
        let mut dropped = 0u64;
        let mut usable: Vec<u32> = Vec::with_capacity(n);
        for (r, t) in times.iter().enumerate() {
            let u = ucodes.map_or(0, |x| x[r]);
            let s = scodes.map_or(0, |x| x[r]);
            let missing = *t == NULL_TIME
                || (ucodes.is_some() && u == NULL_CODE && scodes.is_none())
                || (scodes.is_some() && s == NULL_CODE);
            if missing {
                dropped += 1;
            } else {
                usable.push(r as u32);
            }
        }
        // sort by (user, session, time, row): counting sorts by session then
        // user keep row order within a unit; then each unit's slice is sorted
        // by time only if it is not already (exports are usually in time
        // order, so this is linear)
        fn key_of(codes: &[u32], nk: usize) -> impl Fn(u32) -> u32 + '_ {
            let nk = nk as u32;
            move |r: u32| match codes[r as usize] {
                NULL_CODE => nk,
                c => c,
            }
        }
        let mut order = usable;
        if let (Some(codes), Some((_, nk))) = (scodes, &sessions) {
            order = counting_sort(&order, nk + 1, key_of(codes, *nk)).0;
        }
        // group bounds: where (user, session) changes
        let mut bounds: Vec<u32> = Vec::new();
        if let (Some(codes), Some((_, nk))) = (ucodes, &users) {
            let (o, b) = counting_sort(&order, nk + 1, key_of(codes, *nk));
            order = o;
            bounds = b;
        } else {
            bounds.push(0);
            bounds.push(order.len() as u32);
        }
        bounds.dedup();
        if let Some(sc) = scodes {
            // split user groups where the session changes
            let mut split = Vec::with_capacity(bounds.len());
            for w in bounds.windows(2) {
                split.push(w[0]);
                for i in w[0] + 1..w[1] {
                    if sc[order[i as usize] as usize] != sc[order[i as usize - 1] as usize] {
                        split.push(i);
                    }
                }
            }
            split.push(order.len() as u32);
            bounds = split;
        }
        // the unit codes are not needed past the bounds: free them before
        // the time column is copied (at 100M events, 400 MB each)
        let derive = unit == Unit::Sessions && sessions.is_none();
        drop((users, sessions));
        let mut time: Vec<i64> = order.iter().map(|&r| times[r as usize]).collect();
        drop(times);
        for w in bounds.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            let ts = &mut time[a..b];
            if !ts.windows(2).all(|w| w[0] <= w[1]) {
                let mut pairs: Vec<(i64, u32)> = ts
                    .iter()
                    .copied()
                    .zip(order[a..b].iter().copied())
                    .collect();
                pairs.sort_unstable();
                for (j, (t, r)) in pairs.into_iter().enumerate() {
                    ts[j] = t;
                    order[a + j] = r;
                }
            }
        }

        crate::job::checkpoint()?;
        let mut unit_of = Vec::with_capacity(order.len());
        let mut unit_starts = Vec::with_capacity(bounds.len() + 1);
        for w in bounds.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            if a == b {
                continue;
            }
            unit_starts.push(a as u32);
            for i in a..b {
                if derive && i > a && time[i].saturating_sub(time[i - 1]) > SESSION_GAP_MICROS {
                    unit_starts.push(i as u32);
                }
                unit_of.push((unit_starts.len() - 1) as u32);
            }
        }
        unit_starts.push(order.len() as u32);
        let rows = order;

        let missing = || Interned {
            dict: Vec::new(),
            codes: vec![NULL_CODE; rows.len()].into(),
        };
        // side by side on two threads, or (large datasets) one after the
        // other, so that only one raw column is copied at a time
        let (event, page) = if rows.len() < SEQUENTIAL_PERMUTE_ROWS {
            std::thread::scope(|sc| {
                let h = sc.spawn(|| event_raw.map(|x| permute_interned(x, &rows)).transpose());
                let page = page_raw.map(|x| permute_interned(x, &rows)).transpose();
                (joined(h.join()), page)
            })
        } else {
            let event = event_raw.map(|x| permute_interned(x, &rows)).transpose();
            (
                event,
                page_raw.map(|x| permute_interned(x, &rows)).transpose(),
            )
        };
        crate::job::checkpoint()?;
        let event = event?.unwrap_or_else(missing);
        let page = page?.unwrap_or_else(missing);
        Ok(EventIndex {
            dataset_id: dataset.id,
            dataset_name: name.clone(),
            unit,
            sessions: match (unit, session_idx) {
                (Unit::Users, _) => SessionSource::None,
                (Unit::Sessions, Some(_)) => SessionSource::Column,
                (Unit::Sessions, None) => SessionSource::Derived,
            },
            rows: rows.into(),
            unit_of: unit_of.into(),
            unit_starts: unit_starts.into(),
            time: time.into(),
            event,
            page,
            dropped_rows: dropped,
            event_column: event_idx.map(|i| dataset.info.columns[i].name.clone()),
            page_column: page_idx.map(|i| dataset.info.columns[i].name.clone()),
            record: dataset.clone(),
            columns: Mutex::new(HashMap::new()),
            interned: Mutex::new(HashMap::new()),
            disk: None,
        })
    }

    /// An index read back from the disk cache of `slot`, if it is there,
    /// current and whole.
    pub(super) fn load(slot: &disk::Slot, dataset: &DatasetRecord) -> Option<EventIndex> {
        let x = disk::load_index(slot, dataset.info.rows)?;
        Some(EventIndex {
            dataset_id: dataset.id,
            dataset_name: dataset.info.name.clone(),
            unit: slot.unit,
            sessions: x.sessions,
            rows: x.rows,
            unit_of: x.unit_of,
            unit_starts: x.unit_starts,
            time: x.time,
            event: x.event,
            page: x.page,
            dropped_rows: x.dropped,
            event_column: x.event_column,
            page_column: x.page_column,
            record: dataset.clone(),
            columns: Mutex::new(HashMap::new()),
            interned: Mutex::new(HashMap::new()),
            disk: Some(slot.clone()),
        })
    }

    /// Whether the index was read back from the disk cache (its arrays are
    /// memory-mapped) rather than built.
    pub fn from_disk(&self) -> bool {
        self.time.is_mapped() || self.unit_starts.is_mapped()
    }
    /// Number of indexed events.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Number of units (users or sessions).
    pub fn units(&self) -> usize {
        self.unit_starts.len() - 1
    }
    /// The dataset record the index was built from.
    pub fn record(&self) -> &DatasetRecord {
        &self.record
    }

    /// A column of the dataset in index order, loaded on first use.
    pub fn column(&self, ws: &Workspace, name: &str) -> Result<Arc<Column>> {
        if let Some(c) = self.columns.lock().map_err(poisoned)?.get(name) {
            return Ok(c.clone());
        }
        let col = ws.read_column_named(&self.record, name)?;
        let col = Arc::new(permute(&col, &self.rows)?);
        self.columns
            .lock()
            .map_err(poisoned)?
            .insert(name.to_string(), col.clone());
        Ok(col)
    }

    /// A column of the dataset as interned text in index order (for
    /// breakdowns), built on first use, or read from the disk cache when
    /// the index came with one (and written there after a build).
    pub fn interned(&self, ws: &Workspace, name: &str) -> Result<Arc<Interned>> {
        if let Some(c) = self.interned.lock().map_err(poisoned)?.get(name) {
            return Ok(c.clone());
        }
        let idx = self
            .record
            .info
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{}\" has no column \"{name}\"",
                    self.dataset_name
                ))
            })?;
        let cached = self
            .disk
            .as_ref()
            .and_then(|slot| disk::load_column(slot, idx, name, self.len()));
        let x = match cached {
            Some(x) => x,
            None => {
                let x = permute_interned(read_interned(ws, &self.record, idx)?, &self.rows)?;
                if let Some(slot) = &self.disk {
                    let _ = disk::save_column(slot, idx, name, &x);
                }
                x
            }
        };
        let x = Arc::new(x);
        self.interned
            .lock()
            .map_err(poisoned)?
            .insert(name.to_string(), x.clone());
        Ok(x)
    }
}
