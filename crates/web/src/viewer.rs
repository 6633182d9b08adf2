//! The yew app: the 3D view with its controls.

use crate::gpu::{self, GpuView, ViewHandle, ViewStatus};
use doppel_render::ViewPreset;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Root component.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <main class="doppel-app">
            <Viewer />
        </main>
    }
}

/// Interaction state kept outside yew's render cycle (pointer drags fire often).
#[derive(Default)]
struct Drag {
    active: Cell<bool>,
    last: Cell<(i32, i32)>,
}

/// The 3D view: canvas, status line and view buttons.
#[function_component(Viewer)]
pub fn viewer() -> Html {
    let canvas_ref = use_node_ref();
    let status = use_state(|| ViewStatus::Starting);
    let handle: Rc<ViewHandle> = use_mut_ref(|| None::<GpuView>).into();
    let handle: ViewHandle = (*handle).clone();
    let raf = use_mut_ref(|| None::<Rc<Closure<dyn FnMut()>>>);
    let drag = use_memo((), |_| Drag::default());

    {
        let canvas_ref = canvas_ref.clone();
        let status = status.clone();
        let handle = handle.clone();
        let raf = raf.clone();
        use_effect_with((), move |_| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                wasm_bindgen_futures::spawn_local(async move {
                    match gpu::create(canvas).await {
                        Ok(view) => {
                            let name = view.backend_name();
                            *handle.borrow_mut() = Some(view);
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

    let message = match &*status {
        ViewStatus::Starting => {
            html! { <p class="doppel-status" role="status">{ "Starting 3D view…" }</p> }
        }
        ViewStatus::Running(_) => html! {},
        ViewStatus::Failed(msg) => html! {
            <p class="doppel-error" role="alert" data-doppel="no-adapter">
                { "3D view unavailable: " }{ msg.clone() }
                { " Size advice still works without it." }
            </p>
        },
    };
    html! {
        <section class="doppel-viewer" aria-label="3D view of your double">
            <canvas
                ref={canvas_ref}
                data-doppel="view"
                tabindex="0"
                aria-label="3D view. Drag or use the arrow keys to turn, + and − to zoom, 0 to reset."
                {onpointerdown}
                {onpointermove}
                onpointerup={onpointerup.clone()}
                onpointercancel={onpointerup}
                {onwheel}
                {onkeydown}
            />
            { message }
            <div class="doppel-views" role="group" aria-label="Views">
                <button type="button" onclick={preset(ViewPreset::Front)}>{ "Front" }</button>
                <button type="button" onclick={preset(ViewPreset::Side)}>{ "Side" }</button>
                <button type="button" onclick={preset(ViewPreset::Back)}>{ "Back" }</button>
                <button type="button" onclick={reset}>{ "Reset" }</button>
            </div>
        </section>
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
