//! meshcloud as a separate process: the CLI, and `serve` for the tests that
//! kill it, signal it or restart it on the same data dir.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, Api, client, poll};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_meshcloud-under-test")
}

/// Runs the meshcloud CLI against `data_dir`; panics with its stderr on failure.
pub fn cli_ok(data_dir: &Path, args: &[&str]) -> String {
    let out = cli(data_dir, args, None);
    assert!(out.status.success(), "meshcloud {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8 stdout").trim().to_string()
}

/// The binary with an environment of its own: no `MESHCLOUD_*` variables or
/// `./meshcloud.toml` of the machine running the tests leak in.
fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_clear().env("MESHCLOUD_DATA_DIR", data_dir);
    if let Some(parent) = data_dir.parent().filter(|p| p.exists()) {
        cmd.current_dir(parent);
    } else {
        cmd.current_dir(std::env::temp_dir());
    }
    cmd
}

pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = command(data_dir);
    cmd.args(args);
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn cli");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("cli output")
}

/// A meshcloud running as a child process (for kill -9 and signal tests).
pub struct Process {
    pub child: Child,
    pub base: String,
    /// The message of every log line so far.
    pub logs: Arc<Mutex<Vec<String>>>,
    /// The thread reading the child's log; it ends when the child does.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Process {
    /// Starts `meshcloud serve` on a port the child picks itself (no race for
    /// a port between tests) and waits until it answers.
    pub async fn start(data_dir: &Path) -> Process {
        let (mut p, addr_rx) = Self::launch(data_dir, "127.0.0.1:0");
        let listen = poll("the server process to serve", Duration::from_secs(30), || {
            if let Some(status) = p.child.try_wait().expect("try_wait") {
                panic!("server process exited during start-up: {status}");
            }
            std::future::ready(addr_rx.try_recv().ok())
        })
        .await;
        assert!(cli(data_dir, &["healthcheck", "--listen", &listen], None).status.success());
        p.base = format!("http://{listen}");
        p
    }

    /// Spawns `meshcloud serve --listen <listen>` and returns at once.
    pub fn launch_on(data_dir: &Path, listen: &str) -> Process {
        let (mut p, _) = Self::launch(data_dir, listen);
        p.base = format!("http://{listen}");
        p
    }

    /// The child, and where the address it logs as serving on arrives.
    fn launch(data_dir: &Path, listen: &str) -> (Process, std::sync::mpsc::Receiver<String>) {
        std::fs::create_dir_all(data_dir).expect("data dir");
        let mut child = command(data_dir)
            .args(["serve", "--listen", listen])
            .env("MESHCLOUD_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("MESHCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("MESHCLOUD_LOG", "info")
            .env("MESHCLOUD_LOG_FORMAT", "json")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn server");
        let stderr = child.stderr.take().expect("stderr");
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<String>();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let kept = logs.clone();
        let reader = std::thread::spawn(move || {
            use std::io::BufRead;
            // Reads every line, so the child never blocks on a full pipe.
            for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
                let Ok(v) = serde_json::from_str::<Value>(&line) else { continue };
                if let Some(m) = v["fields"]["message"].as_str() {
                    kept.lock().unwrap().push(m.to_string());
                }
                if v["fields"]["message"] == "meshcloud is serving"
                    && let Some(listen) = v["fields"]["listen"].as_str()
                {
                    let _ = addr_tx.send(listen.to_string());
                }
            }
        });
        (Process { child, base: String::new(), logs, reader: Some(reader) }, addr_rx)
    }

    /// `meshcloud serve` as an operator first runs it: no admin e-mail or
    /// password configured, on a port of its own choosing, with `env` added
    /// and stderr (a file, so not a terminal) written to `log`. `base` stays
    /// empty: the address is in what it prints.
    pub fn launch_logging_to(data_dir: &Path, log: &Path, env: &[(&str, &str)]) -> Process {
        std::fs::create_dir_all(data_dir).expect("data dir");
        let file = std::fs::File::create(log).expect("log file");
        let child = command(data_dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("spawn server");
        Process { child, base: String::new(), logs: Arc::default(), reader: None }
    }

    pub fn api(&self, token: &str) -> Api {
        Api::new(&self.base, client(), Some(token))
    }

    /// Whether a log line so far contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.logs.lock().unwrap().iter().any(|m| m.contains(text))
    }

    /// Sends SIGTERM and waits for the process to exit and for its last
    /// log lines to be read.
    pub async fn terminate(mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = poll("the process to stop on SIGTERM", Duration::from_secs(30), || {
            std::future::ready(self.child.try_wait().unwrap())
        })
        .await;
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        status
    }

    /// SIGKILL, and waits for the process to be gone.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// Runs `meshcloud serve` on `data_dir` expecting it to refuse to start;
/// panics if it is still running after 30 s. Returns its exit and stderr.
pub async fn serve_refused(data_dir: &Path) -> (ExitStatus, String) {
    let child = command(data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("MESHCLOUD_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("MESHCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn server");
    // Killed on drop if it does start after all.
    let mut p = Process { child, base: String::new(), logs: Arc::default(), reader: None };
    let status = poll("the server process to give up", Duration::from_secs(30), || {
        std::future::ready(p.child.try_wait().unwrap())
    })
    .await;
    let mut err = String::new();
    std::io::Read::read_to_string(&mut p.child.stderr.take().unwrap(), &mut err).unwrap();
    (status, err)
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
