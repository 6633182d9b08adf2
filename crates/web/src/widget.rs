//! The widget: four questions → the shopper's double wearing the recommended size, with
//! confidence and explanation; optional tape measurements refine it. Everything is
//! computed here, in the page; the host only ever gets `{product, size}` on request.

use crate::bridge::{self, Config};
use crate::catalog;
use crate::catalog::reference_stature_cm;
use crate::form::{self, Field, FieldError, FieldMap, RawForm, TAPE, Units};
use crate::i18n::{self, Lang, Text};
use crate::mydouble::MyDouble;
use crate::net;
use crate::portable;
use crate::share::{self, LedgerEntry};
use crate::store::{self, LocalStorage, Profile};
use crate::viewer::{SharedLook, SharedMesh, Viewer};
use doppel_body::model::Model;
use doppel_body::{BodyInput, Measure, Prediction};
use doppel_fit::analysis::{FitModel, FitPreference};
use doppel_fit::drape::{BodyCollider, BodySurface, dress_on};
use doppel_fit::recommend::{DEFAULT_SEED, Recommendation, body_samples, recommend};
use doppel_garment::Product;
use doppel_garment::catalog::is_safe_relative_path;
use doppel_garment::generate::default_reference_stature_cm;
use doppel_render::{Material, MeshData};

/// Joint centres by name, as `doppel_body::avatar::AvatarMesh::joints` has them.
type Joints = std::collections::BTreeMap<String, [f32; 3]>;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
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
    Avatar(u32, Result<(SharedMesh, Rc<Joints>), String>),
    /// A garment mesh was loaded (cache key).
    Garment(String, Result<(SharedMesh, SharedLook), String>),
    /// A size was draped on the avatar (avatar sequence number, cache key, the avatar's
    /// collider when it was built for this drape, the result).
    Draped(
        u32,
        String,
        Option<Rc<BodyCollider>>,
        Result<Rc<DrapedSize>, String>,
    ),
    /// The shopper picked a size to look at.
    Select(String),
    /// The shopper picked a size to compare with (`""`: compare off).
    Compare(String),
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
    errors: FieldMap<FieldError>,
    submitted: bool,
    model: Load<Rc<Model>>,
    product: Load<Rc<Product>>,
    product_seq: u32,
    input: Option<BodyInput>,
    prediction: Option<Prediction>,
    rec: Option<Recommendation>,
    selected: Option<String>,
    figure: Option<SharedMesh>,
    /// The current avatar's joint centres: draping turns sleeves onto its arms.
    joints: Rc<Joints>,
    figure_seq: u32,
    building: bool,
    garments: Cache<Load<SharedMesh>>,
    /// Each loaded size's look from its file (material, UVs, decoded texture).
    looks: Cache<SharedLook>,
    profile: Profile,
    notice: Option<Text>,
    store_error: Option<String>,
    storage: bool,
    last_height: i32,
    fitmap: bool,
    /// The size shown beside the selected one in split view.
    compare: Option<String>,
    /// The current avatar prepared for draping (built with its first drape).
    collider: Option<Rc<BodyCollider>>,
    /// Sizes draped on the current avatar, by `product/label` (cleared with a new avatar).
    draped: Cache<Load<Rc<DrapedSize>>>,
    /// A drape is scheduled or running (one at a time, between frames).
    draping: bool,
    /// The "Compare with…" select, whose value is set after each render (an `<option
    /// selected>` no longer moves a select the shopper has touched).
    compare_ref: NodeRef,
}

/// One garment size draped on the shopper's avatar.
#[derive(Debug, PartialEq)]
pub struct DrapedSize {
    /// The draped mesh in the garment's colours.
    pub plain: SharedMesh,
    /// The same mesh coloured by the fit map (ease folded with drape strain).
    pub fitmap: SharedMesh,
}

