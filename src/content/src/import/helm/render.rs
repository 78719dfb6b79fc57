//! The template engine run over a chart: every template file parsed into one
//! set (so `define`s are shared, as in Helm), each manifest rendered with
//! its context, `include` and `tpl` served from the same set.
//!
//! Template functions are plain function pointers, so the set a render uses
//! is reached through a thread-local; rendering happens on a thread of its
//! own (a large stack for deep template nesting), which also keeps it off
//! the server's worker threads.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use gtmpl::{Context, FuncError, Template, Value};
use serde_json::Value as Json;

use super::super::ImportError;
use super::funcs::FUNCS;
use super::values::{exactly, fail, string, to_engine};

/// The tree that renders any named template: `{{template (.name) .ctx}}`.
const DISPATCH: &str = "meshcloud/dispatch";
/// `include`/`tpl` nested deeper than this is taken for a loop.
const MAX_NESTING: usize = 64;
/// The most text one render writes.
const MAX_OUTPUT: usize = 16 * 1024 * 1024;
/// The longest a chart's rendering may take (checked as it writes and at
/// each `include`/`tpl`).
const RENDER_TIME: Duration = Duration::from_secs(10);
/// Stack of the rendering thread: the engine recurses per nested template.
const STACK_BYTES: usize = 64 * 1024 * 1024;

struct Engine {
    set: Template,
    depth: Cell<usize>,
    written: Cell<usize>,
    deadline: Instant,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Engine>>> = const { RefCell::new(None) };
}

fn template(name: &str) -> Template {
    let mut t = Template::with_name(name);
    t.add_funcs(FUNCS);
    t
}

/// A parse error as a sentence naming the file; an unknown function gets
/// its own (the chart needs something the engine lacks).
fn parse_error(file: &str, e: &gtmpl::error::ParseError) -> ImportError {
    let text = e.to_string();
    if let Some(rest) = text.split("function ").nth(1)
        && let Some(name) = rest.strip_suffix(" not defined")
    {
        return ImportError::Invalid(format!(
            "the chart's template {file} uses the template function \"{name}\", which meshcloud does not support"
        ));
    }
    ImportError::Invalid(format!("the chart's template {file} does not parse: {text}"))
}

impl Engine {
    fn new(sources: &[(String, String)]) -> Result<Engine, ImportError> {
        let mut set = template(DISPATCH);
        set.add_template(DISPATCH, "{{template (.name) .ctx}}")
            .map_err(|e| ImportError::Invalid(format!("template engine: {e}")))?;
        for (file, text) in sources {
            if dynamic_template(text) {
                return Err(ImportError::Invalid(format!(
                    "the chart's template {file} does not parse: a template name must be a string constant"
                )));
            }
            set.add_template(file.as_str(), text.as_str()).map_err(|e| match e {
                gtmpl::TemplateError::ParseError(p) => parse_error(file, &p),
                other => ImportError::Invalid(format!("the chart's template {file} does not parse: {other}")),
            })?;
        }
        if let Some(name) = recursive(&set) {
            return Err(ImportError::Invalid(format!(
                "the chart's template \"{name}\" calls itself through `template`, which would never end"
            )));
        }
        Ok(Engine { set, depth: Cell::new(0), written: Cell::new(0), deadline: Instant::now() + RENDER_TIME })
    }

    /// Renders the template `name` (a file or a `define`) with `ctx` as dot.
    fn exec(&self, name: &str, ctx: Value) -> Result<String, String> {
        if !self.set.tree_set.contains_key(name) {
            return Err(format!("no template named \"{name}\""));
        }
        let data = Value::Map([("name".to_string(), Value::from(name)), ("ctx".to_string(), ctx)].into());
        let mut sink = Sink { buf: Vec::new(), engine: self };
        self.set.execute(&mut sink, &Context::from(data)).map_err(|e| e.to_string())?;
        String::from_utf8(sink.buf).map_err(|_| "the output is not UTF-8 text".to_string())
    }

    /// Refuses to go on past the output limit or the time limit.
    fn check(&self, more: usize) -> Result<(), String> {
        let written = self.written.get().saturating_add(more);
        if written > MAX_OUTPUT {
            return Err(format!("the chart renders to more than {} MiB", MAX_OUTPUT / (1024 * 1024)));
        }
        if Instant::now() > self.deadline {
            return Err(format!("rendering the chart took longer than {} s", RENDER_TIME.as_secs()));
        }
        self.written.set(written);
        Ok(())
    }
}

/// Where a template writes: every write counts against the output and
/// time limits, so a runaway loop that prints ends.
struct Sink<'a> {
    buf: Vec<u8>,
    engine: &'a Engine,
}

