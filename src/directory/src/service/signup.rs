//! E-mail sign-up: a membership added as `pending` gets a one-time link, sent
//! through the mail outbox in the same write; opening the link
//! (`GET /api/v1/signup?token=…`) makes the membership active.

use meshcloud_identity::core::orgs::{self as core_orgs, MemberState};
use meshcloud_identity::service::access::Affected;
use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::crypto::{random_secret, sha256};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::ids::UserId;
use meshcloud_kernel::{AppError, AppResult, time};
use meshcloud_ops::core::outbox::{self as mail, Mail};

use super::Directory;
use crate::store::orgs::IdOrgRow;
use crate::store::signup;

/// Why a sign-up link did not work; shown to the invitee on an HTML page.
pub const INVALID_LINK: &str = "This sign-up link is not valid: it was already used, has expired, or the invitation \
    was withdrawn. Ask an administrator of the organization to invite you again.";

impl Directory {
    /// Gives the pending membership of `user` (at `email`) a fresh link and
    /// queues the mail carrying it. Without a mail server nothing is sent
    /// and an administrator activates the membership instead.
    pub(crate) fn invite_pending(&self, c: &Conn, org: &IdOrgRow, user: UserId, email: &str) -> AppResult<()> {
        let Some(s) = &self.settings().signup else {
            return Ok(());
        };
        let token = random_secret(32);
        let expires_at = time::after(s.link_ttl)?;
        signup::put(c, org.id, user, &sha256(token.as_bytes()), &expires_at)?;
        let link = format!("{}/api/v1/signup?token={token}", s.public_url);
        let body = format!(
            "You have been added to the organization \"{org}\" on meshcloud ({url}).\n\n\
             Open this link to accept the invitation and activate your membership:\n\n{link}\n\n\
             The link works once, until {until}. If you did not expect this message, ignore it.\n",
            org = org.name,
            url = s.public_url,
            until = expires_at.format("%Y-%m-%d %H:%M UTC"),
        );
        let subject = format!("Your invitation to {} on meshcloud", org.name);
        mail::enqueue(c, self.sealer(), &Mail { to: email, subject: &subject, body: &body, expires_at })
    }

    /// Activates the membership a sign-up link belongs to. Every failure is
    /// the same validation error: the page says what to do, not which check failed.
    pub async fn complete_signup(&self, token: &str) -> AppResult<()> {
        if token.is_empty() || token.len() > 256 {
            return Err(AppError::validation(INVALID_LINK));
        }
        let hash = sha256(token.as_bytes());
        self.identity()
            .commit(move |c| {
                let invitee = signup::find(c, &hash)?.ok_or_else(|| AppError::validation(INVALID_LINK))?;
                signup::forget(c, invitee.org, invitee.user)?;
                if invitee.state != "pending" {
                    return Err(AppError::validation(INVALID_LINK));
                }
                core_orgs::set_member_state(c, invitee.org, invitee.user, MemberState::Active)?;
                audit::record(
                    c,
                    Event::new(EventKind::OrganizationAcceptInvitation, Some(invitee.user))
                        .org(invitee.org)
                        .on(invitee.user_uuid)
                        .describe("invitation accepted through the sign-up link"),
                )?;
                Ok(((), Affected::InOrg { org: invitee.org, users: vec![invitee.user] }))
            })
            .await
    }

    /// Removes expired sign-up links; returns how many.
    pub async fn purge_signup_links(&self) -> AppResult<usize> {
        self.db().write(signup::purge_expired).await
    }
}