/// Cache key of a product's size.
fn size_key(product: &Product, label: &str) -> String {
    format!("{}/{label}", product.id)
}

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
        self.compare = None;
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
                    let mesh = SharedMesh(Rc::new(MeshData {
                        positions: a.mesh.positions,
                        normals: a.mesh.normals,
                        indices: a.mesh.indices,
                        colors: Vec::new(),
                    }));
                    (mesh, Rc::new(a.mesh.joints))
                })
                .map_err(|e| e.to_string());
            Msg::Avatar(seq, result)
        });
    }

    /// The sizes on screen: the selected one and the compared one.
    fn shown_sizes(&self) -> Vec<String> {
        self.selected
            .iter()
            .chain(self.compare.iter())
            .cloned()
            .collect()
    }

    fn shown_sizes_ref(&self) -> impl Iterator<Item = &str> {
        self.selected
            .iter()
            .chain(self.compare.iter())
            .map(String::as_str)
    }

    /// Whether a shown size is still on its way onto the avatar (mesh loading or drape
    /// waiting or running).
    fn drape_pending(&self, label: &str) -> bool {
        let Load::Ready(product) = &self.product else {
            return false;
        };
        self.figure.is_some()
            && matches!(
                self.garments.get(&size_key(product, label)),
                Some(Load::Loading | Load::Ready(_))
            )
            && !matches!(
                self.drape_state(label),
                Some(Load::Ready(_) | Load::Failed(_))
            )
    }

    /// Starts loading the shown sizes' garment meshes if not cached.
    fn load_garments(&mut self, ctx: &Context<Self>) {
        for label in self.shown_sizes() {
            self.load_garment(ctx, &label);
        }
    }

    /// Starts loading one size's garment mesh if not cached.
    fn load_garment(&mut self, ctx: &Context<Self>, label: &str) {
        let Load::Ready(product) = &self.product else {
            return;
        };
        let key = size_key(product, label);
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
        let fabric = doppel_render::Fabric::for_category(product.category.key());
        ctx.link().send_future(async move {
            let result = async {
                let bytes = net::fetch_bytes(&format!("{catalog}{path}")).await?;
                let mesh = crate::glb::read(&bytes).map_err(|e| format!("{path}: {e}"))?;
                let look = garment_look(mesh.material.as_ref(), mesh.uvs, fabric, &path).await;
                Ok((
                    SharedMesh(Rc::new(MeshData {
                        positions: mesh.positions,
                        normals: mesh.normals,
                        indices: mesh.indices,
                        colors: Vec::new(),
                    })),
                    SharedLook(Rc::new(look)),
                ))
            }
            .await;
            Msg::Garment(key, result)
        });
    }

    /// A size's garment mesh as authored (not draped), if loaded.
    fn authored_garment(&self, label: &str) -> Option<&SharedMesh> {
        let Load::Ready(product) = &self.product else {
            return None;
        };
        match self.garments.get(&size_key(product, label)) {
            Some(Load::Ready(m)) => Some(m),
            _ => None,
        }
    }

    /// How far draping a size on the current avatar has got.
    fn drape_state(&self, label: &str) -> Option<&Load<Rc<DrapedSize>>> {
        let Load::Ready(product) = &self.product else {
            return None;
        };
        self.draped.get(&size_key(product, label))
    }

    /// What to show for a size: on the shopper's avatar only the draped garment (fit-map
    /// coloured when the map is on); on the placeholder figure, or if draping failed, the
    /// garment as authored.
    fn garment_mesh(&self, label: &str) -> Option<SharedMesh> {
        if self.figure.is_none() {
            // A preview on the placeholder; hidden while the avatar is built, so the
            // undraped garment does not flash up before the avatar.
            return self
                .authored_garment(label)
                .filter(|_| !self.building)
                .cloned();
        }
        match self.drape_state(label)? {
            Load::Ready(d) if self.fitmap => Some(d.fitmap.clone()),
            Load::Ready(d) => Some(d.plain.clone()),
            Load::Failed(_) => self.authored_garment(label).cloned(),
            _ => None,
        }
    }

    fn current_garment(&self) -> Option<SharedMesh> {
        self.garment_mesh(self.selected.as_deref()?)
    }

    /// A size's look from its file, once loaded.
    fn look(&self, label: Option<&str>) -> Option<SharedLook> {
        let Load::Ready(product) = &self.product else {
            return None;
        };
        self.looks.get(&size_key(product, label?)).cloned()
    }

    /// The compared size's mesh: only on the shopper's avatar (the split view is about
    /// how two sizes sit on *their* body).
    fn current_compare(&self) -> Option<SharedMesh> {
        self.figure.as_ref()?;
        self.compare
            .as_deref()
            .filter(|c| self.selected.as_deref() != Some(*c))
            .and_then(|c| self.garment_mesh(c))
    }

    /// Whether the shown garment carries fit-map colours.
    fn fitmap_shown(&self) -> bool {
        self.fitmap
            && self
                .selected
                .as_deref()
                .and_then(|l| self.drape_state(l))
                .is_some_and(|d| matches!(d, Load::Ready(_)))
    }

    /// Starts draping the next shown size that has its mesh but no drape yet: one at a
    /// time, each after the browser has drawn a frame, so the avatar shows first and
    /// input never waits for more than one drape (~50 ms in wasm).
    fn schedule_drape(&mut self, ctx: &Context<Self>) {
        if self.draping {
            return;
        }
        let (Load::Ready(product), Some(figure)) = (&self.product, &self.figure) else {
            return;
        };
        let Some((key, label, garment)) = self.shown_sizes().into_iter().find_map(|label| {
            let key = size_key(product, &label);
            if self.draped.contains_key(&key) {
                return None;
            }
            let garment = self.authored_garment(&label)?.clone();
            Some((key, label, garment))
        }) else {
            return;
        };
        let ref_m = (reference_stature_cm(&product.chart.name, &label)
            .unwrap_or_else(|| default_reference_stature_cm(product.sex))
            / 100.0) as f32;
        let (product, figure, joints) = (product.clone(), figure.clone(), self.joints.clone());
        let (seq, collider) = (self.figure_seq, self.collider.clone());
        self.draped.insert(key.clone(), Load::Loading);
        self.draping = true;
        ctx.link().send_future(async move {
            after_paint().await;
            // Marks around the work, for the browser benchmark (`tests/bench`).
            crate::gpu::performance_mark("doppel:drape-start");
            let built = collider.is_none();
            let collider = match collider {
                Some(c) => Ok(c),
                None => BodyCollider::new(&BodySurface {
                    positions: &figure.0.positions,
                    normals: &figure.0.normals,
                    indices: &figure.0.indices,
                })
                .map(|c| Rc::new(c.with_joints(&joints)))
                .map_err(|e| e.to_string()),
            };
            let result = collider.as_ref().map_err(Clone::clone).and_then(|c| {
                drape_size(c, &garment.0, ref_m, &product)
                    .map_err(|e| format!("{} {label}: {e}", product.id))
            });
            crate::gpu::performance_mark("doppel:drape-end");
            Msg::Draped(seq, key, collider.ok().filter(|_| built), result)
        });
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

    /// "Compare with…": a labelled select of the other sizes (or off).
    fn compare_view(&self, ctx: &Context<Self>, product: &Product, selected: &str) -> Html {
        let lang = self.lang();
        let onchange = ctx.link().callback(|e: Event| {
            Msg::Compare(e.target_unchecked_into::<HtmlSelectElement>().value())
        });
        let current = self.compare.as_deref().unwrap_or("");
        html! {
            <div class="doppel-field doppel-compare">
                <label for="doppel-compare">{ lang.t(Text::CompareWith) }</label>
                <select id="doppel-compare" name="compare" data-doppel="compare" {onchange}
                    ref={self.compare_ref.clone()}>
                    <option value="" selected={current.is_empty()}>{ lang.t(Text::CompareOff) }</option>
                    { for product.sizes.iter().filter(|s| s.label != selected).map(|s| html! {
                        <option value={s.label.clone()} selected={current == s.label}>{ s.label.clone() }</option>
                    }) }
                </select>
            </div>
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
        let garment = self.current_garment();
        let compare = self.current_compare();
        // Each half of the split view says how that size fits.
        let captions =
            match (&self.rec, &self.selected, &self.compare, &compare) {
                (Some(rec), Some(left), Some(right), Some(_)) => {
                    let sex = self
                        .input
                        .as_ref()
                        .map_or(doppel_body::Sex::Female, |i| i.sex);
                    Some([left, right].map(|l| {
                        format!("{l}: {}", i18n::size_summary(lang, sex, &rec.regions, l))
                    }))
                }
                _ => None,
            };
        let pending: Vec<&str> = self
            .shown_sizes_ref()
            .filter(|l| self.drape_pending(l))
            .collect();
        let failed: Vec<String> = self
            .shown_sizes_ref()
            .filter_map(|l| match self.drape_state(l) {
                Some(Load::Failed(e)) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let draping = (!pending.is_empty() || !failed.is_empty()).then(|| {
            html! {
                <>
                if !pending.is_empty() {
                    <p class="doppel-status" role="status" data-doppel="draping">
                        { lang.t(Text::Draping) }{ " " }{ pending.join(", ") }{ "…" }
                    </p>
                }
                if !failed.is_empty() {
                    <p class="doppel-error" data-doppel="drape-error">
                        { lang.t(Text::DrapeFailed) }{ " (" }{ failed.join("; ") }{ ")" }
                    </p>
                }
                </>
            }
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
                        { self.compare_view(ctx, product, &selected) }
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
                <Viewer figure={self.figure.clone()} garment={garment.clone()}
                    compare={compare.clone()}
                    garment_look={self.look(self.selected.as_deref())}
                    compare_look={self.look(self.compare.as_deref())}
                    labels={(garment.as_ref().and(self.selected.clone()),
                        compare.as_ref().and(self.compare.clone()))}
                    captions={captions}
                    fitmap={self.fitmap_shown()}
                    lang={lang} on_fitmap={Some(ctx.link().callback(Msg::FitMap))} />
                { building.unwrap_or_default() }
                { draping.unwrap_or_default() }
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
            errors: FieldMap::new(),
            submitted: false,
            model: Load::Loading,
            product: Load::None,
            product_seq: 0,
            input: None,
            prediction: None,
            rec: None,
            selected: None,
            figure: None,
            joints: Rc::default(),
            figure_seq: 0,
            building: false,
            garments: Cache::default(),
            looks: Cache::default(),
            profile,
            notice: None,
            store_error: err.map(|e| e.to_string()),
            storage: LocalStorage::open().available(),
            last_height: 0,
            fitmap: false,
            compare: None,
            collider: None,
            draped: Cache::default(),
            draping: false,
            compare_ref: NodeRef::default(),
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
            }
            Msg::Avatar(seq, r) => {
                if seq != self.figure_seq {
                    return false;
                }
                self.building = false;
                match r {
                    Ok((mesh, joints)) => {
                        // Drapes and the collider belong to the old avatar.
                        self.figure = Some(mesh);
                        self.joints = joints;
                        self.collider = None;
                        self.draped.clear();
                    }
                    Err(e) => {
                        self.errors
                            .insert(Field::Height, FieldError::Contradictory(e));
                    }
                }
            }
            Msg::Garment(key, r) => {
                let loaded = match r {
                    Ok((m, look)) => {
                        self.looks.insert(key.clone(), look);
                        Load::Ready(m)
                    }
                    Err(e) => Load::Failed(e),
                };
                self.garments.insert(key, loaded);
            }
            Msg::Draped(seq, key, collider, result) => {
                self.draping = false;
                if seq != self.figure_seq {
                    // Made for an avatar that has since been replaced.
                    self.draped.remove(&key);
                } else {
                    if collider.is_some() {
                        self.collider = collider;
                    }
                    self.draped.insert(
                        key,
                        match result {
                            Ok(d) => Load::Ready(d),
                            Err(e) => Load::Failed(e),
                        },
                    );
                }
            }
            Msg::Select(label) => {
                if self.compare.as_ref() == Some(&label) {
                    self.compare = None;
                }
                self.selected = Some(label);
                self.notice = None;
            }
            Msg::Compare(label) => {
                let valid = matches!(&self.product, Load::Ready(p) if p.size(&label).is_some());
                self.compare = (valid && self.selected.as_ref() != Some(&label)).then_some(label);
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
                self.collider = None;
                self.draped.clear();
                self.compare = None;
                self.building = false;
                self.store_error = None;
                self.notice = Some(Text::Forgotten);
            }
        }
        self.load_garments(ctx);
        self.schedule_drape(ctx);
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
        if let Some(select) = self.compare_ref.cast::<HtmlSelectElement>() {
            let want = self.compare.as_deref().unwrap_or("");
            if select.value() != want {
                select.set_value(want);
            }
        }
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

/// Resolves after the browser had a chance to render (a short timeout).
async fn yield_to_browser() {
    sleep_ms(16).await;
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves once the next frame has been drawn: after the next animation frame (whose
/// callbacks include the 3D view's), or after 100 ms when none comes (a hidden frame
/// gets no animation frames), then after the tasks already queued.
async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    sleep_ms(0).await;
}

/// Carries one size onto the avatar and drapes it; the fit-map colours fold the drape's
/// strain into the ease, so a stretched too-small size shows as tight.
fn drape_size(
    collider: &BodyCollider,
    garment: &MeshData,
    ref_stature_m: f32,
    product: &Product,
) -> Result<Rc<DrapedSize>, String> {
    let draped = dress_on(
        collider,
        &garment.positions,
        &garment.indices,
        ref_stature_m,
        &product.fabric,
        product.category,
    )
    .map_err(|e| e.to_string())?;
    let mut plain = MeshData {
        positions: draped.positions,
        // Normals of the draped shape: computed by `offset_along_normals` below.
        normals: Vec::new(),
        indices: garment.indices.clone(),
        colors: Vec::new(),
    };
    plain.offset_along_normals(doppel_render::mesh::CLOTH_OFFSET_M);
    let mut fitmap = plain.clone();
    fitmap.colors = fitmap_colors(&draped.ease_cm, &draped.strain);
    Ok(Rc::new(DrapedSize {
        plain: SharedMesh(Rc::new(plain)),
        fitmap: SharedMesh(Rc::new(fitmap)),
    }))
}

/// Per-vertex fit-map colours from the drape's ease (cm) and strain.
fn fitmap_colors(ease_cm: &[f32], strain: &[f32]) -> Vec<[f32; 3]> {
    ease_cm
        .iter()
        .zip(strain)
        .map(|(e, s)| doppel_render::fitmap::ease_color(doppel_fit::fitmap::fit_map_cm(*e, *s)))
        .collect()
}

/// A garment's look from its file: material factors, UVs, and the base colour image
/// decoded by the browser. A texture the browser cannot decode is left out with a console
/// note (the factor colour shows); so is one without UVs.
async fn garment_look(
    material: Option<&crate::glb::GlbMaterial>,
    uvs: Vec<[f32; 2]>,
    fabric: doppel_render::Fabric,
    path: &str,
) -> crate::gpu::Look {
    let base = material.map_or(crate::viewer::GARMENT, |m| Material {
        base_color: m.base_color,
        roughness: m.roughness,
        metallic: m.metallic,
    });
    let mut image = None;
    if let Some(img) = material.and_then(|m| m.base_color_image.as_ref())
        && !uvs.is_empty()
    {
        match decode_image(&img.bytes, &img.mime).await {
            Ok(i) => image = Some(i),
            Err(e) => web_sys::console::warn_1(
                &format!("doppel: {path}: base colour texture not shown: {e}").into(),
            ),
        }
    }
    crate::gpu::Look {
        material: base,
        uvs,
        image,
        fabric,
    }
}

/// `createImageBitmap` on encoded image bytes.
async fn decode_image(
    bytes: &[u8],
    mime: &str,
) -> Result<(web_sys::ImageBitmap, u32, u32), String> {
    let err = |e: JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(err)?;
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.create_image_bitmap_with_blob(&blob).map_err(err)?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(err)?
        .dyn_into()
        .map_err(err)?;
    let (w, h) = (bitmap.width(), bitmap.height());
    Ok((bitmap, w, h))
}

/// A few entries keyed by size (a product has a handful of sizes): a list searched in
/// order. Smaller in wasm than a `HashMap` per value type (hashing, table growth), and as
/// fast at this size.
struct Cache<V>(Vec<(String, V)>);

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> Cache<V> {
    fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn insert(&mut self, key: String, value: V) {
        self.remove(&key);
        self.0.push((key, value));
    }

    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}
