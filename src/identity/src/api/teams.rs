//! `/api/identity/orgs/{orgId}/teams` and `/api/identity/teams/{teamId}/users` (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::{
    Team, TeamPayload, TeamUserMapping, TeamsOrganizationsMappingPage, TeamsPage, TeamsUsersMappingPage, User,
    UsersPage,
};
use crate::service::teams::TeamAction;

#[derive(serde::Deserialize)]
struct TeamActionPayload {
    action: Option<String>,
}
use crate::store::{teams, users};

pub struct TeamsApi {
    pub identity: Identity,
}

#[derive(ApiResponse)]
pub enum CreatedTeam {
    /// Created team.
    #[oai(status = 201)]
    Created(Json<Team>),
}

#[derive(ApiResponse)]
pub enum TeamActionResponse {
    /// Team added to the organization.
    #[oai(status = 201)]
    Mapped(Json<TeamsOrganizationsMappingPage>),
    /// Team tombstoned.
    #[oai(status = 201)]
    Tombstoned(Json<TeamsPage>),
}

#[derive(ApiResponse)]
pub enum AddedMember {
    /// User added to team.
    #[oai(status = 201)]
    Created(Json<TeamUserMapping>),
}

#[OpenApi(prefix_path = "/api/identity", tag = "Tag::Teams")]
impl TeamsApi {
    /// Get all teams for an organization
    #[oai(path = "/orgs/:orgId/teams", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<TeamsPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &teams::ORDER_FIELDS);
        let result = self.identity.list_teams(auth.principal(), org.0, paging.request.clone()).await?;
        Ok(Json(TeamsPage::new(&paging, result.map(Team::from))))
    }

    /// Create a team
    #[oai(path = "/orgs/:orgId/teams", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        body: Json<TeamPayload>,
    ) -> Result<CreatedTeam, AppError> {
        let name = body.0.name.ok_or_else(|| AppError::validation("name is required"))?;
        let desc = body.0.description.map(|d| d.0);
        let team = self.identity.create_team(auth.principal(), org.0, &name.0, desc.as_deref()).await?;
        Ok(CreatedTeam::Created(Json(team.into())))
    }

    /// Get a team by ID
    #[oai(path = "/orgs/:orgId/teams/:teamId", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
    ) -> Result<Json<Team>, AppError> {
        Ok(Json(self.identity.get_team(auth.principal(), org.0, team.0).await?.into()))
    }

    /// Add team to organization or soft delete team
    ///
    /// With `{"action": "delete"}` the team is tombstoned (its `deleted_at` is
    /// set; the organization mapping stays) and the `teams` page is returned.
    /// Without a body, a team removed from its organization is added back and
    /// the `teamsOrganizationsMapping` page is returned.
    #[oai(path = "/orgs/:orgId/teams/:teamId", method = "post")]
    async fn action(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
        body: Vec<u8>,
    ) -> Result<TeamActionResponse, AppError> {
        // The body is optional, which a typed JSON payload cannot express.
        let action = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            let p: TeamActionPayload = serde_json::from_slice(&body)
                .map_err(|e| AppError::validation(format!("body must be {{\"action\": \"delete\"}} or empty: {e}")))?;
            p.action
        };
        Ok(match self.identity.team_action(auth.principal(), org.0, team.0, action.as_deref()).await? {
            TeamAction::Mapped(t) => TeamActionResponse::Mapped(Json(TeamsOrganizationsMappingPage::single(t.into()))),
            TeamAction::Tombstoned(t) => TeamActionResponse::Tombstoned(Json(TeamsPage::single(t.into()))),
        })
    }

    /// Update a team
    #[oai(path = "/orgs/:orgId/teams/:teamId", method = "put")]
    async fn update(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
        body: Json<TeamPayload>,
    ) -> Result<Json<Team>, AppError> {
        let (name, desc) = (body.0.name.map(|n| n.0), body.0.description.map(|d| d.0));
        let t = self.identity.update_team(auth.principal(), org.0, team.0, name.as_deref(), desc.as_deref()).await?;
        Ok(Json(t.into()))
    }

    /// Delete a team
    ///
    /// Deletes the team with its memberships and role bindings.
    #[oai(path = "/orgs/:orgId/teams/:teamId", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.delete_team(auth.principal(), org.0, team.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Remove team from organization
    ///
    /// The team stops applying in the organization until it is added back.
    #[oai(path = "/orgs/:orgId/teams/:teamId/remove", method = "post")]
    async fn remove(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
    ) -> Result<Json<TeamsOrganizationsMappingPage>, AppError> {
        let t = self.identity.remove_team(auth.principal(), org.0, team.0).await?;
        Ok(Json(TeamsOrganizationsMappingPage::single(t.into())))
    }

    /// Get users that are not in a team
    ///
    /// As the reference documents: the organization's users who are NOT members
    /// of the team (candidates to add). Members are listed by
    /// `GET /api/identity/teams/{teamId}/users`.
    #[oai(path = "/orgs/:orgId/teams/:teamId/users", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn non_members(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<UsersPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &users::ORDER_FIELDS);
        let result = self.identity.team_non_members(auth.principal(), org.0, team.0, paging.request.clone()).await?;
        Ok(Json(UsersPage::new(&paging, result.map(User::in_org))))
    }

    /// Add a user to a team
    ///
    /// `userId` is the user's id or e-mail address; they must be a member of
    /// the organization. Adding a member again returns the existing mapping.
    #[oai(path = "/orgs/:orgId/teams/:teamId/users/:userId", method = "post")]
    async fn add_member(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
        #[oai(name = "userId")] user: Path<String>,
    ) -> Result<AddedMember, AppError> {
        let m = self.identity.add_team_member(auth.principal(), org.0, team.0, &user.0).await?;
        Ok(AddedMember::Created(Json(m.into())))
    }

    /// Remove a user from a team
    #[oai(path = "/orgs/:orgId/teams/:teamId/users/:userId", method = "delete")]
    async fn remove_member(
        &self,
        auth: Auth,
        #[oai(name = "orgId")] org: Path<uuid::Uuid>,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
        #[oai(name = "userId")] user: Path<String>,
    ) -> Result<NoContent, AppError> {
        self.identity.remove_team_member(auth.principal(), org.0, team.0, &user.0).await?;
        Ok(NoContent::NoContent)
    }

    /// Get all users in a team
    #[oai(path = "/teams/:teamId/users", method = "get")]
    async fn members(
        &self,
        auth: Auth,
        #[oai(name = "teamId")] team: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<TeamsUsersMappingPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &["created_at"]);
        let result = self.identity.team_users(auth.principal(), team.0, paging.request.clone()).await?;
        Ok(Json(TeamsUsersMappingPage::new(&paging, result.map(TeamUserMapping::from))))
    }
}
