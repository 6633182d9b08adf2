//! Textures on the CPU side: validated RGBA8 images, PNG decoding (native), mip chains,
//! tangents for normal mapping and the procedural fabric detail maps.
//!
//! Everything here is pure logic on byte buffers; uploading is the renderer's job. Browsers
//! decode images themselves (`createImageBitmap`), so the web build needs no decoder.

/// Largest texture side accepted from a file (glTF textures, decoded images).
pub const MAX_TEXTURE_SIDE: u32 = 4096;

/// Why a texture could not be used. The renderer then falls back to the factor colour.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextureError {
    /// Width or height is zero or above [`MAX_TEXTURE_SIDE`].
    #[error("texture is {width}×{height}; each side must be 1–{max} pixels", max = MAX_TEXTURE_SIDE)]
    BadSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The pixel buffer does not hold `width × height × 4` bytes.
    #[error("texture data has {got} bytes; {width}×{height} RGBA8 needs {need}")]
    BadLength {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        need: usize,
    },
    /// A file format this build cannot decode.
    #[error("unsupported image format ({0}); use PNG")]
    Unsupported(String),
    /// A file that claims a supported format but cannot be read.
    #[error("corrupt or truncated image: {0}")]
    Corrupt(String),
}

/// An RGBA8 image (row-major, top row first) of validated size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextureImage {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl TextureImage {
    /// Wraps RGBA8 pixels after checking the size (1–[`MAX_TEXTURE_SIDE`] per side) and
    /// the buffer length.
    pub fn from_rgba(width: u32, height: u32, rgba: Vec<u8>) -> Result<Self, TextureError> {
        if width == 0 || height == 0 || width > MAX_TEXTURE_SIDE || height > MAX_TEXTURE_SIDE {
            return Err(TextureError::BadSize { width, height });
        }
        let need = width as usize * height as usize * 4;
        if rgba.len() != need {
            return Err(TextureError::BadLength {
                width,
                height,
                got: rgba.len(),
                need,
            });
        }
        Ok(TextureImage {
            width,
            height,
            rgba,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The RGBA8 pixels.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Half-size box-filtered copy (odd sides round up). `srgb` filters in linear light,
    /// which keeps colour textures from darkening in their mips.
    pub fn half(&self, srgb: bool) -> TextureImage {
        let (w, h) = (
            self.width.div_ceil(2).max(1),
            self.height.div_ceil(2).max(1),
        );
        let mut out = vec![0u8; (w * h * 4) as usize];
        for y in 0..h {
            for x in 0..w {
                let mut acc = [0f32; 4];
                let mut n = 0f32;
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (sx, sy) = (2 * x + dx, 2 * y + dy);
                    if sx >= self.width || sy >= self.height {
                        continue;
                    }
                    let i = ((sy * self.width + sx) * 4) as usize;
                    for (c, a) in acc.iter_mut().enumerate() {
                        let v = f32::from(self.rgba[i + c]) / 255.0;
                        *a += if srgb && c < 3 { srgb_to_linear(v) } else { v };
                    }
                    n += 1.0;
                }
                let o = ((y * w + x) * 4) as usize;
                for (c, a) in acc.iter().enumerate() {
                    let v = a / n;
                    let v = if srgb && c < 3 { linear_to_srgb(v) } else { v };
                    out[o + c] = (v * 255.0).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        TextureImage {
            width: w,
            height: h,
            rgba: out,
        }
    }

    /// Halves until both sides are at most `max` (for devices with a smaller limit than
    /// [`MAX_TEXTURE_SIDE`], such as WebGL2's 2048).
    pub fn fit_within(self, max: u32, srgb: bool) -> TextureImage {
        let mut img = self;
        while img.width > max.max(1) || img.height > max.max(1) {
            img = img.half(srgb);
        }
        img
    }

    /// The full mip chain, this image first, down to 1×1.
    pub fn mip_chain(&self, srgb: bool) -> Vec<TextureImage> {
        let mut chain = vec![self.clone()];
        while let Some(last) = chain.last() {
            if last.width == 1 && last.height == 1 {
                break;
            }
            let next = last.half(srgb);
            chain.push(next);
        }
        chain
    }
}

fn srgb_to_linear(v: f32) -> f32 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(v: f32) -> f32 {
    if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Names the format of image bytes from their signature (for messages and dispatch).
pub fn sniff_format(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpeg"
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "webp"
    } else if bytes.starts_with(b"GIF8") {
        "gif"
    } else if bytes.starts_with(b"BM") {
        "bmp"
    } else if bytes.len() >= 12 && &bytes[4..12] == b"ftypavif" {
        "avif"
    } else if bytes.starts_with(&[0xAB, b'K', b'T', b'X']) {
        "ktx2"
    } else {
        "unknown"
    }
}

/// Decodes a PNG (any bit depth and colour type) into RGBA8. JPEG and other formats are
/// reported as unsupported; absurd sizes are refused before any pixel is decoded.
#[cfg(feature = "native")]
pub fn decode_image(bytes: &[u8]) -> Result<TextureImage, TextureError> {
    let fmt = sniff_format(bytes);
    if fmt != "png" {
        return Err(TextureError::Unsupported(match fmt {
            "jpeg" => "JPEG textures are not decoded natively yet".to_string(),
            other => other.to_string(),
        }));
    }
    // Refuse absurd sizes from the header (IHDR is the first chunk) before decoding.
    if let Some(ihdr) = bytes.get(16..24) {
        let w = u32::from_be_bytes([ihdr[0], ihdr[1], ihdr[2], ihdr[3]]);
        let h = u32::from_be_bytes([ihdr[4], ihdr[5], ihdr[6], ihdr[7]]);
        if w == 0 || h == 0 || w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE {
            return Err(TextureError::BadSize {
                width: w,
                height: h,
            });
        }
    }
    let corrupt = |e: png::DecodingError| TextureError::Corrupt(e.to_string());
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Palette → RGB, 16 → 8 bit, gray/alpha expanded below.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let (w, h) = {
        let info = reader.info();
        (info.width, info.height)
    };
    if w == 0 || h == 0 || w > MAX_TEXTURE_SIDE || h > MAX_TEXTURE_SIDE {
        return Err(TextureError::BadSize {
            width: w,
            height: h,
        });
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| TextureError::Corrupt("image too large".into()))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(corrupt)?;
    buf.truncate(frame.buffer_size());
    let px = (w * h) as usize;
    let rgba: Vec<u8> = match frame.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Indexed => {
            return Err(TextureError::Corrupt("palette was not expanded".into()));
        }
    };
    if rgba.len() != px * 4 {
        return Err(TextureError::Corrupt(
            "pixel data shorter than the image".into(),
        ));
    }
    TextureImage::from_rgba(w, h, rgba)
}

/// A procedural cloth surface for the detail normal map (no texture files shipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fabric {
    /// Jersey knit: rows of V-shaped loops (T-shirts, hoodies).
    Knit,
    /// Plain/twill weave: crossing warp and weft threads (shirts, trousers, denim).
    Weave,
}

impl Fabric {
    /// World-space repeat of one tile in metres (a few stitches or threads).
    pub fn tile_m(self) -> f32 {
        match self {
            Fabric::Knit => 0.012,
            Fabric::Weave => 0.008,
        }
    }

    /// Fabric for a catalog category key (`tshirt`, `jeans`, …).
    pub fn for_category(category: &str) -> Fabric {
        match category {
            "tshirt" | "hoodie" | "sweater" | "polo" => Fabric::Knit,
            _ => Fabric::Weave,
        }
    }
}

/// Side of the generated fabric tiles in pixels.
pub const FABRIC_SIDE: u32 = 64;

/// Generates a tileable tangent-space normal map (RGBA8, z up) for `fabric` from a height
/// field, so the result repeats seamlessly and has no file behind it.
pub fn fabric_normal_map(fabric: Fabric) -> TextureImage {
    let n = FABRIC_SIDE as usize;
    let tau = std::f32::consts::TAU;
    let height = |x: usize, y: usize| -> f32 {
        let u = (x % n) as f32 / n as f32;
        let v = (y % n) as f32 / n as f32;
        match fabric {
            Fabric::Knit => {
                // 4 columns of loops, 4 rows: each loop is two slanted ridges (a "V").
                let cu = (u * 4.0).fract();
                let cv = (v * 4.0).fract();
                let slant = if cu < 0.5 {
                    cu - cv * 0.5
                } else {
                    (1.0 - cu) - cv * 0.5
                };
                let ridge = (slant * tau * 2.0).cos() * 0.5 + 0.5;
                let gap = (cu * tau).sin().abs();
                ridge * gap
            }
            Fabric::Weave => {
                // 8 warp and 8 weft threads crossing over/under alternately.
                let (tu, tv) = (u * 8.0, v * 8.0);
                let over_warp = ((tu.floor() + tv.floor()) as i32).rem_euclid(2) == 0;
                let warp = (tu.fract() * std::f32::consts::PI).sin();
                let weft = (tv.fract() * std::f32::consts::PI).sin();
                if over_warp {
                    warp * 0.8 + 0.2 * weft
                } else {
                    weft * 0.8 + 0.2 * warp
                }
            }
        }
    };
    let mut rgba = Vec::with_capacity(n * n * 4);
    let strength = 2.5;
    for y in 0..n {
        for x in 0..n {
            // Central differences with wrap-around: the tile repeats seamlessly.
            let dx = height(x + 1, y) - height(x + n - 1, y);
            let dy = height(x, y + 1) - height(x, y + n - 1);
            let v = glam::Vec3::new(-dx * strength, -dy * strength, 1.0).normalize();
            for c in [v.x, v.y, v.z] {
                rgba.push(((c * 0.5 + 0.5) * 255.0).round() as u8);
            }
            rgba.push(255);
        }
    }
    TextureImage {
        width: FABRIC_SIDE,
        height: FABRIC_SIDE,
        rgba,
    }
}

/// Per-vertex tangents (xyz + handedness w) from UVs, accumulated per triangle (the
/// MikkTSpace idea without its welding rules). Vertices without usable UV gradients get an
/// arbitrary tangent perpendicular to the normal, so normal mapping never sees NaN.
pub fn compute_tangents(
    positions: &[[f32; 3]],
    normals: &[[f32; 3]],
    uvs: &[[f32; 2]],
    indices: &[u32],
) -> Vec<[f32; 4]> {
    use glam::{Vec2, Vec3};
    let n = positions.len();
    let mut tan = vec![Vec3::ZERO; n];
    let mut bit = vec![Vec3::ZERO; n];
    if uvs.len() == n && normals.len() == n {
        for t in indices.chunks_exact(3) {
            let [a, b, c] = [t[0] as usize, t[1] as usize, t[2] as usize];
            if a >= n || b >= n || c >= n {
                continue;
            }
            let (p0, p1, p2) = (
                Vec3::from(positions[a]),
                Vec3::from(positions[b]),
                Vec3::from(positions[c]),
            );
            let (w0, w1, w2) = (Vec2::from(uvs[a]), Vec2::from(uvs[b]), Vec2::from(uvs[c]));
            let (e1, e2) = (p1 - p0, p2 - p0);
            let (d1, d2) = (w1 - w0, w2 - w0);
            let det = d1.x * d2.y - d2.x * d1.y;
            if det.abs() < 1e-12 || !det.is_finite() {
                continue;
            }
            let r = 1.0 / det;
            let s = (e1 * d2.y - e2 * d1.y) * r;
            let u = (e2 * d1.x - e1 * d2.x) * r;
            for i in [a, b, c] {
                tan[i] += s;
                bit[i] += u;
            }
        }
    }
    (0..n)
        .map(|i| {
            let nrm = normals
                .get(i)
                .map(|v| Vec3::from(*v))
                .and_then(Vec3::try_normalize)
                .unwrap_or(Vec3::Y);
            // Gram-Schmidt against the normal; fall back to any perpendicular.
            let t = (tan[i] - nrm * nrm.dot(tan[i]))
                .try_normalize()
                .unwrap_or_else(|| nrm.any_orthonormal_vector());
            let w = if nrm.cross(t).dot(bit[i]) < 0.0 {
                -1.0
            } else {
                1.0
            };
            [t.x, t.y, t.z, w]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_lengths_are_validated() {
        assert!(TextureImage::from_rgba(2, 2, vec![0; 16]).is_ok());
        let e = TextureImage::from_rgba(0, 2, vec![]).unwrap_err();
        assert!(matches!(e, TextureError::BadSize { .. }));
        let e = TextureImage::from_rgba(5000, 1, vec![0; 20_000]).unwrap_err();
        assert!(e.to_string().contains("1–4096"), "{e}");
        let e = TextureImage::from_rgba(2, 2, vec![0; 15]).unwrap_err();
        assert!(e.to_string().contains("needs 16"), "{e}");
    }

    #[test]
    fn mip_chain_ends_at_one_pixel_and_keeps_mean() {
        let px: Vec<u8> = (0..6 * 3)
            .flat_map(|i| [i as u8 * 10, 0, 255, 255])
            .collect();
        let img = TextureImage::from_rgba(6, 3, px).unwrap();
        let chain = img.mip_chain(false);
        let sides: Vec<(u32, u32)> = chain.iter().map(|m| (m.width(), m.height())).collect();
        assert_eq!(sides, vec![(6, 3), (3, 2), (2, 1), (1, 1)]);
        assert_eq!(chain[3].rgba()[2], 255);
        // On a power-of-two image the 1×1 level is the mean (0..150 in steps of 10: 75).
        let px: Vec<u8> = (0..16).flat_map(|i| [i as u8 * 10, 0, 0, 255]).collect();
        let chain = TextureImage::from_rgba(4, 4, px).unwrap().mip_chain(false);
        assert_eq!(chain.len(), 3);
        assert!(
            chain[2].rgba()[0].abs_diff(75) <= 1,
            "{:?}",
            chain[2].rgba()
        );
        let big = TextureImage::from_rgba(8, 4, vec![9; 128]).unwrap();
        let fit = big.fit_within(2, true);
        assert_eq!((fit.width(), fit.height()), (2, 1));
    }

    #[test]
    fn formats_are_sniffed() {
        assert_eq!(sniff_format(b"\x89PNG\r\n\x1a\nxxxx"), "png");
        assert_eq!(sniff_format(&[0xFF, 0xD8, 0xFF, 0xE0]), "jpeg");
        assert_eq!(sniff_format(b"RIFF\0\0\0\0WEBPVP8 "), "webp");
        assert_eq!(sniff_format(b"hello"), "unknown");
    }

    #[cfg(feature = "native")]
    #[test]
    fn decoding_reports_bad_input_clearly() {
        let e = decode_image(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap_err();
        assert!(e.to_string().contains("JPEG"), "{e}");
        let e = decode_image(b"garbage").unwrap_err();
        assert!(matches!(e, TextureError::Unsupported(_)), "{e}");
        // A valid 3×2 grayscale PNG decodes to RGBA; truncating it gives Corrupt.
        let mut bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut bytes, 3, 2);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(&[0, 100, 200, 50, 150, 250]).unwrap();
        }
        let img = decode_image(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (3, 2));
        assert_eq!(&img.rgba()[4..8], &[100, 100, 100, 255]);
        for cut in [8, 20, bytes.len() - 12] {
            assert!(decode_image(&bytes[..cut]).is_err(), "cut {cut}");
        }
        // A header claiming 5000×5000 is refused before decoding.
        let mut huge = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut huge, 5000, 5000);
            enc.set_color(png::ColorType::Grayscale);
            let _ = enc.write_header().map(|w| w.finish());
        }
        let e = decode_image(&huge).unwrap_err();
        assert!(matches!(e, TextureError::BadSize { .. }), "{e}");
    }

    #[test]
    fn fabric_maps_tile_and_point_outward() {
        for f in [Fabric::Knit, Fabric::Weave] {
            let img = fabric_normal_map(f);
            let px = img.rgba();
            let z_min = px.chunks_exact(4).map(|p| p[2]).min().unwrap_or(0);
            // Every normal points out of the surface (z > 0 → blue channel above 128).
            assert!(z_min > 140, "{f:?}: {z_min}");
            // Not flat: the x component varies.
            let (lo, hi) = px
                .chunks_exact(4)
                .fold((255u8, 0u8), |(l, h), p| (l.min(p[0]), h.max(p[0])));
            assert!(hi - lo > 40, "{f:?}: {lo}..{hi}");
        }
        assert_ne!(
            fabric_normal_map(Fabric::Knit),
            fabric_normal_map(Fabric::Weave)
        );
    }

    #[test]
    fn tangents_follow_u_and_are_unit() {
        // A quad in the XY plane with u along +X.
        let pos = [
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
        ];
        let nrm = [[0.0, 0.0, 1.0]; 4];
        let uv = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        let t = compute_tangents(&pos, &nrm, &uv, &[0, 1, 2, 0, 2, 3]);
        for v in &t {
            assert!((v[0] - 1.0).abs() < 1e-5 && v[1].abs() < 1e-5, "{v:?}");
            assert_eq!(v[3], 1.0);
        }
        // Without UVs: still unit and perpendicular to the normal.
        let t = compute_tangents(&pos, &nrm, &[], &[0, 1, 2]);
        for v in &t {
            let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            assert!((len - 1.0).abs() < 1e-5 && v[2].abs() < 1e-5, "{v:?}");
        }
    }
}
