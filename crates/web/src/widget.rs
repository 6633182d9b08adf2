//! The widget: four questions → the shopper's double wearing the recommended size, with
//! confidence and explanation; optional tape measurements refine it. Everything is
//! computed here, in the page; the host only ever gets `{product, size}` on request.

use crate::bridge::{self, Config};
use crate::catalog;
use crate::form::{self, Field, FieldError, RawForm, TAPE, Units};
use crate::i18n::{Lang, Text};
use crate::mydouble::MyDouble;
use crate::net;
use crate::portable;
use crate::share::{self, LedgerEntry};
use crate::store::{self, LocalStorage, Profile};
use crate::viewer::{SharedMesh, Viewer};
use doppel_body::model::Model;
use doppel_body::{BodyInput, Measure, Prediction};
use doppel_fit::analysis::{FitModel, FitPreference};
use doppel_fit::recommend::{DEFAULT_SEED, Recommendation, body_samples, recommend};
use doppel_garment::Product;
use doppel_garment::catalog::is_safe_relative_path;
use doppel_render::MeshData;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Where the body model is published on the widget's origin.
pub const MODEL_URL: &str = "/assets/body/model.bin";
/// Monte Carlo draws per recommendation (±1.5 percentage points; fast enough per keystroke).
const DRAWS: usize = 1000;

/// Something loaded over the network.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    /// Not needed.
    None,
    /// In flight.
    Loading,
    /// Ready.
    Ready(T),
    /// Failed, with a message.
    Failed(String),
}

/// Messages of the widget.
pub enum Msg {
    /// New configuration from the host (raw message data, validated in `update`).
    HostMessage(JsValue),
    /// The sex selection changed.
    Sex(String),
    /// A numeric field's text changed.
    Value(Field, String),
    /// The units control changed.
    Units(String),
    /// The fit preference changed.
    Fit(String),
    /// A field was committed (change event): recompute if valid.
    Commit,
    /// The form was submitted: show every problem, recompute if valid.
    Submit,
    /// The body model finished loading.
    Model(Result<Rc<Model>, String>),
    /// The product finished loading (request sequence number).
    Product(u32, Result<Rc<Product>, String>),
    /// The avatar mesh was built (request sequence number).
    Avatar(u32, Result<SharedMesh, String>),
    /// A garment mesh was loaded (cache key).
    Garment(String, Result<SharedMesh, String>),
    /// The shopper picked a size to look at.
    Select(String),
    /// "Use this size".
    UseSize,
    /// "Forget me".
    Forget,
    /// A checked profile from a file or link: load it.
    Import(Profile),
    /// The shopper delivered something (share dialog, file, link); `true`: the size goes
    /// to the shop as with "use this size".
    Record(LedgerEntry, bool),
    /// Fit map on or off.
    FitMap(bool),
}

/// The widget component.
pub struct Widget {
    config: Config,
    form: RawForm,
    errors: BTreeMap<Field, FieldError>,
    submitted: bool,
    model: Load<Rc<Model>>,
    product: Load<Rc<Product>>,
    product_seq: u32,
    input: Option<BodyInput>,
    prediction: Option<Prediction>,
    rec: Option<Recommendation>,
    selected: Option<String>,
    figure: Option<SharedMesh>,
    figure_seq: u32,
    building: bool,
    garments: HashMap<String, Load<SharedMesh>>,
    profile: Profile,
    notice: Option<Text>,
    store_error: Option<String>,
    storage: bool,
    last_height: i32,
    fitmap: bool,
    /// Fit-map colouring of a garment, keyed by the avatar and garment meshes it was
    /// computed from (pointer identity: a new mesh is a new `Rc`).
    fitmapped: Option<(FitmapKey, SharedMesh)>,
}

/// Which avatar and garment mesh a fit-map colouring belongs to.
type FitmapKey = (*const MeshData, *const MeshData);

impl Widget {
    fn lang(&self) -> Lang {
        self.config.lang
    }

    fn fit(&self) -> FitPreference {
        FitPreference::from_key(&self.config.fit).unwrap_or_default()
    }

