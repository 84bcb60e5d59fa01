//! `bullpen user create`: accounts from the command line (the first admin, staff accounts).
//!
//! The password is read from `BULLPEN_PASSWORD` or, when that is unset, as one line from
//! standard input; it is hashed with argon2id and never printed or logged.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use bullpen_market::{Clock, SystemClock};
use bullpen_store::{AuditDraft, Role};
use bullpen_web::auth::credentials::{create_account, AccountForm};
use clap::{Args, Subcommand};

use crate::common::open_store;
use crate::DataArgs;

/// Environment variable holding the new account's password.
const PASSWORD_ENV: &str = "BULLPEN_PASSWORD";

/// `bullpen user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password comes from BULLPEN_PASSWORD, or one line on stdin.
    Create(CreateArgs),
}

/// Arguments of `bullpen user create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Handle: 3–32 characters from a-z, 0-9, '_' and '-'.
    #[arg(long)]
    pub handle: String,
    /// E-mail address (password resets go there).
    #[arg(long)]
    pub email: String,
    /// Make the account an admin (same as --role admin).
    #[arg(long, conflicts_with = "role")]
    pub admin: bool,
    /// Role: player, coach, recruiter, analyst or admin (default player).
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// Name shown to others (default: the handle).
    #[arg(long)]
    pub display_name: Option<String>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(&s.to_lowercase()).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role `{s}`; one of {}", names.join(", "))
    })
}

/// Runs a `user` subcommand.
pub async fn run(what: UserCommand, data: DataArgs) -> anyhow::Result<ExitCode> {
    match what {
        UserCommand::Create(args) => create(args, data).await,
    }
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var(PASSWORD_ENV) {
        return Ok(p);
    }
    eprint!("password for the new account: ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn create(args: CreateArgs, data: DataArgs) -> anyhow::Result<ExitCode> {
    let role = if args.admin { Role::Admin } else { args.role.unwrap_or(Role::Player) };
    let password = read_password()?;
    let store = open_store(&data).await?;
    let now = SystemClock.now();
    let form = AccountForm {
        display_name: args.display_name.unwrap_or_else(|| args.handle.clone()),
        handle: args.handle,
        email: args.email,
        password,
        role,
    };
    let account = create_account(store.as_ref(), form, now).await.context("cannot create the account")?;
    let detail = serde_json::json!({ "user_id": account.user.id.0, "role": role.as_str(), "via": "cli" });
    store
        .append_audit(&AuditDraft {
            at: now,
            actor: None,
            action: "admin.user.create".into(),
            target: account.user.handle.clone(),
            detail: detail.to_string(),
        })
        .await
        .context("the account was created but the audit log could not be written")?;
    eprintln!("created {} account `{}` (user {})", role.as_str(), account.user.handle, account.user.id.0);
    println!("{}", account.user.id.0);
    Ok(ExitCode::SUCCESS)
}
