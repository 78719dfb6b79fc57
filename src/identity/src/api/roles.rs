//! `/api/identity/orgs/{orgId}/roles` and `/api/identity/roles` (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::http::responses::{Done, NoContent};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::{AddRoleHolder, Keychain, KeychainsPage, Role, RoleHolder, RolePayload, RolesPage};
use crate::service::roles::{Holder, HolderRoles};
use crate::store::{keys, roles};

pub struct RolesApi {
    pub identity: Identity,
}

#[derive(ApiResponse)]
pub enum Created {
    /// Role holder added.
    #[oai(status = 201)]
    Created,
}

fn holder(h: RoleHolder) -> Result<HolderRoles, AppError> {
    let who = match (h.team_id, h.user_id.or(h.id), h.email.or(h.username)) {
        (Some(t), None, _) => Holder::Team(t),
        (None, Some(u), _) => Holder::User(u.to_string()),
        (None, None, Some(e)) => Holder::User(e),
        (Some(_), Some(_), _) => return Err(AppError::validation("name either a user or a team_id, not both")),
        (None, None, None) => return Err(AppError::validation("each role holder needs user_id, id, email or team_id")),
    };
    Ok(HolderRoles { holder: who, role_names: h.role_names.unwrap_or_default() })
}

#[OpenApi(prefix_path = "/api/identity", tag = "Tag::Roles")]
impl RolesApi {
    /// Get organization roles
    ///
    /// Built-in roles and the organization's own. `selector` is `provider`,
    /// `organization`, or `team` (with `teamId`: the roles bound to that team).
    #[oai(path = "/orgs/:orgId/roles", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
        all: Query<Option<String>>,
        selector: Query<Option<String>>,
        #[oai(name = "teamId")] team: Query<Option<uuid::Uuid>>,
    ) -> Result<Json<RolesPage>, AppError> {
        let mut paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &roles::ORDER_FIELDS);
        if flag(all.as_deref()) {
            paging = paging.unbounded();
        }
        let result = self
            .identity
            .list_roles(auth.principal(), org.0, selector.as_deref(), team.0, paging.request.clone())
            .await?;
        Ok(Json(RolesPage::new(&paging, result.map(Role::from))))
    }

    /// Upsert organization role
    ///
    /// Without `id` creates a role; with `id` changes one of the organization's
    /// own roles. Built-in roles cannot be changed.
    #[oai(path = "/orgs/:orgId/roles", method = "post")]
    async fn upsert(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        body: Json<RolePayload>,
    ) -> Result<Json<Role>, AppError> {
        let b = body.0;
        let role = self.identity.upsert_role(auth.principal(), org.0, b.id, &b.role_name.0, &b.description.0).await?;
        Ok(Json(role.into()))
    }

    /// Bulk edit role holders
    ///
    /// A JSON array; each item's `roleNames` becomes that holder's complete
    /// set of direct roles in the organization. Items name a user by
    /// `user_id`, `id` or `email`, or (meshcloud extension) a team by
    /// `team_id`. All items apply in one transaction, or none do.
    #[oai(path = "/orgs/:orgId/roles", method = "put")]
    async fn bulk(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        body: Json<Vec<RoleHolder>>,
    ) -> Result<Done, AppError> {
        let items = body.0.into_iter().map(holder).collect::<Result<Vec<_>, _>>()?;
        self.identity.set_role_holders(auth.principal(), org.0, items).await?;
        Ok(Done::Ok)
    }

    /// Get keychains for role
    #[oai(path = "/orgs/:orgId/roles/:roleId/keychains", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn keychains(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "roleId")] role: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<KeychainsPage>, AppError> {
        let paging = paging(
            page.as_deref(),
            pagesize.as_deref(),
            search.as_deref(),
            order.as_deref(),
            &keys::KEYCHAIN_ORDER_FIELDS,
        );
        let result = self.identity.role_keychains(auth.principal(), org.0, role.0, paging.request.clone()).await?;
        Ok(Json(KeychainsPage::new(&paging, result.map(Keychain::from))))
    }

    /// Assign keychain to role
    ///
    /// The caller must hold every key of the keychain.
    #[oai(path = "/orgs/:orgId/roles/:roleId/keychains/:keychainId", method = "post")]
    async fn assign_keychain(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "roleId")] role: Path<uuid::Uuid>,
        #[oai(name = "keychainId")] keychain: Path<uuid::Uuid>,
    ) -> Result<Done, AppError> {
        self.identity.set_role_keychain(auth.principal(), org.0, role.0, keychain.0, true).await?;
        Ok(Done::Ok)
    }

    /// Unassign keychain from role
    #[oai(path = "/orgs/:orgId/roles/:roleId/keychains/:keychainId", method = "delete")]
    async fn unassign_keychain(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "roleId")] role: Path<uuid::Uuid>,
        #[oai(name = "keychainId")] keychain: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.set_role_keychain(auth.principal(), org.0, role.0, keychain.0, false).await?;
        Ok(NoContent::NoContent)
    }

    /// Add role holder
    ///
    /// Adds `roleNames` to the user with `email` in the organization in
    /// context (`layer5-current-orgid`, else the selected organization).
    /// meshcloud extension: `team_id` instead of `email` adds them to a team.
    #[oai(path = "/roles", method = "post")]
    async fn add_holder(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        body: Json<AddRoleHolder>,
    ) -> Result<Created, AppError> {
        let b = body.0;
        let who = match (b.email, b.team_id) {
            (Some(e), None) => Holder::User(e),
            (None, Some(t)) => Holder::Team(t),
            _ => return Err(AppError::validation("give exactly one of email or team_id")),
        };
        let item = HolderRoles { holder: who, role_names: b.role_names };
        self.identity.add_role_holder(auth.principal(), org.as_deref(), item).await?;
        Ok(Created::Created)
    }

    /// Delete role
    ///
    /// Deletes one of an organization's own roles with every assignment of
    /// it. Built-in roles cannot be deleted.
    #[oai(path = "/roles/:id", method = "delete")]
    async fn delete(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.identity.delete_role(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