    fn load_product(&mut self, ctx: &Context<Self>) {
        self.product_seq = self.product_seq.wrapping_add(1);
        self.rec = None;
        self.selected = None;
        if self.config.product.is_empty() {
            self.product = Load::None;
            return;
        }
        self.product = Load::Loading;
        let seq = self.product_seq;
        let id = self.config.product.clone();
        let origin = net::own_origin();
        let base = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let catalog = bridge::catalog_url(&self.config.catalog, &base, &origin);
        ctx.link().send_future(async move {
            let result = async {
                let catalog = catalog?;
                let bytes = net::fetch_bytes(&format!("{catalog}catalog.json")).await?;
                let text = String::from_utf8(bytes).map_err(|_| "catalog.json is not UTF-8")?;
                let product = catalog::find_product(&text, &id)?;
                Ok(Rc::new(product))
            }
            .await;
            Msg::Product(seq, result)
        });
    }

    /// Validates and, if the answers changed, recomputes recommendation and avatar.
    fn commit(&mut self, ctx: &Context<Self>) {
        match self.form.validate() {
            Ok(input) => {
                self.errors.clear();
                match doppel_body::predict(&input) {
                    Ok(pred) => {
                        let changed = self.input.as_ref() != Some(&input);
                        self.prediction = Some(pred);
                        self.input = Some(input.clone());
                        self.recompute();
                        if changed {
                            self.profile.set_body(&input);
                            self.profile.units = self.form.units.key().into();
                            self.persist();
                            self.build_avatar(ctx);
                        }
                    }
                    Err(e) => {
                        self.errors.insert(
                            form::field_of_error(&e),
                            FieldError::Contradictory(e.to_string()),
                        );
                    }
                }
            }
            Err(errs) => {
                // Before the first submit, empty required fields are not yet an error.
                self.errors = errs
                    .into_iter()
                    .filter(|(_, e)| self.submitted || *e != FieldError::Required)
                    .collect();
            }
        }
    }

    /// Recommendation for the current product and body (cheap; runs on every change).
    fn recompute(&mut self) {
        self.rec = None;
        let (Load::Ready(product), Some(input), Some(pred)) =
            (&self.product, &self.input, &self.prediction)
        else {
            return;
        };
        if product.sex != input.sex {
            return;
        }
        let model = FitModel::from_product(product);
        let (central, draws) = body_samples(pred, DRAWS, DEFAULT_SEED);
        let supplied: Vec<Measure> = input.measured_cm.keys().copied().collect();
        let rec = recommend(&model, &central, &draws, self.fit(), input.sex, &supplied);
        if self
            .selected
            .as_ref()
            .is_none_or(|s| product.size(s).is_none())
        {
            self.selected = Some(rec.size.clone());
        }
        self.rec = Some(rec);
    }

    fn build_avatar(&mut self, ctx: &Context<Self>) {
        let (Load::Ready(model), Some(input)) = (&self.model, &self.input) else {
            return;
        };
        self.figure_seq = self.figure_seq.wrapping_add(1);
        self.building = true;
        let seq = self.figure_seq;
        let model = model.clone();
        let input = input.clone();
        ctx.link().send_future(async move {
            // Let the browser paint "Building your double…" before the solver runs.
            yield_to_browser().await;
            let result = doppel_body::avatar::build_avatar_with(&model, &input)
                .map(|a| {
                    SharedMesh(Rc::new(MeshData {
                        positions: a.mesh.positions,
                        normals: a.mesh.normals,
                        indices: a.mesh.indices,
                        colors: Vec::new(),
                    }))
                })
                .map_err(|e| e.to_string());
            Msg::Avatar(seq, result)
        });
    }

    /// Starts loading the selected size's garment mesh if not cached.
    fn load_garment(&mut self, ctx: &Context<Self>) {
        let (Load::Ready(product), Some(label)) = (&self.product, &self.selected) else {
            return;
        };
        let key = format!("{}/{label}", product.id);
        if self.garments.contains_key(&key) {
            return;
        }
        let Some(path) = product
            .size(label)
            .and_then(|s| s.mesh.clone())
            .filter(|p| is_safe_relative_path(p))
        else {
            return;
        };
        let origin = net::own_origin();
        let base = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let Ok(catalog) = bridge::catalog_url(&self.config.catalog, &base, &origin) else {
            return;
        };
        self.garments.insert(key.clone(), Load::Loading);
        ctx.link().send_future(async move {
            let result = async {
                let bytes = net::fetch_bytes(&format!("{catalog}{path}")).await?;
                let mesh = crate::glb::read(&bytes).map_err(|e| format!("{path}: {e}"))?;
                Ok(SharedMesh(Rc::new(MeshData {
                    positions: mesh.positions,
                    normals: mesh.normals,
                    indices: mesh.indices,
                    colors: Vec::new(),
                })))
            }
            .await;
            Msg::Garment(key, result)
        });
    }

