//! `/api/auth/keys`, `/api/auth/key/{keyId}` and `/api/auth/keychains` (Layer5 face).

use meshcloud_kernel::AppError;
use meshcloud_kernel::http::layer5::paging;
use meshcloud_kernel::http::responses::NoContent;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;

use super::Tag;
use super::auth::Auth;
use crate::Identity;
use crate::model::{Key, KeyPayload, Keychain, KeychainPayload, KeychainsPage, KeysPage};
use crate::service::keys::KeyChanges;
use crate::store::keys::{KEY_ORDER_FIELDS, KEYCHAIN_ORDER_FIELDS};

pub struct KeysApi {
    pub identity: Identity,
}

#[OpenApi(prefix_path = "/api/auth", tag = "Tag::Keys")]
impl KeysApi {
    /// List key
    ///
    /// The whole catalogue: built-in keys (owner: the nil UUID) and custom ones.
    #[oai(path = "/keys", method = "get")]
    async fn list_keys(
        &self,
        _auth: Auth,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<KeysPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &KEY_ORDER_FIELDS);
        let result = self.identity.list_keys(paging.request.clone()).await?;
        Ok(Json(KeysPage::new(&paging, result.map(Key::from))))
    }

    /// Create or update a key
    ///
    /// Custom keys only, by provider admins. Without `id` (or with an unknown
    /// one) a key is created and `function` and `category` are required.
    #[oai(path = "/keys", method = "post")]
    async fn upsert_key(&self, auth: Auth, body: Json<KeyPayload>) -> Result<Json<Key>, AppError> {
        let b = body.0;
        let ch = KeyChanges {
            id: b.id,
            function: b.function.map(|t| t.0),
            category: b.category.map(|t| t.0),
            subcategory: b.subcategory.map(|t| t.0),
            description: b.description.map(|t| t.0),
        };
        Ok(Json(self.identity.upsert_key(auth.principal(), ch).await?.into()))
    }

    /// Get key by ID
    #[oai(path = "/key/:keyId", method = "get")]
    async fn get_key(&self, _auth: Auth, #[oai(name = "keyId")] id: Path<uuid::Uuid>) -> Result<Json<Key>, AppError> {
        Ok(Json(self.identity.get_key(id.0).await?.into()))
    }

    /// Delete key
    ///
    /// Custom keys only, by provider admins; the key leaves every keychain.
    #[oai(path = "/key/:keyId", method = "delete")]
    async fn delete_key(&self, auth: Auth, #[oai(name = "keyId")] id: Path<uuid::Uuid>) -> Result<NoContent, AppError> {
        self.identity.delete_key(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// List keychains
    ///
    /// Built-in keychains and those of the organization in context.
    #[oai(path = "/keychains", method = "get")]
    async fn list_keychains(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<KeychainsPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &KEYCHAIN_ORDER_FIELDS);
        let result = self.identity.list_keychains(auth.principal(), org.as_deref(), paging.request.clone()).await?;
        Ok(Json(KeychainsPage::new(&paging, result.map(Keychain::from))))
    }

    /// Create a keychain
    ///
    /// The keychain belongs to the organization in context.
    #[oai(path = "/keychains", method = "post")]
    async fn create_keychain(
        &self,
        auth: Auth,
        #[oai(name = "layer5-current-orgid")] org: Header<Option<String>>,
        body: Json<KeychainPayload>,
    ) -> Result<Json<Keychain>, AppError> {
        Ok(Json(self.identity.create_keychain(auth.principal(), org.as_deref(), &body.0.name.0).await?.into()))
    }

    /// Get keychain by ID
    #[oai(path = "/keychains/:keychainId", method = "get")]
    async fn get_keychain(
        &self,
        auth: Auth,
        #[oai(name = "keychainId")] id: Path<uuid::Uuid>,
    ) -> Result<Json<Keychain>, AppError> {
        Ok(Json(self.identity.get_keychain(auth.principal(), id.0).await?.into()))
    }

    /// Update keychain
    #[oai(path = "/keychains/:keychainId", method = "put")]
    async fn update_keychain(
        &self,
        auth: Auth,
        #[oai(name = "keychainId")] id: Path<uuid::Uuid>,
        body: Json<KeychainPayload>,
    ) -> Result<Json<Keychain>, AppError> {
        Ok(Json(self.identity.rename_keychain(auth.principal(), id.0, &body.0.name.0).await?.into()))
    }

    /// Delete keychain
    ///
    /// The keychain is taken off every role that held it.
    #[oai(path = "/keychains/:keychainId", method = "delete")]
    async fn delete_keychain(
        &self,
        auth: Auth,
        #[oai(name = "keychainId")] id: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.delete_keychain(auth.principal(), id.0).await?;
        Ok(NoContent::NoContent)
    }

    /// List keys in a keychain
    #[oai(path = "/keychains/:keychainId/keys", method = "get")]
    async fn keychain_keys(
        &self,
        auth: Auth,
        #[oai(name = "keychainId")] id: Path<uuid::Uuid>,
        page: Query<Option<String>>,
        pagesize: Query<Option<String>>,
        search: Query<Option<String>>,
        order: Query<Option<String>>,
    ) -> Result<Json<KeysPage>, AppError> {
        let paging =
            paging(page.as_deref(), pagesize.as_deref(), search.as_deref(), order.as_deref(), &KEY_ORDER_FIELDS);
        let result = self.identity.keychain_keys(auth.principal(), id.0, paging.request.clone()).await?;
        Ok(Json(KeysPage::new(&paging, result.map(Key::from))))
    }

    /// Add key to keychain
    ///
    /// The caller must hold the key themselves.
    #[oai(path = "/keychains/:keychainId/:keyId", method = "post")]
    async fn add_key(
        &self,
        auth: Auth,
        #[oai(name = "keychainId")] id: Path<uuid::Uuid>,
        #[oai(name = "keyId")] key: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.set_keychain_key(auth.principal(), id.0, key.0, true).await?;
        Ok(NoContent::NoContent)
    }

    /// Remove key from keychain
    #[oai(path = "/keychains/:keychainId/:keyId", method = "delete")]
    async fn remove_key(
        &self,
        auth: Auth,
        #[oai(name = "keychainId")] id: Path<uuid::Uuid>,
        #[oai(name = "keyId")] key: Path<uuid::Uuid>,
    ) -> Result<NoContent, AppError> {
        self.identity.set_keychain_key(auth.principal(), id.0, key.0, false).await?;
        Ok(NoContent::NoContent)
    }
}
