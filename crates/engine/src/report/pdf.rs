//! PDF assembly: each page's SVG becomes a vector XObject (svg2pdf, text kept
//! as text with the font subset embedded), placed on a page of its own, plus
//! document outline (bookmarks) and links from the table of contents.

use std::collections::HashMap;

use pdf_writer::types::{ActionType, AnnotationType, PageMode};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, TextStr};

use super::{RenderedReport, ReportDocument};
use crate::chart::export;
use crate::{Error, Result};

/// A page as a PDF chunk and the id of its form XObject in that chunk.
type Converted = (pdf_writer::Chunk, Ref);

/// Each page's SVG made into a PDF chunk (its own numbering, renumbered
/// when assembled). The pages are independent, so they are converted on
/// one thread per core, every thread taking every n-th page; the chunks
/// are the same as one thread's, in page order.
fn convert_pages(report: &RenderedReport, threads: Option<usize>) -> Result<Vec<Converted>> {
    let convert = |i: usize| -> Result<Converted> {
        let tree = export::parse(&report.pages[i].svg)?;
        svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| Error::Invalid(format!("page {} could not be made into PDF: {e}", i + 1)))
    };
    let n = report.pages.len();
    let threads = threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|t| t.get())
                .unwrap_or(1)
                .min(8)
        })
        .min(n);
    if threads <= 1 {
        return (0..n).map(convert).collect();
    }
    let mut out: Vec<Option<Result<Converted>>> = (0..n).map(|_| None).collect();
    let parts: Vec<Vec<(usize, Result<Converted>)>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let convert = &convert;
                sc.spawn(move || {
                    (t..n)
                        .step_by(threads)
                        .map(|i| (i, convert(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (i, r) in parts.into_iter().flatten() {
        out[i] = Some(r);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                Err(Error::Internal(format!(
                    "page {} could not be made into PDF (a thread stopped)",
                    i + 1
                )))
            })
        })
        .collect()
}

/// The PDF of rendered pages, converted on `threads` threads (`None`: one
/// per core); the result does not depend on it.
pub(crate) fn assemble(
    doc: &ReportDocument,
    report: &RenderedReport,
    threads: Option<usize>,
) -> Result<Vec<u8>> {
    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let tree_id = alloc.bump();
    let outline_id = alloc.bump();
    let info_id = alloc.bump();
    let n = report.pages.len();
    let page_ids: Vec<Ref> = (0..n).map(|_| alloc.bump()).collect();
    let mut pdf = Pdf::new();

    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(tree_id);
    if !report.toc.is_empty() {
        catalog.outlines(outline_id);
        catalog.page_mode(PageMode::UseOutlines);
    }
    catalog.finish();
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(n as i32);

    let name = Name(b"P");
    crate::job::step("Making the PDF", 0, n as u64)?;
    let mut converted = convert_pages(report, threads)?.into_iter();
    crate::job::checkpoint()?;
    for (i, page) in report.pages.iter().enumerate() {
        let (chunk, svg_id) = converted
            .next()
            .ok_or_else(|| Error::Internal("a page was not converted".into()))?;
        let mut map = HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let svg_id = *map
            .get(&svg_id)
            .ok_or_else(|| Error::Invalid(format!("page {} could not be made into PDF", i + 1)))?;
        let content_id = alloc.bump();
        let (w, h) = (page.width as f32, page.height as f32);
        let link_ids: Vec<Ref> = page.links.iter().map(|_| alloc.bump()).collect();

        let mut p = pdf.page(page_ids[i]);
        p.media_box(Rect::new(0.0, 0.0, w, h));
        p.parent(tree_id);
        p.contents(content_id);
        p.resources().x_objects().pair(name, svg_id);
        if !link_ids.is_empty() {
            p.annotations(link_ids.iter().copied());
        }
        p.finish();

        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
        content.x_object(name);
        content.restore_state();
        pdf.stream(content_id, &content.finish());
        pdf.extend(&chunk);

        for (link, id) in page.links.iter().zip(&link_ids) {
            let [x0, y0, x1, y1] = link.rect;
            let target = page_ids.get(link.target).copied().unwrap_or(page_ids[0]);
            let mut a = pdf.annotation(*id);
            a.subtype(AnnotationType::Link);
            a.rect(Rect::new(
                x0 as f32,
                h - y1 as f32,
                x1 as f32,
                h - y0 as f32,
            ));
            a.border(0.0, 0.0, 0.0, None);
            a.action()
                .action_type(ActionType::GoTo)
                .destination()
                .page(target)
                .xyz(0.0, h, None);
            a.finish();
        }
    }

    if !report.toc.is_empty() {
        let item_ids: Vec<Ref> = report.toc.iter().map(|_| alloc.bump()).collect();
        pdf.outline(outline_id)
            .first(item_ids[0])
            .last(*item_ids.last().expect("non-empty"))
            .count(item_ids.len() as i32);
        for (k, e) in report.toc.iter().enumerate() {
            let mut item = pdf.outline_item(item_ids[k]);
            item.title(TextStr(&e.title));
            item.parent(outline_id);
            if k > 0 {
                item.prev(item_ids[k - 1]);
            }
            if k + 1 < item_ids.len() {
                item.next(item_ids[k + 1]);
            }
            let h = report.pages.get(e.page).map(|p| p.height).unwrap_or(842.0) as f32;
            item.dest()
                .page(page_ids.get(e.page).copied().unwrap_or(page_ids[0]))
                .xyz(0.0, h, None);
        }
    }

    let mut info = pdf.document_info(info_id);
    info.title(TextStr(&doc.title));
    info.producer(TextStr("Stepwise"));
    info.creator(TextStr("Stepwise"));
    if let Some(c) = &doc.client {
        info.subject(TextStr(&format!("Prepared for {c}")));
    }
    info.finish();
    Ok(pdf.finish())
}
