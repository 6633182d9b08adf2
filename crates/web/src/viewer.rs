//! The yew app: the widget around the 3D view with its controls.

use crate::gpu::{self, GpuView, Look, ViewHandle, ViewStatus};
use crate::i18n::{Lang, Text};
use doppel_render::{Material, MeshData, ViewPreset};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Interaction state kept outside yew's render cycle (pointer drags fire often).
#[derive(Default)]
struct Drag {
    active: Cell<bool>,
    last: Cell<(i32, i32)>,
}

/// A mesh shared between the widget and the view; equal only to itself (cheap compare).
#[derive(Debug, Clone)]
pub struct SharedMesh(pub Rc<MeshData>);

impl PartialEq for SharedMesh {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A garment's look shared between the widget and the view; equal only to itself.
#[derive(Debug, Clone)]
pub struct SharedLook(pub Rc<Look>);

impl PartialEq for SharedLook {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Material of a garment whose file has none: a mid-blue cotton.
pub const GARMENT: Material = Material {
    base_color: [0.10, 0.22, 0.48, 1.0],
    roughness: 0.85,
    metallic: 0.0,
};

/// What the view should show.
#[derive(Properties, PartialEq, Clone, Default)]
pub struct ViewerProps {
    /// The shopper's avatar (the placeholder figure until there is one).
    #[prop_or_default]
    pub figure: Option<SharedMesh>,
    /// The garment worn, if any.
    #[prop_or_default]
    pub garment: Option<SharedMesh>,
    /// A second size of the garment to compare with: split view, `garment` on the left and
    /// this on the right.
    #[prop_or_default]
    pub compare: Option<SharedMesh>,
    /// The look (material, UVs, texture) of `garment`'s file; `None`: [`GARMENT`].
    #[prop_or_default]
    pub garment_look: Option<SharedLook>,
    /// The look of `compare`'s file.
    #[prop_or_default]
    pub compare_look: Option<SharedLook>,
    /// Size labels of `garment` and `compare` (for the `data-garment` / `data-compare`
    /// attributes).
    #[prop_or_default]
    pub labels: (Option<String>, Option<String>),
    /// Captions of the two halves in split view ("M: snug at the hip", "L: fits").
    #[prop_or_default]
    pub captions: Option<[String; 2]>,
    /// Whether `garment` carries fit-map colours (drawn unlit-white so they show as is).
    #[prop_or_default]
    pub fitmap: bool,
    /// Language of the controls.
    #[prop_or_default]
    pub lang: Lang,
    /// Fit-map switch: shown when set and there is a garment.
    #[prop_or_default]
    pub on_fitmap: Option<Callback<bool>>,
}

/// Material of the garment when it shows fit-map colours: white, so the tint is the colour.
const FITMAP: Material = Material {
    base_color: [1.0, 1.0, 1.0, 1.0],
    roughness: 0.9,
    metallic: 0.0,
};

/// The scene wanted and the scene on the GPU (the view starts asynchronously).
#[derive(Default)]
struct Scene {
    wanted: ViewerProps,
    figure_shown: Option<SharedMesh>,
    garment_shown: Option<(Option<SharedMesh>, Option<SharedLook>, bool)>,
    compare_shown: Option<(Option<SharedMesh>, Option<SharedLook>, bool)>,
    /// The see-through toggle (kept here so new sizes keep it).
    see_through: bool,
}

/// The garment's material: white for fit-map colours, else its file's factors (or
/// [`GARMENT`]); `see_through` lowers the alpha to show the body inside.
fn garment_material(look: Option<&SharedLook>, fitmap: bool, see_through: bool) -> Material {
    let mut m = if fitmap {
        FITMAP
    } else {
        look.map_or(GARMENT, |l| l.0.material)
    };
    if see_through {
        m.base_color[3] = m.base_color[3].min(0.45);
    }
    m
}

/// Uploads whatever in `scene.wanted` is not yet on the GPU.
fn sync_scene(handle: &ViewHandle, scene: &RefCell<Scene>) {
    let Ok(mut slot) = handle.try_borrow_mut() else {
        return;
    };
    let Some(view) = slot.as_mut() else { return };
    let mut s = scene.borrow_mut();
    if let Some(f) = s.wanted.figure.clone()
        && s.figure_shown.as_ref() != Some(&f)
        && view.set_figure((*f.0).clone(), Material::SKIN).is_ok()
    {
        s.figure_shown = Some(f);
    }
    let fitmap = s.wanted.fitmap;
    let see_through = s.see_through;
    // The texture would hide the fit-map colours: fit-map meshes go without the look.
    let look_of = |l: &Option<SharedLook>| if fitmap { None } else { l.clone() };
    let g = (
        s.wanted.garment.clone(),
        look_of(&s.wanted.garment_look),
        see_through,
    );
    if s.garment_shown.as_ref() != Some(&g)
        && view
            .set_garment(
                g.0.as_ref().map(|m| (*m.0).clone()),
                garment_material(g.1.as_ref(), fitmap, see_through),
                g.1.as_ref().map(|l| l.0.clone()),
            )
            .is_ok()
    {
        s.garment_shown = Some(g);
    }
    let c = (
        s.wanted.compare.clone(),
        look_of(&s.wanted.compare_look),
        see_through,
    );
    if s.compare_shown.as_ref() != Some(&c)
        && view
            .set_compare_garment(
                c.0.as_ref().map(|m| (*m.0).clone()),
                garment_material(c.1.as_ref(), fitmap, see_through),
                c.1.as_ref().map(|l| l.0.clone()),
            )
            .is_ok()
    {
        s.compare_shown = Some(c);
    }
}

/// The 3D view: canvas, status line and view buttons.
#[function_component(Viewer)]
pub fn viewer(props: &ViewerProps) -> Html {
    let canvas_ref = use_node_ref();
    let status = use_state(|| ViewStatus::Starting);
    let handle: Rc<ViewHandle> = use_mut_ref(|| None::<GpuView>).into();
    let handle: ViewHandle = (*handle).clone();
    let raf = use_mut_ref(|| None::<Rc<Closure<dyn FnMut()>>>);
    let drag = use_memo((), |_| Drag::default());
    let scene = use_mut_ref(Scene::default);

    {
        let canvas_ref = canvas_ref.clone();
        let status = status.clone();
        let handle = handle.clone();
        let raf = raf.clone();
        let scene = scene.clone();
        use_effect_with((), move |_| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                wasm_bindgen_futures::spawn_local(async move {
                    match gpu::create(canvas).await {
                        Ok(view) => {
                            let name = view.backend_name();
                            *handle.borrow_mut() = Some(view);
                            sync_scene(&handle, &scene);
                            let cb = Rc::new(gpu::frame_callback(handle.clone()));
                            *raf.borrow_mut() = Some(cb.clone());
                            watch_resize(handle.clone(), cb.clone());
                            gpu::request_redraw(&handle, &cb);
                            status.set(ViewStatus::Running(name));
                        }
                        Err(msg) => status.set(ViewStatus::Failed(msg)),
                    }
                });
            }
            || ()
        });
    }

