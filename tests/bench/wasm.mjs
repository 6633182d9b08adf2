// wasm benchmarks: times the `bench_*` exports of the `doppel-wasm-bench` cdylib
// (xtask/wasm-bench) in Node's V8 with performance.now(). Run through
// `cargo xtask bench-wasm [--json] [--filter TEXT] [--release]`, which builds the wasm first,
// or directly: `node tests/bench/wasm.mjs --wasm PATH [--json] [--filter TEXT] [--iters N]`.
//
// Adding a benchmark: one `#[unsafe(no_mangle)] pub extern "C" fn bench_<area>_<what>() -> f64`
// export in xtask/wasm-bench/src (returns a result, negative on failure), plus ONE entry in
// BENCHES below: { name, run: "<export>", setup?: ["setup_<area>", "<file relative to the
// repo root>"] }. The file's bytes are copied into wasm memory via `alloc(len)` and passed to
// the setup export once (0 = ok). Budgets are only for the table's last column; nothing here
// fails on a slow result (timings are reported, not asserted).

import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import os from "node:os";

const MODEL = ["setup_body", "assets/body/model.bin"];

/** The benchmarks, in table order. `budget_ms` (optional) is the budget. */
export const BENCHES = [
  { name: "body: model load", run: "bench_body_model_load", setup: MODEL },
  { name: "body: evaluate mesh", run: "bench_body_evaluate", setup: MODEL },
  { name: "body: measure all", run: "bench_body_measure", setup: MODEL },
  { name: "body: predict (+chest/waist/hip)", run: "bench_body_predict", setup: MODEL },
  { name: "body: solve (height/weight)", run: "bench_body_solve_hw", setup: MODEL, budget_ms: 60 },
  { name: "body: solve (+chest/waist/hip)", run: "bench_body_solve_cwh", setup: MODEL, budget_ms: 60 },
  { name: "body: build avatar (+chest/waist/hip)", run: "bench_body_avatar", setup: MODEL },
  { name: "concierge: ask (500-entry pack)", run: "bench_concierge_ask", budget_ms: 5 },
  { name: "fit: drape one size (hoodie, ~8k vertices)", run: "bench_drape_hoodie_8k", setup: ["setup_drape", "assets/body/model.bin"], budget_ms: 80 },
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function parseArgs(argv) {
  const o = { json: false, filter: null, wasm: null, iters: null, seconds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--json") o.json = true;
    else if (a === "--filter") o.filter = next();
    else if (a === "--wasm") o.wasm = next();
    else if (a === "--iters") o.iters = Number(next());
    else if (a === "--seconds") o.seconds = Number(next());
    else throw new Error(`unknown argument ${a} (known: --wasm PATH --json --filter TEXT --iters N --seconds S)`);
  }
  if (!o.wasm) throw new Error("--wasm PATH is required (cargo xtask bench-wasm passes it)");
  if (o.iters !== null && !(Number.isInteger(o.iters) && o.iters > 0)) throw new Error("--iters must be a positive integer");
  if (!(o.seconds > 0)) throw new Error("--seconds must be positive");
  return o;
}

async function instantiate(path) {
  const bytes = readFileSync(path);
  const module = await WebAssembly.compile(bytes);
  // A plain cdylib needs no imports; should std ever want one, fail loudly when it is called.
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] ??= {};
    if (imp.kind === "function") {
      imports[imp.module][imp.name] = () => {
        throw new Error(`wasm called unexpected import ${imp.module}.${imp.name}`);
      };
    }
  }
  const instance = await WebAssembly.instantiate(module, imports);
  return { exports: instance.exports, size: bytes.length };
}

function runSetup(ex, [fn, file], done) {
  const key = `${fn} ${file}`;
  if (done.has(key)) return done.get(key);
  const data = readFileSync(resolve(ROOT, file));
  const ptr = ex.alloc(data.length) >>> 0;
  // Read memory.buffer after alloc: the allocation may have grown (replaced) it.
  new Uint8Array(ex.memory.buffer, ptr, data.length).set(data);
  const rc = ex[fn](ptr, data.length);
  const err = rc === 0 ? null : `${fn}(${file}) returned ${rc}`;
  done.set(key, err);
  return err;
}

function quantile(sorted, q) {
  // Nearest rank: an observed time, never an interpolation.
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function timeOne(fn, opts) {
  const t0 = performance.now();
  let result = fn();
  const first = performance.now() - t0;
  // Warm-up: let V8 tier up (at least 3 calls and 0.3 s).
  const w0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - w0 < 300; i++) result = fn();
  const times = [];
  const m0 = performance.now();
  while (opts.iters !== null ? times.length < opts.iters
    : times.length < 10 || (performance.now() - m0 < opts.seconds * 1000 && times.length < 1000)) {
    const a = performance.now();
    result = fn();
    times.push(performance.now() - a);
  }
  times.sort((x, y) => x - y);
  return {
    n: times.length,
    first_ms: first,
    median_ms: quantile(times, 0.5),
    p95_ms: quantile(times, 0.95),
    min_ms: times[0],
    result,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { exports: ex, size } = await instantiate(opts.wasm);
  const done = new Map();
  const rows = [];
  for (const b of BENCHES) {
    if (opts.filter && !b.name.includes(opts.filter) && !b.run.includes(opts.filter)) continue;
    const row = { name: b.name, export: b.run, budget_ms: b.budget_ms ?? null };
    if (typeof ex[b.run] !== "function") {
      row.error = `export ${b.run} not found in the wasm`;
    } else {
      row.error = b.setup ? runSetup(ex, b.setup, done) : null;
      if (!row.error) {
        try {
          Object.assign(row, timeOne(ex[b.run], opts));
          if (!(row.result >= 0)) row.error = `${b.run} returned ${row.result} (failure)`;
        } catch (e) {
          row.error = `${b.run} trapped: ${e.message}`;
        }
      }
    }
    rows.push(row);
  }
  const report = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    wasm: opts.wasm,
    wasm_bytes: size,
    benchmarks: rows,
  };
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const f = (v) => (v === undefined ? "—" : v < 1 ? v.toFixed(3) : v.toFixed(2));
    console.log(`wasm ${opts.wasm} (${size} bytes), node ${process.version}, ${report.cores} × ${report.cpu}`);
    console.log("| benchmark | n | median ms | p95 ms | min ms | first call ms | result | budget |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---|");
    for (const r of rows) {
      if (r.error) {
        console.log(`| ${r.name} | — | — | — | — | — | ERROR: ${r.error} | |`);
        continue;
      }
      const budget = r.budget_ms === null ? "" : `≤ ${r.budget_ms} ms ${r.median_ms <= r.budget_ms ? "✔" : "✘"}`;
      console.log(`| ${r.name} | ${r.n} | ${f(r.median_ms)} | ${f(r.p95_ms)} | ${f(r.min_ms)} | ${f(r.first_ms)} | ${+r.result.toPrecision(6)} | ${budget} |`);
    }
  }
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench-wasm: ${e.message}`);
  process.exitCode = 1;
});
