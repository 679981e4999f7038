//! A deterministic generator of realistic e-commerce clickstreams, for the
//! benchmark (`stepwise generate`, `make bench`), the app's "Open sample
//! store data" and end-to-end tests.
//!
//! Output: CSV with the header
//! `time,event,user_id,session_id,page,device_category,source,country,value`,
//! time in ISO 8601 UTC with milliseconds (`2024-09-01T12:34:56.123Z`), one
//! row per event, the whole file ordered by time. `value` is set on
//! `purchase` rows only (the order value).
//!
//! The model. Users arrive over the date range and come back for further
//! sessions (about 1.5 on average, more for buyers and subscribers). A
//! session lands on a page (`page_view`), then may walk
//! `view_item_list` -> `use_filter` -> `view_item` -> `add_to_cart` ->
//! `begin_checkout` -> `purchase`, dropping off at each step; a few sessions
//! also `sign_up_newsletter`. Device, traffic source, country, returning
//! visits and a per-user intent change the odds; the overall share of users
//! who purchase lands between 0.5% and 3% (about 1.5% with the defaults).
//!
//! Planted effects, known in advance so that tests and the micro-conversion
//! analysis can find them (both are associations measured per user over the
//! whole range, which is what an analyst sees; `GenStats` reports them):
//! - users who `use_filter` purchase about twice as often as users who do
//!   not (2.0-2.3x with the defaults). About a quarter of users are
//!   "filterers" (more on desktop) who filter on nearly every list they see;
//!   most of the lift is selection (a filter user has at least browsed a
//!   list, the rest includes every bounce), and filtering itself raises the
//!   odds of adding to cart in that session by 10%.
//! - users who `sign_up_newsletter` (3%, in their first visit) purchase
//!   more often too, by a smaller factor (about 1.3-1.6x): subscribers come
//!   back more often, partly through the newsletter (a source that converts
//!   better), and their add-to-cart odds are 10% higher.
//!
//! Everything comes from one seed through a small splitmix64 generator: the
//! same options give byte-identical files on a given platform (the normal
//! and exponential draws use `ln`, `exp` and `cos` from the platform's math
//! library, which may differ in the last bit elsewhere and so flip a rare
//! draw). Memory: a few bytes per user and per session start (about 37 MB
//! peak for 10 million events), never the events: the file is streamed
//! through a heap holding only the events of open sessions. Speed: about
//! a million events per second.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io::{self, Write};

/// The CSV header the generator writes.
pub const HEADER: &str = "time,event,user_id,session_id,page,device_category,source,country,value";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenOptions {
    /// Number of events (rows) to write, exactly.
    pub events: u64,
    /// Seed of the pseudo-random generator; same seed, same file.
    pub seed: u64,
    /// First day, as days since 1970-01-01 (UTC).
    pub start_day: i64,
    /// Number of days covered (sessions start on these days).
    pub days: u32,
}

/// The longest date range (session starts are stored as u32 seconds).
pub const MAX_DAYS: u32 = 36_500;

/// 2024-09-01 as days since the Unix epoch.
pub const SEPT_1_2024: i64 = 19967;

impl Default for GenOptions {
    /// One million events over 2024-09-01..2024-09-30, seed 42.
    fn default() -> Self {
        GenOptions {
            events: 1_000_000,
            seed: 42,
            start_day: SEPT_1_2024,
            days: 30,
        }
    }
}

impl GenOptions {
    /// `events` events over 2024-09-01..2024-09-30 with seed 42.
    pub fn with_events(events: u64) -> Self {
        GenOptions {
            events,
            ..Default::default()
        }
    }
    /// The app's "Open sample store data": 50,000 events in September 2024.
    pub fn sample_store() -> Self {
        GenOptions::with_events(50_000)
    }
    /// Sets the date range from ISO dates `YYYY-MM-DD` (both inclusive).
    pub fn with_range(mut self, from: &str, to: &str) -> Result<Self, String> {
        let a = parse_day(from)?;
        let b = parse_day(to)?;
        if b < a {
            return Err(format!("the range ends ({to}) before it starts ({from})"));
        }
        if b - a + 1 > MAX_DAYS as i64 {
            return Err(format!(
                "the range {from}..{to} is longer than {MAX_DAYS} days"
            ));
        }
        self.start_day = a;
        self.days = (b - a + 1) as u32;
        Ok(self)
    }
}

/// What was written, counted on the rows actually written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenStats {
    pub events: u64,
    pub bytes: u64,
    pub users: u64,
    pub sessions: u64,
    pub purchases: u64,
    /// Users with at least one purchase.
    pub purchasers: u64,
    /// Sum of `value` over purchases.
    pub revenue: f64,
    /// Users who used a filter at least once, and how many of them purchased.
    pub filter_users: u64,
    pub filter_purchasers: u64,
    /// Users who signed up to the newsletter, and how many of them purchased.
    pub newsletter_users: u64,
    pub newsletter_purchasers: u64,
    /// First and last event time, ISO 8601.
    pub first_time: String,
    pub last_time: String,
}

