//! Small dense linear algebra on row-major `Vec<f64>` matrices (n ≤ a few dozen).
//!
//! Hand-written so the predictor has no heavy dependency and compiles to wasm as is.

/// Cholesky factor `L` (lower triangular, row-major) of a symmetric positive definite `a`.
///
/// Returns `None` when `a` is not positive definite (or not `n × n`).
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    if a.len() != n * n {
        return None;
    }
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Cholesky with a growing diagonal jitter for matrices that are PSD up to rounding.
pub fn cholesky_jitter(a: &[f64], n: usize) -> Option<Vec<f64>> {
    if let Some(l) = cholesky(a, n) {
        return Some(l);
    }
    let scale = (0..n)
        .map(|i| a[i * n + i].abs())
        .fold(0.0, f64::max)
        .max(1e-300);
    let mut eps = scale * 1e-12;
    for _ in 0..8 {
        let mut b = a.to_vec();
        for i in 0..n {
            b[i * n + i] += eps;
        }
        if let Some(l) = cholesky(&b, n) {
            return Some(l);
        }
        eps *= 10.0;
    }
    None
}

/// Solves `L y = b` for lower-triangular `L`.
pub fn forward(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; n];
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * n + k] * y[k];
        }
        y[i] = s / l[i * n + i];
    }
    y
}

/// Solves `Lᵀ x = y` for lower-triangular `L`.
pub fn backward(l: &[f64], n: usize, y: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = y[i];
        for k in i + 1..n {
            s -= l[k * n + i] * x[k];
        }
        x[i] = s / l[i * n + i];
    }
    x
}

/// Solves `A x = b` given the Cholesky factor `L` of `A`.
pub fn chol_solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    backward(l, n, &forward(l, n, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_spd_system() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let l = cholesky(&a, 3).unwrap();
        let x = chol_solve(&l, 3, &[1.0, 2.0, 3.0]);
        for i in 0..3 {
            let r: f64 = (0..3).map(|j| a[i * 3 + j] * x[j]).sum();
            assert!((r - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
        }
        // L Lᵀ reproduces A.
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
                assert!((s - a[i * 3 + j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn rejects_indefinite() {
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        assert!(cholesky(&[f64::NAN], 1).is_none());
        assert!(cholesky(&[1.0, 0.0], 2).is_none());
        // Singular PSD: plain fails, jitter succeeds.
        assert!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2).is_none());
        assert!(cholesky_jitter(&[1.0, 1.0, 1.0, 1.0], 2).is_some());
    }
}