impl Write for Sink<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.engine.check(data.len()).map_err(std::io::Error::other)?;
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether `text` calls `template` with a computed name (`{{ template
/// (…) }}`), which Go templates do not allow and the dispatch tree relies
/// on being the only one to do.
fn dynamic_template(text: &str) -> bool {
    text.match_indices("{{").any(|(at, _)| {
        let rest = text[at + 2..].trim_start_matches('-').trim_start();
        rest.strip_prefix("template").is_some_and(|r| r.trim_start().starts_with('('))
    })
}

/// A template that reaches itself through `template` calls: the engine
/// would recurse until the stack runs out, so such a chart is refused
/// before rendering. (`include` loops are caught while rendering.)
fn recursive(set: &Template) -> Option<String> {
    let calls: HashMap<&str, Vec<String>> = set
        .tree_set
        .iter()
        .filter(|(name, _)| name.as_str() != DISPATCH)
        .map(|(name, tree)| {
            let text = tree.root.as_ref().map(ToString::to_string).unwrap_or_default();
            let called = text
                .match_indices("{{template ")
                .map(|(at, m)| text[at + m.len()..].split([' ', '}']).next().unwrap_or_default().to_string())
                .collect();
            (name.as_str(), called)
        })
        .collect();
    // Depth-first, colouring names in progress (1) and done (2).
    fn visit<'a>(name: &'a str, calls: &'a HashMap<&str, Vec<String>>, state: &mut HashMap<&'a str, u8>) -> bool {
        match state.get(name) {
            Some(1) => return true,
            Some(_) => return false,
            None => {}
        }
        state.insert(name, 1);
        let looped = calls.get(name).is_some_and(|next| next.iter().any(|n| visit(n, calls, state)));
        state.insert(name, 2);
        looped
    }
    let mut state = HashMap::new();
    let mut names: Vec<&str> = calls.keys().copied().collect();
    names.sort_unstable();
    names.into_iter().find(|n| visit(n, &calls, &mut state)).map(String::from)
}

fn current() -> Result<Rc<Engine>, FuncError> {
    CURRENT.with(|c| c.borrow().clone()).ok_or_else(|| fail("no chart is being rendered"))
}

/// Runs `f` one nesting level deeper, refusing past [`MAX_NESTING`].
fn nested<T>(engine: &Engine, f: impl FnOnce() -> Result<T, FuncError>) -> Result<T, FuncError> {
    let depth = engine.depth.get();
    if depth >= MAX_NESTING {
        return Err(fail(format!("templates nest deeper than {MAX_NESTING} levels (a template including itself?)")));
    }
    engine.check(0).map_err(fail)?;
    engine.depth.set(depth + 1);
    let out = f();
    engine.depth.set(depth);
    out
}

/// Helm's `include NAME DOT`: a named template's output as a string.
pub fn include(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("include", args, 2)?;
    let name = string(&args[0]);
    let engine = current()?;
    nested(&engine, || engine.exec(&name, args[1].clone()).map_err(|e| fail(format!("include \"{name}\": {e}"))))
        .map(Value::String)
}

/// Helm's `tpl TEXT DOT`: a string rendered as a template.
pub fn tpl(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("tpl", args, 2)?;
    let engine = current()?;
    nested(&engine, || {
        let mut t = template("tpl");
        t.parse(string(&args[0])).map_err(|e| fail(format!("tpl: {e}")))?;
        t.render(&Context::from(args[1].clone())).map_err(|e| fail(format!("tpl: {e}")))
    })
    .map(Value::String)
}

/// Clears the thread's engine however the render ends.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        CURRENT.with(|c| c.borrow_mut().take());
    }
}

/// Parses `sources` (file name, text) as one set and renders each of
/// `targets` (file name, its context); answers (file name, output) in the
/// order given. Go's "<no value>" for a missing value prints nothing, as in
/// Helm.
pub fn render(
    sources: Vec<(String, String)>,
    targets: Vec<(String, Json)>,
) -> Result<Vec<(String, String)>, ImportError> {
    let job = move || {
        let engine = Rc::new(Engine::new(&sources)?);
        CURRENT.with(|c| *c.borrow_mut() = Some(engine.clone()));
        let _installed = Installed;
        let mut out = Vec::with_capacity(targets.len());
        for (file, ctx) in targets {
            let text = engine
                .exec(&file, to_engine(&ctx))
                .map_err(|e| ImportError::Invalid(format!("the chart's template {file} failed: {}", tidy(&e))))?;
            out.push((file, text.replace("<no value>", "")));
        }
        Ok(out)
    };
    std::thread::Builder::new()
        .name("helm-render".into())
        .stack_size(STACK_BYTES)
        .spawn(job)
        .map_err(|e| ImportError::Invalid(format!("template engine: {e}")))?
        .join()
        .unwrap_or_else(|_| Err(ImportError::Invalid("the chart's templates could not be rendered".into())))
}

/// The engine's error without its wrapping of nested function errors.
fn tidy(e: &str) -> String {
    e.replace("unable to call function: ", "").trim().to_string()
}