impl GenStats {
    /// Share of users who purchased.
    pub fn conversion(&self) -> f64 {
        ratio(self.purchasers, self.users)
    }
    /// Purchase rate of filter users divided by that of the other users.
    pub fn filter_lift(&self) -> f64 {
        lift(
            self.filter_purchasers,
            self.filter_users,
            self.purchasers,
            self.users,
        )
    }
    /// Purchase rate of newsletter subscribers divided by that of the rest.
    pub fn newsletter_lift(&self) -> f64 {
        lift(
            self.newsletter_purchasers,
            self.newsletter_users,
            self.purchasers,
            self.users,
        )
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn lift(buyers_in: u64, users_in: u64, buyers_all: u64, users_all: u64) -> f64 {
    let rest = ratio(buyers_all - buyers_in, users_all - users_in);
    if rest == 0.0 {
        0.0
    } else {
        ratio(buyers_in, users_in) / rest
    }
}

/// Writes the clickstream to a new file at `path` (buffered).
pub fn write_clickstream_file(path: &std::path::Path, opts: &GenOptions) -> io::Result<GenStats> {
    let file = std::fs::File::create(path)?;
    let mut w = io::BufWriter::with_capacity(1 << 20, file);
    write_clickstream(&mut w, opts)
}

/// Writes the sample store data set (50,000 events) to `out`.
pub fn write_sample_store(out: &mut impl Write) -> io::Result<GenStats> {
    write_clickstream(out, &GenOptions::sample_store())
}

// ---------------------------------------------------------------------------
// Pseudo-random numbers

/// splitmix64: tiny, fast, good enough for simulation, and stable across
/// platforms and versions (the output must never change for a seed).
#[derive(Debug, Clone)]
struct Rng(u64);

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    fn new(seed: u64, a: u64, b: u64) -> Rng {
        Rng(mix64(
            seed ^ mix64(a.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ mix64(b ^ 0x5851_f42d_4c95_7f2d),
        ))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    /// Uniform in [0, n).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in [lo, hi].
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn normal(&mut self) -> f64 {
        // Box-Muller; 1 - f() is in (0, 1].
        let u = 1.0 - self.f();
        let v = self.f();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f()).ln()
    }
    /// Index drawn with the given weights.
    fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    /// Seconds a visitor spends before the next action: lognormal around
    /// `median`, at least one second, at most ten minutes.
    fn dwell_ms(&mut self, median: f64) -> i64 {
        let s = median * (0.8 * self.normal()).exp();
        (s.clamp(1.0, 600.0) * 1000.0) as i64 + self.range(0, 999)
    }
}

/// A bijection on u32 (so user ids are unique and look random).
fn scramble32(x: u32, seed: u64) -> u32 {
    let mut h = x ^ (seed as u32) ^ ((seed >> 32) as u32);
    h = h.wrapping_mul(0x9e37_79b1);
    h ^= h >> 15;
    h = h.wrapping_mul(0x85eb_ca77);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae3d);
    h ^ (h >> 16)
}

// ---------------------------------------------------------------------------
// The shop

const DEVICES: [&str; 3] = ["mobile", "desktop", "tablet"];
const DEVICE_SHARE: [f64; 3] = [0.58, 0.36, 0.06];
/// Chance a session leaves after the landing page.
const DEVICE_BOUNCE: [f64; 3] = [0.50, 0.36, 0.44];
/// Multiplier on add-to-cart and on checkout completion.
const DEVICE_CONV: [f64; 3] = [0.62, 1.0, 0.8];
/// Share of users who are "filterers" (use filters when they browse lists).
const DEVICE_FILTERERS: [f64; 3] = [0.22, 0.34, 0.28];

const SOURCES: [&str; 10] = [
    "google / organic",
    "google / cpc",
    "(direct) / (none)",
    "newsletter / email",
    "facebook / paid_social",
    "instagram / social",
    "bing / cpc",
    "bing / organic",
    "pinterest / social",
    "partner-blog.com / referral",
];
/// How new users arrive.
const SOURCE_SHARE: [f64; 10] = [0.30, 0.20, 0.16, 0.0, 0.14, 0.08, 0.04, 0.02, 0.03, 0.03];
const SOURCE_CONV: [f64; 10] = [1.05, 1.0, 1.25, 1.6, 0.6, 0.55, 1.0, 1.0, 0.7, 0.9];
const DIRECT: u8 = 2;
const NEWSLETTER: u8 = 3;

const COUNTRIES: [&str; 14] = [
    "United States",
    "United Kingdom",
    "Germany",
    "France",
    "Canada",
    "Australia",
    "Netherlands",
    "Spain",
    "Italy",
    "Sweden",
    "Poland",
    "Ireland",
    "Brazil",
    "India",
];
const COUNTRY_SHARE: [f64; 14] = [
    0.34, 0.12, 0.10, 0.07, 0.06, 0.05, 0.04, 0.04, 0.04, 0.03, 0.03, 0.02, 0.03, 0.03,
];
const COUNTRY_CONV: [f64; 14] = [
    1.1, 1.05, 1.0, 0.95, 1.05, 1.0, 1.05, 0.9, 0.85, 1.0, 0.85, 1.0, 0.5, 0.4,
];

const CATEGORIES: [&str; 12] = [
    "sneakers",
    "running-shoes",
    "boots",
    "sandals",
    "jackets",
    "t-shirts",
    "jeans",
    "dresses",
    "bags",
    "accessories",
    "sportswear",
    "sale",
];
const CATEGORY_SHARE: [f64; 12] = [
    0.16, 0.10, 0.08, 0.05, 0.09, 0.09, 0.08, 0.07, 0.06, 0.06, 0.06, 0.10,
];
const PRODUCTS_PER_CATEGORY: u64 = 120;

const CONTENT: [&str; 8] = [
    "/blog/how-to-choose-running-shoes",
    "/blog/autumn-style-guide",
    "/blog/sneaker-care",
    "/about",
    "/shipping-returns",
    "/size-guide",
    "/contact",
    "/stores",
];

/// Hour-of-day weights (UTC) of session starts.
const HOURS: [f64; 24] = [
    0.35, 0.25, 0.18, 0.15, 0.15, 0.2, 0.35, 0.6, 0.85, 1.0, 1.05, 1.1, 1.2, 1.2, 1.1, 1.05, 1.05,
    1.1, 1.25, 1.45, 1.6, 1.5, 1.1, 0.65,
];
/// Weekday weights, Monday first.
const WEEKDAYS: [f64; 7] = [1.0, 0.97, 0.97, 0.98, 0.93, 0.86, 1.02];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    PageView,
    ViewItemList,
    UseFilter,
    ViewItem,
    AddToCart,
    BeginCheckout,
    Purchase,
    SignUpNewsletter,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::PageView => "page_view",
            Kind::ViewItemList => "view_item_list",
            Kind::UseFilter => "use_filter",
            Kind::ViewItem => "view_item",
            Kind::AddToCart => "add_to_cart",
            Kind::BeginCheckout => "begin_checkout",
            Kind::Purchase => "purchase",
            Kind::SignUpNewsletter => "sign_up_newsletter",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Home,
    Category(u8),
    Product(u16),
    Content(u8),
    Checkout,
    ThankYou,
}

