//! Members (core memberships) and their roles (core roles) on the API7 face.

use std::collections::BTreeMap;

use meshcloud_identity::core::orgs::MembershipRow;
use meshcloud_identity::core::roles::{ORG_ADMIN, RoleRow};
use meshcloud_kernel::access::{Perm, PermSet};
use meshcloud_kernel::http::api7::Id;
use meshcloud_kernel::http::types::Time;
use meshcloud_kernel::ids::OrgId;
use poem_openapi::Object;

/// `status` of a member (the reference's "normal").
pub const NORMAL: i64 = 50;

/// What a role allows on one resource, by HTTP method.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Object)]
#[oai(rename = "Api7Methods")]
pub struct Methods {
    pub get: bool,
    pub put: bool,
    pub post: bool,
    pub patch: bool,
    pub delete: bool,
}

impl Methods {
    /// `get` with `read`, every other method with `manage` (each any of).
    fn of(held: PermSet, read: &[Perm], manage: &[Perm]) -> Self {
        let any = |ps: &[Perm]| ps.iter().any(|p| held.has(*p));
        let write = any(manage);
        Methods { get: any(read) || write, put: write, post: write, patch: write, delete: write }
    }
}

/// A role's permissions by area, then by resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Object)]
#[oai(rename = "Api7Permissions")]
pub struct Permissions {
    pub organization: BTreeMap<String, Methods>,
    pub control_plane: BTreeMap<String, Methods>,
    pub billing: BTreeMap<String, Methods>,
    pub api_management: BTreeMap<String, Methods>,
}

impl Permissions {
    /// The API7 areas and resources a set of meshcloud keys covers (the
    /// mapping `docs/gateway.md` documents).
    pub fn from_perms(held: PermSet) -> Self {
        use Perm as P;
        let m = |read: &[Perm], manage: &[Perm]| Methods::of(held, read, manage);
        let map = |items: Vec<(&str, Methods)>| items.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let organization = Methods { delete: held.has(P::OrgDelete), ..m(&[P::OrgRead], &[P::OrgUpdate]) };
        let member = Methods {
            get: held.has(P::MembersRead),
            post: held.has(P::MembersInvite) || held.has(P::MembersAdd),
            put: held.has(P::RolesAssign),
            patch: held.has(P::RolesAssign),
            delete: held.has(P::MembersRemove),
        };
        Permissions {
            organization: map(vec![
                ("organization", organization),
                ("member", member),
                ("role", m(&[P::RolesRead], &[P::RolesManage])),
            ]),
            control_plane: map(vec![
                ("control_plane", m(&[P::ControlPlanesRead], &[P::ControlPlanesManage])),
                ("config", Methods { get: held.has(P::ConfigExport), ..Methods::default() }),
            ]),
            billing: map(vec![
                ("subscription", m(&[P::BillingRead], &[P::BillingManage])),
                ("invoice", Methods { get: held.has(P::BillingRead), ..Methods::default() }),
            ]),
            api_management: map(vec![
                ("application", m(&[P::ApplicationsRead], &[P::ApplicationsManage])),
                ("api", m(&[P::ApplicationsRead], &[P::ApplicationsManage])),
                ("consumer", m(&[P::ConsumersRead], &[P::ConsumersManage])),
                ("certificate", m(&[P::CertificatesRead], &[P::CertificatesManage])),
            ]),
        }
    }
}

/// A core role as API7 shows it.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Role")]
pub struct Role {
    /// The core role's row id.
    pub id: Id,
    pub name: String,
    /// The organization it is shown in (built-in roles exist in every one).
    pub org_id: Id,
    /// True for the organization admin role.
    pub owner: bool,
    /// Always `organization`.
    pub scope: String,
    pub permissions: Permissions,
}

impl Role {
    pub fn render(org: OrgId, role: &RoleRow, perms: PermSet) -> Self {
        Role {
            id: Id(role.id.0),
            name: role.role_name.clone(),
            org_id: Id(role.org.unwrap_or(org).0),
            owner: role.builtin() && role.role_name == ORG_ADMIN,
            scope: "organization".into(),
            permissions: Permissions::from_perms(perms),
        }
    }
}

/// A member: a person's membership of the organization.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Member")]
pub struct Member {
    /// The user's row id.
    pub id: Id,
    pub org_id: Id,
    /// When the membership began (the invitation, for a pending member).
    pub created_at: Time,
    /// The later of the membership's start and the account's last change.
    pub updated_at: Time,
    /// 50 (normal).
    pub status: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// The user's UUID; empty while the member is pending.
    pub user_id: String,
    /// `Pending`, `Active`, or (meshcloud) `Suspended`.
    pub state: String,
    pub roles: Vec<Role>,
}

impl Member {
    pub fn render(org: OrgId, m: &MembershipRow, roles: Vec<Role>) -> Self {
        let state = match m.state.as_str() {
            "pending" => "Pending",
            "suspended" => "Suspended",
            _ => "Active",
        };
        Member {
            id: Id(m.user.id.0),
            org_id: Id(org.0),
            created_at: Time(m.joined_at),
            updated_at: Time(m.joined_at.max(m.user.updated_at)),
            status: NORMAL,
            first_name: m.user.first_name.clone(),
            last_name: m.user.last_name.clone(),
            email: m.user.email.clone(),
            user_id: if state == "Pending" { String::new() } else { m.user.uuid.to_string() },
            state: state.into(),
            roles,
        }
    }
}

/// `POST /orgs/{id}/members`.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7MemberBody")]
pub struct MemberBody {
    /// Whom to invite.
    pub email: String,
    /// A role usable in the organization (built in or its own), by row id.
    pub role_id: Id,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_follow_the_keys() {
        let mut held = PermSet::default();
        held.insert(Perm::ApplicationsRead);
        held.insert(Perm::BillingManage);
        let p = Permissions::from_perms(held);
        let app = p.api_management["application"];
        assert!(app.get && !app.post && !app.delete);
        let sub = p.billing["subscription"];
        assert!(sub.get && sub.post && sub.put && sub.patch && sub.delete, "manage implies get");
        assert_eq!(p.billing["invoice"], Methods::default(), "invoices are read with the read key only");
        assert_eq!(p.control_plane["control_plane"], Methods::default());
        assert_eq!(Permissions::from_perms(PermSet::default()).organization["member"], Methods::default());
    }
}