    /// The garment mesh of the selected size, as loaded.
    fn selected_garment(&self) -> Option<&SharedMesh> {
        let (Load::Ready(product), Some(label)) = (&self.product, &self.selected) else {
            return None;
        };
        match self.garments.get(&format!("{}/{label}", product.id)) {
            Some(Load::Ready(m)) => Some(m),
            _ => None,
        }
    }

    /// The current avatar × garment pair, if both are there.
    fn fitmap_key(&self) -> Option<FitmapKey> {
        Some((
            Rc::as_ptr(&self.figure.as_ref()?.0),
            Rc::as_ptr(&self.selected_garment()?.0),
        ))
    }

    /// The fit-map coloured garment, when the fit map is on and its colouring is current.
    fn fitmap_mesh(&self) -> Option<&SharedMesh> {
        let key = self.fitmap_key()?;
        match &self.fitmapped {
            Some((k, m)) if self.fitmap && *k == key => Some(m),
            _ => None,
        }
    }

    fn current_garment(&self) -> Option<SharedMesh> {
        self.fitmap_mesh()
            .or_else(|| self.selected_garment())
            .cloned()
    }

    /// Colours the shown garment by its ease over the avatar (computed once per
    /// avatar × size, only while the fit map is on).
    fn refresh_fitmap(&mut self) {
        if !self.fitmap || self.fitmap_mesh().is_some() {
            return;
        }
        let (Some(key), Some(figure), Some(garment)) =
            (self.fitmap_key(), &self.figure, self.selected_garment())
        else {
            return;
        };
        let ease = doppel_fit::fitmap::vertex_ease_cm(
            &figure.0.positions,
            &figure.0.normals,
            &garment.0.positions,
        );
        let mut mesh = (*garment.0).clone();
        mesh.colors = ease
            .iter()
            .map(|e| doppel_render::fitmap::ease_color(*e))
            .collect();
        self.fitmapped = Some((key, SharedMesh(Rc::new(mesh))));
    }

    /// Sends the chosen size to the host shop (the embed contract) and notes it.
    fn send_size(&mut self) {
        if let (Load::Ready(p), Some(size)) = (&self.product, &self.selected) {
            let (p, size) = (p.clone(), size.clone());
            self.profile.sizes.insert(p.id.clone(), size.clone());
            if self.config.host.is_some() {
                bridge::post(
                    &self.config,
                    "doppel:size",
                    &[
                        ("product", JsValue::from_str(&p.id)),
                        ("size", JsValue::from_str(&size)),
                    ],
                );
                share::record(
                    &mut self.profile.ledger,
                    LedgerEntry {
                        at: String::from(js_sys::Date::new_0().to_iso_string()),
                        to: "shop".into(),
                        fields: vec![share::SIZE_KEY.into()],
                        payload: format!("{{\"product\": \"{}\", \"size\": \"{size}\"}}", p.id),
                    },
                );
                self.notice = Some(Text::SizeSent);
            } else {
                self.notice = Some(Text::SizeSaved);
            }
            self.persist();
        }
    }

    fn persist(&mut self) {
        self.store_error = store::save(&LocalStorage::open(), &self.profile)
            .err()
            .map(|e| e.to_string());
    }

