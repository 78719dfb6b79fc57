//! The command line. Scripts and docs depend on these names and outputs:
//! `token create` prints only the token on stdout; diagnostics go to stderr.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use meshcloud_identity::service::users::CreateUser;
use meshcloud_kernel::db::{self, db_path};

use crate::config::{self, Config, Flags};
use crate::server;

#[derive(Parser)]
#[command(name = "meshcloud", version, about = "Self-hosted cloud-management control plane in one executable")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DataDir {
    /// The data directory (holds meshcloud.db).
    #[arg(long, env = "MESHCLOUD_DATA_DIR", default_value = "./meshcloud-data")]
    data_dir: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on [default: 127.0.0.1:9876].
        #[arg(long)]
        listen: Option<String>,
        /// The data directory [default: ./meshcloud-data].
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// A TOML configuration file (see `meshcloud config example`).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Apply pending schema migrations and exit.
    Migrate(DataDir),
    /// Write a consistent copy of the database while the server runs.
    Backup {
        #[command(flatten)]
        dir: DataDir,
        /// The file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the database with a backup (the server must be stopped).
    Restore {
        #[command(flatten)]
        dir: DataDir,
        /// The backup file to restore.
        #[arg(long)]
        from: PathBuf,
        /// Overwrite an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Check the database's integrity and foreign keys.
    CheckDb(DataDir),
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage security tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage OAuth clients of the OIDC provider.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Manage the plan catalogue.
    Plans {
        #[command(subcommand)]
        command: PlansCommand,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Probe a running server's /healthz (for container health checks).
    Healthcheck {
        /// host:port of the server.
        #[arg(long, env = "MESHCLOUD_LISTEN", default_value = "127.0.0.1:9876")]
        listen: String,
    },
    /// Print the version.
    Version,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. Without --password-stdin a password is generated and printed to stderr.
    Create {
        #[command(flatten)]
        dir: DataDir,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Make the user an operator of this installation (sees every organization).
        #[arg(long)]
        provider_admin: bool,
        /// Add the user to this organization (UUID).
        #[arg(long)]
        org: Option<uuid::Uuid>,
        /// With --org: as an organization admin.
        #[arg(long, requires = "org")]
        org_admin: bool,
    },
    /// Set a user's password and end their web sessions. Without
    /// --password-stdin a password is generated and printed to stderr.
    SetPassword {
        #[command(flatten)]
        dir: DataDir,
        #[arg(long)]
        email: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a security token for a user; prints only the token.
    Create {
        #[command(flatten)]
        dir: DataDir,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register an OAuth client; prints it as JSON, with the secret (shown only here).
    Create {
        #[command(flatten)]
        dir: DataDir,
        #[arg(long)]
        name: String,
        /// Where the provider may send the browser back to (repeat for several).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where users unknown to meshcloud are sent to create their organization.
        #[arg(long)]
        onboarding_uri: Option<String>,
        /// The service account (UUID) the client_credentials grant acts as.
        #[arg(long)]
        service_account: Option<uuid::Uuid>,
        /// Trust the client with the `meshcloud:api` scope: its access tokens
        /// may then call meshcloud's APIs as the user.
        #[arg(long)]
        trusted: bool,
    },
}

#[derive(Subcommand)]
enum PlansCommand {
    /// Print every plan (archived ones too) as a JSON plans file.
    List(DataDir),
    /// Load a plans file (TOML, JSON or YAML): each plan replaces the one
    /// with its name and cadence, or is added; all or nothing.
    Load {
        #[command(flatten)]
        dir: DataDir,
        /// The plans file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the annotated reference configuration.
    Example,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { message, code }) => {
            eprintln!("meshcloud: {message}");
            ExitCode::from(code)
        }
    }
}

/// `EX_CONFIG` of sysexits.h: a configuration `serve` refuses. A supervisor
/// (the systemd unit's `RestartPreventExitStatus=`) does not restart on it,
/// since trying again cannot help.
pub const EXIT_CONFIG: u8 = 78;

/// Why a command failed, and the exit status that says so.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn config(message: String) -> Failure {
        Failure { message, code: EXIT_CONFIG }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure { message, code: 1 }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())
}

fn env_map() -> BTreeMap<String, String> {
    std::env::vars().filter(|(k, _)| k.starts_with("MESHCLOUD_")).collect()
}

/// The configuration of a tool command: only the data dir matters.
fn tool_config(dir: &DataDir) -> Config {
    Config { data_dir: dir.data_dir.clone(), ..Config::default() }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve { listen, data_dir, config } => serve(Flags { listen, data_dir, config }),
        tool => run_tool(tool).map_err(Failure::from),
    }
}