impl Page {
    fn write(self, buf: &mut Vec<u8>) {
        match self {
            Page::Home => buf.push(b'/'),
            Page::Category(c) => {
                buf.extend_from_slice(b"/category/");
                buf.extend_from_slice(CATEGORIES[c as usize].as_bytes());
            }
            Page::Product(p) => {
                let c = p as u64 / PRODUCTS_PER_CATEGORY;
                buf.extend_from_slice(b"/product/");
                buf.extend_from_slice(CATEGORIES[c as usize].as_bytes());
                buf.push(b'-');
                push_padded(buf, 1000 + p as u64 % PRODUCTS_PER_CATEGORY, 4);
            }
            Page::Content(i) => buf.extend_from_slice(CONTENT[i as usize].as_bytes()),
            Page::Checkout => buf.extend_from_slice(b"/checkout"),
            Page::ThankYou => buf.extend_from_slice(b"/checkout/thank-you"),
        }
    }
}

/// One event, waiting in the heap to be written in time order.
#[derive(Debug, Clone, Copy)]
struct Ev {
    /// Milliseconds since the epoch.
    t: i64,
    /// Order of creation: ties in time keep the session's order.
    seq: u64,
    /// The session's landing page_view.
    first: bool,
    user: u32,
    /// The user's session number, from 0.
    k: u8,
    kind: Kind,
    page: Page,
    device: u8,
    source: u8,
    country: u8,
    /// Order value in cents (purchase only).
    cents: u32,
}

impl PartialEq for Ev {
    fn eq(&self, o: &Self) -> bool {
        (self.t, self.seq) == (o.t, o.seq)
    }
}
impl Eq for Ev {}
impl PartialOrd for Ev {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ev {
    /// Reversed, so that `BinaryHeap` pops the earliest event.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.t, o.seq).cmp(&(self.t, self.seq))
    }
}

/// Traits of a user that do not change.
struct Profile {
    device: u8,
    country: u8,
    source: u8,
    filterer: bool,
    /// Signs up to the newsletter in the first visit.
    subscriber: bool,
    /// Multiplier on the odds of adding to cart (lognormal, mean about 1).
    intent: f64,
    /// Favourite category.
    category: u8,
}

fn profile(seed: u64, user: u32) -> Profile {
    let mut r = Rng::new(seed, user as u64, 0xA11CE);
    let device = r.pick(&DEVICE_SHARE) as u8;
    Profile {
        device,
        country: r.pick(&COUNTRY_SHARE) as u8,
        source: r.pick(&SOURCE_SHARE) as u8,
        filterer: r.chance(DEVICE_FILTERERS[device as usize]),
        subscriber: r.chance(0.03),
        intent: (0.6 * r.normal() - 0.18).exp(),
        category: r.pick(&CATEGORY_SHARE) as u8,
    }
}

/// What a user carries from one session to the next.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// Next session number.
    next_k: u8,
    /// Simulation flags (SIM_*), set when simulated.
    sim: u8,
    /// Output flags (OUT_*), set when written.
    out: u8,
}
const SIM_NEWSLETTER: u8 = 1;
const SIM_BOUGHT: u8 = 2;
/// Left a cart unbought in the last visit.
const SIM_CART: u8 = 4;
const OUT_SEEN: u8 = 1;
const OUT_FILTER: u8 = 2;
const OUT_NEWSLETTER: u8 = 4;
const OUT_BOUGHT: u8 = 8;

