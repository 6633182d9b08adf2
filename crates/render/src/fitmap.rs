//! Fit-map colours: a diverging orange–neutral–blue ramp (Okabe–Ito hues), readable with
//! the common colour-vision deficiencies because it varies in lightness, not red vs green.

/// Ramp stops: (ease in cm, linear RGB, legend label). Tight is warm, loose is cool.
pub const STOPS: [(f32, [f32; 3], &str); 5] = [
    (-2.0, [0.672, 0.111, 0.0], "too tight"),
    (0.0, [0.792, 0.347, 0.0], "snug"),
    (2.0, [0.88, 0.88, 0.86], "good"),
    (6.0, [0.090, 0.456, 0.807], "relaxed"),
    (12.0, [0.0, 0.168, 0.445], "too loose"),
];

/// Linear RGB of the fit map for a signed ease (cm; negative = the body presses the cloth).
pub fn ease_color(ease_cm: f32) -> [f32; 3] {
    let e = if ease_cm.is_finite() { ease_cm } else { 0.0 };
    if e <= STOPS[0].0 {
        return STOPS[0].1;
    }
    // Exact stops return their colour exactly (interpolating at t = 1 would round).
    if let Some((_, c, _)) = STOPS.iter().find(|(s, _, _)| *s == e) {
        return *c;
    }
    for w in STOPS.windows(2) {
        let (a, ca, _) = w[0];
        let (b, cb, _) = w[1];
        if e <= b {
            let t = (e - a) / (b - a);
            return [0, 1, 2].map(|i| ca[i] + (cb[i] - ca[i]) * t);
        }
    }
    STOPS[STOPS.len() - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_hits_stops_and_clamps() {
        for (e, c, _) in STOPS {
            assert_eq!(ease_color(e), c);
        }
        assert_eq!(ease_color(-50.0), STOPS[0].1);
        assert_eq!(ease_color(50.0), STOPS[4].1);
        assert_eq!(ease_color(f32::NAN), STOPS[1].1);
    }

    #[test]
    fn lightness_separates_tight_from_loose() {
        // Relative luminance must differ across the ramp's ends and middle, so the map
        // reads without hue (deuteranopia/protanopia safe).
        let lum = |c: [f32; 3]| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        let good = lum(ease_color(2.0));
        assert!(good > lum(ease_color(-2.0)) + 0.4);
        assert!(good > lum(ease_color(12.0)) + 0.4);
    }
}
