//! Invitations other faces create: one person, one role.

use meshcloud_kernel::audit::{self, Event, EventKind};
use meshcloud_kernel::db::Conn;
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult};

use super::grants::must_hold;
use crate::store::invitations::{self, InvitationFields};
use crate::store::orgs::OrgRow;
use crate::store::roles::{self, RoleRow};

/// Invites `email` (checked, lower case) into `org` with `role`: an enabled
/// invitation for that address alone, usable once, that the invitee accepts
/// like any other (joining with the `user` role and `role`). The caller must
/// hold everything accepting it grants, and the provider admin role is not
/// handed out this way. Returns the invitation's id.
pub fn invite(c: &Conn, p: &Principal, org: &OrgRow, email: &str, role: &RoleRow) -> AppResult<uuid::Uuid> {
    if role.role_name == roles::PROVIDER_ADMIN {
        return Err(AppError::validation("the provider admin role cannot be handed out by invitation"));
    }
    let role_names = [role.role_name.clone()];
    must_hold(p, org.uuid, crate::service::invitations::granted(c, org, &role_names, &[])?)?;
    let emails = [email.to_string()];
    let name = format!("{email} as {}", role.role_name);
    let fields = InvitationFields {
        name: &name,
        description: "",
        emails: &emails,
        roles: &role_names,
        teams: &[],
        status: "enabled",
        expires_at: None,
        quota: Some(1),
        is_default: false,
    };
    let uuid = invitations::insert(c, org.id, p.user, &fields)?;
    audit::record(
        c,
        Event::new(EventKind::InvitationCreate, Some(p.user))
            .org(org.id)
            .on(uuid)
            .describe(format!("invitation {name} created")),
    )?;
    Ok(uuid)
}