/// Cumulative weekday weights of the days of the range, to draw first visits.
fn day_weights(start_day: i64, days: u32) -> Vec<f64> {
    let mut total = 0.0;
    (0..days as i64)
        .map(|d| {
            // 1970-01-01 was a Thursday: +3 makes Monday 0.
            total += WEEKDAYS[(start_day + d + 3).rem_euclid(7) as usize];
            total
        })
        .collect()
}

/// Session starts of a user, as seconds since the range start.
fn schedule(seed: u64, user: u32, prof: &Profile, cum_days: &[f64], out: &mut Vec<u32>) {
    out.clear();
    let mut r = Rng::new(seed, user as u64, 0x5EED);
    let end = cum_days.len() as i64 * 86400;
    // First visit: a weighted day and hour.
    let x = r.f() * cum_days.last().copied().unwrap_or(0.0);
    let day = cum_days
        .partition_point(|c| *c <= x)
        .min(cum_days.len() - 1) as i64;
    let mut t = day * 86400 + r.pick(&HOURS) as i64 * 3600 + r.range(0, 3599);
    // Returning: about a third come back after each visit (subscribers
    // more), after hours to days, less likely with each visit.
    let returns = r.f();
    let mut p_back = if prof.subscriber { 0.45 } else { 0.36 };
    loop {
        out.push(t as u32);
        if out.len() >= 60 || returns > p_back {
            break;
        }
        p_back *= 0.82 + 0.1 * r.f();
        let gap = if r.chance(0.2) {
            2.0 * 3600.0 + r.exp(5.0 * 3600.0)
        } else {
            86400.0 * (0.5 + r.exp(4.0))
        };
        let next = t + gap as i64;
        // Move to a likely hour of that day, but keep a 2-hour gap.
        let d = next.div_euclid(86400);
        let mut cand = d * 86400 + r.pick(&HOURS) as i64 * 3600 + r.range(0, 3599);
        if cand < t + 7200 {
            cand = t + 7200 + r.range(0, 3599);
        }
        if cand >= end {
            break;
        }
        t = cand;
    }
}