    {
        // New meshes from the widget: upload them (now, or when the view has started).
        let handle = handle.clone();
        let raf = raf.clone();
        let scene = scene.clone();
        use_effect_with(props.clone(), move |p| {
            scene.borrow_mut().wanted = p.clone();
            sync_scene(&handle, &scene);
            if let Some(cb) = raf.borrow().as_ref() {
                gpu::request_redraw(&handle, cb);
            }
            || ()
        });
    }

    // Runs `f` on the view (if running) and schedules a redraw.
    let with_view = {
        let handle = handle.clone();
        let raf = raf.clone();
        Rc::new(move |f: &dyn Fn(&mut GpuView)| {
            if let Ok(mut slot) = handle.try_borrow_mut()
                && let Some(v) = slot.as_mut()
            {
                f(v);
            }
            if let Some(cb) = raf.borrow().as_ref() {
                gpu::request_redraw(&handle, cb);
            }
        })
    };

    let onpointerdown = {
        let drag = drag.clone();
        Callback::from(move |e: PointerEvent| {
            drag.active.set(true);
            drag.last.set((e.client_x(), e.client_y()));
            if let Some(t) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = t.set_pointer_capture(e.pointer_id());
            }
        })
    };
    let onpointermove = {
        let drag = drag.clone();
        let with_view = with_view.clone();
        Callback::from(move |e: PointerEvent| {
            if !drag.active.get() {
                return;
            }
            let (x0, y0) = drag.last.get();
            let (x, y) = (e.client_x(), e.client_y());
            drag.last.set((x, y));
            with_view(&|v| v.orbit((x - x0) as f32, (y - y0) as f32));
        })
    };
    let onpointerup = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| drag.active.set(false))
    };
    let onwheel = {
        let with_view = with_view.clone();
        Callback::from(move |e: WheelEvent| {
            let factor = (e.delta_y() * 0.001).exp() as f32;
            with_view(&|v| v.zoom(factor));
        })
    };
    let onkeydown = {
        let with_view = with_view.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step = 24.0;
            let handled = match e.key().as_str() {
                "ArrowLeft" => {
                    with_view(&|v| v.orbit(-step, 0.0));
                    true
                }
                "ArrowRight" => {
                    with_view(&|v| v.orbit(step, 0.0));
                    true
                }
                "ArrowUp" => {
                    with_view(&|v| v.orbit(0.0, -step));
                    true
                }
                "ArrowDown" => {
                    with_view(&|v| v.orbit(0.0, step));
                    true
                }
                "+" | "=" => {
                    with_view(&|v| v.zoom(0.9));
                    true
                }
                "-" => {
                    with_view(&|v| v.zoom(1.1));
                    true
                }
                "0" | "Home" => {
                    with_view(&|v| v.reset());
                    true
                }
                _ => false,
            };
            if handled {
                e.prevent_default();
            }
        })
    };
    let preset = |p: ViewPreset| {
        let with_view = with_view.clone();
        Callback::from(move |_: MouseEvent| with_view(&|v| v.set_view(p)))
    };
    let reset = {
        let with_view = with_view.clone();
        Callback::from(move |_: MouseEvent| with_view(&|v| v.reset()))
    };
    let see_through = use_state(|| false);
    let fitmap = props.fitmap;
    let lang = props.lang;
    let toggle_see_through = {
        let (handle, raf, scene) = (handle.clone(), raf.clone(), scene.clone());
        let see_through = see_through.clone();
        Callback::from(move |_: MouseEvent| {
            let on = !*see_through;
            // Half-transparent cloth shows where the body is inside it.
            scene.borrow_mut().see_through = on;
            sync_scene(&handle, &scene);
            if let Some(cb) = raf.borrow().as_ref() {
                gpu::request_redraw(&handle, cb);
            }
            see_through.set(on);
        })
    };

    let message = match &*status {
        ViewStatus::Starting => {
            html! { <p class="doppel-status" role="status">{ lang.t(Text::Starting3d) }</p> }
        }
        ViewStatus::Running(_) => html! {},
        ViewStatus::Failed(msg) => html! {
            <p class="doppel-error" role="alert" data-doppel="no-adapter">
                { lang.t(Text::No3d) }{ " (" }{ msg.clone() }{ ")" }
            </p>
        },
    };
    html! {
        <section class="doppel-viewer" aria-label={lang.t(Text::MyDouble)}
            data-garment={props.labels.0.clone()} data-compare={props.labels.1.clone()}>
            if let Some([left, right]) = props.captions.clone() {
                <div class="doppel-split-captions" data-doppel="split-captions">
                    <p data-side="left">{ left }</p>
                    <p data-side="right">{ right }</p>
                </div>
            }
            <canvas
                ref={canvas_ref}
                data-doppel="view"
                tabindex="0"
                aria-label={lang.t(Text::ViewLabel)}
                {onpointerdown}
                {onpointermove}
                onpointerup={onpointerup.clone()}
                onpointercancel={onpointerup}
                {onwheel}
                {onkeydown}
            />
            { message }
            <div class="doppel-views" role="group" aria-label={lang.t(Text::Views)}>
                <button type="button" onclick={preset(ViewPreset::Front)}>{ lang.t(Text::Front) }</button>
                <button type="button" onclick={preset(ViewPreset::Side)}>{ lang.t(Text::Side) }</button>
                <button type="button" onclick={preset(ViewPreset::Back)}>{ lang.t(Text::Back) }</button>
                <button type="button" onclick={reset}>{ lang.t(Text::ResetView) }</button>
                if props.garment.is_some() {
                    <button type="button" aria-pressed={if *see_through { "true" } else { "false" }}
                        data-doppel="see-through" onclick={toggle_see_through}>{ lang.t(Text::SeeThrough) }</button>
                }
                if let (Some(cb), true) = (props.on_fitmap.clone(), props.garment.is_some()) {
                    <button type="button" aria-pressed={if fitmap { "true" } else { "false" }}
                        data-doppel="fitmap" onclick={Callback::from(move |_: MouseEvent| cb.emit(!fitmap))}>
                        { lang.t(Text::FitMap) }
                    </button>
                }
            </div>
            if fitmap && props.garment.is_some() {
                { legend(lang) }
            }
        </section>
    }
}