    fn field_view(&self, ctx: &Context<Self>, field: Field) -> Html {
        let lang = self.lang();
        let sex = self.form.sex();
        let name = field.name(sex);
        let id = format!("doppel-{name}");
        let msg_id = format!("{id}-msg");
        let hint_id = format!("{id}-hint");
        let error = self
            .errors
            .get(&field)
            .map(|e| e.message(field, self.form.units, lang));
        let oninput = ctx.link().callback(move |e: InputEvent| {
            Msg::Value(field, e.target_unchecked_into::<HtmlInputElement>().value())
        });
        let onchange = ctx.link().callback(|_: Event| Msg::Commit);
        let estimate = match (field, &self.prediction) {
            (Field::Tape(m), Some(p)) if !p.is_supplied(m) => {
                match (p.mean_cm.get(&m), p.sd_cm.get(&m)) {
                    (Some(mean), Some(sd)) => Some(format!(
                        "{} {} ± {} {}",
                        lang.t(Text::Predicted),
                        lang.num(form::to_display(field, *mean, self.form.units), 0),
                        {
                            // Small spreads (in inches) keep one decimal instead of "± 0".
                            let sd = form::to_display(field, *sd, self.form.units);
                            lang.num(sd, usize::from(sd < 1.5))
                        },
                        field.unit(self.form.units, lang)
                    )),
                    _ => None,
                }
            }
            _ => None,
        };
        let how = match field {
            Field::Tape(m) => Some(lang.t(form::how_to(m, sex))),
            _ => None,
        };
        let described = [
            error.as_ref().map(|_| msg_id.clone()),
            how.map(|_| hint_id.clone()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let placeholder = estimate
            .as_ref()
            .and_then(|_| match (field, &self.prediction) {
                (Field::Tape(m), Some(p)) => p
                    .mean_cm
                    .get(&m)
                    .map(|v| form::format_value(field, *v, self.form.units)),
                _ => None,
            });
        html! {
            <div class={classes!("doppel-field", error.as_ref().map(|_| "doppel-invalid"))}>
                <label for={id.clone()}>{ lang.t(field.label(sex)) }</label>
                <div class="doppel-input">
                    <input id={id} {name} type="text" inputmode="decimal" autocomplete="off"
                        value={self.form.get(field).to_string()}
                        placeholder={placeholder}
                        aria-invalid={if error.is_some() { "true" } else { "false" }}
                        aria-describedby={(!described.is_empty()).then_some(described)}
                        {oninput} {onchange} />
                    <span class="doppel-unit" aria-hidden="true">{ field.unit(self.form.units, lang) }</span>
                </div>
                if let Some(e) = error {
                    <p id={msg_id} class="doppel-field-error" data-doppel="field-error">{ e }</p>
                }
                if let Some(est) = estimate {
                    <p class="doppel-estimate" data-doppel="estimate">{ est }</p>
                }
                if let Some(h) = how {
                    <p id={hint_id} class="doppel-hint">{ h }</p>
                }
            </div>
        }
    }

    fn form_view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang();
        let onsubmit = ctx.link().callback(|e: SubmitEvent| {
            e.prevent_default();
            Msg::Submit
        });
        let onsex = ctx
            .link()
            .callback(|e: Event| Msg::Sex(e.target_unchecked_into::<HtmlSelectElement>().value()));
        let onunits = ctx.link().callback(|e: Event| {
            Msg::Units(e.target_unchecked_into::<HtmlSelectElement>().value())
        });
        let onfit = ctx
            .link()
            .callback(|e: Event| Msg::Fit(e.target_unchecked_into::<HtmlSelectElement>().value()));
        let sex_error = self
            .errors
            .get(&Field::Sex)
            .map(|e| e.message(Field::Sex, self.form.units, lang));
        let opt = |value: &'static str, text: Text, current: &str| {
            html! { <option {value} selected={current == value}>{ lang.t(text) }</option> }
        };
        let title = match &self.product {
            Load::Ready(p) => format!(
                "{} · {}",
                lang.t(Text::Title),
                match lang {
                    Lang::De => &p.name.de,
                    Lang::En => &p.name.en,
                }
            ),
            _ => lang.t(Text::Title).to_string(),
        };
        html! {
            <form class="doppel-form" {onsubmit} novalidate=true aria-labelledby="doppel-title">
                <h1 id="doppel-title">{ title }</h1>
                <p class="doppel-intro">{ lang.t(Text::Intro) }</p>
                <div class="doppel-row">
                    <div class={classes!("doppel-field", sex_error.as_ref().map(|_| "doppel-invalid"))}>
                        <label for="doppel-sex">{ lang.t(Text::Sex) }</label>
                        <select id="doppel-sex" name="sex" onchange={onsex}
                            aria-invalid={if sex_error.is_some() { "true" } else { "false" }}
                            aria-describedby={sex_error.as_ref().map(|_| "doppel-sex-msg")}>
                            { opt("", Text::Choose, &self.form.sex) }
                            { opt("female", Text::Female, &self.form.sex) }
                            { opt("male", Text::Male, &self.form.sex) }
                        </select>
                        if let Some(e) = sex_error {
                            <p id="doppel-sex-msg" class="doppel-field-error" data-doppel="field-error">{ e }</p>
                        }
                    </div>
                    <div class="doppel-field">
                        <label for="doppel-units">{ lang.t(Text::Units) }</label>
                        <select id="doppel-units" name="units" onchange={onunits}>
                            { opt("metric", Text::Metric, self.form.units.key()) }
                            { opt("imperial", Text::Imperial, self.form.units.key()) }
                        </select>
                    </div>
                </div>
                <div class="doppel-row">
                    { self.field_view(ctx, Field::Age) }
                    { self.field_view(ctx, Field::Height) }
                    { self.field_view(ctx, Field::Weight) }
                </div>
                <fieldset class="doppel-tape">
                    <legend>{ lang.t(Text::Refine) }</legend>
                    <p class="doppel-hint">{ lang.t(Text::RefineHint) }</p>
                    { for TAPE.iter().map(|m| self.field_view(ctx, Field::Tape(*m))) }
                </fieldset>
                <div class="doppel-field">
                    <label for="doppel-fit">{ lang.t(Text::FitPref) }</label>
                    <select id="doppel-fit" name="fit" onchange={onfit}>
                        { opt("snug", Text::Snug, &self.config.fit) }
                        { opt("regular", Text::Regular, &self.config.fit) }
                        { opt("loose", Text::Loose, &self.config.fit) }
                    </select>
                </div>
                <button type="submit" class="doppel-primary" data-doppel="submit">{ lang.t(Text::Submit) }</button>
            </form>
        }
    }

