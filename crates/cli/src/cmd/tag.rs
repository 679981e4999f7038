//! `stepwise tag DATASET [EVENT micro|macro|none] [--json]`: tags an event of
//! a dataset a micro or macro conversion (or removes its tag); without an
//! event, lists the dataset's tags. The app's Impact screen confirms the
//! same tags (docs/impact.md, "Micro and macro conversions").

use crate::util::print_json;
use std::path::PathBuf;
use stepwise_engine::model::EventTag;
use stepwise_engine::Error;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// A small step that goes with reaching a goal (add to cart, use a filter).
    Micro,
    /// A goal (purchase, sign-up).
    Macro,
    /// Remove the event's tag.
    None,
}

#[derive(clap::Args)]
pub struct Args {
    dataset: String,
    /// The event to tag (its name in the dataset's event column).
    #[arg(requires = "kind")]
    event: Option<String>,
    kind: Option<Kind>,
    #[arg(long)]
    json: bool,
}

pub fn run(workspace: &Option<PathBuf>, args: Args) -> Result<(), Error> {
    let mut ws = crate::open(workspace)?;
    if let (Some(event), Some(kind)) = (&args.event, args.kind) {
        let tag = match kind {
            Kind::Micro => Some(EventTag::Micro),
            Kind::Macro => Some(EventTag::Macro),
            Kind::None => None,
        };
        ws.set_event_tag(&args.dataset, event, tag)?;
    } else {
        ws.dataset(&args.dataset)?;
    }
    let tags = ws.event_tags(&args.dataset)?;
    if args.json {
        print_json(&tags);
    } else if tags.is_empty() {
        println!("No event of \"{}\" is tagged.", args.dataset);
    } else {
        for t in &tags {
            println!("{:<6} {}", t.tag.as_str(), t.event);
        }
    }
    Ok(())
}
