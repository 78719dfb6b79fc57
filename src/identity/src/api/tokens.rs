//! `/api/identity/tokens`: security tokens (Layer5 face).

use meshcloud_kernel::http::layer5::{flag, paging};
use meshcloud_kernel::{AppError, validate};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::{Token, TokensPage};
use crate::service::tokens::Created;
use crate::store::tokens::{Kind, ORDER_FIELDS};

pub struct TokensApi {
    pub identity: Identity,
}

fn shown_once(c: Created) -> TokensPage {
    let mut token = Token::from(c.row);
    token.access_token = Some(c.plaintext);
    TokensPage::single(token)
}

#[OpenApi(prefix_path = "/api/identity/tokens", tag = "Tag::Tokens")]
impl TokensApi {
    /// Get tokens
    ///
    /// The caller's live security tokens; `isOAuth=true` lists their sessions
    /// instead: web sessions and one OIDC session per client signed in to.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        #[oai(name = "isOAuth")] is_oauth: Query<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<TokensPage>, AppError> {
        let paging = paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &ORDER_FIELDS);
        let result =
            self.identity.list_tokens(auth.principal(), flag(is_oauth.as_deref()), paging.request.clone()).await?;
        Ok(Json(TokensPage::new(&paging, result.map(Token::from))))
    }

    /// Generate token
    ///
    /// Issues a security token for the caller. The response holds it in
    /// `access_token`; this is the only time it is shown.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        name: Query<String>,
        purpose: Query<Option<String>>,
    ) -> Result<Json<TokensPage>, AppError> {
        let created = self.identity.create_token(auth.principal(), &name, purpose.as_deref()).await?;
        Ok(Json(shown_once(created)))
    }

    /// Delete token
    ///
    /// Revokes one of the caller's tokens or sessions (web or OIDC) at once.
    /// Answers with the caller's remaining tokens (or sessions), first page.
    #[oai(path = "/", method = "delete")]
    async fn delete(
        &self,
        auth: Auth,
        #[oai(name = "tokenId")] token_id: Query<String>,
    ) -> Result<Json<TokensPage>, AppError> {
        let id = validate::uuid("tokenId", &token_id)?;
        let p = auth.principal();
        // The reference documents no 404 here: another's or an unknown token is a bad `tokenId`.
        let revoked = self.identity.revoke_token(p, id).await.map_err(|e| e.unresolved("tokenId: no such token"))?;
        let paging = paging(None, None, None, None, &ORDER_FIELDS);
        let sessions = matches!(revoked.kind, Kind::Session | Kind::OAuth);
        let rest = self.identity.list_tokens(p, sessions, paging.request.clone()).await?;
        Ok(Json(TokensPage::new(&paging, rest.map(Token::from))))
    }

    /// Issue indefinite lifetime token
    ///
    /// Provider admins only: issues a non-expiring token for any user.
    #[oai(path = "/infinite", method = "get")]
    async fn infinite(
        &self,
        auth: Auth,
        #[oai(name = "userId")] user_id: Query<String>,
        provider: Query<String>,
    ) -> Result<Json<TokensPage>, AppError> {
        auth.principal().require_provider_admin()?;
        let user = validate::uuid("userId", &user_id)?;
        let created = self.identity.create_infinite_token(auth.principal(), user, &provider).await?;
        Ok(Json(shown_once(created)))
    }

    /// Get token by ID
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<uuid::Uuid>) -> Result<Json<Token>, AppError> {
        Ok(Json(self.identity.get_token(auth.principal(), id.0).await?.into()))
    }
}
