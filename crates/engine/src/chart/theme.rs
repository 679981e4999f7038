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

    /// Colours for series that may ask for their own (a persona's colour):
    /// a request that is one of the palette's colours (any case) gets it, as
    /// this theme draws it; every other series takes, in order, the palette
    /// colours nobody asked for, so two series share a colour only past eight.
    pub fn series_colours(&self, wanted: &[Option<&str>]) -> Vec<&'static str> {
        let slot = |w: Option<&str>| {
            let w = w?;
            OKABE_ITO
                .iter()
                .position(|c| c.eq_ignore_ascii_case(w.trim()))
        };
        let asked: Vec<Option<usize>> = wanted.iter().map(|w| slot(*w)).collect();
        let mut free = (0..self.palette.len()).filter(|k| !asked.contains(&Some(*k)));
        let mut spare = 0usize;
        asked
            .iter()
            .map(|a| match a {
                Some(k) => self.palette[*k],
                None => match free.next() {
                    Some(k) => self.palette[k],
                    None => {
                        spare += 1;
                        self.series(spare - 1)
                    }
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod series_colour_tests {
    use super::*;

    #[test]
    fn asked_colours_are_kept_and_the_rest_take_the_unused_ones() {
        let th = Theme::get(ThemeName::Light);
        // a persona asked for orange, another for blue; the third (everyone
        // else) takes the first colour nobody asked for: green
        assert_eq!(
            th.series_colours(&[Some("#e69f00"), Some("#0072B2"), None]),
            ["#E69F00", "#0072B2", "#009E73"]
        );
        // nothing asked: the palette in order, as `series`
        assert_eq!(
            th.series_colours(&[None, None, None]),
            [th.series(0), th.series(1), th.series(2)]
        );
        // not a palette colour (or not a colour at all): treated as unasked
        assert_eq!(
            th.series_colours(&[Some("#123456"), Some("red\"/><script>")]),
            [th.series(0), th.series(1)]
        );
        // black on a dark background is drawn light
        let dark = Theme::get(ThemeName::Dark);
        assert_eq!(dark.series_colours(&[Some("#000000")]), ["#E6E6E6"]);
        // past eight series, colours repeat
        let many = th.series_colours(&[None; 10]);
        assert_eq!(many[8], th.series(0));
    }
}