/// Simulates one session, pushing its events. Depends only on the seed, the
/// user, the session number, its start and the user's state, so the same
/// session comes out the same in both passes.
fn session(
    seed: u64,
    user: u32,
    prof: &Profile,
    state: &mut State,
    start_ms: i64,
    mut emit: impl FnMut(Ev),
) {
    let k = state.next_k;
    state.next_k = state.next_k.saturating_add(1);
    let mut r = Rng::new(seed, user as u64, 0x5E55_0000 + k as u64);
    let dev = prof.device as usize;
    let subscribed = |s: &State| s.sim & SIM_NEWSLETTER != 0;
    let source = if k == 0 {
        prof.source
    } else if subscribed(state) && r.chance(0.3) {
        NEWSLETTER
    } else if r.chance(0.4) {
        DIRECT
    } else if r.chance(0.5) {
        prof.source
    } else {
        0
    };
    let mut t = start_ms + r.range(0, 999);
    let mut emitted = 0u32;
    let mut ev = |t: i64, kind: Kind, page: Page, cents: u32| {
        emitted += 1;
        emit(Ev {
            t,
            seq: 0,
            first: emitted == 1,
            user,
            k,
            kind,
            page,
            device: prof.device,
            source,
            country: prof.country,
            cents,
        })
    };
    let pick_cat = |r: &mut Rng| {
        if r.chance(0.5) {
            prof.category
        } else {
            r.pick(&CATEGORY_SHARE) as u8
        }
    };
    let pick_product = |r: &mut Rng, c: u8| {
        // Popular products first: a skewed index inside the category.
        let i = (r.f().powi(3) * PRODUCTS_PER_CATEGORY as f64) as u64;
        (c as u64 * PRODUCTS_PER_CATEGORY + i) as u16
    };

    // Landing.
    let landing = match r.pick(&[0.40, 0.28, 0.20, 0.12]) {
        0 => Page::Home,
        1 => Page::Category(pick_cat(&mut r)),
        2 => {
            let c = pick_cat(&mut r);
            Page::Product(pick_product(&mut r, c))
        }
        _ => Page::Content(r.below(CONTENT.len() as u64) as u8),
    };
    ev(t, Kind::PageView, landing, 0);
    if let Page::Product(_) = landing {
        // A product page fires view_item on load.
        t += r.range(50, 900);
        ev(t, Kind::ViewItem, landing, 0);
    }
    let mut here = landing;

    // Subscribers sign up in their first visit, from the pop-up on the
    // landing page.
    if k == 0 && prof.subscriber {
        t += r.dwell_ms(20.0);
        ev(t, Kind::SignUpNewsletter, here, 0);
        state.sim |= SIM_NEWSLETTER;
    }

    // A cart left in an earlier visit: some come back straight to it.
    let resume = state.sim & SIM_CART != 0 && r.chance(0.3);
    state.sim &= !SIM_CART;
    let carted = resume
        || 'browse: {
            let bounce = DEVICE_BOUNCE[dev] * if k > 0 { 0.8 } else { 1.0 };
            if r.chance(bounce) {
                break 'browse false;
            }
            if matches!(landing, Page::Content(_)) && r.chance(0.5) {
                // Read another page, then leave or go on.
                t += r.dwell_ms(60.0);
                here = Page::Content(r.below(CONTENT.len() as u64) as u8);
                ev(t, Kind::PageView, here, 0);
                if r.chance(0.5) {
                    break 'browse false;
                }
            }

            // Browsing: lists (with filters) and products.
            let mut filtered = false;
            let mut viewed: Option<u16> = match landing {
                Page::Product(p) => Some(p),
                _ => None,
            };
            let lists = if viewed.is_some() && r.chance(0.6) {
                0
            } else {
                1 + (r.exp(0.8) as u32).min(6)
            };
            for _ in 0..lists {
                let c = match here {
                    Page::Category(c) if viewed.is_none() => c,
                    _ => pick_cat(&mut r),
                };
                t += r.dwell_ms(12.0);
                here = Page::Category(c);
                ev(t, Kind::ViewItemList, here, 0);
                if prof.filterer && r.chance(0.95) {
                    let n = 1 + (r.exp(0.7) as u32).min(4);
                    for _ in 0..n {
                        t += r.dwell_ms(15.0);
                        ev(t, Kind::UseFilter, here, 0);
                    }
                    filtered = true;
                }
                // Open a product from the list, or give up on this list.
                if r.chance(0.62) {
                    let n = 1 + (r.exp(1.0) as u32).min(8);
                    for _ in 0..n {
                        t += r.dwell_ms(20.0);
                        let p = pick_product(&mut r, c);
                        viewed = Some(p);
                        here = Page::Product(p);
                        ev(t, Kind::ViewItem, here, 0);
                    }
                }
                if r.chance(0.3) {
                    break;
                }
            }
            let Some(product) = viewed else {
                break 'browse false;
            };

            // Cart: where the planted effects live.
            let mut p_cart = 0.05
                * prof.intent
                * DEVICE_CONV[dev]
                * SOURCE_CONV[source as usize]
                * COUNTRY_CONV[prof.country as usize];
            if k > 0 {
                p_cart *= 1.35;
            }
            if filtered {
                p_cart *= 1.1;
            }
            if subscribed(state) {
                p_cart *= 1.1;
            }
            if state.sim & SIM_BOUGHT != 0 {
                p_cart *= 0.6;
            }
            if !r.chance(p_cart.min(0.9)) {
                break 'browse false;
            }
            t += r.dwell_ms(30.0);
            here = Page::Product(product);
            ev(t, Kind::AddToCart, here, 0);
            true
        };
    if !carted || !r.chance(0.52) {
        if carted {
            state.sim |= SIM_CART;
        }
        return;
    }
    t += r.dwell_ms(40.0);
    ev(t, Kind::BeginCheckout, Page::Checkout, 0);
    let p_buy = 0.62 * (0.6 + 0.4 * DEVICE_CONV[dev]);
    if !r.chance(p_buy) {
        state.sim |= SIM_CART;
        return;
    }
    t += r.dwell_ms(150.0);
    // Order value: lognormal with mean 85.
    let sigma: f64 = 0.55;
    let mu = 85f64.ln() - sigma * sigma / 2.0;
    let value = (mu + sigma * r.normal()).exp().clamp(5.0, 2000.0);
    ev(
        t,
        Kind::Purchase,
        Page::ThankYou,
        (value * 100.0).round() as u32,
    );
    state.sim |= SIM_BOUGHT;
}

// ---------------------------------------------------------------------------
// Writing

fn push_padded(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let digits = tmp.len() - i;
    for _ in digits..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(&tmp[i..]);
}

use crate::calendar::{civil_from_days as civil, ymd_to_days as days_from_civil};

fn parse_day(s: &str) -> Result<i64, String> {
    let bad = || format!("\"{s}\" is not a date like 2024-09-01");
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let m: u32 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let d: u32 = it.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    if !(1..=12).contains(&m) || d == 0 || d > 31 {
        return Err(bad());
    }
    let days = days_from_civil(y, m, d);
    if civil(days) != (y, m, d) {
        return Err(bad());
    }
    Ok(days)
}

/// `2024-09-01T12:34:56.123Z`
fn push_time(buf: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil(days);
    push_padded(buf, y as u64, 4);
    buf.push(b'-');
    push_padded(buf, m as u64, 2);
    buf.push(b'-');
    push_padded(buf, d as u64, 2);
    buf.push(b'T');
    push_padded(buf, (rest / 3_600_000) as u64, 2);
    buf.push(b':');
    push_padded(buf, (rest / 60_000 % 60) as u64, 2);
    buf.push(b':');
    push_padded(buf, (rest / 1000 % 60) as u64, 2);
    buf.push(b'.');
    push_padded(buf, (rest % 1000) as u64, 3);
    buf.push(b'Z');
}