/// The fit map's legend: the ramp's stops with their meaning, as text and swatches (the
/// colours alone never carry the information).
fn legend(lang: Lang) -> Html {
    let label = |name: &str| -> &'static str {
        let de = match name {
            "too tight" => "zu eng",
            "snug" => "eng anliegend",
            "good" => "passt",
            "relaxed" => "locker",
            _ => "zu weit",
        };
        let en = match name {
            "too tight" => "too tight",
            "snug" => "snug",
            "good" => "good",
            "relaxed" => "relaxed",
            _ => "too loose",
        };
        if lang == Lang::De { de } else { en }
    };
    html! {
        <figure class="doppel-legend" data-doppel="legend">
            <figcaption>{ lang.t(Text::LegendTitle) }</figcaption>
            <ul>
                { for doppel_render::fitmap::STOPS.iter().enumerate().map(|(i, (cm, _, name))| {
                    html! {
                        <li>
                            // Colours come from app.css (the CSP forbids inline styles);
                            // a test keeps them equal to the renderer's ramp.
                            <span class={format!("doppel-swatch doppel-swatch-{i}")} aria-hidden="true"></span>
                            { label(name) }{ format!(" ({}{} cm)", if *cm > 0.0 { "+" } else { "" }, cm) }
                        </li>
                    }
                }) }
            </ul>
        </figure>
    }
}

/// Redraws when the window (and so the canvas) changes size or pixel ratio.
fn watch_resize(handle: ViewHandle, raf: Rc<Closure<dyn FnMut()>>) {
    let cb = Closure::<dyn FnMut()>::new(move || {
        if let Ok(mut slot) = handle.try_borrow_mut()
            && let Some(v) = slot.as_mut()
        {
            v.invalidate();
        }
        gpu::request_redraw(&handle, &raf);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", cb.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    cb.forget();
}