    fn result_view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang();
        let status = match (&self.model, &self.product) {
            (Load::Failed(e), _) => Some(html! {
                <p class="doppel-error" role="alert" data-doppel="model-error">{ lang.t(Text::ModelFailed) }{" "}{ e }</p>
            }),
            (_, Load::Failed(e)) if e.starts_with(catalog::UNKNOWN) => Some(html! {
                <p class="doppel-error" role="alert" data-doppel="product-error">
                    { lang.t(Text::UnknownProduct) }{" "}<code>{ self.config.product.clone() }</code>
                </p>
            }),
            (_, Load::Failed(e)) => Some(html! {
                <p class="doppel-error" role="alert" data-doppel="product-error">{ lang.t(Text::CatalogFailed) }{" "}{ e }</p>
            }),
            (_, Load::Loading) => Some(
                html! { <p class="doppel-status" role="status">{ lang.t(Text::LoadingCatalog) }</p> },
            ),
            (_, Load::None) => {
                Some(html! { <p class="doppel-status">{ lang.t(Text::NoProduct) }</p> })
            }
            _ => None,
        };
        let wrong_sex =
            matches!((&self.product, &self.input), (Load::Ready(p), Some(i)) if p.sex != i.sex);
        let building = self.building.then(|| {
            html! { <p class="doppel-status" role="status" data-doppel="building">{ lang.t(Text::Building) }</p> }
        });
        let rec = match (&self.rec, &self.product) {
            (Some(rec), Load::Ready(product)) => {
                let selected = self.selected.clone().unwrap_or_else(|| rec.size.clone());
                let explanation = match lang {
                    Lang::De => rec.explanation.de.clone(),
                    Lang::En => rec.explanation.en.clone(),
                };
                let onuse = ctx.link().callback(|_: MouseEvent| Msg::UseSize);
                html! {
                    <section class="doppel-rec" data-doppel="recommendation"
                        data-size={rec.size.clone()} data-selected={selected.clone()}
                        aria-labelledby="doppel-rec-title">
                        <h2 id="doppel-rec-title">{ lang.t(Text::Recommended) }</h2>
                        <p class="doppel-size-label">{ rec.size.clone() }</p>
                        <p class="doppel-confidence" data-doppel="confidence">
                            { lang.t(Text::Confidence) }{ ": " }{ lang.num(rec.confidence * 100.0, 0) }{ " %" }
                        </p>
                        <p class="doppel-explanation" data-doppel="explanation">{ explanation }</p>
                        <div class="doppel-sizes" role="group" aria-label={lang.t(Text::OtherSizes)}>
                            { for product.sizes.iter().map(|s| {
                                let label = s.label.clone();
                                let pressed = label == selected;
                                let onclick = ctx.link().callback(move |_: MouseEvent| Msg::Select(label.clone()));
                                html! {
                                    <button type="button" aria-pressed={if pressed { "true" } else { "false" }}
                                        data-size={s.label.clone()} {onclick}>{ s.label.clone() }</button>
                                }
                            }) }
                        </div>
                        <button type="button" class="doppel-primary" data-doppel="use-size" onclick={onuse}>
                            { lang.t(Text::UseSize) }{ " (" }{ selected }{ ")" }
                        </button>
                    </section>
                }
            }
            _ => html! {},
        };
        html! {
            <div class="doppel-result">
                { status.unwrap_or_default() }
                if wrong_sex {
                    <p class="doppel-error" role="alert" data-doppel="wrong-sex">{ lang.t(Text::WrongSex) }</p>
                }
                <Viewer figure={self.figure.clone()} garment={self.current_garment()}
                    fitmap={self.fitmap_mesh().is_some()}
                    lang={lang} on_fitmap={Some(ctx.link().callback(Msg::FitMap))} />
                { building.unwrap_or_default() }
                { rec }
            </div>
        }
    }
}

