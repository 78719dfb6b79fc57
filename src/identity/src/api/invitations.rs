//! `/api/organizations/invitations` and `/api/organizations/badges` (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::access::Perm;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::{Badge, BadgePayload, Invitation, InvitationPayload, InvitationsList};
use crate::service::badges::BadgeInput;
use crate::service::invitations::{Absent, InvitationInput};

pub struct InvitationsApi {
    pub identity: Identity,
}

#[derive(ApiResponse)]
pub enum CreatedInvitation {
    /// Invitation created.
    #[oai(status = 201)]
    Created(Json<Invitation>),
}

#[derive(ApiResponse)]
pub enum CreatedBadge {
    /// Badge created or updated.
    #[oai(status = 201)]
    Created(Json<Badge>),
}

fn input(b: InvitationPayload) -> InvitationInput {
    InvitationInput {
        org: b.org_id,
        name: b.name.0,
        description: b.description.0,
        emails: b.emails,
        roles: b.roles,
        teams: b.teams,
        status: b.status.0,
        expires_at: b.expires_at.value().map(|t| t.0),
        quota: b.quota.value().copied(),
        is_default: b.is_default.unwrap_or(false),
        absent: Absent {
            expires_at: b.expires_at.is_undefined(),
            quota: b.quota.is_undefined(),
            is_default: b.is_default.is_none(),
        },
    }
}

#[OpenApi(prefix_path = "/api/organizations", tag = "Tag::Invitations")]
impl InvitationsApi {
    /// Get all invitations for the organization
    ///
    /// The organization in context (`layer5-current-orgid`, else the selected one).
    #[oai(path = "/invitations", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
    ) -> Result<Json<InvitationsList>, AppError> {
        let data: Vec<Invitation> = self
            .identity
            .list_invitations(auth.principal(), org.as_deref())
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        let total = data.len() as u64;
        Ok(Json(InvitationsList { data, total }))
    }

    /// Create a new invitation for the organization
    ///
    /// `roles` and `teams` are names (or ids) in the organization; the creator
    /// must hold every permission the invitation hands out.
    #[oai(path = "/invitations", method = "post")]
    async fn create(&self, auth: Auth, body: Json<InvitationPayload>) -> Result<CreatedInvitation, AppError> {
        // The reference documents no 404 here: an organization the caller is not in is a bad `org_id`.
        let inv = self
            .identity
            .create_invitation(auth.principal(), input(body.0), Perm::InvitationsManage)
            .await
            .map_err(|e| e.unresolved("org_id: no such organization"))?;
        Ok(CreatedInvitation::Created(Json(inv.into())))
    }

    /// Get an invitation by ID
    ///
    /// Visible to the organization's invitation managers and to the invitees.
    #[oai(path = "/invitations/:invitationId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "invitationId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Invitation>, AppError> {
        Ok(Json(self.identity.get_invitation(auth.principal(), id.0).await?.into()))
    }

    /// Update an existing invitation
    #[oai(path = "/invitations/:invitationId", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "invitationId")] id: Path<uuid::Uuid>,
        body: Json<InvitationPayload>,
    ) -> Result<Json<Invitation>, AppError> {
        Ok(Json(self.identity.update_invitation(auth.principal(), id.0, input(body.0)).await?.into()))
    }

    /// Delete an invitation by ID
    #[oai(path = "/invitations/:invitationId", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "invitationId")] id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.delete_invitation(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Accept an invitation by ID
    ///
    /// The signed-in user joins the organization with the `member` role and the
    /// invitation's roles and teams. Accepting twice is a 409; a disabled,
    /// expired or used-up invitation, or one addressed to other e-mail
    /// addresses, is a 400 that says which.
    #[oai(path = "/invitations/:invitationId/accept", method = "post")]
    async fn accept(
        &self,
        auth: Auth,
        #[oai(name = "invitationId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Invitation>, AppError> {
        Ok(Json(self.identity.accept_invitation(auth.principal(), id.0).await?.into()))
    }

    /// Create a new badge or update an existing badge
    ///
    /// An empty `label` is generated from `name`.
    #[oai(path = "/badges", method = "post", tag = "Tag::Badges")]
    async fn upsert_badge(&self, auth: Auth, body: Json<BadgePayload>) -> Result<CreatedBadge, AppError> {
        let b = body.0;
        let input = BadgeInput {
            id: b.id,
            org: b.org_id,
            name: b.name.0,
            label: b.label.0,
            description: b.description.0,
            image_url: b.image_url.0,
        };
        // The reference documents no 404 here: an unknown organization or badge is a bad body.
        let b = self
            .identity
            .upsert_badge(auth.principal(), input)
            .await
            .map_err(|e| e.unresolved("org_id, id: no such organization or badge"))?;
        Ok(CreatedBadge::Created(Json(b.into())))
    }

    /// Get a badge by its ID
    #[oai(path = "/badges/:id", method = "get", tag = "Tag::Badges")]
    async fn get_badge(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<Badge>, AppError> {
        Ok(Json(self.identity.get_badge(auth.principal(), id.0).await?.into()))
    }

    /// Delete a badge by its ID
    #[oai(path = "/badges/:id", method = "delete", tag = "Tag::Badges")]
    async fn delete_badge(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.identity.delete_badge(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }
}
