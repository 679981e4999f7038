//! Every file in ../shared/data/real imports with the rows, columns, types
//! and roles its SOURCES.md entry describes. The expectations below were
//! written from SOURCES.md and from reading the files, not from the
//! importer's output.
//!
//! The folder is found at `STEPWISE_SHARED_DATA`, else at
//! `../shared/data/real` beside the repository. When it is absent the tests
//! say so and pass, except under CI, where they fail (common/real.rs).

mod common;

use std::path::{Path, PathBuf};
use stepwise_engine::column::{Cell, Column};
use stepwise_engine::import::{self, ImportOptions, ImportReport};
use stepwise_engine::{ColumnType, DatasetKind, Job, Role, Workspace};

fn data_dir() -> Option<PathBuf> {
    common::real::real_data()
}

struct Imported {
    ws: Workspace,
    report: ImportReport,
    _dir: tempfile::TempDir,
}

impl Imported {
    fn col(&self, name: &str) -> Column {
        let rec = self.ws.dataset(&self.report.dataset.name).unwrap();
        self.ws.read_column_named(&rec, name).unwrap()
    }
    fn ty(&self, name: &str) -> ColumnType {
        self.info(name).ty
    }
    fn role(&self, name: &str) -> Option<Role> {
        self.info(name).role
    }
    fn info(&self, name: &str) -> stepwise_engine::ColumnInfo {
        self.report
            .dataset
            .columns
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no column {name}: {:?}", self.names()))
            .clone()
    }
    fn names(&self) -> Vec<String> {
        self.report
            .dataset
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }
    fn rows(&self) -> u64 {
        self.report.dataset.rows
    }
    fn role_column(&self, role: Role) -> Option<String> {
        self.report
            .dataset
            .columns
            .iter()
            .find(|c| c.role == Some(role))
            .map(|c| c.name.clone())
    }
}

fn import_with(rel: &str, opts: ImportOptions) -> Option<Imported> {
    let root = data_dir()?;
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let report = import::import_file_report(&mut ws, &root.join(rel), &opts, &mut Job::silent())
        .unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(
        report.dataset.rows,
        ws.dataset(&report.dataset.name).unwrap().info.rows
    );
    Some(Imported {
        ws,
        report,
        _dir: dir,
    })
}

fn import(rel: &str) -> Option<Imported> {
    import_with(rel, ImportOptions::default())
}

fn nulls(c: &Column) -> usize {
    (0..c.len()).filter(|&i| c.is_null(i)).count()
}

fn ints(c: &Column) -> Vec<i64> {
    (0..c.len())
        .filter_map(|i| match c.cell(i) {
            Cell::Int(x) => Some(x),
            _ => None,
        })
        .collect()
}

fn floats(c: &Column) -> Vec<f64> {
    (0..c.len())
        .filter_map(|i| match c.cell(i) {
            Cell::Float(x) => Some(x),
            Cell::Int(x) => Some(x as f64),
            _ => None,
        })
        .collect()
}

fn texts(c: &Column) -> Vec<String> {
    (0..c.len())
        .filter_map(|i| c.text(i).map(str::to_string))
        .collect()
}

fn count(c: &Column, v: &str) -> usize {
    texts(c).iter().filter(|t| *t == v).count()
}

fn distinct(c: &Column) -> usize {
    let mut v: Vec<String> = (0..c.len()).map(|i| format!("{:?}", c.cell(i))).collect();
    v.sort();
    v.dedup();
    v.len()
}

