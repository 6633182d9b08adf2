//! "My double": the share dialog with its exact payload preview, the consent ledger, and
//! the portable profile (file and link). The rules live in `share.rs` and `portable.rs`;
//! this is the DOM glue. Nothing here sends anything by itself: every delivery is a click
//! by the shopper on a control that says where it goes.

use crate::crypto;
use crate::form::Units;
use crate::i18n::{Lang, Text};
use crate::portable::{self, LinkData, PortableError};
use crate::share::{self, LedgerEntry, Recipient};
use crate::store::Profile;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlDialogElement, HtmlInputElement};
use yew::prelude::*;

/// What the panel needs from the widget.
#[derive(Properties, PartialEq, Clone)]
pub struct MyDoubleProps {
    /// Page language.
    pub lang: Lang,
    /// Display units.
    pub units: Units,
    /// The saved profile (body answers, sizes, ledger).
    pub profile: Rc<Profile>,
    /// Product id and the size on screen, if any.
    pub product: Option<(String, String)>,
    /// Whether a shop hosts the widget (the shop is a recipient only then).
    pub host: bool,
    /// A profile to load (from a file or link), already checked.
    pub on_import: Callback<Profile>,
    /// A delivery the shopper made: record it; `true` = send the size to the shop.
    pub on_record: Callback<(LedgerEntry, bool)>,
}

/// An incoming link waiting for the shopper's decision.
#[derive(Clone, PartialEq)]
enum Incoming {
    None,
    Found(LinkData),
}

fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

fn drop_fragment() {
    if let Some(w) = web_sys::window() {
        let loc = w.location();
        let url = format!(
            "{}{}",
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }
}

fn app_base() -> String {
    format!("{}/app/", crate::net::own_origin())
}

/// Offers `text` as a file download (the shopper's own action: a click on "Save").
fn download(name: &str, text: &str) -> Result<(), String> {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "cannot create the file")?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot create the file")?;
    let a: web_sys::HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "cannot create the file")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The "My double" panel.