impl Component for Widget {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let config = bridge::from_location();
        let (profile, err) = store::load(&LocalStorage::open());
        let mut form = RawForm {
            units: profile.units(),
            ..RawForm::default()
        };
        if let Some(input) = profile.body_input() {
            form.fill(&input);
        }
        set_document_lang(config.lang);
        let mut w = Widget {
            config,
            form,
            errors: BTreeMap::new(),
            submitted: false,
            model: Load::Loading,
            product: Load::None,
            product_seq: 0,
            input: None,
            prediction: None,
            rec: None,
            selected: None,
            figure: None,
            figure_seq: 0,
            building: false,
            garments: HashMap::new(),
            profile,
            notice: None,
            store_error: err.map(|e| e.to_string()),
            storage: LocalStorage::open().available(),
            last_height: 0,
            fitmap: false,
            fitmapped: None,
        };
        ctx.link().send_future(async {
            let r = net::fetch_bytes(MODEL_URL).await.and_then(|b| {
                Model::from_bytes(&b)
                    .map(Rc::new)
                    .map_err(|e| e.to_string())
            });
            Msg::Model(r)
        });
        w.load_product(ctx);
        if w.profile.body.is_some() {
            w.commit(ctx);
        }
        let link = ctx.link().clone();
        bridge::listen(&w.config, move |data| {
            link.send_message(Msg::HostMessage(data))
        });
        bridge::post(&w.config, "doppel:ready", &[]);
        w
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::HostMessage(data) => {
                let Some(cfg) = bridge::parse_config_message(&data, &self.config) else {
                    return false;
                };
                if cfg == self.config {
                    return false;
                }
                let reload =
                    cfg.product != self.config.product || cfg.catalog != self.config.catalog;
                set_document_lang(cfg.lang);
                self.config = cfg;
                if reload {
                    self.load_product(ctx);
                } else {
                    self.recompute();
                }
            }
            Msg::Sex(s) => {
                self.form.sex = s;
                self.commit(ctx);
            }
            Msg::Value(field, text) => {
                self.form.values.insert(field, text);
                // Clear a stale message as soon as the shopper edits the field.
                self.errors.remove(&field);
            }
            Msg::Units(u) => {
                if let Some(u) = Units::from_key(&u) {
                    self.form.set_units(u);
                    self.profile.units = u.key().into();
                    self.persist();
                }
            }
            Msg::Fit(f) => {
                self.config.fit = bridge::valid_fit(&f);
                self.recompute();
            }
            Msg::Commit => self.commit(ctx),
            Msg::Submit => {
                self.submitted = true;
                self.commit(ctx);
                if self.input.is_some() && self.figure.is_none() && !self.building {
                    self.build_avatar(ctx);
                }
            }
            Msg::Model(r) => {
                self.model = match r {
                    Ok(m) => Load::Ready(m),
                    Err(e) => Load::Failed(e),
                };
                self.build_avatar(ctx);
            }
            Msg::Product(seq, r) => {
                if seq != self.product_seq {
                    return false;
                }
                self.product = match r {
                    Ok(p) => Load::Ready(p),
                    Err(e) => Load::Failed(e),
                };
                if let (Load::Ready(p), None) = (&self.product, self.form.sex()) {
                    // A product cut for one body type: preselect it (the shopper can change it).
                    self.form.sex = p.sex.key().into();
                }
                self.recompute();
                self.load_garment(ctx);
            }
            Msg::Avatar(seq, r) => {
                if seq != self.figure_seq {
                    return false;
                }
                self.building = false;
                match r {
                    Ok(mesh) => self.figure = Some(mesh),
                    Err(e) => {
                        self.errors
                            .insert(Field::Height, FieldError::Contradictory(e));
                    }
                }
            }
            Msg::Garment(key, r) => {
                self.garments.insert(
                    key,
                    match r {
                        Ok(m) => Load::Ready(m),
                        Err(e) => Load::Failed(e),
                    },
                );
            }
            Msg::Select(label) => {
                self.selected = Some(label);
                self.notice = None;
            }
            Msg::UseSize => self.send_size(),
            Msg::Record(entry, to_shop) => {
                if to_shop {
                    // The shop path records itself, with the exact event detail.
                    self.send_size();
                } else {
                    share::record(&mut self.profile.ledger, entry);
                    self.persist();
                }
            }
            Msg::Import(imported) => {
                self.profile = portable::merge(&self.profile, imported);
                self.persist();
                self.form = RawForm {
                    units: self.profile.units(),
                    ..RawForm::default()
                };
                if let Some(input) = self.profile.body_input() {
                    self.form.fill(&input);
                }
                self.errors.clear();
                self.input = None;
                self.commit(ctx);
            }
            Msg::FitMap(on) => self.fitmap = on,
            Msg::Forget => {
                store::forget(&LocalStorage::open());
                self.profile = Profile::default();
                self.form = RawForm::default();
                self.errors.clear();
                self.submitted = false;
                self.input = None;
                self.prediction = None;
                self.rec = None;
                self.figure = None;
                self.figure_seq = self.figure_seq.wrapping_add(1);
                self.building = false;
                self.store_error = None;
                self.notice = Some(Text::Forgotten);
            }
        }
        self.load_garment(ctx);
        self.refresh_fitmap();
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang();
        let onforget = ctx.link().callback(|_: MouseEvent| Msg::Forget);
        html! {
            <main class={classes!("doppel-app", self.config.embed.then_some("doppel-embed"))} lang={lang.code()}>
                <div class="doppel-layout">
                    { self.form_view(ctx) }
                    { self.result_view(ctx) }
                </div>
                <MyDouble lang={lang} units={self.form.units} profile={Rc::new(self.profile.clone())}
                    product={match (&self.product, &self.selected) {
                        (Load::Ready(p), Some(s)) => Some((p.id.clone(), s.clone())),
                        _ => None,
                    }}
                    host={self.config.host.is_some()}
                    on_import={ctx.link().callback(Msg::Import)}
                    on_record={ctx.link().callback(|(e, shop)| Msg::Record(e, shop))} />
                <footer class="doppel-privacy" aria-label={lang.t(Text::Privacy)}
                    data-storage={if self.storage { "local" } else { "unavailable" }}>
                    <p>{ lang.t(Text::StoredLocally) }</p>
                    if !self.storage {
                        <p data-doppel="storage-blocked">{ lang.t(Text::StorageBlocked) }</p>
                    }
                    <button type="button" data-doppel="forget" onclick={onforget}>{ lang.t(Text::ForgetMe) }</button>
                    <p role="status" data-doppel="notice">
                        { self.notice.map(|t| lang.t(t)).unwrap_or_default() }
                        { self.store_error.clone().filter(|_| self.storage).unwrap_or_default() }
                    </p>
                </footer>
            </main>
        }
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        // Tell <doppel-fit> how tall the content is, so the iframe needs no scrollbar.
        if self.config.host.is_none() {
            return;
        }
        let height = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .map_or(0, |e| e.scroll_height());
        if height > 0 && (height - self.last_height).abs() > 4 {
            self.last_height = height;
            bridge::post(
                &self.config,
                "doppel:height",
                &[("height", JsValue::from(height))],
            );
        }
    }
}

fn set_document_lang(lang: Lang) {
    if let Some(e) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = e.set_attribute("lang", lang.code());
    }
}

/// Resolves after the browser had a chance to render (a zero-delay timeout).
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 16);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
