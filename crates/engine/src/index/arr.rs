//! [`Arr`]: a read-only array of plain numbers that either owns its values
//! (a freshly built index) or views them in a memory-mapped index cache file
//! (an index loaded from disk), so loading a cached index copies nothing.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for i64 {}
}

/// A number type an index array may hold: fixed size, any bit pattern valid.
pub trait Plain: Copy + Default + Send + Sync + 'static + sealed::Sealed {}
impl Plain for u32 {}
impl Plain for i64 {}

enum Repr<T> {
    Owned(Vec<T>),
    /// `len` values at byte offset `off` (aligned for `T`) of a mapped file.
    Mapped {
        map: Arc<memmap2::Mmap>,
        off: usize,
        len: usize,
    },
}

/// A read-only array; dereferences to `&[T]`.
pub struct Arr<T: Plain>(Repr<T>);

impl<T: Plain> Arr<T> {
    /// A view of `len` values at byte offset `off` of a mapped file; None if
    /// the range is out of the file or misaligned.
    pub(crate) fn mapped(map: &Arc<memmap2::Mmap>, off: usize, len: usize) -> Option<Arr<T>> {
        let size = std::mem::size_of::<T>();
        let end = off.checked_add(len.checked_mul(size)?)?;
        if end > map.len()
            || !(map.as_ptr() as usize + off).is_multiple_of(std::mem::align_of::<T>())
        {
            return None;
        }
        Some(Arr(Repr::Mapped {
            map: map.clone(),
            off,
            len,
        }))
    }
    /// Whether the values live in a mapped cache file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Repr::Mapped { .. })
    }
    /// The values as little-endian bytes (for writing a cache file).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        let s: &[T] = self;
        // SAFETY: T is u32 or i64 (sealed): no padding, any bytes valid.
        unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) }
    }
}

impl<T: Plain> Deref for Arr<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match &self.0 {
            Repr::Owned(v) => v,
            // SAFETY: `mapped` checked bounds and alignment; the map is
            // read-only and kept alive by the Arc; T accepts any bits. The
            // file is only ever replaced by rename, never written in place.
            Repr::Mapped { map, off, len } => unsafe {
                std::slice::from_raw_parts(map.as_ptr().add(*off) as *const T, *len)
            },
        }
    }
}

impl<T: Plain> From<Vec<T>> for Arr<T> {
    fn from(v: Vec<T>) -> Self {
        Arr(Repr::Owned(v))
    }
}

impl<T: Plain> FromIterator<T> for Arr<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Arr(Repr::Owned(iter.into_iter().collect()))
    }
}

impl<T: Plain> Default for Arr<T> {
    fn default() -> Self {
        Arr(Repr::Owned(Vec::new()))
    }
}

impl<T: Plain> Clone for Arr<T> {
    fn clone(&self) -> Self {
        match &self.0 {
            Repr::Owned(v) => Arr(Repr::Owned(v.clone())),
            Repr::Mapped { map, off, len } => Arr(Repr::Mapped {
                map: map.clone(),
                off: *off,
                len: *len,
            }),
        }
    }
}

impl<T: Plain + fmt::Debug> fmt::Debug for Arr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Plain + PartialEq> PartialEq for Arr<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Plain + PartialEq> PartialEq<Vec<T>> for Arr<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        **self == **other
    }
}

impl<'a, T: Plain> IntoIterator for &'a Arr<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