fn serve(flags: Flags) -> Result<(), Failure> {
    let env = env_map();
    let (config, notes) = Config::load(&flags, &env).map_err(Failure::config)?;
    init_logging(&config).map_err(Failure::config)?;
    match Config::file(&flags, &env) {
        Some(p) => {
            let p = std::path::absolute(&p).unwrap_or(p);
            tracing::info!(file = %p.display(), "loaded the configuration file {}", p.display());
        }
        None => tracing::info!(
            "no configuration file (none given with --config or MESHCLOUD_CONFIG, and no ./meshcloud.toml): \
             built-in defaults and MESHCLOUD_* variables apply"
        ),
    }
    for n in notes {
        tracing::warn!("{n}");
    }
    tracing::info!(config = ?config, "effective configuration");
    let listener =
        std::net::TcpListener::bind(&config.listen).map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    Ok(runtime()?.block_on(async {
        let shutdown = server::shutdown_signal().map_err(|e| format!("cannot handle signals: {e}"))?;
        server::serve(listener, config, shutdown).await
    })?)
}

fn run_tool(command: Command) -> Result<(), String> {
    match command {
        Command::Serve { .. } => unreachable!("served by `serve`"),
        Command::Migrate(dir) => {
            server::ensure_data_dir(&dir.data_dir)?;
            let n = db::migrate(&db_path(&dir.data_dir)).map_err(|e| e.to_string())?;
            eprintln!("meshcloud: applied {n} migration(s); schema is at version {}", db::known_schema_version());
            Ok(())
        }
        Command::Backup { dir, out } => runtime()?.block_on(async {
            let db = server::open_db(&tool_config(&dir), false).await?;
            let r = db.backup_to(out.clone()).await.map_err(|e| e.to_string());
            db.close();
            r?;
            eprintln!("meshcloud: backup written to {}", out.display());
            Ok(())
        }),
        Command::Restore { dir, from, force } => restore(&dir, &from, force),
        Command::CheckDb(dir) => {
            let problems = db::check(&db_path(&dir.data_dir)).map_err(|e| e.to_string())?;
            if problems.is_empty() {
                eprintln!("meshcloud: database ok");
                Ok(())
            } else {
                Err(format!("database has {} problem(s):\n{}", problems.len(), problems.join("\n")))
            }
        }
        Command::User {
            command:
                UserCommand::Create { dir, email, first_name, last_name, password_stdin, provider_admin, org, org_admin },
        } => {
            let (password, generated) = password_input(password_stdin)?;
            runtime()?.block_on(async {
                let config = tool_config(&dir);
                let db = server::open_db(&config, false).await?;
                let identity = server::identity(db.clone(), &config)?;
                let new = CreateUser {
                    email,
                    first_name,
                    last_name,
                    password: Some(password.clone()),
                    provider_admin,
                    org: org.map(|o| (o, org_admin)),
                };
                let r = identity.create_user(None, new).await.map_err(|e| e.to_string());
                db.close();
                let user = r?;
                println!("{}", user.uuid);
                if generated {
                    eprintln!("meshcloud: generated password for {}: {password}", user.email);
                }
                Ok(())
            })
        }
        Command::User { command: UserCommand::SetPassword { dir, email, password_stdin } } => {
            let (password, generated) = password_input(password_stdin)?;
            runtime()?.block_on(async {
                let config = tool_config(&dir);
                let db = server::open_db(&config, false).await?;
                let identity = server::identity(db.clone(), &config)?;
                let target = meshcloud_identity::service::passwords::Target::Email(&email);
                let r = identity.reset_password(None, target, password.clone()).await.map_err(|e| e.to_string());
                db.close();
                let user = r?;
                if generated {
                    eprintln!("meshcloud: generated password for {}: {password}", user.email);
                } else {
                    eprintln!("meshcloud: password of {} set", user.email);
                }
                Ok(())
            })
        }
        Command::Token { command: TokenCommand::Create { dir, email, name } } => runtime()?.block_on(async {
            let config = tool_config(&dir);
            let db = server::open_db(&config, false).await?;
            let identity = server::identity(db.clone(), &config)?;
            let r = async {
                let p = identity.principal_for_email(&email).await?;
                identity.create_token(&p, &name, Some("issued with the meshcloud CLI")).await
            }
            .await
            .map_err(|e| e.to_string());
            db.close();
            println!("{}", r?.plaintext);
            Ok(())
        }),
        Command::Client {
            command: ClientCommand::Create { dir, name, redirect_uris, onboarding_uri, service_account, trusted },
        } => runtime()?.block_on(async {
            let config = tool_config(&dir);
            let db = server::open_db(&config, false).await?;
            let identity = server::identity(db.clone(), &config)?;
            let key = server::master_key(&config, &db, &identity).await?;
            let oidc = meshcloud_oidc::Oidc::new(
                db.clone(),
                identity,
                meshcloud_kernel::secrets::Sealer::new(&key),
                meshcloud_oidc::OidcSettings::default(),
            )?;
            let spec = meshcloud_oidc::service::clients::ClientSpec {
                name,
                redirect_uris,
                onboarding_uri: Some(onboarding_uri),
                service_account: Some(service_account),
                trusted: Some(trusted),
            };
            let r = oidc.create_client(None, spec).await.map_err(|e| e.to_string());
            db.close();
            let (row, secret) = r?;
            let out = serde_json::json!({
                "id": row.uuid.to_string(),
                "clientId": row.client_id,
                "clientSecret": secret,
                "name": row.name,
                "redirectUris": row.redirect_uris,
                "trusted": row.trusted,
            });
            println!("{out}");
            Ok(())
        }),
        Command::Plans { command: PlansCommand::List(dir) } => runtime()?.block_on(async {
            let db = server::open_db(&tool_config(&dir), false).await?;
            let r = meshcloud_billing::service::plans_file::dump(&db).await;
            db.close();
            println!("{}", serde_json::to_string_pretty(&r?).map_err(|e| e.to_string())?);
            Ok(())
        }),
        Command::Plans { command: PlansCommand::Load { dir, file } } => runtime()?.block_on(async {
            let db = server::open_db(&tool_config(&dir), false).await?;
            let r = meshcloud_billing::service::plans_file::load_file(&db, &file).await;
            db.close();
            for (plan, done) in r? {
                let done = match done {
                    meshcloud_billing::service::plans::Upserted::Created => "created",
                    meshcloud_billing::service::plans::Upserted::Updated => "updated",
                    meshcloud_billing::service::plans::Upserted::Unchanged => "unchanged",
                };
                println!("{done} {} ({})", plan.name, plan.cadence);
            }
            Ok(())
        }),
        Command::Config { command: ConfigCommand::Example } => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::Healthcheck { listen } => healthcheck(&listen),
        Command::Version => {
            println!("meshcloud {} (schema {})", env!("CARGO_PKG_VERSION"), db::known_schema_version());
            Ok(())
        }
    }
}

