//! Passphrase encryption of profile links with the browser's WebCrypto (no crypto code of
//! our own in the bundle): PBKDF2-SHA-256 ([`PBKDF2_ITERATIONS`]) derives an AES-256-GCM
//! key from the passphrase and a random salt; GCM's tag makes a changed link or a wrong
//! passphrase fail loudly instead of yielding garbage.

use crate::portable::{IV_LEN, PBKDF2_ITERATIONS, PortableError, SALT_LEN};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Crypto, CryptoKey, SubtleCrypto};

fn crypto() -> Result<(Crypto, SubtleCrypto), String> {
    let c = web_sys::window()
        .ok_or("no window")?
        .crypto()
        .map_err(|_| "WebCrypto is not available in this browser")?;
    let s = c.subtle();
    Ok((c, s))
}

fn obj(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

async fn derive(subtle: &SubtleCrypto, pass: &str, salt: &[u8]) -> Result<CryptoKey, String> {
    let err = |_| "the key could not be derived".to_string();
    let raw = Uint8Array::from(pass.as_bytes());
    let usages = Array::of1(&JsValue::from_str("deriveKey"));
    let base = JsFuture::from(
        subtle
            .import_key_with_str("raw", &raw, "PBKDF2", false, &usages)
            .map_err(err)?,
    )
    .await
    .map_err(err)?;
    let algo = obj(&[
        ("name", "PBKDF2".into()),
        ("hash", "SHA-256".into()),
        ("iterations", PBKDF2_ITERATIONS.into()),
        ("salt", Uint8Array::from(salt).into()),
    ]);
    let target = obj(&[("name", "AES-GCM".into()), ("length", 256.into())]);
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let key = JsFuture::from(
        subtle
            .derive_key_with_object_and_object(&algo, base.unchecked_ref(), &target, false, &usages)
            .map_err(err)?,
    )
    .await
    .map_err(err)?;
    Ok(key.unchecked_into())
}

fn gcm(iv: &[u8]) -> Object {
    obj(&[
        ("name", "AES-GCM".into()),
        ("iv", Uint8Array::from(iv).into()),
    ])
}

/// Encrypts `plain`; returns `(salt, iv, ciphertext-with-tag)`.
pub async fn encrypt(pass: &str, plain: &[u8]) -> Result<(Vec<u8>, Vec<u8>, Vec<u8>), String> {
    let (c, subtle) = crypto()?;
    let mut salt = vec![0u8; SALT_LEN];
    let mut iv = vec![0u8; IV_LEN];
    c.get_random_values_with_u8_array(&mut salt)
        .and_then(|_| c.get_random_values_with_u8_array(&mut iv))
        .map_err(|_| "no secure random numbers available")?;
    let key = derive(&subtle, pass, &salt).await?;
    let data = Uint8Array::from(plain);
    let ct = JsFuture::from(
        subtle
            .encrypt_with_object_and_buffer_source(&gcm(&iv), &key, &data)
            .map_err(|_| "encryption failed")?,
    )
    .await
    .map_err(|_| "encryption failed")?;
    Ok((salt, iv, Uint8Array::new(&ct).to_vec()))
}

/// Decrypts a link's parts; a wrong passphrase or a changed link is
/// [`PortableError::WrongPassphrase`].
pub async fn decrypt(
    pass: &str,
    salt: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, PortableError> {
    let (_, subtle) = crypto().map_err(PortableError::Corrupt)?;
    let key = derive(&subtle, pass, salt)
        .await
        .map_err(PortableError::Corrupt)?;
    let data = Uint8Array::from(ciphertext);
    let promise = subtle
        .decrypt_with_object_and_buffer_source(&gcm(iv), &key, &data)
        .map_err(|_| PortableError::WrongPassphrase)?;
    let plain = JsFuture::from(promise)
        .await
        .map_err(|_| PortableError::WrongPassphrase)?;
    Ok(Uint8Array::new(&plain).to_vec())
}