/// Microseconds since the epoch for a UTC date-time.
fn utc(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> i64 {
    let t = time::PrimitiveDateTime::new(
        time::Date::from_calendar_date(y, time::Month::try_from(mo).unwrap(), d).unwrap(),
        time::Time::from_hms(h, mi, s).unwrap(),
    )
    .assume_utc();
    t.unix_timestamp() * 1_000_000
}

fn days(y: i32, mo: u8, d: u8) -> i64 {
    utc(y, mo, d, 0, 0, 0) / 86_400_000_000
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---- Google Analytics -------------------------------------------------

#[test]
fn ga4_events_report() {
    for (file, rows) in [
        ("ga/ga4_events_event_name.csv", 21),
        ("ga/ga4_events_ecommerce_teefusion.csv", 26),
    ] {
        let Some(d) = import(file) else { return };
        assert_eq!(d.rows(), rows, "{file}");
        assert_eq!(
            d.names(),
            strs(&[
                "Event name",
                "Event count",
                "Total users",
                "Event count per active user",
                "Total revenue"
            ])
        );
        assert_eq!(d.ty("Event name"), ColumnType::Text);
        assert_eq!(d.ty("Event count"), ColumnType::Integer);
        assert_eq!(d.ty("Event count per active user"), ColumnType::Decimal);
        assert_eq!(d.report.dataset.kind, DatasetKind::Metrics);
        assert_eq!(d.role("Event name"), Some(Role::Event));
        assert_eq!(d.role("Event count"), Some(Role::Metric));
        assert_eq!(d.report.tables, 1);
    }
    let Some(d) = import("ga/ga4_events_ecommerce_teefusion.csv") else {
        return;
    };
    let events = texts(&d.col("Event name"));
    for e in [
        "view_item_list",
        "select_item",
        "add_to_cart",
        "begin_checkout",
        "purchase",
        "gtm.dom",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} missing");
    }
    let names = texts(&d.col("Event name"));
    let users = ints(&d.col("Total users"));
    let users_of = |e: &str| users[names.iter().position(|n| n == e).unwrap()];
    assert_eq!(users_of("view_item_list"), 572);
    assert_eq!(users_of("purchase"), 9);
}

#[test]
fn ga4_landing_page_keeps_the_empty_page_row() {
    let Some(d) = import("ga/ga4_landing_page_teefusion.csv") else {
        return;
    };
    assert_eq!(d.rows(), 211);
    assert_eq!(d.names().len(), 8);
    assert_eq!(d.names()[0], "Landing page");
    assert_eq!(d.role("Landing page"), Some(Role::Page));
    assert_eq!(nulls(&d.col("Landing page")), 1);
    assert_eq!(d.ty("Session key event rate"), ColumnType::Decimal);
    assert_eq!(
        d.ty("Average engagement time per session"),
        ColumnType::Decimal
    );
    assert_eq!(d.report.skipped_rows, 0);
}

#[test]
fn ga4_pages_with_doubled_quotes() {
    let Some(d) = import("ga/ga4_pages_and_screens_page_path.csv") else {
        return;
    };
    assert_eq!(d.rows(), 684);
    assert_eq!(d.names().len(), 13);
    assert_eq!(d.names()[12], "Average session duration");
    let pages = texts(&d.col("Page path and screen class"));
    assert!(pages.contains(&"/blog/category/fencing\" class=\"hover:underline".to_string()));
    assert!(pages.contains(&"/blog/search/\"clever garden shed ideas\"".to_string()));
    assert_eq!(d.ty("Bounce rate"), ColumnType::Decimal);
    assert_eq!(d.ty("Sessions"), ColumnType::Integer);
}

#[test]
fn ga4_large_custom_report_keeps_invisible_characters() {
    let Some(d) = import("ga/ga4_pages_custom_report_large.csv") else {
        return;
    };
    assert_eq!(d.rows(), 8527);
    assert_eq!(
        d.names(),
        strs(&[
            "Page path and screen class",
            "Views",
            "Active users",
            "Views per active user",
            "Average engagement time per active user",
            "Event count",
            "Key events",
            "Total revenue"
        ])
    );
    let pages = texts(&d.col("Page path and screen class"));
    assert!(pages.contains(&"/pages/register-your-business\u{a0}".to_string()));
    assert!(pages.contains(&"/contact-us\u{200b}".to_string()));
    assert!(pages.iter().any(|p| p.contains('에')));
    assert_eq!(nulls(&d.col("Page path and screen class")), 1);
    assert_eq!(ints(&d.col("Views")).into_iter().max(), Some(4_225_374));
}

#[test]
fn ga4_snapshot_has_sixteen_tables() {
    let Some(root) = data_dir() else { return };
    let path = root.join("ga/ga4_reports_snapshot_blog.csv");
    let tables = import::list_tables(&path, &ImportOptions::default()).unwrap();
    let rows: Vec<u64> = tables.iter().map(|t| t.rows).collect();
    assert_eq!(
        rows,
        vec![53, 53, 53, 53, 5, 5, 103, 7, 365, 6, 137, 8, 0, 0, 0, 0]
    );
    assert_eq!(
        tables[9].columns,
        strs(&["Date", "Week 0", "Week 1", "Week 2", "Week 3", "Week 4", "Week 5"])
    );
    assert_eq!(tables[11].columns, strs(&["Event name", "Event count"]));
    assert!(
        tables[1]
            .title
            .as_deref()
            .unwrap_or("")
            .contains("How are active users trending?")
            || tables[0]
                .title
                .as_deref()
                .unwrap_or("")
                .contains("Reports snapshot")
    );
    // the ragged cohort table imports with its missing cells null
    let Some(d) = import_with(
        "ga/ga4_reports_snapshot_blog.csv",
        ImportOptions {
            table: Some(9),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 6);
    assert_eq!(d.names().len(), 7);
    assert_eq!(nulls(&d.col("Week 5")), 6);
    assert!(
        ints(&d.col("Week 1")).contains(&-1)
            || ints(&d.col("Week 2")).contains(&-1)
            || ints(&d.col("Week 3")).contains(&-1)
    );
    // the default is the largest table: Nth day, with its zero padding kept
    let Some(d) = import("ga/ga4_reports_snapshot_blog.csv") else {
        return;
    };
    assert_eq!(d.names(), strs(&["Nth day", "30 days", "7 days", "1 day"]));
    assert_eq!(d.rows(), 365);
    assert_eq!(d.ty("Nth day"), ColumnType::Text);
    assert_eq!(texts(&d.col("Nth day"))[0], "0000");
    assert_eq!(d.report.tables, 16);
    assert_eq!(d.report.table, 8);
}

#[test]
fn ga4_compare_periods_tables_are_told_apart_by_dates() {
    let Some(root) = data_dir() else { return };
    let path = root.join("ga/ga4_reports_snapshot_compare_periods.csv");
    let tables = import::list_tables(&path, &ImportOptions::default()).unwrap();
    let rows: Vec<u64> = tables.iter().map(|t| t.rows).collect();
    assert_eq!(
        rows,
        vec![1, 1, 46, 46, 16, 16, 19, 19, 31, 31, 1, 1, 176, 176, 1, 1]
    );
    assert_eq!(tables[2].columns, tables[3].columns);
    assert_eq!(
        tables[0].columns,
        strs(&[
            "Active users",
            "New users",
            "Average engagement time per active user",
            "Event count"
        ])
    );
    let (a, b) = (
        tables[2].title.clone().unwrap(),
        tables[3].title.clone().unwrap(),
    );
    assert!(
        a.contains("20250801") && b.contains("20250701"),
        "{a} / {b}"
    );
    let Some(d) = import_with(
        "ga/ga4_reports_snapshot_compare_periods.csv",
        ImportOptions {
            table: Some(2),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 46);
    let titles = texts(&d.col("Page title and screen class"));
    assert!(titles.iter().any(|t| t.contains("Zentangle®")));
    assert!(titles
        .iter()
        .any(|t| t.starts_with("Kokomo Art Association | shop artwork | Downtown, Kokomo")));
}

#[test]
fn ga4_home_export_has_eighteen_tables() {
    let Some(root) = data_dir() else { return };
    let path = root.join("ga/ga4_home_report_data_export.csv");
    let tables = import::list_tables(&path, &ImportOptions::default()).unwrap();
    let rows: Vec<u64> = tables.iter().map(|t| t.rows).collect();
    assert_eq!(
        rows,
        vec![544, 544, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 544, 544, 544, 544, 233, 7]
    );
    assert_eq!(
        tables[15].columns,
        strs(&["Cohort", "Day 1", "Day 7", "Day 30"])
    );
    assert_eq!(
        tables[5].columns,
        strs(&[
            "Nth month",
            "Max daily revenue",
            "Average daily revenue",
            "Min daily revenue"
        ])
    );
    let Some(d) = import_with(
        "ga/ga4_home_report_data_export.csv",
        ImportOptions {
            table: Some(17),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.names(), strs(&["Country", "Users"]));
    assert_eq!(ints(&d.col("Users")).into_iter().max(), Some(3_507_950));
    // a header-only table is refused with a clear reason
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let err = import::import_file(
        &mut ws,
        &path,
        &ImportOptions {
            table: Some(2),
            ..Default::default()
        },
        &mut Job::silent(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no data rows"), "{err}");
}

#[test]
fn ga4_bigquery_items() {
    let Some(d) = import("ga/ga4_bigquery_items_sample_head15000.csv") else {
        return;
    };
    assert_eq!(d.rows(), 15_000);
    assert_eq!(
        d.names(),
        strs(&[
            "user_pseudo_id",
            "item_id",
            "item_name",
            "price_in_usd",
            "price",
            "quantity",
            "item_revenue_in_usd",
            "item_revenue",
            "event_date",
            "event_timestamp",
            "country",
            "region",
            "mobile_brand_name",
            "mobile_model_name"
        ])
    );
    assert_eq!(d.ty("user_pseudo_id"), ColumnType::Text);
    assert_eq!(d.ty("event_timestamp"), ColumnType::Timestamp);
    assert_eq!(d.ty("event_date"), ColumnType::Date);
    assert_eq!(d.role("user_pseudo_id"), Some(Role::User));
    assert_eq!(d.role("event_timestamp"), Some(Role::Time));
    assert_eq!(d.role("item_id"), Some(Role::Item));
    assert_eq!(d.report.preset.as_deref(), Some("GA4 BigQuery export"));
    assert!(ints(&d.col("event_timestamp")).contains(&1_605_937_059_520_352));
    let dates = ints(&d.col("event_date"));
    assert!(dates
        .iter()
        .all(|&x| x >= days(2020, 11, 1) && x <= days(2021, 1, 31)));
    assert_eq!(count(&d.col("item_id"), "(not set)"), 434);
    assert_eq!(nulls(&d.col("item_revenue_in_usd")), 434);
    assert_eq!(distinct(&d.col("user_pseudo_id")), 4188);
    assert_eq!(distinct(&d.col("item_id")), 807);
    assert!(texts(&d.col("user_pseudo_id")).contains(&"2697787.2422183099".to_string()));
}

#[test]
fn ua_browser_report_drops_its_totals_row() {
    let Some(d) = import("ga/ua_browser_version_os.csv") else {
        return;
    };
    assert_eq!(d.rows(), 281);
    assert_eq!(
        d.names(),
        strs(&["Browser", "Browser Version", "Operating System", "Sessions"])
    );
    assert_eq!(d.ty("Sessions"), ColumnType::Integer);
    assert_eq!(ints(&d.col("Sessions")).iter().sum::<i64>(), 7374);
    assert!(ints(&d.col("Sessions")).contains(&2533));
    assert_eq!(d.report.skipped_rows, 1);
    assert_eq!(d.report.dataset.kind, DatasetKind::Metrics);
    assert_eq!(d.role("Browser"), Some(Role::Dimension));
}

#[test]
fn ua_dutch_export_reads_decimal_commas() {
    let Some(d) = import("ga/ua_nl_browser_version.csv") else {
        return;
    };
    assert_eq!(d.report.tables, 2);
    assert_eq!(d.rows(), 226);
    assert_eq!(d.names().len(), 11);
    assert_eq!(d.names()[2], "Sessies");
    assert_eq!(d.ty("Sessies"), ColumnType::Integer);
    assert_eq!(ints(&d.col("Sessies")).iter().sum::<i64>(), 7374);
    assert_eq!(ints(&d.col("Sessies"))[0], 2546);
    assert_eq!(d.ty("% nieuwe sessies"), ColumnType::Decimal);
    assert!((floats(&d.col("% nieuwe sessies"))[0] - 0.9988).abs() < 1e-9);
    assert!((floats(&d.col("Pagina's/sessie"))[0] - 1.15).abs() < 1e-9);
    assert_eq!(d.ty("Gem. sessieduur"), ColumnType::Duration);
    assert_eq!(ints(&d.col("Gem. sessieduur"))[0], 31_000);
    assert_eq!(d.ty("Doelwaarde"), ColumnType::Decimal);
    assert_eq!(d.ty("Browserversie"), ColumnType::Text);
    assert_eq!(texts(&d.col("Browserversie"))[0], "40.0.2214.111");
    // the Day Index table: DD-MM-YY dates
    let Some(d) = import_with(
        "ga/ua_nl_browser_version.csv",
        ImportOptions {
            table: Some(1),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 367);
    assert_eq!(d.names(), strs(&["Dagindex", "Sessies"]));
    assert_eq!(d.ty("Dagindex"), ColumnType::Date);
    let dates = ints(&d.col("Dagindex"));
    assert_eq!(dates[0], days(2014, 9, 17));
    assert_eq!(*dates.last().unwrap(), days(2015, 9, 18));
    assert_eq!(ints(&d.col("Sessies")).iter().sum::<i64>(), 7374);
}

#[test]
fn ua_excel_export_sheets() {
    let Some(root) = data_dir() else { return };
    let path = root.join("ga/ua_all_web_site_data_pages_20220701-20220731.xlsx");
    assert_eq!(
        import::list_sheets(&path).unwrap(),
        strs(&["Summary", "Dataset1", "Dataset2"])
    );
    let Some(d) = import("ga/ua_all_web_site_data_pages_20220701-20220731.xlsx") else {
        return;
    };
    assert_eq!(d.report.sheet.as_deref(), Some("Dataset1"));
    assert_eq!(d.rows(), 50);
    assert_eq!(
        d.names(),
        strs(&[
            "Page",
            "Pageviews",
            "Unique Pageviews",
            "Avg. Time on Page",
            "Entrances",
            "Bounce Rate",
            "% Exit",
            "Page Value"
        ])
    );
    assert_eq!(d.ty("Avg. Time on Page"), ColumnType::Decimal);
    assert_eq!(d.ty("Pageviews"), ColumnType::Integer);
    assert_eq!(d.role("Page"), Some(Role::Page));
    assert!(floats(&d.col("Bounce Rate"))
        .iter()
        .all(|&x| (0.0..=1.0).contains(&x)));
    let Some(d) = import_with(
        "ga/ua_all_web_site_data_pages_20220701-20220731.xlsx",
        ImportOptions {
            sheet: Some("Dataset2".into()),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 31);
    assert_eq!(d.names(), strs(&["Day Index", "Pageviews"]));
    assert_eq!(d.ty("Day Index"), ColumnType::Date);
    let dates = ints(&d.col("Day Index"));
    assert_eq!((dates[0], dates[30]), (days(2022, 7, 1), days(2022, 7, 31)));
}

// ---- platforms ----------------------------------------------------------

#[test]
fn shopify_orders() {
    let Some(d) = import("platforms/shopify_orders_export_devstore_inr.csv") else {
        return;
    };
    assert_eq!(d.rows(), 121);
    assert_eq!(d.names().len(), 79);
    assert_eq!(d.names()[0], "Name");
    assert_eq!(d.names()[78], "Payment References");
    assert_eq!(d.report.preset.as_deref(), Some("Shopify orders export"));
    assert_eq!(d.role("Email"), Some(Role::User));
    assert_eq!(d.role("Created at"), Some(Role::Time));
    assert_eq!(d.role("Lineitem name"), Some(Role::Item));
    assert_eq!(d.role("Total"), Some(Role::Value));
    assert_eq!(d.ty("Created at"), ColumnType::Timestamp);
    assert_eq!(d.ty("Total"), ColumnType::Decimal);
    assert_eq!(distinct(&d.col("Name")), 51);
    // "-0500" offsets: stored instants are UTC, five hours later
    let created = ints(&d.col("Created at"));
    assert!(created.iter().all(|&t| t % 1_000_000 == 0));
}

#[test]
fn shopify_and_woocommerce_products() {
    let Some(d) = import("platforms/shopify_products_export_2023.csv") else {
        return;
    };
    assert_eq!(d.rows(), 21);
    assert_eq!(d.names().len(), 53);
    assert_eq!(d.role("Handle"), Some(Role::Item));
    assert_eq!(d.ty("Variant Price"), ColumnType::Decimal);
    assert_eq!(d.ty("Variant Grams"), ColumnType::Decimal);
    assert_eq!(d.ty("Published"), ColumnType::Boolean);
    assert!(texts(&d.col("Body (HTML)"))
        .iter()
        .any(|t| t.contains("<meta charset=\"utf-8\">")));
    let Some(d) = import("platforms/woocommerce_products_csv_sample.csv") else {
        return;
    };
    assert_eq!(d.rows(), 25);
    assert_eq!(d.names().len(), 51);
    assert_eq!(d.names()[0], "ID");
    assert_eq!(d.names()[5], "Is featured?");
    assert_eq!(d.role("SKU"), Some(Role::Item));
    assert_eq!(d.ty("Regular price"), ColumnType::Decimal);
    assert!(texts(&d.col("Categories")).contains(&"Clothing > Tshirts".to_string()));
}

#[test]
fn snowplow_atomic_events_are_an_event_table() {
    let Some(d) = import("platforms/snowplow_atomic_events_dbt_web_seed.csv") else {
        return;
    };
    assert_eq!(d.rows(), 161);
    assert_eq!(d.names().len(), 135);
    assert_eq!(d.report.dataset.kind, DatasetKind::Events);
    assert_eq!(d.role_column(Role::User).as_deref(), Some("domain_userid"));
    assert_eq!(
        d.role_column(Role::Session).as_deref(),
        Some("domain_sessionid")
    );
    assert_eq!(d.role_column(Role::Time).as_deref(), Some("derived_tstamp"));
    assert_eq!(d.role_column(Role::Event).as_deref(), Some("event_name"));
    assert_eq!(d.role_column(Role::Page).as_deref(), Some("page_url"));
    assert_eq!(d.role("user_id"), None);
    assert_eq!(d.ty("collector_tstamp"), ColumnType::Timestamp);
    assert_eq!(distinct(&d.col("event_id")), 158);
    assert_eq!(distinct(&d.col("domain_userid")), 43);
    assert_eq!(distinct(&d.col("domain_sessionid")), 47);
    let t = ints(&d.col("collector_tstamp"));
    assert!(t
        .iter()
        .all(|&x| x >= utc(2020, 7, 3, 0, 0, 0) && x < utc(2021, 3, 15, 0, 0, 0)));
    assert!(
        texts(&d.col("contexts_com_snowplowanalytics_snowplow_web_page_1_0_0"))[0]
            .starts_with("[{")
    );
}

#[test]
fn matomo_utf16_exports() {
    let Some(d) = import("platforms/matomo_live_visitlog_export_utf16le.csv") else {
        return;
    };
    assert_eq!(d.report.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(d.rows(), 2);
    assert_eq!(d.names().len(), 80);
    assert_eq!(d.names()[0], "idSite");
    assert_eq!(d.names()[79], "pluginsIcons_2_pluginName");
    assert_eq!(d.ty("firstActionTimestamp"), ColumnType::Timestamp);
    assert_eq!(ints(&d.col("firstActionTimestamp")).len(), 2);
    assert!(texts(&d.col("plugins"))
        .iter()
        .any(|p| p == "cookie, flash, java"));
    let Some(d) = import("platforms/matomo_visitssummary_export_de_utf16le.csv") else {
        return;
    };
    assert_eq!(d.rows(), 1);
    assert_eq!(d.names().len(), 12);
    assert_eq!(d.names()[5], "Absprünge");
    assert_eq!(d.ty("Absprungsrate"), ColumnType::Decimal);
    assert_eq!(floats(&d.col("Absprungsrate")), vec![1.0]);
}

#[test]
fn matomo_scheduled_report_sections() {
    let Some(root) = data_dir() else { return };
    let path = root.join("platforms/matomo_scheduled_report_month_multisection.csv");
    let tables = import::list_tables(&path, &ImportOptions::default()).unwrap();
    assert_eq!(tables.len(), 68);
    assert_eq!(tables[0].title.as_deref(), Some("All Websites dashboard"));
    let data: Vec<_> = tables.iter().filter(|t| t.columns.len() > 1).collect();
    assert_eq!(data.len(), 43);
    assert_eq!(data.iter().map(|t| t.rows).sum::<u64>(), 181);
    let page_urls = tables
        .iter()
        .position(|t| t.title.as_deref() == Some("Page URLs"))
        .unwrap();
    let Some(d) = import_with(
        "platforms/matomo_scheduled_report_month_multisection.csv",
        ImportOptions {
            table: Some(0),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 2);
    assert_eq!(d.ty("revenue"), ColumnType::Decimal);
    assert_eq!(d.ty("visits_evolution"), ColumnType::Decimal);
    assert_eq!(floats(&d.col("visits_evolution")), vec![1.0, 1.0]);
    let Some(d) = import_with(
        "platforms/matomo_scheduled_report_month_multisection.csv",
        ImportOptions {
            table: Some(page_urls),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.role("label"), Some(Role::Dimension));
    assert!(d.rows() > 0);
}

#[test]
fn matomo_gdpr_json_tables() {
    let Some(root) = data_dir() else { return };
    let path = root.join("platforms/matomo_gdpr_export_data_subject_all_visits.json");
    let tables = import::list_tables(&path, &ImportOptions::default()).unwrap();
    assert_eq!(tables.len(), 21);
    assert_eq!(tables.iter().map(|t| t.rows).sum::<u64>(), 1267);
    let rows_of = |name: &str| {
        tables
            .iter()
            .find(|t| t.title.as_deref() == Some(name))
            .unwrap()
            .rows
    };
    assert_eq!(rows_of("log_visit"), 224);
    assert_eq!(rows_of("log_link_visit_action"), 812);
    assert_eq!(rows_of("log_conversion"), 104);
    assert_eq!(rows_of("log_conversion_item"), 20);
    let Some(d) = import("platforms/matomo_gdpr_export_data_subject_all_visits.json") else {
        return;
    };
    assert_eq!(d.rows(), 812);
    assert_eq!(d.report.dataset.kind, DatasetKind::Events);
    assert_eq!(d.role_column(Role::User).as_deref(), Some("idvisitor"));
    assert_eq!(d.role_column(Role::Session).as_deref(), Some("idvisit"));
    assert_eq!(d.role_column(Role::Time).as_deref(), Some("server_time"));
    assert_eq!(distinct(&d.col("idvisitor")), 12);
    assert_eq!(distinct(&d.col("idvisit")), 224);
    let t = ints(&d.col("server_time"));
    assert_eq!(t.iter().min(), Some(&utc(2016, 12, 31, 8, 4, 4)));
    assert_eq!(t.iter().max(), Some(&utc(2017, 1, 11, 3, 10, 4)));
    let conv = tables
        .iter()
        .position(|t| t.title.as_deref() == Some("log_conversion"))
        .unwrap();
    let Some(d) = import_with(
        "platforms/matomo_gdpr_export_data_subject_all_visits.json",
        ImportOptions {
            table: Some(conv),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 104);
    assert_eq!(d.ty("revenue"), ColumnType::Decimal);
}

#[test]
fn plausible_keeps_empty_cells_null() {
    let Some(d) = import("platforms/plausible_export_visitors_30d.csv") else {
        return;
    };
    assert_eq!(d.rows(), 31);
    assert_eq!(
        d.names(),
        strs(&[
            "date",
            "visitors",
            "pageviews",
            "visits",
            "views_per_visit",
            "bounce_rate",
            "visit_duration"
        ])
    );
    assert_eq!(d.ty("date"), ColumnType::Date);
    assert_eq!(d.role("date"), Some(Role::Time));
    let dates = ints(&d.col("date"));
    assert_eq!(
        (dates[0], dates[30]),
        (days(2021, 9, 20), days(2021, 10, 20))
    );
    assert_eq!(d.ty("views_per_visit"), ColumnType::Decimal);
    assert_eq!(d.ty("bounce_rate"), ColumnType::Integer);
    // no-traffic days: bounce_rate and visit_duration empty, visitors 0
    let visitors = ints(&d.col("visitors"));
    let zero_days = visitors.iter().filter(|&&v| v == 0).count();
    assert!(zero_days > 0);
    assert_eq!(nulls(&d.col("bounce_rate")), zero_days);
    assert_eq!(nulls(&d.col("visit_duration")), zero_days);
}

#[test]
fn amplitude_chart_is_a_time_series() {
    let Some(d) = import("platforms/amplitude_chart_api_segmentation_5min.json") else {
        return;
    };
    assert_eq!(d.rows(), 464);
    assert_eq!(d.report.dataset.kind, DatasetKind::Metrics);
    assert_eq!(d.ty("time"), ColumnType::Timestamp);
    let t = ints(&d.col("time"));
    assert_eq!(t[0], utc(2022, 4, 4, 0, 0, 0));
    assert_eq!(t[463], utc(2022, 4, 5, 14, 35, 0));
    let v = ints(&d.col("series_1"));
    assert_eq!(v.iter().sum::<i64>(), 419);
    assert_eq!(v.iter().filter(|&&x| x != 0).count(), 84);
}

// ---- datasets -----------------------------------------------------------

#[test]
fn rees46_clickstream() {
    let Some(d) = import("datasets/rees46_ecommerce_events_2019-10_head.csv") else {
        return;
    };
    assert_eq!(d.rows(), 14_862);
    assert_eq!(
        d.names(),
        strs(&[
            "event_time",
            "event_type",
            "product_id",
            "category_id",
            "category_code",
            "brand",
            "price",
            "user_id",
            "user_session"
        ])
    );
    assert_eq!(d.report.dataset.kind, DatasetKind::Events);
    assert_eq!(d.role("event_time"), Some(Role::Time));
    assert_eq!(d.role("event_type"), Some(Role::Event));
    assert_eq!(d.role("user_id"), Some(Role::User));
    assert_eq!(d.role("user_session"), Some(Role::Session));
    assert_eq!(d.role("price"), Some(Role::Value));
    assert_eq!(d.role("product_id"), Some(Role::Item));
    assert_eq!(d.ty("category_id"), ColumnType::Text);
    let ev = d.col("event_type");
    assert_eq!(
        (
            count(&ev, "view"),
            count(&ev, "cart"),
            count(&ev, "purchase")
        ),
        (14_544, 140, 178)
    );
    let t = ints(&d.col("event_time"));
    assert_eq!(t.iter().min(), Some(&utc(2019, 10, 1, 0, 0, 0)));
    assert_eq!(t.iter().max(), Some(&utc(2019, 10, 1, 2, 45, 45)));
    assert_eq!(distinct(&d.col("user_id")), 3939);
    assert_eq!(distinct(&d.col("user_session")), 4420);
    assert_eq!(nulls(&d.col("category_code")), 4854);
    assert_eq!(nulls(&d.col("brand")), 2166);
}

#[test]
fn uci_online_shoppers() {
    let Some(d) = import("datasets/uci_online_shoppers_intention.csv") else {
        return;
    };
    assert_eq!(d.rows(), 12_330);
    assert_eq!(d.names().len(), 18);
    assert_eq!(d.names()[17], "Revenue");
    assert_eq!(d.ty("Revenue"), ColumnType::Boolean);
    assert_eq!(d.ty("Weekend"), ColumnType::Boolean);
    assert_eq!(d.ty("BounceRates"), ColumnType::Decimal);
    assert_eq!(d.ty("Month"), ColumnType::Text);
    assert_eq!(d.ty("Administrative_Duration"), ColumnType::Decimal);
    let rev = d.col("Revenue");
    let trues = (0..rev.len())
        .filter(|&i| rev.cell(i) == Cell::Bool(true))
        .count();
    assert_eq!(trues, 1908);
    let vt = d.col("VisitorType");
    assert_eq!(count(&vt, "Returning_Visitor"), 10_551);
    assert!(floats(&d.col("BounceRates")).contains(&9.83e-5));
}

#[test]
fn uci_online_retail_workbook() {
    let Some(d) = import("datasets/uci_online_retail_head.xlsx") else {
        return;
    };
    assert_eq!(d.report.sheet.as_deref(), Some("Online Retail"));
    assert_eq!(d.rows(), 5061);
    assert_eq!(
        d.names(),
        strs(&[
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country"
        ])
    );
    assert_eq!(d.ty("InvoiceNo"), ColumnType::Text);
    assert_eq!(d.ty("StockCode"), ColumnType::Text);
    assert_eq!(d.ty("InvoiceDate"), ColumnType::Timestamp);
    assert_eq!(d.ty("Quantity"), ColumnType::Integer);
    assert_eq!(d.ty("UnitPrice"), ColumnType::Decimal);
    assert_eq!(ints(&d.col("InvoiceDate"))[0], utc(2010, 12, 1, 8, 26, 0));
    assert!(texts(&d.col("InvoiceNo")).contains(&"C536379".to_string()));
    assert!(texts(&d.col("StockCode")).contains(&"85123A".to_string()));
    assert_eq!(nulls(&d.col("CustomerID")), 1205);
    assert_eq!(nulls(&d.col("Description")), 12);
    assert_eq!(
        ints(&d.col("Quantity")).iter().filter(|&&q| q < 0).count(),
        72
    );
    assert_eq!(d.role("CustomerID"), Some(Role::User));
    assert_eq!(d.role("InvoiceDate"), Some(Role::Time));
}

#[test]
fn superstore_legacy_xls() {
    let Some(root) = data_dir() else { return };
    let path = root.join("datasets/tableau_sample_superstore.xls");
    assert_eq!(
        import::list_sheets(&path).unwrap(),
        strs(&["Orders", "Returns", "People"])
    );
    let Some(d) = import("datasets/tableau_sample_superstore.xls") else {
        return;
    };
    assert_eq!(d.report.sheet.as_deref(), Some("Orders"));
    assert_eq!(d.rows(), 9994);
    assert_eq!(d.names().len(), 21);
    assert_eq!(d.names()[20], "Profit");
    assert_eq!(d.ty("Order Date"), ColumnType::Date);
    assert!(ints(&d.col("Order Date")).contains(&days(2016, 11, 8)));
    let od = ints(&d.col("Order Date"));
    assert_eq!(od.iter().min(), Some(&days(2014, 1, 3)));
    assert_eq!(od.iter().max(), Some(&days(2017, 12, 30)));
    assert_eq!(d.ty("Postal Code"), ColumnType::Text);
    assert!(texts(&d.col("Postal Code")).contains(&"05408".to_string()));
    assert_eq!(d.ty("Sales"), ColumnType::Decimal);
    assert_eq!(
        floats(&d.col("Profit"))
            .iter()
            .filter(|&&p| p < 0.0)
            .count(),
        1871
    );
    assert_eq!(distinct(&d.col("Order ID")), 5009);
    assert_eq!(distinct(&d.col("Customer ID")), 793);
    for (sheet, rows) in [("Returns", 296), ("People", 4)] {
        let Some(d) = import_with(
            "datasets/tableau_sample_superstore.xls",
            ImportOptions {
                sheet: Some(sheet.into()),
                ..Default::default()
            },
        ) else {
            return;
        };
        assert_eq!(d.rows(), rows, "{sheet}");
        assert_eq!(d.names().len(), 2);
    }
}

#[test]
fn olist_inconsistent_quoting() {
    let Some(d) = import("datasets/olist_orders_dataset_sample.csv") else {
        return;
    };
    assert_eq!(d.rows(), 4071);
    assert_eq!(d.names().len(), 8);
    assert_eq!(d.names()[0], "order_id");
    assert_eq!(d.ty("order_purchase_timestamp"), ColumnType::Timestamp);
    assert_eq!(nulls(&d.col("order_approved_at")), 8);
    assert_eq!(nulls(&d.col("order_delivered_carrier_date")), 60);
    assert_eq!(nulls(&d.col("order_delivered_customer_date")), 106);
    assert_eq!(count(&d.col("order_status"), "delivered"), 3965);
    assert_eq!(
        texts(&d.col("order_id"))[0],
        "e481f51cbdc54678b7cc49136f2d6af7"
    );
    assert_eq!(
        texts(&d.col("order_id"))[1],
        "53cdb2fc8bc7dce0b6741e2150273451"
    );
    let Some(d) = import("datasets/olist_customers_dataset_sample.csv") else {
        return;
    };
    assert_eq!(d.rows(), 200);
    assert_eq!(d.ty("customer_zip_code_prefix"), ColumnType::Text);
    assert_eq!(
        texts(&d.col("customer_zip_code_prefix"))
            .iter()
            .filter(|z| z.starts_with('0'))
            .count(),
        57
    );
    assert_eq!(count(&d.col("customer_state"), "SP"), 92);
}

#[test]
fn taobao_without_header() {
    let Some(d) = import("datasets/taobao_UserBehavior_sample.csv") else {
        return;
    };
    assert_eq!(d.rows(), 4321);
    assert_eq!(
        d.names(),
        strs(&[
            "user_id",
            "item_id",
            "category_id",
            "behavior_type",
            "timestamp"
        ])
    );
    assert_eq!(d.report.dataset.kind, DatasetKind::Events);
    assert_eq!(d.ty("timestamp"), ColumnType::Timestamp);
    assert_eq!(ints(&d.col("timestamp"))[0], 1_511_544_070 * 1_000_000);
    assert!(ints(&d.col("timestamp")).contains(&(1_505_117_799 * 1_000_000)));
    let b = d.col("behavior_type");
    assert_eq!(
        (
            count(&b, "pv"),
            count(&b, "cart"),
            count(&b, "fav"),
            count(&b, "buy")
        ),
        (3926, 190, 128, 77)
    );
    assert_eq!(d.role("user_id"), Some(Role::User));
    assert_eq!(d.role("behavior_type"), Some(Role::Event));
    assert_eq!(d.role("timestamp"), Some(Role::Time));
    assert_eq!(distinct(&d.col("user_id")), 43);
}

#[test]
fn udacity_ab_test_files() {
    let Some(root) = data_dir() else { return };
    let path = root.join("datasets/udacity_ab_test_results.xlsx");
    assert_eq!(
        import::list_sheets(&path).unwrap(),
        strs(&["Control", "Experiment"])
    );
    for sheet in ["Control", "Experiment"] {
        let Some(d) = import_with(
            "datasets/udacity_ab_test_results.xlsx",
            ImportOptions {
                sheet: Some(sheet.into()),
                ..Default::default()
            },
        ) else {
            return;
        };
        assert_eq!(d.rows(), 37, "{sheet}");
        assert_eq!(
            d.names(),
            strs(&["Date", "Pageviews", "Clicks", "Enrollments", "Payments"])
        );
        assert_eq!(d.ty("Date"), ColumnType::Text);
        assert_eq!(texts(&d.col("Date"))[0], "Sat, Oct 11");
        assert_eq!(d.ty("Pageviews"), ColumnType::Integer);
        assert_eq!(nulls(&d.col("Enrollments")), 14);
        // Experiment!E39 holds the analyst's formula C40+28378 (56703)
        let payments_empty = if sheet == "Control" { 14 } else { 13 };
        assert_eq!(nulls(&d.col("Payments")), payments_empty);
        assert_eq!(nulls(&d.col("Date")), 0);
    }
    let Some(d) = import("datasets/udacity_ab_test_baseline_values.csv") else {
        return;
    };
    assert_eq!(d.rows(), 7);
    assert_eq!(d.names().len(), 7);
    assert_eq!(d.names()[0], "column_1");
    assert_eq!(
        texts(&d.col("column_1"))[1],
        "Unique cookies to click \"Start free trial\" per day:"
    );
    assert_eq!(floats(&d.col("column_2"))[0], 40_000.0);
    assert_eq!(d.report.tables, 2);
}

#[test]
fn analyst_workbooks() {
    let Some(root) = data_dir() else { return };
    let path = root.join("datasets/ga4_funnel_by_country_workbook.xlsx");
    assert_eq!(
        import::list_sheets(&path).unwrap(),
        strs(&[
            "Graded Task",
            "Funnel Overview",
            "Funnel Queries",
            "Alternative solutions"
        ])
    );
    let Some(d) = import_with(
        "datasets/ga4_funnel_by_country_workbook.xlsx",
        ImportOptions {
            sheet: Some("Funnel Overview".into()),
            ..Default::default()
        },
    ) else {
        return;
    };
    assert_eq!(d.rows(), 6);
    assert_eq!(
        d.names(),
        strs(&[
            "event_order",
            "event_name",
            "USA",
            "India",
            "Canada",
            "full_perc",
            "First_category_perc_drop",
            "Sec_category_perc_drop",
            "Third_category_perc_drop"
        ])
    );
    assert_eq!(
        texts(&d.col("event_name")),
        strs(&[
            "first_visit",
            "user_engagement",
            "view_item",
            "add_to_cart",
            "begin_checkout",
            "purchase"
        ])
    );
    assert_eq!(d.role("event_name"), Some(Role::Event));
    // F3 is a numeric 1 (100 %), F4:F8 text percentages: all fractions
    assert_eq!(d.ty("full_perc"), ColumnType::Decimal);
    let f = floats(&d.col("full_perc"));
    assert_eq!(f[0], 1.0);
    assert!((f[1] - 0.829).abs() < 1e-9, "{f:?}");
    assert!(
        (f[2] - 0.2885).abs() < 1e-9 || (f[2] - 0.2887).abs() < 1e-9,
        "{f:?}"
    );
    assert!((f[5] - 0.4541).abs() < 1e-9, "{f:?}");

    let path = root.join("datasets/ecommerce_page_funnel_workbook.xlsx");
    assert_eq!(
        import::list_sheets(&path).unwrap(),
        strs(&[
            "user_table",
            "home_page",
            "search_page",
            "confirmation_page",
            "payment_page",
            "Funnel Summary"
        ])
    );
    for (sheet, rows) in [
        ("user_table", 1000),
        ("home_page", 1000),
        ("search_page", 550),
        ("payment_page", 220),
        ("confirmation_page", 121),
    ] {
        let Some(d) = import_with(
            "datasets/ecommerce_page_funnel_workbook.xlsx",
            ImportOptions {
                sheet: Some(sheet.into()),
                ..Default::default()
            },
        ) else {
            return;
        };
        assert_eq!(d.rows(), rows, "{sheet}");
        assert_eq!(d.names()[0], "user_id", "{sheet}");
        assert_eq!(d.ty("user_id"), ColumnType::Integer);
        assert!(
            !d.names()
                .iter()
                .any(|n| n == "Row Labels" || n.starts_with("Count of")),
            "{sheet}: {:?}",
            d.names()
        );
        if sheet != "user_table" {
            assert_eq!(d.names()[1], "timestamp");
            assert_eq!(d.ty("timestamp"), ColumnType::Timestamp, "{sheet}");
        } else {
            assert_eq!(
                d.names(),
                strs(&[
                    "user_id",
                    "gender",
                    "age",
                    "country",
                    "device",
                    "traffic_source"
                ])
            );
        }
    }
    let Some(d) = import("datasets/ab_test_arppu_pivot_ru.xlsx") else {
        return;
    };
    assert_eq!(d.report.sheet.as_deref(), Some("ab_stats"));
    assert_eq!(d.rows(), 23_652);
    assert_eq!(
        d.names(),
        strs(&[
            "revenue",
            "num_purchases",
            "purchase",
            "ab_group",
            "av_site visit"
        ])
    );
    assert_eq!(ints(&d.col("purchase")).iter().sum::<i64>(), 490);
    assert_eq!(count(&d.col("ab_group"), "A"), 11_835);
    assert_eq!(d.ty("revenue"), ColumnType::Decimal);
    let Some(d) = import("datasets/superpy_sales_nl.ods") else {
        return;
    };
    assert_eq!(d.rows(), 8);
    assert_eq!(
        d.names(),
        strs(&["id", "bought_price", "bougt_id", "sell_date", "sell_price"])
    );
    assert_eq!(d.ty("sell_date"), ColumnType::Date);
    assert!(ints(&d.col("sell_date")).contains(&days(2023, 9, 5)));
    assert_eq!(d.ty("bought_price"), ColumnType::Decimal);
    assert!(
        floats(&d.col("bought_price")).contains(&3.5)
            || floats(&d.col("sell_price")).contains(&3.5)
    );
}

#[test]
fn every_file_imports_or_is_refused_with_a_reason() {
    let Some(root) = data_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let mut n = 0;
    for sub in ["ga", "platforms", "datasets"] {
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = e.unwrap().path();
            let opts = ImportOptions {
                name: Some(format!("{sub}/{}", import::default_name(&path))),
                ..Default::default()
            };
            let info = import::import_file(&mut ws, &path, &opts, &mut Job::silent())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(info.rows > 0);
            n += 1;
        }
    }
    assert_eq!(n, 35);
    assert_eq!(ws.datasets().unwrap().len(), 35);
}

#[test]
fn a_missing_real_data_folder_fails_under_ci() {
    let gone = Path::new("/nonexistent/stepwise-real-data");
    let e = common::real::present_or_skip(gone, true).unwrap_err();
    assert!(e.contains("under CI") && e.contains("/nonexistent"), "{e}");
    assert_eq!(common::real::present_or_skip(gone, false), Ok(None));
    let here = common::real::real_data_path();
    if here.join("SOURCES.md").is_file() {
        assert_eq!(common::real::present_or_skip(&here, true), Ok(Some(here)));
    }
}