fn time_string(ms: i64) -> String {
    let mut b = Vec::with_capacity(24);
    push_time(&mut b, ms);
    String::from_utf8(b).unwrap_or_default()
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex32(buf: &mut Vec<u8>, v: u32) {
    for i in (0..8).rev() {
        buf.push(HEX[((v >> (i * 4)) & 15) as usize]);
    }
}

fn push_row(buf: &mut Vec<u8>, e: &Ev, seed: u64) {
    push_time(buf, e.t);
    buf.push(b',');
    buf.extend_from_slice(e.kind.name().as_bytes());
    buf.push(b',');
    let id = scramble32(e.user, seed);
    buf.push(b'u');
    push_hex32(buf, id);
    buf.push(b',');
    buf.push(b's');
    push_hex32(buf, id);
    buf.push(b'-');
    push_padded(buf, e.k as u64 + 1, 1);
    buf.push(b',');
    e.page.write(buf);
    buf.push(b',');
    buf.extend_from_slice(DEVICES[e.device as usize].as_bytes());
    buf.push(b',');
    buf.extend_from_slice(SOURCES[e.source as usize].as_bytes());
    buf.push(b',');
    buf.extend_from_slice(COUNTRIES[e.country as usize].as_bytes());
    buf.push(b',');
    if e.kind == Kind::Purchase {
        push_padded(buf, (e.cents / 100) as u64, 1);
        buf.push(b'.');
        push_padded(buf, (e.cents % 100) as u64, 2);
    }
    buf.push(b'\n');
}

/// Writes `opts.events` events as CSV (header first) to `out`, streaming:
/// memory is a few bytes per user and per session, whatever the size.
///
/// Two passes over the simulated population: the first lays out each
/// user's session starts and counts events until there are enough; the
/// second replays the sessions in time order and writes their events
/// through a small heap. The last few simulated events past `opts.events`
/// (those latest in time) are not written.
pub fn write_clickstream(out: &mut impl Write, opts: &GenOptions) -> io::Result<GenStats> {
    if opts.days == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the date range must cover at least one day",
        ));
    }
    if opts.days > MAX_DAYS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the date range can cover at most {MAX_DAYS} days"),
        ));
    }
    let seed = opts.seed;
    let base_ms = opts.start_day * 86_400_000;
    let cum_days = day_weights(opts.start_day, opts.days);

    // Pass 1: users, their session starts, and event counts.
    let mut sessions: Vec<u64> = Vec::new(); // start_sec << 32 | user
    let mut starts = Vec::new();
    let mut total = 0u64;
    let mut users = 0u32;
    while total < opts.events {
        if users == u32::MAX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "too many events asked for",
            ));
        }
        let user = users;
        users += 1;
        let prof = profile(seed, user);
        schedule(seed, user, &prof, &cum_days, &mut starts);
        let mut st = State::default();
        for &s in &starts {
            session(
                seed,
                user,
                &prof,
                &mut st,
                base_ms + s as i64 * 1000,
                |_| total += 1,
            );
            sessions.push((s as u64) << 32 | user as u64);
        }
    }
    sessions.sort_unstable();

    // Pass 2: replay in time order.
    let mut states = vec![State::default(); users as usize];
    let mut heap: BinaryHeap<Ev> = BinaryHeap::new();
    let mut stats = GenStats::default();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    buf.extend_from_slice(HEADER.as_bytes());
    buf.push(b'\n');
    let mut seq = 0u64;
    let mut first = None;
    let mut last = 0i64;
    let mut flush = |heap: &mut BinaryHeap<Ev>,
                     until: i64,
                     states: &mut [State],
                     stats: &mut GenStats,
                     buf: &mut Vec<u8>,
                     out: &mut dyn Write|
     -> io::Result<()> {
        while let Some(top) = heap.peek() {
            if top.t >= until || stats.events >= opts.events {
                break;
            }
            let e = heap.pop().expect("peeked");
            push_row(buf, &e, seed);
            stats.events += 1;
            first.get_or_insert(e.t);
            last = e.t;
            let st = &mut states[e.user as usize];
            if st.out & OUT_SEEN == 0 {
                st.out |= OUT_SEEN;
                stats.users += 1;
            }
            if e.first {
                stats.sessions += 1;
            }
            match e.kind {
                Kind::UseFilter => st.out |= OUT_FILTER,
                Kind::SignUpNewsletter => st.out |= OUT_NEWSLETTER,
                Kind::Purchase => {
                    st.out |= OUT_BOUGHT;
                    stats.purchases += 1;
                    stats.revenue += e.cents as f64 / 100.0;
                }
                _ => {}
            }
            if buf.len() > (1 << 16) - 256 {
                out.write_all(buf)?;
                stats.bytes += buf.len() as u64;
                buf.clear();
            }
        }
        Ok(())
    };
    for &key in &sessions {
        let start_ms = base_ms + (key >> 32) as i64 * 1000;
        let user = key as u32;
        flush(&mut heap, start_ms, &mut states, &mut stats, &mut buf, out)?;
        if stats.events >= opts.events {
            break;
        }
        let prof = profile(seed, user);
        let st = &mut states[user as usize];
        session(seed, user, &prof, st, start_ms, |mut e| {
            e.seq = seq;
            seq += 1;
            heap.push(e)
        });
    }
    flush(&mut heap, i64::MAX, &mut states, &mut stats, &mut buf, out)?;
    out.write_all(&buf)?;
    stats.bytes += buf.len() as u64;
    out.flush()?;

    for st in &states {
        let bought = st.out & OUT_BOUGHT != 0;
        if bought {
            stats.purchasers += 1;
        }
        if st.out & OUT_FILTER != 0 {
            stats.filter_users += 1;
            stats.filter_purchasers += bought as u64;
        }
        if st.out & OUT_NEWSLETTER != 0 {
            stats.newsletter_users += 1;
            stats.newsletter_purchasers += bought as u64;
        }
    }
    stats.revenue = (stats.revenue * 100.0).round() / 100.0;
    if let Some(f) = first {
        stats.first_time = time_string(f);
        stats.last_time = time_string(last);
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn generate(opts: &GenOptions) -> (Vec<u8>, GenStats) {
        let mut out = Vec::new();
        let stats = write_clickstream(&mut out, opts).expect("writes to memory");
        (out, stats)
    }

    #[derive(Default)]
    struct User {
        filter: bool,
        newsletter: bool,
        bought: bool,
    }

    /// What a reader of the CSV measures, independent of the generator's
    /// own bookkeeping.
    struct Measured {
        rows: u64,
        users: HashMap<String, User>,
        sessions: u64,
        purchases: u64,
        revenue: f64,
    }

    fn measure(csv: &[u8]) -> Measured {
        let text = std::str::from_utf8(csv).expect("UTF-8");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(HEADER));
        let mut m = Measured {
            rows: 0,
            users: HashMap::new(),
            sessions: 0,
            purchases: 0,
            revenue: 0.0,
        };
        let mut last_time = String::new();
        let mut session_last: HashMap<String, String> = HashMap::new();
        for line in lines {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 9, "row {line}");
            let (time, event, user, session, page, value) = (f[0], f[1], f[2], f[3], f[4], f[8]);
            // ISO 8601 UTC with milliseconds, and the file ordered by time.
            assert_eq!(time.len(), 24, "{time}");
            assert!(time.ends_with('Z') && &time[10..11] == "T", "{time}");
            assert!(time >= last_time.as_str(), "{time} after {last_time}");
            last_time = time.to_string();
            assert!(page.starts_with('/'), "{page}");
            assert!(session.starts_with(&format!("s{}-", &user[1..])));
            let prev = session_last.insert(session.to_string(), time.to_string());
            if prev.is_none() {
                m.sessions += 1;
            }
            let u = m.users.entry(user.to_string()).or_default();
            match event {
                "use_filter" => u.filter = true,
                "sign_up_newsletter" => u.newsletter = true,
                "purchase" => {
                    u.bought = true;
                    m.purchases += 1;
                    let v: f64 = value.parse().expect("purchase value");
                    assert!(v > 0.0);
                    m.revenue += v;
                }
                "page_view" | "view_item_list" | "view_item" | "add_to_cart" | "begin_checkout" => {
                }
                other => panic!("unexpected event {other}"),
            }
            if event != "purchase" {
                assert_eq!(value, "", "value on {event}");
            }
            m.rows += 1;
        }
        m
    }

    fn rate(users: &HashMap<String, User>, pick: impl Fn(&User) -> bool) -> (f64, f64) {
        let (mut n_in, mut b_in, mut n_out, mut b_out) = (0.0, 0.0, 0.0, 0.0);
        for u in users.values() {
            if pick(u) {
                n_in += 1.0;
                b_in += u.bought as u8 as f64;
            } else {
                n_out += 1.0;
                b_out += u.bought as u8 as f64;
            }
        }
        (b_in / n_in, b_out / n_out)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let opts = GenOptions::with_events(20_000);
        let (a, sa) = generate(&opts);
        let (b, sb) = generate(&opts);
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        let (c, _) = generate(&GenOptions { seed: 7, ..opts });
        assert_ne!(a, c);
    }

    #[test]
    fn writes_exactly_the_events_asked_for_in_time_order() {
        for n in [0, 1, 137, 5_000] {
            let (csv, stats) = generate(&GenOptions::with_events(n));
            let m = measure(&csv);
            assert_eq!(m.rows, n);
            assert_eq!(stats.events, n);
            assert_eq!(stats.bytes, csv.len() as u64);
        }
    }

    #[test]
    fn events_of_a_session_follow_the_shop_walk() {
        let (csv, _) = generate(&GenOptions::with_events(30_000));
        let text = String::from_utf8(csv).unwrap();
        let mut by_session: HashMap<&str, Vec<&str>> = HashMap::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            by_session.entry(f[3]).or_default().push(f[1]);
        }
        let rank = |e: &str| match e {
            "page_view" => 0,
            "view_item_list" | "use_filter" | "view_item" => 1,
            "add_to_cart" => 2,
            "begin_checkout" => 3,
            "purchase" => 4,
            _ => 9,
        };
        let mut purchases_with_checkout = 0;
        for events in by_session.values() {
            // Sessions start on a landing page (unless cut by the start of
            // the file, which never happens: the file starts with sessions).
            assert_eq!(events[0], "page_view");
            // The newsletter pop-up can come at any point.
            let ranks: Vec<u8> = events
                .iter()
                .filter(|e| **e != "sign_up_newsletter")
                .map(|e| rank(e))
                .collect();
            assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{events:?}");
            if let Some(i) = events.iter().position(|e| *e == "purchase") {
                assert_eq!(events[i - 1], "begin_checkout");
                purchases_with_checkout += 1;
            }
        }
        assert!(purchases_with_checkout > 0);
    }

    #[test]
    fn conversion_and_planted_effects_are_measured_in_the_output() {
        let (csv, stats) = generate(&GenOptions::with_events(400_000));
        let m = measure(&csv);
        // The generator's own counts agree with what a reader measures.
        assert_eq!(m.users.len() as u64, stats.users);
        assert_eq!(m.sessions, stats.sessions);
        assert_eq!(m.purchases, stats.purchases);
        assert!((m.revenue - stats.revenue).abs() < 0.01 * m.purchases as f64);
        let buyers = m.users.values().filter(|u| u.bought).count() as u64;
        assert_eq!(buyers, stats.purchasers);

        // 0.5-3% of users purchase; order values average about 85.
        let conversion = buyers as f64 / m.users.len() as f64;
        assert!((0.005..=0.03).contains(&conversion), "{conversion}");
        let aov = m.revenue / m.purchases as f64;
        assert!((75.0..=95.0).contains(&aov), "{aov}");
        // Several sessions per user on average.
        let spu = m.sessions as f64 / m.users.len() as f64;
        assert!((1.3..=3.0).contains(&spu), "{spu}");

        // Filter users buy about twice as often as the rest.
        let (with, without) = rate(&m.users, |u| u.filter);
        let filter_lift = with / without;
        assert!((1.7..=2.7).contains(&filter_lift), "{filter_lift}");
        assert!((filter_lift - stats.filter_lift()).abs() < 1e-9);
        // Newsletter subscribers buy more often too, by less.
        let (with, without) = rate(&m.users, |u| u.newsletter);
        let news_lift = with / without;
        assert!(news_lift > 1.1 && news_lift < filter_lift, "{news_lift}");
        assert!((news_lift - stats.newsletter_lift()).abs() < 1e-9);
    }

    #[test]
    fn devices_convert_differently() {
        let (csv, _) = generate(&GenOptions::with_events(300_000));
        let text = String::from_utf8(csv).unwrap();
        let mut users: HashMap<&str, (&str, bool)> = HashMap::new();
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let e = users.entry(f[2]).or_insert((f[5], false));
            e.1 |= f[1] == "purchase";
        }
        let conv = |d: &str| {
            let all: Vec<bool> = users.values().filter(|v| v.0 == d).map(|v| v.1).collect();
            all.iter().filter(|b| **b).count() as f64 / all.len() as f64
        };
        let (desktop, mobile) = (conv("desktop"), conv("mobile"));
        assert!(desktop > 1.5 * mobile, "desktop {desktop}, mobile {mobile}");
    }

    #[test]
    fn date_range_is_respected_and_checked() {
        let opts = GenOptions::with_events(5_000)
            .with_range("2024-02-28", "2024-03-01")
            .unwrap();
        assert_eq!(opts.days, 3);
        let (csv, stats) = generate(&opts);
        assert!(stats.first_time.as_str() >= "2024-02-28T00:00:00.000Z");
        assert!(stats.first_time.starts_with("2024-02-28"));
        // Sessions start inside the range; a late one may run past midnight.
        assert!(stats.last_time.as_str() < "2024-03-02T02:00:00.000Z");
        assert!(String::from_utf8(csv).unwrap().contains("2024-02-29T"));
        assert!(GenOptions::default()
            .with_range("2024-09-30", "2024-09-01")
            .is_err());
        assert!(GenOptions::default()
            .with_range("2024-02-30", "2024-03-01")
            .is_err());
        let zero = GenOptions {
            days: 0,
            ..GenOptions::with_events(10)
        };
        assert!(write_clickstream(&mut Vec::new(), &zero).is_err());
    }

    #[test]
    fn time_formatting_matches_the_time_crate() {
        for ms in [0i64, 1_725_150_896_123, 951_782_400_000, 4_102_444_799_999] {
            let ours = time_string(ms);
            let dt =
                time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).unwrap();
            let theirs = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                dt.year(),
                dt.month() as u8,
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
                dt.millisecond()
            );
            assert_eq!(ours, theirs);
        }
        assert_eq!(parse_day("2024-09-01"), Ok(SEPT_1_2024));
    }

    #[test]
    fn file_output_equals_memory_output() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        let opts = GenOptions::with_events(3_000);
        let stats = write_clickstream_file(&path, &opts).unwrap();
        let (mem, mem_stats) = generate(&opts);
        assert_eq!(std::fs::read(&path).unwrap(), mem);
        assert_eq!(stats, mem_stats);
        let missing = dir.path().join("no/such/folder/events.csv");
        assert!(write_clickstream_file(&missing, &opts).is_err());
    }

    #[test]
    fn too_long_a_range_is_refused() {
        assert!(GenOptions::default()
            .with_range("1900-01-01", "2024-01-01")
            .is_err());
        let opts = GenOptions {
            days: MAX_DAYS + 1,
            ..GenOptions::with_events(10)
        };
        assert!(write_clickstream(&mut Vec::new(), &opts).is_err());
    }

    #[test]
    fn sample_store_is_fifty_thousand_events() {
        let mut out = Vec::new();
        let stats = write_sample_store(&mut out).unwrap();
        assert_eq!(stats.events, 50_000);
        assert_eq!(measure(&out).rows, 50_000);
        assert!(stats.purchasers > 20);
    }
}
