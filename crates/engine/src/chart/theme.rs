//! Colours (UI.md "Colour"): the Okabe–Ito palette for series, one accent for
//! the bottleneck, neutral grey backgrounds; light for print, dark for screen.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Okabe–Ito: colour-blind safe and distinct in grey.
pub const OKABE_ITO: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

/// The accent for the bottleneck / largest drop.
pub const ACCENT: &str = "#D55E00";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ThemeName {
    Light,
    Dark,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub background: &'static str,
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    pub axis: &'static str,
    /// Fill of the part of a bar that was lost (the drop).
    pub ghost: &'static str,
    /// Colour of a result that is not significant.
    pub neutral: &'static str,
    pub palette: [&'static str; 8],
    pub accent: &'static str,
}

impl Theme {
    pub fn get(name: ThemeName) -> Theme {
        match name {
            ThemeName::Light => Theme {
                background: "#FFFFFF",
                text: "#1F1F1F",
                muted: "#5C5C5C",
                grid: "#E6E6E6",
                axis: "#8C8C8C",
                ghost: "#ECECEC",
                neutral: "#9A9A9A",
                palette: OKABE_ITO,
                accent: ACCENT,
            },
            ThemeName::Dark => {
                let mut palette = OKABE_ITO;
                // Black would vanish on a dark background.
                palette[7] = "#E6E6E6";
                Theme {
                    background: "#1E1E1E",
                    text: "#EDEDED",
                    muted: "#B0B0B0",
                    grid: "#363636",
                    axis: "#7A7A7A",
                    ghost: "#2E2E2E",
                    neutral: "#8A8A8A",
                    palette,
                    accent: ACCENT,
                }
            }
        }
    }

    /// The colour of series `i` (cycling through the palette).
    pub fn series(&self, i: usize) -> &'static str {
        self.palette[i % self.palette.len()]
    }
}
