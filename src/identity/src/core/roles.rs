//! Roles and their bindings to members and teams. Unbinding takes grants
//! away: an operation that unbinds ends with `grants::ensure_admin_left`.

pub use crate::store::roles::{
    MEMBER, ORG_ADMIN, PROVIDER_ADMIN, RoleRow, bind_team, bind_user, by_name, by_uuid, perms, team_roles, unbind_team,
    unbind_user, usable, user_roles,
};