#[function_component(MyDouble)]
pub fn my_double(props: &MyDoubleProps) -> Html {
    let lang = props.lang;
    let dialog = use_node_ref();
    let items = share::items(
        props.profile.body.as_ref(),
        props
            .product
            .as_ref()
            .map(|(p, s)| (p.as_str(), s.as_str())),
        props.units,
        lang,
    );
    let selected = use_state(|| share::default_selection(&items));
    let recipient = use_state(|| {
        if props.host {
            Recipient::Shop
        } else {
            Recipient::Email
        }
    });
    let message = use_state(|| None::<String>);
    let link = use_state(|| None::<String>);
    let pass = use_state(String::new);
    let incoming = use_state(|| Incoming::None);
    let in_pass = use_state(String::new);
    let paste = use_state(String::new);

    // A link opened in this page: offer it (never load without asking), then drop the
    // fragment so it does not linger in the address bar or history.
    {
        let incoming = incoming.clone();
        let message = message.clone();
        use_effect_with((), move |_| {
            let hash = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            match portable::parse_link(&hash) {
                Ok(Some(d)) => incoming.set(Incoming::Found(d)),
                Ok(None) => {}
                Err(e) => message.set(Some(e.to_string())),
            }
            if hash.contains("doppel-profile") {
                drop_fragment();
            }
            || ()
        });
    }

    let payload = share::payload(&items, &selected, *recipient, lang);
    let sent = share::sent_keys(&items, &selected, *recipient);

    let open = {
        let dialog = dialog.clone();
        let selected = selected.clone();
        let items = items.clone();
        Callback::from(move |_: MouseEvent| {
            selected.set(share::default_selection(&items));
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    let entry = {
        let payload = payload.clone();
        let sent = sent.clone();
        move |to: &str| LedgerEntry {
            at: now_iso(),
            to: to.into(),
            fields: sent.clone(),
            payload: payload.clone(),
        }
    };
    let on_shop = {
        let on_record = props.on_record.clone();
        let entry = entry.clone();
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            on_record.emit((entry("shop"), true));
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    let on_email = {
        let on_record = props.on_record.clone();
        let entry = entry.clone();
        // The link itself opens the mail program; this only records that it was used.
        Callback::from(move |_: MouseEvent| on_record.emit((entry("email"), false)))
    };
    let on_anyone = {
        let on_record = props.on_record.clone();
        let entry = entry.clone();
        let payload = payload.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
                return;
            };
            let on_record = on_record.clone();
            let e = entry("anyone");
            let payload = payload.clone();
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let can_share = js_sys::Reflect::has(&nav, &"share".into()).unwrap_or(false);
                let ok = if can_share {
                    let data = web_sys::ShareData::new();
                    data.set_text(&payload);
                    JsFuture::from(nav.share_with_data(&data)).await.is_ok()
                } else {
                    let ok = JsFuture::from(nav.clipboard().write_text(&payload))
                        .await
                        .is_ok();
                    if ok {
                        message.set(Some(lang.t(Text::Copied).into()));
                    }
                    ok
                };
                if ok {
                    on_record.emit((e, false));
                }
            });
        })
    };

    let toggle = |key: String| {
        let selected = selected.clone();
        Callback::from(move |_: Event| {
            let mut s = (*selected).clone();
            if let Some(i) = s.iter().position(|k| *k == key) {
                s.remove(i);
            } else {
                s.push(key.clone());
            }
            selected.set(s);
        })
    };
    let on_recipient = {
        let recipient = recipient.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Some(r) = Recipient::from_key(&v) {
                recipient.set(r);
            }
        })
    };

    // Portable profile.
    let on_save = {
        let profile = props.profile.clone();
        let on_record = props.on_record.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            match download(portable::FILE_NAME, &portable::export_text(&profile)) {
                Ok(()) => {
                    message.set(Some(lang.t(Text::FileSaved).into()));
                    on_record.emit((
                        LedgerEntry {
                            at: now_iso(),
                            to: "file".into(),
                            fields: vec!["profile".into()],
                            payload: portable::FILE_NAME.into(),
                        },
                        false,
                    ));
                }
                Err(e) => message.set(Some(e)),
            }
        })
    };
    let on_file = {
        let on_import = props.on_import.clone();
        let message = message.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            if file.size() > portable::MAX_FILE as f64 {
                message.set(Some(
                    PortableError::TooLarge(portable::MAX_FILE).to_string(),
                ));
                return;
            }
            let on_import = on_import.clone();
            let message = message.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string())
                    .unwrap_or_default();
                match portable::import_text(&text) {
                    Ok(p) => {
                        on_import.emit(p);
                        message.set(Some(lang.t(Text::Imported).into()));
                    }
                    Err(e) => message.set(Some(e.to_string())),
                }
            });
        })
    };
    let on_make_link = {
        let profile = props.profile.clone();
        let pass = pass.clone();
        let link = link.clone();
        let message = message.clone();
        let on_record = props.on_record.clone();
        Callback::from(move |_: MouseEvent| {
            let profile = profile.clone();
            let pass = (*pass).clone();
            let link = link.clone();
            let message = message.clone();
            let on_record = on_record.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let made = if pass.is_empty() {
                    Ok(portable::plain_link(&app_base(), &profile))
                } else {
                    crypto::encrypt(&pass, portable::export_text(&profile).as_bytes())
                        .await
                        .map(|(s, i, c)| portable::encrypted_link(&app_base(), &s, &i, &c))
                };
                match made {
                    Ok(l) => {
                        link.set(Some(l));
                        on_record.emit((
                            LedgerEntry {
                                at: now_iso(),
                                to: "link".into(),
                                fields: vec!["profile".into()],
                                payload: if pass.is_empty() {
                                    "profile link".into()
                                } else {
                                    "profile link (encrypted)".into()
                                },
                            },
                            false,
                        ));
                    }
                    Err(e) => message.set(Some(e)),
                }
            });
        })
    };
    let on_copy_link = {
        let link = link.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            if let (Some(l), Some(w)) = (link.as_ref(), web_sys::window()) {
                let p = w.navigator().clipboard().write_text(l);
                let message = message.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    if JsFuture::from(p).await.is_ok() {
                        message.set(Some(lang.t(Text::Copied).into()));
                    }
                });
            }
        })
    };
    let on_open_pasted = {
        let paste = paste.clone();
        let incoming = incoming.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| match portable::parse_link(&paste) {
            Ok(Some(d)) => incoming.set(Incoming::Found(d)),
            Ok(None) => message.set(Some(
                PortableError::Corrupt("no profile in this link".into()).to_string(),
            )),
            Err(e) => message.set(Some(e.to_string())),
        })
    };
    let on_accept = {
        let incoming = incoming.clone();
        let in_pass = in_pass.clone();
        let on_import = props.on_import.clone();
        let message = message.clone();
        Callback::from(move |_: MouseEvent| {
            let Incoming::Found(d) = (*incoming).clone() else {
                return;
            };
            let incoming = incoming.clone();
            let on_import = on_import.clone();
            let message = message.clone();
            let pass = (*in_pass).clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = match d {
                    LinkData::Plain(p) => Ok(p),
                    LinkData::Encrypted {
                        salt,
                        iv,
                        ciphertext,
                    } => match crypto::decrypt(&pass, &salt, &iv, &ciphertext).await {
                        Ok(bytes) => String::from_utf8(bytes)
                            .map_err(|_| PortableError::WrongPassphrase)
                            .and_then(|t| portable::import_text(&t)),
                        Err(e) => Err(e),
                    },
                };
                match result {
                    Ok(p) => {
                        on_import.emit(p);
                        incoming.set(Incoming::None);
                        message.set(Some(lang.t(Text::Imported).into()));
                    }
                    // Keep the offer open: the shopper may retype the passphrase.
                    Err(e) => message.set(Some(e.to_string())),
                }
            });
        })
    };
    let on_ignore = {
        let incoming = incoming.clone();
        Callback::from(move |_: MouseEvent| incoming.set(Incoming::None))
    };
    let text_input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    let offer = match &*incoming {
        Incoming::None => html! {},
        Incoming::Found(d) => {
            let enc = matches!(d, LinkData::Encrypted { .. });
            html! {
                <div class="doppel-offer" role="region" aria-label={lang.t(Text::OpenLink)} data-doppel="link-offer">
                    <p>{ lang.t(if enc { Text::LinkFoundEnc } else { Text::LinkFound }) }</p>
                    if enc {
                        <label>{ lang.t(Text::Passphrase) }
                            <input type="password" name="link-passphrase" autocomplete="off"
                                value={(*in_pass).clone()} oninput={text_input(&in_pass)} />
                        </label>
                    }
                    <button type="button" class="doppel-primary" data-doppel="link-load" onclick={on_accept}>{ lang.t(Text::Load) }</button>
                    <button type="button" data-doppel="link-ignore" onclick={on_ignore}>{ lang.t(Text::Ignore) }</button>
                </div>
            }
        }
    };

    let recipients: Vec<Recipient> = Recipient::ALL
        .into_iter()
        .filter(|r| props.host || *r != Recipient::Shop)
        .collect();
    let deliver = match *recipient {
        _ if payload.is_empty() => {
            html! { <p data-doppel="share-nothing">{ lang.t(Text::ShareNothing) }</p> }
        }
        Recipient::Shop => html! {
            <button type="button" class="doppel-primary" data-doppel="share-send" onclick={on_shop}>
                { lang.t(Text::UseSize) }
            </button>
        },
        Recipient::Email => html! {
            <a class="doppel-button doppel-primary" data-doppel="share-send" href={share::mailto(&payload, lang)} onclick={on_email}>
                { lang.t(Text::SendEmail) }
            </a>
        },
        Recipient::Anyone => html! {
            <button type="button" class="doppel-primary" data-doppel="share-send" onclick={on_anyone}>
                { lang.t(Text::SendShare) }
            </button>
        },
    };

    html! {
        <section class="doppel-mydouble" aria-labelledby="doppel-mydouble-title" data-doppel="my-double">
            <h2 id="doppel-mydouble-title">{ lang.t(Text::MyDouble) }</h2>
            { offer }
            <div class="doppel-actions">
                <button type="button" data-doppel="share" onclick={open}>{ lang.t(Text::Share) }</button>
                <button type="button" data-doppel="save-file" onclick={on_save}>{ lang.t(Text::SaveFile) }</button>
                <label class="doppel-button">{ lang.t(Text::LoadFile) }
                    <input type="file" accept=".json,application/json" data-doppel="load-file" onchange={on_file} />
                </label>
            </div>
            <details class="doppel-link">
                <summary>{ lang.t(Text::MakeLink) }{ " / " }{ lang.t(Text::OpenLink) }</summary>
                <label>{ lang.t(Text::Passphrase) }
                    <input type="password" name="passphrase" autocomplete="new-password" aria-describedby="doppel-pass-hint"
                        value={(*pass).clone()} oninput={text_input(&pass)} />
                </label>
                <p id="doppel-pass-hint" class="doppel-hint">{ lang.t(Text::PassphraseHint) }</p>
                <button type="button" data-doppel="make-link" onclick={on_make_link}>{ lang.t(Text::MakeLink) }</button>
                if let Some(l) = (*link).clone() {
                    <label>{ lang.t(Text::LinkReady) }
                        <input type="text" readonly=true data-doppel="link" value={l} />
                    </label>
                    <button type="button" onclick={on_copy_link}>{ lang.t(Text::Copy) }</button>
                }
                <label>{ lang.t(Text::PasteLink) }
                    <input type="text" name="paste-link" autocomplete="off"
                        value={(*paste).clone()} oninput={text_input(&paste)} />
                </label>
                <button type="button" data-doppel="open-link" onclick={on_open_pasted}>{ lang.t(Text::OpenLink) }</button>
            </details>
            <p role="status" data-doppel="mydouble-status">{ (*message).clone().unwrap_or_default() }</p>
            <details class="doppel-ledger" data-doppel="ledger">
                <summary>{ lang.t(Text::Ledger) }{ format!(" ({})", props.profile.ledger.len()) }</summary>
                if props.profile.ledger.is_empty() {
                    <p>{ lang.t(Text::LedgerEmpty) }</p>
                } else {
                    <ol>
                        { for props.profile.ledger.iter().rev().map(|e| html! {
                            <li data-to={e.to.clone()}>
                                <time datetime={e.at.clone()}>{ e.at.replace('T', " ").chars().take(16).collect::<String>() }</time>
                                { " → " }{ e.to.clone() }{ ": " }{ e.fields.join(", ") }
                                <pre>{ e.payload.clone() }</pre>
                            </li>
                        }) }
                    </ol>
                }
            </details>
            <dialog ref={dialog} class="doppel-dialog" aria-labelledby="doppel-share-title" data-doppel="share-dialog">
                <h2 id="doppel-share-title">{ lang.t(Text::ShareTitle) }</h2>
                <fieldset>
                    <legend>{ lang.t(Text::ShareRecipient) }</legend>
                    { for recipients.iter().map(|r| html! {
                        <label>
                            <input type="radio" name="share-to" value={r.key()} checked={*recipient == *r}
                                onchange={on_recipient.clone()} />
                            { lang.t(r.label()) }
                        </label>
                    }) }
                </fieldset>
                <fieldset>
                    <legend>{ lang.t(Text::ShareFields) }</legend>
                    if *recipient == Recipient::Shop {
                        <p class="doppel-hint">{ lang.t(Text::ShareShopOnly) }</p>
                    }
                    { for items.iter().map(|i| {
                        let allowed = recipient.allows(&i.key);
                        html! {
                            <label>
                                <input type="checkbox" name={format!("share-{}", i.key)} disabled={!allowed}
                                    checked={allowed && selected.contains(&i.key)}
                                    onchange={toggle(i.key.clone())} />
                                { i.label.clone() }{ ": " }{ i.value.clone() }
                            </label>
                        }
                    }) }
                </fieldset>
                <p>{ lang.t(Text::SharePreview) }</p>
                <pre data-doppel="share-preview">{ payload.clone() }</pre>
                <div class="doppel-actions">
                    { deliver }
                    <button type="button" data-doppel="share-close" onclick={close}>{ lang.t(Text::Close) }</button>
                </div>
            </dialog>
        </section>
    }
}