/// The password from standard input, or a generated one (`true`).
fn password_input(from_stdin: bool) -> Result<(String, bool), String> {
    if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| e.to_string())?;
        Ok((s.trim_end_matches(['\n', '\r']).to_string(), false))
    } else {
        Ok((meshcloud_identity::password::Passwords::generate(), true))
    }
}

fn restore(dir: &DataDir, from: &std::path::Path, force: bool) -> Result<(), String> {
    let problems = db::check(from).map_err(|e| e.to_string())?;
    if !problems.is_empty() {
        return Err(format!("{} is not a sound database: {}", from.display(), problems.join("; ")));
    }
    server::ensure_data_dir(&dir.data_dir)?;
    let target = db_path(&dir.data_dir);
    if target.exists() && !force {
        return Err(format!("{} exists; stop the server and pass --force to replace it", target.display()));
    }
    // Refuse while a server holds the data dir: its later writes would go to
    // a file that is no longer there.
    let _lock = server::lock_data_dir(&dir.data_dir).map_err(|e| format!("{e}; stop it before restoring"))?;
    // Copy first: until the rename, the current database stays untouched.
    let tmp = target.with_extension("db.restoring");
    std::fs::copy(from, &tmp).map_err(|e| format!("cannot copy the backup: {e}"))?;
    // The copy was not synced: the next start checks what it finds in place.
    db::dirty::mark_dirty(&target).map_err(|e| e.to_string())?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(|e| format!("cannot remove {}: {e}", side.display()))?;
        }
    }
    std::fs::rename(&tmp, &target).map_err(|e| format!("cannot move the backup into place: {e}"))?;
    db::migrate(&target).map_err(|e| e.to_string())?;
    eprintln!("meshcloud: restored {} into {}", from.display(), target.display());
    let configured =
        ["MESHCLOUD_MASTER_KEY", "MESHCLOUD_MASTER_KEY_FILE"].iter().any(|k| std::env::var_os(k).is_some());
    if !configured && !dir.data_dir.join(meshcloud_kernel::secrets::KEY_FILE).exists() {
        eprintln!(
            "meshcloud: this data dir has no master key: before starting, put the key the backup's secrets are \
             sealed with at {} (or set MESHCLOUD_MASTER_KEY)",
            dir.data_dir.join(meshcloud_kernel::secrets::KEY_FILE).display()
        );
    }
    Ok(())
}

/// A minimal HTTP/1.0 probe, so container images need no curl.
fn healthcheck(listen: &str) -> Result<(), String> {
    use std::io::Write;
    use std::time::Duration;
    let addr = listen.replace("0.0.0.0", "127.0.0.1");
    let sock = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    let mut s =
        std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(3)).map_err(|e| format!("{addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(3))).map_err(|e| e.to_string())?;
    s.write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n").map_err(|e| e.to_string())?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).map_err(|e| e.to_string())?;
    if buf.starts_with("HTTP/1.1 200") || buf.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!("unhealthy: {}", buf.lines().next().unwrap_or("no answer")))
    }
}

fn init_logging(config: &Config) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log).map_err(|e| format!("log: {e}"))?;
    // Colour only for a person at a terminal: escape codes are noise in a
    // journal, a container log or a file. `NO_COLOR` turns it off there too.
    use std::io::IsTerminal;
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    // Fails only when a subscriber is already installed (tests): keep that one.
    if config.json_logs {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
    Ok(())
}
