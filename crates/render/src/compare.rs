//! Image comparison for render tests: per-channel tolerance plus a budget of outlier pixels,
//! the scheme wgpu's and Ruffle's image tests use. Pure logic on RGBA8 buffers.

/// How different two renders may be and still count as equal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// A pixel is an outlier when any channel differs by more than this.
    pub per_channel: u8,
    /// Largest allowed share of outlier pixels (0..1).
    pub max_outlier_fraction: f64,
    /// Largest allowed mean absolute channel difference over the image (0..255).
    pub max_mean_error: f64,
}

impl Default for Tolerance {
    /// Tolerant of rasteriser and driver rounding, strict about moved or missing geometry.
    fn default() -> Self {
        Tolerance {
            per_channel: 12,
            max_outlier_fraction: 0.005,
            max_mean_error: 1.5,
        }
    }
}

/// Result of comparing an actual image with the expected one.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Pixels with a channel difference above the tolerance.
    pub outliers: usize,
    /// Pixels compared.
    pub total: usize,
    /// Largest channel difference seen.
    pub max_diff: u8,
    /// Mean absolute channel difference (RGB).
    pub mean_error: f64,
    /// Whether the images match under the tolerance.
    pub passed: bool,
    /// Visual difference: the expected image faded, outliers in magenta (RGBA8).
    pub diff_rgba: Vec<u8>,
}

/// Compares two RGBA8 images of size `width × height`.
pub fn compare(
    expected: &[u8],
    actual: &[u8],
    width: u32,
    height: u32,
    tol: Tolerance,
) -> Result<Comparison, String> {
    let n = width as usize * height as usize;
    if expected.len() != n * 4 || actual.len() != n * 4 {
        return Err(format!(
            "size mismatch: expected {} bytes for {width}×{height}, got {} and {}",
            n * 4,
            expected.len(),
            actual.len()
        ));
    }
    let mut outliers = 0;
    let mut max_diff = 0u8;
    let mut sum = 0u64;
    let mut diff_rgba = Vec::with_capacity(n * 4);
    for (e, a) in expected.chunks_exact(4).zip(actual.chunks_exact(4)) {
        let d = (0..3).map(|c| e[c].abs_diff(a[c])).max().unwrap_or(0);
        sum += (0..3).map(|c| u64::from(e[c].abs_diff(a[c]))).sum::<u64>();
        max_diff = max_diff.max(d);
        if d > tol.per_channel {
            outliers += 1;
            diff_rgba.extend_from_slice(&[255, 0, 255, 255]);
        } else {
            let g = (u16::from(e[0]) + u16::from(e[1]) + u16::from(e[2])) / 3;
            let g = (128 + g / 2) as u8;
            diff_rgba.extend_from_slice(&[g, g, g, 255]);
        }
    }
    let mean_error = sum as f64 / (n.max(1) * 3) as f64;
    let passed = (outliers as f64) <= tol.max_outlier_fraction * n as f64
        && mean_error <= tol.max_mean_error;
    Ok(Comparison {
        outliers,
        total: n,
        max_diff,
        mean_error,
        passed,
        diff_rgba,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(w: u32, h: u32, v: u8) -> Vec<u8> {
        vec![v; (w * h * 4) as usize]
    }

    #[test]
    fn identical_images_pass() {
        let a = img(8, 8, 100);
        let c = compare(&a, &a, 8, 8, Tolerance::default()).unwrap();
        assert!(c.passed);
        assert_eq!(c.outliers, 0);
        assert_eq!(c.max_diff, 0);
    }

    #[test]
    fn small_noise_passes_moved_geometry_fails() {
        let a = img(100, 100, 100);
        let mut b = a.clone();
        for px in b.chunks_exact_mut(4).step_by(7) {
            px[0] += 5;
        }
        assert!(
            compare(&a, &b, 100, 100, Tolerance::default())
                .unwrap()
                .passed
        );
        let mut c = a.clone();
        for px in c.chunks_exact_mut(4).take(200) {
            px[1] = 0;
        }
        let r = compare(&a, &c, 100, 100, Tolerance::default()).unwrap();
        assert!(!r.passed);
        assert_eq!(r.outliers, 200);
        assert_eq!(&r.diff_rgba[0..4], &[255, 0, 255, 255]);
    }

    #[test]
    fn size_mismatch_is_an_error() {
        assert!(compare(&img(2, 2, 0), &img(3, 2, 0), 2, 2, Tolerance::default()).is_err());
    }
}
