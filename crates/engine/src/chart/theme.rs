//! Colours (UI.md "Colour"): the Okabe–Ito palette for series, one accent for
//! the bottleneck, neutral grey backgrounds; light for print, dark for screen.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Okabe–Ito: colour-blind safe and distinct in grey.
pub const OKABE_ITO: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

/// Series past the eight Okabe–Ito colours (a breakdown with many values):
/// further colours distinct from those and from each other (Paul Tol's
/// muted and light schemes), so no two series share a colour up to 20.
pub const EXTRA: [&str; 12] = [
    "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#AA4499", "#882255",
    "#6699CC", "#EE8866", "#BBCC33", "#FFAABB",
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

    /// The colour of series `i`: the palette, then the extra colours
    /// (cycling only past all of them).
    pub fn series(&self, i: usize) -> &'static str {
        let k = i % (self.palette.len() + EXTRA.len());
        self.palette
            .get(k)
            .copied()
            .unwrap_or_else(|| EXTRA[k - self.palette.len()])
    }

    /// Colours for series that may ask for their own (a persona's colour):
    /// a request that is one of the palette's colours (any case) gets it, as
    /// this theme draws it; every other series takes, in order, the palette
    /// colours nobody asked for, then the extra ones, so two series share a
    /// colour only past twenty.
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
                        self.series(self.palette.len() + spare - 1)
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
    }

    #[test]
    fn a_breakdown_of_eleven_or_twenty_series_has_a_colour_each() {
        for name in [ThemeName::Light, ThemeName::Dark] {
            let th = Theme::get(name);
            for n in [11, 20] {
                let c = th.series_colours(&vec![None; n]);
                let distinct: std::collections::HashSet<_> = c.iter().collect();
                assert_eq!(distinct.len(), n, "{name:?}, {n} series: {c:?}");
                // the eight Okabe–Ito colours first, as before
                assert_eq!(&c[..8], &th.palette[..]);
            }
            // a persona asked for blue: the others still never share a colour
            let mut wanted = vec![None; 11];
            wanted[3] = Some("#0072B2");
            let c = th.series_colours(&wanted);
            let distinct: std::collections::HashSet<_> = c.iter().collect();
            assert_eq!(distinct.len(), 11, "{c:?}");
            // past twenty, colours repeat
            assert_eq!(th.series(20), th.series(0));
        }
    }
}
